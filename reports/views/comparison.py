"""The comparison page, the page the portal exists for: the computed headline of a year beside the
published figure, why it is what it is (the bridge), what was left out (exclusions), who is missing
(coverage), how far it moves with other reasonable choices (the range); and a run's supplier rows
and method statement, which every figure links to."""

import functools
from decimal import Decimal

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.generations import generation
from reports.cache import COVERAGE, RUNS_AND_COMMITMENTS, WEEK
from reports.calculation import METHOD_VERSION
from reports.calculation.comparison import bridge_parts, published_within_range, runs_compare, variance_of
from reports.documents.charts import bar_line_chart_svg, range_chart_svg, waterfall_chart_svg
from reports.documents.method_statement import method_statement
from reports.documents.numbers import figure_text
from reports.models import RollupFlag, RollupRun, RollupSensitivity, RollupSupplierResult
from reports.selectors.commitments import commitments_summary_get
from reports.selectors.inputs import evidence_coverage, published_years, suppliers_by_codes
from reports.selectors.runs import (
    run_breakdown_by_category,
    run_breakdown_by_region,
    run_flag_counts,
    run_flags,
    run_for_page,
    run_previous,
    run_top_contributors,
    runs_readable,
    runs_trend,
)
from suppliers.models import SupplierCategory
from suppliers.provinces import Region
from suppliers.roles import audit_years

# What each flag does to the figure, in words (docs/method.md, "Data-quality flags").
FLAG_EFFECTS = {
    RollupFlag.Code.NO_BASELINE: "new_entrants",
    RollupFlag.Code.DUPLICATE_CERTIFICATE: "double_claimed",
    RollupFlag.Code.IREC_NOT_ELIGIBLE: "ineligible_irec",
}


def _chosen_year(request: HttpRequest, years: list[int]) -> tuple[int | None, bool]:
    """The year asked for, else the newest year with a published figure, else the newest year;
    and whether any year shown has a published figure."""
    published = published_years() & set(years)
    try:
        asked = int(request.GET.get("year", ""))
    except ValueError:
        asked = None
    if asked in years:
        return asked, bool(published)
    if published:
        return max(published), True
    return (years[-1] if years else None), False


def _tonnes(value: Decimal) -> str:
    return figure_text(value, 0)


@permission_required("reports.view_rolluprun", raise_exception=True)
def comparison(request: HttpRequest) -> HttpResponse:
    trend = runs_trend(
        baseline_year=settings.BASELINE_YEAR, method_version=METHOD_VERSION, years=audit_years(request.user)
    )
    years = [run.year for run in trend]
    year, any_published = _chosen_year(request, years)
    context = {
        **admin.site.each_context(request),
        "title": _("Computed reduction against the published figure"),
        "years": years,
        "year": year,
        "any_published": any_published,
        "trend": trend,
        "run": None,
        "committed_suppliers": settings.COMMITTED_SUPPLIERS,
        # An auditor reads; asking the worker for a run is not theirs to do.
        "may_refresh": audit_years(request.user) is None,
        "export_kinds": [("suppliers", _("by supplier")), ("sites", _("by site")), ("regions", _("by region"))],
    }
    chosen = next((r for r in trend if r.year == year), None)
    if chosen is not None:
        run = cache.get_or_set(f"comparison:run:{_run_key(chosen)}", lambda: run_for_page(chosen.pk), WEEK)
        context.update(_run_context(run))
        context["trend_chart"] = _trend_chart(trend)
    return TemplateResponse(request, "admin/reports/comparison.html", context)


def _run_key(run: RollupRun) -> str:
    """A stored run never changes; its id and finish time name it (ids come again in a test database)."""
    return f"{run.pk}:{run.finished_at.timestamp() if run.finished_at else ''}"


def _run_context(run: RollupRun) -> dict:
    """What the page shows of a run. A stored run never changes, so the page keeps what it draws
    of one rendered in the cache (keyed by the run, its finish time and the language): the parts
    below are callables, which the template calls only when it renders them (a cache miss). What
    changes without a new run is kept too, under its generation: coverage by evidence (approved
    lines, evidence files) and the commitments' standing (commitments, the baseline run). The
    trend and the assurance exceptions are read on every request."""
    lazy = functools.cache
    sensitivity = lazy(lambda: list(RollupSensitivity.objects.filter(run=run)))
    previous = lazy(lambda: run_previous(run))
    return {
        "run": run,
        # Changed without a new run: drawn under their generations' names (the template's cache keys).
        "coverage_generation": generation(COVERAGE),
        "commitments_generation": generation(RUNS_AND_COMMITMENTS),
        "commitments": lazy(lambda: commitments_summary_get(run=run)),
        "evidence": lazy(lambda: _coverage_figures(run.year)),
        "variance": variance_of(run),
        "bridge": bridge_parts(run),
        "sensitivity": sensitivity,
        "within_range": published_within_range(run),
        "missing": lazy(lambda: suppliers_by_codes(run.missing_codes)),
        "coverage_pct": Decimal(100 * run.suppliers_reporting) / settings.COMMITTED_SUPPLIERS,
        "regions": lazy(
            lambda: [{**row, "label": Region(row["region"]).label} for row in run_breakdown_by_region(run)]
        ),
        "categories": lazy(
            lambda: [
                {**row, "label": SupplierCategory(row["category"]).label} for row in run_breakdown_by_category(run)
            ]
        ),
        "top": lazy(lambda: list(run_top_contributors(run))),
        # A factor fallback belongs to the factor table (listed below with where each value came
        # from), not to a supplier: counted, not listed line by line.
        "flags": lazy(lambda: list(run_flags(run, exclude_codes=("factor_fallback",)))),
        "flag_counts": lazy(lambda: [{**row, "effect": FLAG_EFFECTS.get(row["code"])} for row in run_flag_counts(run)]),
        "previous": previous,
        "changes": lazy(lambda: runs_compare(previous(), run) if previous() else []),
        "bridge_chart": lazy(lambda: _bridge_chart(run)),
        "range_chart": lazy(lambda: _range_chart(run, sensitivity())),
        # A year without suppliers with a baseline has nothing to decompose: no chart.
        "decomposition_chart": lazy(lambda: _decomposition_chart(run) if run.suppliers_with_baseline else ""),
    }


