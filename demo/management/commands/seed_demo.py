import argparse
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from simple_history.utils import bulk_update_with_history

from demo import portfolio as demo
from reports.models import RollupRun
from reports.services.factors import factors_import, published_figure_set
from reports.services.rollups import rollup_run_create
from suppliers.models import Line, ReportingPeriod, Site, Supplier, User
from suppliers.periods import PeriodKind
from suppliers.services.commitments import commitments_import
from suppliers.services.imports import submissions_import
from suppliers.services.spreadsheets import FileRefused

FACTORS_FILE = Path(settings.BASE_DIR) / "reports" / "data" / "emission_factors.csv"


def _years(text: str) -> range:
    """`2019-2025` or `2024`."""
    first, _dash, last = text.partition("-")
    try:
        years = range(int(first), int(last or first) + 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a range of years such as 2019-2025") from None
    if not years or years[0] < 2000 or years[-1] > 2100:
        raise argparse.ArgumentTypeError(f"“{text}” is not a range of years between 2000 and 2100")
    return years


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


class Command(BaseCommand):
    help = (
        "Fills the portal with an invented demo portfolio (suppliers, sites, 2019–2025 submissions, factors, "
        "the published 2024 figure, two demo logins) through the submission import, then runs the roll-ups."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--suppliers", type=_positive, default=200, help="How many suppliers (default 200).")
        parser.add_argument(
            "--years", type=_years, default=range(demo.FIRST_YEAR, demo.LAST_YEAR + 1), help="e.g. 2019-2025"
        )
        parser.add_argument("--monthly", action="store_true", help="Every line monthly (for benchmarks).")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any supplier exists.")

    def handle(
        self, *args: object, suppliers: int, years: range, monthly: bool, if_empty: bool, **options: object
    ) -> None:
        if if_empty and Supplier.objects.exists():
            self.stdout.write("Suppliers exist already; seed_demo --if-empty leaves the data as it is.")
            return
        started = time.monotonic()
        portfolio = demo.demo_portfolio(suppliers)
        try:
            with transaction.atomic():
                approved, waiting = self._write(portfolio, years, monthly)
        except FileRefused as refused:
            problems = "\n".join(f"  {problem}" for problem in refused.problems[:50])
            raise CommandError(
                f"The import refused the demo rows ({len(refused.problems)} problem(s)):\n{problems}"
            ) from None
        runs = {year: rollup_run_create(year=year, trigger="seed_demo") for year in years}
        self._summary(approved, waiting, runs, time.monotonic() - started)

    def _write(self, portfolio: list[demo.DemoSupplier], years: range, monthly: bool) -> tuple[int, int]:
        """Factors, the published figure, periods, the submissions, categories and the two logins.
        Returns the numbers of approved and of waiting lines."""
        factors_import(content=FACTORS_FILE.read_bytes(), replace=True)
        published_figure_set(year=demo.PUBLISHED_YEAR, tco2e=demo.PUBLISHED_TCO2E, source=demo.PUBLISHED_SOURCE)
        # Past years are closed; the year after the last one is open, so suppliers have one to report.
        for year in [*years, years[-1] + 1]:
            ReportingPeriod.objects.update_or_create(
                year=year,
                kind=PeriodKind.YEAR,
                number=0,
                defaults={"due_date": demo.annual_due_date(year), "is_open": year > years[-1]},
            )
        # One file per year keeps memory bounded for the monthly benchmark portfolio (~450k lines).
        approved_count, waiting = 0, []
        for year in years:
            rows = demo.demo_rows(portfolio, years=range(year, year + 1), monthly=monthly)
            approved = [row for row in rows if row.approved]
            waiting += [row for row in rows if not row.approved]
            if approved:
                submissions_import(content=demo.rows_csv(approved), filename=f"demo-{year}.csv", approve=True)
            approved_count += len(approved)
        if waiting:
            submissions_import(content=demo.rows_csv(waiting), filename="demo-for-review.csv", approve=False)
        # The submission file has no category column: staff set it, here in one batch.
        categories = {supplier.code: supplier.category for supplier in portfolio}
        recategorised = []
        for supplier in Supplier.objects.filter(code__in=categories):
            if supplier.category != categories[supplier.code]:
                supplier.category = categories[supplier.code]
                recategorised.append(supplier)
        bulk_update_with_history(recategorised, Supplier, ["category"], batch_size=1000)
        seeded = set(Supplier.objects.values_list("code", flat=True))
        committed = [supplier for supplier in portfolio if supplier.code in seeded]
        commitments_import(content=demo.commitments_csv(committed), filename="demo-commitments.csv")
        if not User.objects.filter(email=demo.STAFF_EMAIL).exists():
            User.objects.create_superuser(demo.STAFF_EMAIL, demo.STAFF_PASSWORD, full_name="Demo staff", language="en")
        first = Supplier.objects.filter(code=portfolio[0].code).first()
        if first is not None and not User.objects.filter(email=demo.SUPPLIER_EMAIL).exists():
            User.objects.create_user(
                demo.SUPPLIER_EMAIL, demo.SUPPLIER_PASSWORD, supplier=first, full_name="Demo supplier user"
            )
        return approved_count, len(waiting)

    def _summary(self, approved: int, waiting: int, runs: dict[int, RollupRun], seconds: float) -> None:
        self.stdout.write(
            f"Seeded the demo portfolio in {seconds:.1f} s: {Supplier.objects.count()} suppliers, "
            f"{Site.objects.count()} sites, {Line.objects.count()} lines "
            f"({approved} approved, {waiting} waiting for review) for {min(runs)}–{max(runs)}."
        )
        for year, run in sorted(runs.items()):
            flags = Counter(flag["code"] for flag in run.result["flags"])
            line = (
                f"  {year}: green-power reduction {run.green_reduction_tco2e:,.0f} tCO2e "
                f"against {run.baseline_year}, {run.suppliers_reporting} suppliers; flags: "
                + (", ".join(f"{count} {code}" for code, count in sorted(flags.items())) or "none")
            )
            if run.reported_tco2e is not None:
                line += f"; published figure {run.reported_tco2e:,.0f} tCO2e, variance {run.variance_pct:+.1f} %"
            self.stdout.write(line)
        self.stdout.write(demo.INVENTED_NOTICE)
        # Only a pointer: demo_logins replaces the staff backup codes each time it runs and `make run` runs
        # it next, so printing the logins here too showed a set of codes that no longer worked.
        self.stdout.write("The demo logins (and staff backup codes): python manage.py demo_logins")
