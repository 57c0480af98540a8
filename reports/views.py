"""Staff pages of the reports app, shown inside the admin."""

from decimal import Decimal

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports.calculation import METHOD_VERSION
from reports.charts import bar_line_chart_svg, waterfall_chart_svg
from reports.comparison import runs_compare
from reports.exports import csv_stream, xlsx_file
from reports.models import RollupRun
from reports.selectors import (
    double_claims,
    run_breakdown_by_category,
    run_breakdown_by_region,
    run_export_rows,
    run_flag_counts,
    run_flags,
    run_previous,
    run_shown_result,
    run_top_contributors,
    runs_trend,
    serial_double_claims,
)
from reports.services.rollups import rollup_request
from suppliers.forms.review import ReturnForm
from suppliers.models import Submission, SupplierCategory
from suppliers.provinces import Region
from suppliers.services.submissions import StaleSubmission, submission_return


def _years(request: HttpRequest, trend: list) -> tuple[int | None, list[int]]:
    years = [run.year for run in trend]
    try:
        chosen = int(request.GET.get("year", ""))
    except ValueError:
        chosen = None
    if chosen not in years:
        chosen = years[-1] if years else None
    return chosen, years


@permission_required("reports.view_rolluprun", raise_exception=True)
def comparison(request: HttpRequest) -> HttpResponse:
    """The computed green-power reduction of a year beside the published figure, and why."""
    baseline_year = settings.BASELINE_YEAR
    # Each year's run without its result (1-2 MB at 2,000 suppliers): only the keys shown are read.
    trend = runs_trend(baseline_year=baseline_year, method_version=METHOD_VERSION)
    year, years = _years(request, trend)
    run = next((r for r in trend if r.year == year), None)
    context = {
        **admin.site.each_context(request),
        "title": _("Computed reduction against the published figure"),
        "years": years,
        "year": year,
        "run": run,
        "trend": trend,
        "committed_suppliers": settings.COMMITTED_SUPPLIERS,
        "export_kinds": [("suppliers", _("by supplier")), ("sites", _("by site")), ("regions", _("by region"))],
    }
    if run is not None:
        previous = run_previous(run)
        result = run_shown_result(run)
        reported = result.get("reported")
        context.update(
            result=result,
            reported=reported,
            difference=None if reported is None else result["green_reduction_tco2e"] - reported["tco2e"],
            coverage_pct=100 * result["suppliers_reporting"] / settings.COMMITTED_SUPPLIERS,
            regions=[{**row, "label": Region(row["region"]).label} for row in run_breakdown_by_region(run)],
            categories=[
                {**row, "label": SupplierCategory(row["category"]).label} for row in run_breakdown_by_category(run)
            ],
            top=run_top_contributors(run),
            # A factor fallback belongs to the factor table (listed below with where each value
            # came from), not to a supplier: counted, not listed line by line.
            flags=run_flags(run, exclude_codes=("factor_fallback",)),
            flag_counts=run_flag_counts(run),
            previous=previous,
            changes=runs_compare(previous.compared, result) if previous else [],
            trend_chart=_trend_chart(trend),
            # A year without suppliers with a baseline has nothing to decompose: no chart.
            waterfall_chart=_waterfall_chart(result) if result["suppliers_with_baseline"] else "",
        )
    return TemplateResponse(request, "admin/reports/comparison.html", context)


def _tonnes(value: Decimal) -> str:
    return number_format(value.quantize(Decimal(1)), use_l10n=True, force_grouping=True)


def _trend_chart(trend: list[RollupRun]) -> str:
    """Computed green-power reduction per year as bars, the published figure as a line on the same axis."""
    return mark_safe(  # noqa: S308 - reports.charts escapes every text it draws
        bar_line_chart_svg(
            years=[run.year for run in trend],
            bars=[Decimal(str(run.summary["green_reduction_tco2e"])) for run in trend],
            bars_label=_("Computed green-power reduction (tCO2e)"),
            line=[
                Decimal(str(run.summary["reported"]["tco2e"])) if run.summary.get("reported") else None for run in trend
            ],
            line_label=_("Published (tCO2e)"),
            shared_axis=True,
            number_format=_tonnes,
            title=_("Green-power reduction against the baseline, by year"),
        )
    )


