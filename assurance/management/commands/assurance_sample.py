import csv
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assurance.models import MAX_SAMPLE_SIZE
from assurance.selectors import run_newest
from assurance.services import RunOutdated, sample_lines
from suppliers.models import EvidenceFile

HEADER = ("supplier_code", "site_code", "period", "avoided_tco2e", "evidence_files")
THREE_PLACES = Decimal("0.001")


class Command(BaseCommand):
    help = (
        "Draws a monetary-unit sample of a year's approved lines from the newest stored run: each line's chance "
        "proportional to its attributable avoided tCO2 (a line with none is never drawn); the same run, size and "
        "seed always give the same lines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--size", type=int, required=True)
        parser.add_argument("--seed", type=int, required=True)
        parser.add_argument("--csv", type=Path, dest="csv_path", help="Write the sample to this file, not stdout.")

    def handle(self, *args: object, year: int, size: int, seed: int, csv_path: Path | None, **options: object) -> None:
        if not 1 <= size <= MAX_SAMPLE_SIZE:
            raise CommandError(f"--size must be between 1 and {MAX_SAMPLE_SIZE}")
        run = run_newest(year=year, baseline_year=settings.BASELINE_YEAR)
        if run is None:
            raise CommandError(f"No roll-up of {year} is stored: run `manage.py rollup --year {year}` first.")
        try:
            _population, drawn = sample_lines(run, size=size, seed=seed)
        except RunOutdated as error:
            raise CommandError(str(error)) from None
        # A line's files: its site's in its submission (the line's, or the site's for the period), then
        # those of every site of the period.
        names: dict[tuple[int, str | None], list[str]] = {}
        evidence = EvidenceFile.objects.filter(submission_id__in={v.submission_id for v in drawn}).order_by("pk")
        for submission_id, site_code, name in evidence.values_list("submission_id", "site__code", "original_name"):
            names.setdefault((submission_id, site_code), []).append(name)
        rows = [
            [
                v.supplier_code,
                v.site_code,
                v.period,
                f"{v.avoided_tco2e.quantize(THREE_PLACES):f}",
                ";".join(names.get((v.submission_id, v.site_code), []) + names.get((v.submission_id, None), [])),
            ]
            for v in drawn
        ]
        if csv_path is None:
            _write(self.stdout, rows)
            return
        with csv_path.open("w", newline="", encoding="utf-8") as out:
            _write(out, rows)
        self.stderr.write(f"{len(rows)} lines of run #{run.pk} written to {csv_path}")


def _write(out: TextIO, rows: list[list[str]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
