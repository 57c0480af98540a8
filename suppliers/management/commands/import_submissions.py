from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suppliers.services.imports import submissions_import
from suppliers.services.spreadsheets import FileRefused


class Command(BaseCommand):
    help = "Loads a submission file (CSV or XLSX, interfaces.md): all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--approve", action="store_true", help="Mark the lines approved (data staff have already checked)."
        )

    def handle(self, *args: object, file: Path, approve: bool, **options: object) -> None:
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            result = submissions_import(content=content, filename=file.name, approve=approve)
        except FileRefused as refused:
            lines = [f"{file.name} was refused; nothing was imported. {len(refused.problems)} problem(s):"]
            lines += [f"  {problem}" for problem in refused.problems]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            f"Imported {result.lines} line(s) from {file.name}: {result.lines_created} new, "
            f"{result.lines_replaced} replaced; {result.suppliers_created} new supplier(s), "
            f"{result.sites_created} new site(s); {'approved' if approve else 'waiting for review'}."
        )
