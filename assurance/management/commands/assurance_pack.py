from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assurance.pack import pack_write
from assurance.selectors import run_newest
from assurance.services import RunOutdated


class Command(BaseCommand):
    help = "Writes the assurance pack that re-creates a year's newest run (refused when the data changed since)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", type=Path, required=True, help="The ZIP file to write.")

    def handle(self, *args: object, year: int, out: Path, **options: object) -> None:
        run = run_newest(year=year, baseline_year=settings.BASELINE_YEAR)
        if run is None:
            raise CommandError(f"No roll-up of {year} is stored: run `manage.py rollup --year {year}` first.")
        partial = out.with_name(out.name + ".partial")
        try:
            with partial.open("wb") as file:
                manifest = pack_write(run, file)
        except RunOutdated as error:
            partial.unlink(missing_ok=True)
            raise CommandError(str(error)) from None
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {out}: {error.strerror}") from None
        partial.replace(out)  # whole or not at all
        self.stdout.write(f"Assurance pack of run #{run.pk} ({year}) written to {out}: {len(manifest['files'])} files.")