def _coverage_figures(year: int) -> dict[str, Decimal | None]:
    attributable, evidenced = evidence_coverage(year=year)
    return {
        "attributable_mwh": attributable,
        "evidenced_mwh": evidenced,
        "evidenced_pct": None if not attributable else evidenced * 100 / attributable,
    }


def _trend_chart(trend: list[RollupRun]) -> str:
    """Computed green-power reduction per year as bars, the published figure as a line on the same axis."""
    return mark_safe(  # noqa: S308 - reports.documents.charts escapes every text it draws
        bar_line_chart_svg(
            years=[run.year for run in trend],
            bars=[run.green_reduction_tco2e or Decimal(0) for run in trend],
            bars_label=_("Computed green-power reduction (tCO2e)"),
            line=[run.reported_tco2e for run in trend],
            line_label=_("Published (tCO2e)"),
            shared_axis=True,
            number_format=_tonnes,
            title=_("Green-power reduction against the baseline, by year"),
        )
    )


def _bridge_chart(run: RollupRun) -> str:
    """The headline built up from its three parts (a part that lowers it is red)."""
    return mark_safe(  # noqa: S308 - reports.documents.charts escapes every text it draws
        waterfall_chart_svg(
            start=None,
            steps=[(part.short_label, part.tco2e) for part in bridge_parts(run)],
            end_label=_("Headline"),
            value_label=_("tCO2e"),
            number_format=_tonnes,
            rising_is_good=True,
            title=_("What the headline is made of"),
        )
    )


def _range_chart(run: RollupRun, sensitivity: list[RollupSensitivity]) -> str:
    if not sensitivity:
        return ""
    points = [(_("This run"), run.green_reduction_tco2e)] + [
        (str(variant.get_variant_display()), variant.green_reduction_tco2e) for variant in sensitivity
    ]
    reference = None if run.reported_tco2e is None else (_("Published"), run.reported_tco2e)
    return mark_safe(  # noqa: S308 - reports.documents.charts escapes every text it draws
        range_chart_svg(
            points=points,
            reference=reference,
            value_label=_("Green-power reduction under other reasonable choices (tCO2e)"),
            number_format=_tonnes,
            title=_("The range of the headline beside the published figure"),
        )
    )


def _decomposition_chart(run: RollupRun) -> str:
    """The absolute reduction built up from the three effects, in the same sign as the table:
    positive numbers are reductions."""
    return mark_safe(  # noqa: S308 - reports.documents.charts escapes every text it draws
        waterfall_chart_svg(
            start=None,
            steps=[
                (_("Activity"), run.activity_tco2e),
                (_("Green share"), run.green_share_tco2e),
                (_("Grid factor"), run.grid_factor_tco2e),
            ],
            end_label=_("Absolute reduction"),
            value_label=_("Reduction (tCO2e)"),
            number_format=_tonnes,
            rising_is_good=True,
            title=_("Why the market-based emissions changed: reductions by effect"),
        )
    )


@permission_required("reports.view_rolluprun", raise_exception=True)
def run_suppliers(request: HttpRequest, run_id: int) -> HttpResponse:
    """A run's supplier rows, what its headline and bridge are sums of: all, or only those with
    (`?baseline=yes`) or without (`?baseline=no`) a baseline."""
    run = get_object_or_404(runs_readable(request.user).defer("result"), pk=run_id, status=RollupRun.Status.SUCCEEDED)
    rows = RollupSupplierResult.objects.filter(run=run).select_related("supplier").order_by("-green_reduction_tco2e")
    baseline = request.GET.get("baseline")
    if baseline in ("yes", "no"):
        rows = rows.filter(has_baseline=baseline == "yes")
    context = {
        **admin.site.each_context(request),
        "title": _("Suppliers of roll-up run #%(id)d (%(year)d)") % {"id": run.pk, "year": run.year},
        "run": run,
        "rows": rows,
        "baseline": baseline,
    }
    return TemplateResponse(request, "admin/reports/run_suppliers.html", context)


@permission_required("reports.view_rolluprun", raise_exception=True)
def run_method(request: HttpRequest, run_id: int) -> HttpResponse:
    """The method statement of a run: what it computed, with which settings and factors."""
    run = get_object_or_404(runs_readable(request.user).defer("result"), pk=run_id)
    context = {
        **admin.site.each_context(request),
        "title": _("Method statement of roll-up run #%(id)d") % {"id": run.pk},
        "run": run,
        "sections": method_statement(run),
    }
    return TemplateResponse(request, "admin/reports/run_method.html", context)
