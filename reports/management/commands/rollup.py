import json

from celery.exceptions import TimeoutError as CeleryTimeout
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.calculation.factors import MissingFactor
from reports.calculation.result import SENSITIVITY_KEYS
from reports.documents.numbers import figure_text
from reports.models import RollupRun
from reports.tasks import rollup


# Stored with every run; printed with --sensitivity.
class Command(BaseCommand):
    help = "Runs the roll-up of a year through the Celery worker and waits (--inline: in this process)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--json", action="store_true", help="Print the result as JSON (docs/formats.md).")
        parser.add_argument(
            "--sensitivity",
            action="store_true",
            help="With --json: include the sensitivity variants and the headline's range.",
        )
        parser.add_argument("--inline", action="store_true", help="Run the task in this process, without a worker.")
        parser.add_argument("--timeout", type=int, default=600, help="Seconds to wait for the worker.")

    def handle(
        self, *args: object, year: int, json: bool, sensitivity: bool, inline: bool, timeout: int, **options: object
    ) -> None:
        try:
            if inline:
                run_id = rollup.apply(kwargs={"year": year, "trigger": "command --inline"}, throw=True).get()
            else:
                run_id = rollup.delay(year=year, trigger="command").get(timeout=timeout)
        except MissingFactor as error:
            raise CommandError(str(error)) from None
        except CeleryTimeout:
            raise CommandError(
                f"No worker finished the roll-up within {timeout} s: is a Celery worker running?"
            ) from None
        run = RollupRun.objects.get(pk=run_id)
        if json:
            shown = run.result if sensitivity else {k: v for k, v in run.result.items() if k not in SENSITIVITY_KEYS}
            self.stdout.write(_dumps(shown))
        else:
            self.stdout.write(
                f"Roll-up {year} (run #{run.pk}, baseline {run.baseline_year}): green-power reduction "
                f"{figure_text(run.green_reduction_tco2e)} tCO2e, absolute reduction "
                f"{figure_text(run.absolute_reduction_tco2e)} tCO2e, {run.suppliers_reporting} suppliers, "
                f"{len(run.result['flags'])} flag(s)."
            )


def _dumps(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=1)
