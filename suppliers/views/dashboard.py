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

from reports.calculation.commitments import CommitmentTerms, Progress, commitment_progress_compute
from reports.documents.charts import bar_line_chart_svg
from suppliers.models import Commitment, ReportingPeriod, Submission, Supplier
from suppliers.selectors import periods_for_dashboard, sites_for_supplier, supplier_figures_by_year, supplier_for_user

# The dashboard shows what a supplier acts on; the newest submitted or past periods beyond these
# are on the period history page (a monthly reporter has 84 periods after seven years).
RECENT_PERIODS = 12


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff:
        return redirect("admin:index")
    supplier = supplier_for_user(request.user)
    to_report, reported = periods_split(periods_for_dashboard(supplier))
    figures = year_figures(supplier_figures_by_year(supplier))
    context = {
        "supplier": supplier,
        "sites": sites_for_supplier(supplier),
        "to_report": to_report,
        "reported": reported[:RECENT_PERIODS],
        "reported_count": len(reported),
        "today": timezone.localdate(),
        "figures": figures,
        "charts": figure_charts(figures) if figures else [],
        "commitment": commitment_standing(supplier, figures),
    }
    return render(request, "suppliers/dashboard.html", context)


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


@login_required
def period_history(request: HttpRequest) -> HttpResponse:
    """Every period of the supplier, newest first: those to report, then the others."""
    supplier = supplier_for_user(request.user)
    to_report, reported = periods_split(periods_for_dashboard(supplier))
    context = {"supplier": supplier, "to_report": to_report, "reported": reported, "today": timezone.localdate()}
    return render(request, "suppliers/period_history.html", context)


def periods_split(periods: Iterable[ReportingPeriod]) -> tuple[list[ReportingPeriod], list[ReportingPeriod]]:
    """(open periods still to report: nothing, a draft or a returned submission; the others).
    Each period gets `own_submission`, the supplier's submission or None."""
    to_report, reported = [], []
    for period in periods:
        period.own_submission = next(iter(period.own_submissions), None)
        status = period.own_submission.status if period.own_submission else None
        # A returned submission waits for its supplier even once its period is closed.
        waiting = status == Submission.Status.RETURNED or (period.is_open and status in (None, Submission.Status.DRAFT))
        (to_report if waiting else reported).append(period)
    return to_report, reported


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
