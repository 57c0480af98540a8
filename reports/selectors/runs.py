"""Reads of stored roll-up runs: the latest per year, the trend, a run with its breakdowns, flags
and export rows, and one supplier's figures over the years (its dashboard).
"""

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce

from reports.calculation import METHOD_VERSION
from reports.models import RollupFlag, RollupRun, RollupSiteResult, RollupSupplierResult
from suppliers.models import Supplier
from suppliers.roles import audit_years


def rollup_run_latest(*, year: int, baseline_year: int, method_version: str) -> RollupRun | None:
    return (
        RollupRun.objects.filter(
            year=year, baseline_year=baseline_year, method_version=method_version, status=RollupRun.Status.SUCCEEDED
        )
        .order_by("-finished_at", "-id")
        .first()
    )


def runs_latest_per_year(*, baseline_year: int, method_version: str) -> QuerySet:
    """The newest succeeded run of every year, oldest year first (one query)."""
    newest = (
        RollupRun.objects.filter(
            year=OuterRef("year"),
            baseline_year=baseline_year,
            method_version=method_version,
            status=RollupRun.Status.SUCCEEDED,
        )
        .order_by("-finished_at", "-id")
        .values("pk")[:1]
    )
    return (
        RollupRun.objects.filter(baseline_year=baseline_year, method_version=method_version)
        .filter(pk=Subquery(newest))
        .order_by("year")
    )


def runs_trend(*, baseline_year: int, method_version: str, years: set[int] | None = None) -> list[RollupRun]:
    """The newest succeeded run of every year (of `years` only, if given: an auditor's), without
    their JSON (1-2 MB each at 2,000 suppliers): the page reads a run's figures from its columns."""
    runs = list(runs_latest_per_year(baseline_year=baseline_year, method_version=method_version).defer("result"))
    return runs if years is None else [run for run in runs if run.year in years]


def runs_readable(user: object) -> QuerySet:
    """The runs `user` may read: every run, or an auditor's only those of the years assigned."""
    years = audit_years(user)
    return RollupRun.objects.all() if years is None else RollupRun.objects.filter(year__in=sorted(years))


def _flag_total() -> Coalesce:
    """A run's flag count as a subquery: counting through a join would GROUP BY every column of the
    run, its JSON extractions included, once per flag (70 s for one 2 MB run with 1,000 flags)."""
    counted = RollupFlag.objects.filter(run=OuterRef("pk")).order_by().values("run").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")[:1]), 0)


def run_for_page(run_id: int) -> RollupRun:
    """A run with its flag count, the codes of the baseline suppliers that did not report and the
    source of its published figure, without the rest of its JSON (one query)."""
    return (
        RollupRun.objects.defer("result")
        .annotate(
            flag_total=_flag_total(),
            missing_codes=KeyTransform("baseline_suppliers_not_reporting_codes", "result"),
            reported_source=KeyTextTransform("source", KeyTransform("reported", "result")),
        )
        .get(pk=run_id)
    )


def run_previous(run: RollupRun) -> RollupRun | None:
    """The run of the same year before `run`, without its JSON, with its flag count."""
    return (
        RollupRun.objects.filter(
            year=run.year,
            baseline_year=run.baseline_year,
            method_version=run.method_version,
            status=RollupRun.Status.SUCCEEDED,
        )
        .filter(Q(finished_at__lt=run.finished_at) | Q(finished_at=run.finished_at, pk__lt=run.pk))
        .order_by("-finished_at", "-id")
        .defer("result")
        .annotate(flag_total=_flag_total())
        .first()
    )


# The emissions of a breakdown's rows, summed over its sites or suppliers.
EMISSIONS = ("location_based_tco2e", "market_based_tco2e", "avoided_tco2e", "green_reduction_tco2e")


def _sums(*columns: str) -> dict[str, Sum]:
    return {column: Sum(column) for column in columns}


def run_breakdown_by_region(run: RollupRun) -> list[dict]:
    return list(
        RollupSiteResult.objects.filter(run=run)
        .values("region")
        .annotate(sites=Count("pk"), **_sums("electricity_mwh", "green_mwh", *EMISSIONS))
        .order_by("-green_reduction_tco2e")
    )


