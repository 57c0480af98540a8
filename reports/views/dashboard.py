"""The supplier's dashboard: what it acts on (periods to report, the newest reported ones), its
commitment and its figures over the years from the stored runs. Drawn here, not in suppliers,
because the figures are the roll-up's; the periods come from suppliers.selectors."""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from portal.generations import generation
from reports.cache import RUNS_AND_COMMITMENTS
from reports.calculation.commitments import CommitmentTerms, Progress, commitment_progress_compute
from reports.documents.charts import bar_line_chart_svg
from reports.selectors.runs import supplier_figures_by_year
from suppliers.models import Commitment, Supplier
from suppliers.selectors import periods_reported, periods_to_report, sites_for_supplier, supplier_for_user

# The dashboard shows what a supplier acts on; the newest submitted or past periods beyond these
# are on the period history page (a monthly reporter has 84 periods after seven years).
RECENT_PERIODS = 6


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff:
        return redirect("admin:index")
    supplier = supplier_for_user(request.user)
    newest = periods_reported(supplier, limit=RECENT_PERIODS + 1)  # one more: does the history have more?
    # The figures and the commitment change only with a run or a commitment: the template keeps
    # what it draws of them under that generation (reports.cache) and calls these on a miss.
    figures = functools.cache(lambda: year_figures(supplier_figures_by_year(supplier)))
    context = {
        "supplier": supplier,
        "sites": sites_for_supplier(supplier),
        "to_report": periods_to_report(supplier),
        "reported": newest[:RECENT_PERIODS],
        "more_reported": len(newest) > RECENT_PERIODS,
        "today": timezone.localdate(),
        "figures_generation": generation(RUNS_AND_COMMITMENTS),
        "figures": figures,
        "charts": lambda: figure_charts(figures()) if figures() else [],
        "commitment": lambda: commitment_standing(supplier, figures()),
    }
    return render(request, "reports/dashboard.html", context)


@dataclass(frozen=True)
class CommitmentStanding:
    commitment: Commitment
    progress: Progress | None  # in the newest year with figures; None without figures


def commitment_standing(supplier: Supplier, figures: list["YearFigures"]) -> CommitmentStanding | None:
    """The supplier's commitment and where it stands in its newest year, from the figures shown."""
    commitment = Commitment.objects.filter(supplier=supplier).first()
    if commitment is None:
        return None
    if not figures:
        return CommitmentStanding(commitment, None)
    by_year = {f.year: f for f in figures}
    baseline = by_year.get(settings.BASELINE_YEAR)
    newest = figures[-1]
    progress = commitment_progress_compute(
        baseline_share_percent=baseline.green_share_percent if baseline else None,
        share_percent=newest.green_share_percent,
        commitment=CommitmentTerms(
            commitment.committed_on, commitment.target_year, commitment.target_green_share_percent
        ),
        baseline_year=settings.BASELINE_YEAR,
        year=newest.year,
    )
    return CommitmentStanding(commitment, progress)


@dataclass(frozen=True)
class YearFigures:
    year: int
    electricity_mwh: Decimal
    green_mwh: Decimal
    avoided_tco2e: Decimal

    @property
    def green_share_percent(self) -> Decimal | None:
        """None without electricity: a share of nothing is not 0 %."""
        if not self.electricity_mwh:
            return None
        return self.green_mwh * 100 / self.electricity_mwh


def year_figures(rows: Iterable[dict]) -> list[YearFigures]:
    return [
        YearFigures(
            year=row["year"],
            electricity_mwh=row["attributable_electricity_mwh"],
            green_mwh=row["attributable_green_mwh"],
            avoided_tco2e=row["avoided_tco2e"],
        )
        for row in rows
    ]


def _localised(value: Decimal) -> str:
    """In the reader's format, grouped: tick values (1500, 0.25) as they are, measured values
    rounded half up to one decimal (Django's number_format would cut the extra decimals off)."""
    places = max(0, -value.normalize().as_tuple().exponent)
    if places > 2:
        value, places = value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1
    return number_format(value, decimal_pos=places, force_grouping=True)


def figure_charts(figures: list[YearFigures]) -> list[SafeString]:
    """Two charts in the active language: electricity with its green share, and avoided emissions."""
    years = [f.year for f in figures]
    electricity = bar_line_chart_svg(
        width=540,
        years=years,
        bars=[f.electricity_mwh for f in figures],
        bars_label=_("Attributable electricity (MWh)"),
        line=[f.green_share_percent for f in figures],
        line_label=_("Green share (%)"),
        line_high=Decimal(100),
        title=_("Attributable electricity and its green share, by year"),
        number_format=_localised,
    )
    avoided = bar_line_chart_svg(
        width=540,
        years=years,
        bars=[f.avoided_tco2e for f in figures],
        bars_label=_("Avoided emissions (tCO2e)"),
        title=_("Emissions avoided by green electricity, by year"),
        number_format=_localised,
    )
    # reports.documents.charts escapes every piece of text it draws.
    return [mark_safe(electricity), mark_safe(avoided)]  # noqa: S308