def _waterfall_chart(result: dict) -> str:
    """Market-based emissions of the suppliers with a baseline, from the baseline year to this year,
    through the three effects of the decomposition (an effect is a reduction, so a step is −effect)."""
    with_baseline = [s for s in result["suppliers"] if s["absolute_reduction_tco2e"] is not None]
    now = sum((Decimal(str(s["market_based_tco2e"])) for s in with_baseline), Decimal(0))
    before = now + sum((Decimal(str(s["absolute_reduction_tco2e"])) for s in with_baseline), Decimal(0))
    parts = result["decomposition"]
    return mark_safe(  # noqa: S308 - reports.charts escapes every text it draws
        waterfall_chart_svg(
            start=(str(result["baseline_year"]), before),
            steps=[
                (_("Activity"), -Decimal(str(parts["activity"]))),
                (_("Green share"), -Decimal(str(parts["green_share"]))),
                (_("Grid factor"), -Decimal(str(parts["grid_factor"]))),
            ],
            end_label=str(result["year"]),
            value_label=_("Market-based emissions (tCO2e)"),
            number_format=_tonnes,
            title=_("From the baseline year's emissions to this year's"),
        )
    )


@require_POST
@permission_required("reports.view_rolluprun", raise_exception=True)
def comparison_refresh(request: HttpRequest) -> HttpResponse:
    """Asks the worker for a fresh run of the year (nothing new is stored if nothing changed)."""
    year = int(request.POST["year"])
    sent = rollup_request(year=year, trigger=f"requested by {request.user.get_username()}")
    if sent:
        messages.success(request, _("A fresh roll-up of %(year)d was sent to the worker.") % {"year": year})
    else:
        messages.info(request, _("A roll-up of %(year)d is already queued.") % {"year": year})
    return redirect(f"{reverse('reports_comparison')}?year={year}")


EXPORT_KINDS = ("suppliers", "sites", "regions")


@permission_required("reports.view_rolluprun", raise_exception=True)
def run_export(request: HttpRequest, run_id: int, kind: str, file_format: str) -> HttpResponse:
    """A run's figures by supplier, site or region, as CSV (streamed) or XLSX."""
    if kind not in EXPORT_KINDS or file_format not in ("csv", "xlsx"):
        raise Http404
    run = get_object_or_404(RollupRun, pk=run_id, status=RollupRun.Status.SUCCEEDED)
    header, rows = run_export_rows(run, kind)
    filename = f"rollup-{run.year}-run{run.pk}-{kind}.{file_format}"
    if file_format == "csv":
        response = StreamingHttpResponse(csv_stream(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        xlsx_file(f"{run.year} {kind}", header, rows),
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@permission_required("reports.view_rolluprun", raise_exception=True)
def double_claims_list(request: HttpRequest) -> HttpResponse:
    """Certificates claimed more than once: batches with every claimant, and overlapping serials
    with both claimants and the MWh at stake."""
    context = {
        **admin.site.each_context(request),
        "title": _("Certificates claimed more than once"),
        "batches": double_claims(),
        "serial_claims": serial_double_claims(),
        "form": ReturnForm(),
    }
    return TemplateResponse(request, "admin/reports/double_claims.html", context)


@require_POST
@permission_required("suppliers.change_submission", raise_exception=True)
def double_claim_reject(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Rejects one claimant: its submission goes back to its supplier with the comment."""
    submission = get_object_or_404(Submission, pk=submission_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the supplier must correct."))
        return redirect("reports_double_claims")
    try:
        submission_return(
            submission=submission,
            user=request.user,
            comment=form.cleaned_data["review_comment"],
            expected_version=int(request.POST.get("version", submission.version)),
        )
    except StaleSubmission as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(submission)s was returned to its supplier; the roll-up is redone.") % {"submission": submission},
        )
    return redirect("reports_double_claims")