def run_breakdown_by_category(run: RollupRun) -> list[dict]:
    return list(
        RollupSupplierResult.objects.filter(run=run)
        .values(category=F("supplier__category"))
        .annotate(suppliers=Count("pk"), **_sums(*EMISSIONS))
        .order_by("-green_reduction_tco2e")
    )


def run_top_contributors(run: RollupRun, *, limit: int = 10) -> QuerySet:
    return (
        RollupSupplierResult.objects.filter(run=run)
        .select_related("supplier")
        .order_by("-green_reduction_tco2e", "supplier__code")[:limit]
    )


def run_flags(run: RollupRun, *, exclude_codes: tuple[str, ...] = ()) -> QuerySet:
    return (
        RollupFlag.objects.filter(run=run)
        .exclude(code__in=exclude_codes)
        .select_related("supplier", "site")
        .order_by("code", "supplier__code")
    )


def run_flag_counts(run: RollupRun) -> list[dict]:
    return list(RollupFlag.objects.filter(run=run).values("code").annotate(count=Count("pk")).order_by("code"))


def run_export_rows(run: RollupRun, kind: str) -> tuple[list[str], Iterator[list]]:
    """Header and rows of a run's export by supplier, site or region (iterated, not loaded whole)."""
    if kind == "suppliers":
        header = [
            "supplier_code", "supplier_name_zh", "supplier_name_en", "category", "has_baseline",
            "attributable_electricity_mwh", "attributable_green_mwh", "location_based_tco2e", "market_based_tco2e",
            "avoided_tco2e", "baseline_avoided_tco2e", "green_reduction_tco2e", "absolute_reduction_tco2e",
            "activity_tco2e", "green_share_tco2e", "grid_factor_tco2e",
        ]  # fmt: skip
        rows = (
            RollupSupplierResult.objects.filter(run=run)
            .order_by("supplier__code")
            .values_list("supplier__code", "supplier__name_zh", "supplier__name_en", "supplier__category", *header[4:])
        )
    elif kind == "sites":
        header = [
            "supplier_code", "site_code", "site_name", "province", "region", "electricity_mwh", "green_mwh",
            "attributable_electricity_mwh", "attributable_green_mwh", "location_based_tco2e", "market_based_tco2e",
            "avoided_tco2e", "baseline_avoided_tco2e", "green_reduction_tco2e",
        ]  # fmt: skip
        rows = (
            RollupSiteResult.objects.filter(run=run)
            .order_by("site__supplier__code", "site__code")
            .values_list("site__supplier__code", "site__code", "site__name", "site__province", *header[4:])
        )
    elif kind == "regions":
        header = ["region", "sites", "electricity_mwh", "green_mwh", "location_based_tco2e", "market_based_tco2e",
                  "avoided_tco2e", "green_reduction_tco2e"]  # fmt: skip
        rows = ([r[h] for h in header] for r in run_breakdown_by_region(run))
    else:
        raise ValueError(kind)
    iterable = rows.iterator(chunk_size=2000) if isinstance(rows, QuerySet) else rows
    return header, (list(row) for row in iterable)


def supplier_figures_by_year(supplier: Supplier) -> QuerySet:
    """The supplier's figures of each year, from that year's newest succeeded roll-up run (with
    the current baseline year and method), oldest year first; in one query, whatever the years.

    A year whose newest run has no row for the supplier (its submission was returned since) is
    absent: an older run's figures are not shown as current. Rows are dicts: year,
    attributable_electricity_mwh, attributable_green_mwh, avoided_tco2e (Decimal).
    """
    newest_run_of_year = (
        RollupRun.objects.filter(
            year=OuterRef("run__year"),
            status=RollupRun.Status.SUCCEEDED,
            baseline_year=settings.BASELINE_YEAR,
            method_version=METHOD_VERSION,
        )
        .order_by("-finished_at", "-id")
        .values("pk")[:1]
    )
    return (
        RollupSupplierResult.objects.filter(supplier=supplier, run_id=Subquery(newest_run_of_year))
        .values("attributable_electricity_mwh", "attributable_green_mwh", "avoided_tco2e", year=F("run__year"))
        .order_by("run__year")
    )
