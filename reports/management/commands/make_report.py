"""python manage.py make_report {annual,monthly} PERIOD --language {en,zh-hans} --out DIR"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.models import Report
from reports.services.reports import ReportUnavailable, report_render


class Command(BaseCommand):
    help = (
        "Writes a report's PDF and XLSX from the stored roll-up run into a folder, without emailing or storing "
        "them (the issued report's run if it was issued, else the newest run of the year)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=Report.Kind.values)
        parser.add_argument("period", help="2024 for an annual report, 2026-11 for a monthly one")
        parser.add_argument("--language", choices=[code for code, _name in settings.LANGUAGES], default="en")
        parser.add_argument("--out", type=Path, default=Path("."), help="the folder to write into (made if missing)")

    def handle(self, *args: object, kind: str, period: str, language: str, out: Path, **options: object) -> None:
        try:
            rendered = report_render(kind=kind, period_key=period, language=language)
        except (ValueError, ReportUnavailable) as error:
            raise CommandError(str(error)) from None
        out.mkdir(parents=True, exist_ok=True)
        stem = f"{kind}-{period}-{language}"
        for suffix, content in (("pdf", rendered.pdf), ("xlsx", rendered.xlsx)):
            path = out / f"{stem}.{suffix}"
            path.write_bytes(content)
            self.stdout.write(f"{path} ({len(content):,} bytes, roll-up run #{rendered.report.run_id})")
