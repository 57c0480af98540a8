from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.services.factors import published_figure_set


class Command(BaseCommand):
    help = "Records the published reduction figure for a year (what the roll-up is compared with)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("tco2e", type=str)
        parser.add_argument("--source", required=True, help="Where the figure was published.")

    def handle(self, *args: object, year: int, tco2e: str, source: str, **options: object) -> None:
        try:
            value = Decimal(tco2e.replace(",", ""))
            if not value.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise CommandError(f"“{tco2e}” is not a number of tonnes.") from None
        try:
            figure = published_figure_set(year=year, tco2e=value, source=source)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"Recorded {figure.tco2e} tCO2e for {year} ({figure.source}).")
