from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.services.factors import factors_import
from suppliers.services.spreadsheets import FileRefused


class Command(BaseCommand):
    help = "Loads an emission-factor file (region,year,tco2_per_mwh,source)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--replace", action="store_true", help="The file becomes the whole factor table.")

    def handle(self, *args: object, file: Path, replace: bool, **options: object) -> None:
        try:
            count = factors_import(content=file.read_bytes(), replace=replace)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        except FileRefused as refused:
            raise CommandError(
                "\n".join([f"{file.name} was refused; nothing was loaded:", *(f"  {p}" for p in refused.problems)])
            ) from None
        self.stdout.write(f"Loaded {count} emission factor(s){' (the table was replaced)' if replace else ''}.")
