from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from suppliers.services.commitments import commitments_import
from suppliers.services.spreadsheets import FileRefused


class Command(BaseCommand):
    help = (
        "Loads suppliers' commitments (CSV or XLSX: supplier_code, committed_on, target_year, "
        "target_green_share_percent, source): all rows or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, file: Path, **options: object) -> None:
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            created, updated = commitments_import(content=content, filename=file.name)
        except FileRefused as refused:
            lines = [f"{file.name} was refused; nothing was imported. {len(refused.problems)} problem(s):"]
            lines += [f"  {problem}" for problem in refused.problems]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            f"Imported the commitments of {created + updated} supplier(s): {created} new, {updated} replaced."
        )
