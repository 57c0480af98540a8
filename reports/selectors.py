"""Reads for the roll-up: a fixed number of aggregated queries, whatever the number of lines."""

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import Combinable
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce

from reports.calculation.factors import Factor
from reports.calculation.rollup import Reported, RollupInputs, SiteYear
from reports.models import (
    EmissionFactor,
    PublishedFigure,
    RollupFlag,
    RollupRun,
    RollupSiteResult,
    RollupSupplierResult,
)
from suppliers.models import CertificateClaim, Line, Submission

SUM_FIELD = DecimalField(max_digits=30, decimal_places=10)
ZERO = Value(Decimal(0), output_field=SUM_FIELD)


def duplicate_batch_ids() -> QuerySet:
    """Batch IDs claimed by more than one line among submitted or approved submissions."""
    return (
        CertificateClaim.objects.filter(line__submission__status__in=Submission.CLAIMING_STATUSES)
        .values("batch_id")
        # A line claims a batch once (a unique constraint), so claims are lines: COUNT(*) is
        # COUNT(DISTINCT line) without the sort that made it the slowest part of a roll-up.
        .annotate(claims=Count("pk"))
        .filter(claims__gt=1)
        .values("batch_id")
    )


def approved_lines() -> QuerySet:
    return Line.objects.filter(submission__status=Submission.Status.APPROVED)


def _sum(expression: Combinable) -> Coalesce:
    return Coalesce(Sum(ExpressionWrapper(expression, output_field=SUM_FIELD)), ZERO, output_field=SUM_FIELD)


def rollup_inputs_get(*, year: int, baseline_year: int) -> RollupInputs:
    """Everything the engine needs for `year`, in five queries."""
    if connection.vendor != "postgresql":
        return _rollup_inputs(year=year, baseline_year=baseline_year)
    with transaction.atomic(), connection.cursor() as cursor:
        # PostgreSQL's JIT compiles the aggregate anew on every run, for longer than it then runs
        # (0.6 s of 0.9 s at 2,000 suppliers, bench/RESULTS.md): off for these reads only.
        cursor.execute("SET LOCAL jit = off")
        return _rollup_inputs(year=year, baseline_year=baseline_year)


def _rollup_inputs(*, year: int, baseline_year: int) -> RollupInputs:
    factors = tuple(Factor(f.region, f.year, f.tco2_per_mwh, f.source) for f in EmissionFactor.objects.all())
    # The double-claimed batches first, on their own (a handful, or none): as a subquery inside the
    # per-line EXISTS, PostgreSQL may plan it once per line, and without any the test is skipped.
    duplicates = list(duplicate_batch_ids().values_list("batch_id", flat=True))
    conflicted = (
        Exists(CertificateClaim.objects.filter(line=OuterRef("pk"), batch_id__in=duplicates))
        if duplicates
        else Value(False)
    )
    certificates = F("gec_mwh") + F("irec_mwh")
    other_green = F("onsite_renewable_mwh") + F("green_power_trading_mwh")
    share = F("bmw_share_percent")
    groups = (
        approved_lines()
        .filter(submission__period__year__in={year, baseline_year})
        .annotate(conflicted=conflicted)
        .values(
            "site_id", "site__supplier__code", "site__code", "site__region", "submission__period__year", "conflicted"
        )
        .annotate(
            lines=Count("pk"),
            electricity=_sum(F("total_electricity_mwh")),
            other_green=_sum(other_green),
            certificates=_sum(certificates),
            share_electricity=_sum(share * F("total_electricity_mwh")),
            share_other_green=_sum(share * other_green),
            share_certificates=_sum(share * certificates),
        )
        .order_by()
    )
    merged: dict[tuple, dict] = {}
    conflicted_sites: set[tuple[int, int]] = set()
    for row in groups:
        key = (row["site__supplier__code"], row["site__code"], row["site__region"], row["submission__period__year"])
        sums = merged.setdefault(key, {"E": Decimal(0), "G": Decimal(0), "aE": Decimal(0), "aG": Decimal(0), "n": 0})
        sums["n"] += row["lines"]
        sums["E"] += row["electricity"]
        sums["aE"] += row["share_electricity"] / 100
        # A double-claimed certificate counts as grid electricity: only the other green counts.
        sums["G"] += row["other_green"] + (0 if row["conflicted"] else row["certificates"])
        sums["aG"] += (row["share_other_green"] + (0 if row["conflicted"] else row["share_certificates"])) / 100
        if row["conflicted"]:
            conflicted_sites.add((row["site_id"], row["submission__period__year"]))
    batches: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    if conflicted_sites:
        claims = (
            CertificateClaim.objects.filter(
                batch_id__in=duplicates,
                line__submission__status=Submission.Status.APPROVED,
                line__submission__period__year__in={year, baseline_year},
            )
            .values_list("line__site__supplier__code", "line__site__code", "line__submission__period__year", "batch_id")
            .distinct()
            .order_by("batch_id")
        )
        for supplier_code, site_code, line_year, batch_id in claims:
            batches[(supplier_code, site_code, line_year)].append(batch_id)
    site_years = tuple(
        SiteYear(
            supplier_code=key[0],
            site_code=key[1],
            region=key[2],
            year=key[3],
            electricity_mwh=sums["E"],
            green_mwh=sums["G"],
            attributable_electricity_mwh=sums["aE"],
            attributable_green_mwh=sums["aG"],
            duplicate_batches=tuple(batches.get((key[0], key[1], key[3]), ())),
            line_count=sums["n"],
        )
        for key, sums in sorted(merged.items())
    )
    return RollupInputs(
        year=year,
        baseline_year=baseline_year,
        site_years=site_years,
        factors=factors,
        site_history=site_history_get(
            year=year, sites={row["site_id"]: (row["site__supplier__code"], row["site__code"]) for row in groups}
        ),
        reported=reported_get(year=year),
    )


def site_history_get(*, year: int, sites: dict[int, tuple[str, str]]) -> dict[tuple[str, str], dict[int, Decimal]]:
    """Σ E per site and year, up to `year`, for the year-on-year outlier rule, keyed by the
    (supplier code, site code) that `sites` gives for each site id."""
    history: dict[tuple[str, str], dict[int, Decimal]] = defaultdict(dict)
    # Grouped by the site's id, not its codes: no join to sites and suppliers for every line.
    rows = (
        approved_lines()
        .filter(site_id__in=sites, submission__period__year__lte=year)
        .values_list("site_id", "submission__period__year")
        .annotate(electricity=_sum(F("total_electricity_mwh")))
        .order_by()
    )
    for site_id, line_year, electricity in rows:
        history[sites[site_id]][line_year] = electricity
    return dict(history)


def reported_get(*, year: int) -> Reported | None:
    figure = PublishedFigure.objects.filter(year=year).first()
    return None if figure is None else Reported(figure.tco2e, figure.source)


def rollup_run_latest(*, year: int, baseline_year: int, method_version: str) -> RollupRun | None:
    return (
        RollupRun.objects.filter(
            year=year, baseline_year=baseline_year, method_version=method_version, status=RollupRun.Status.SUCCEEDED
        )
        .order_by("-finished_at", "-id")
        .first()
    )


def approved_years() -> list[int]:
    return sorted(set(approved_lines().values_list("submission__period__year", flat=True).distinct()))


# --- The comparison view ----------------------------------------------------------------------


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


# A run's `result` holds every supplier and every flag (1-2 MB at 2,000 suppliers): the page reads
# only the keys it shows, taken out by the database, never the whole document.
TREND_KEYS = ("green_reduction_tco2e", "reported", "suppliers_reporting")
# What runs_compare reads of a run: the headline figures, the factors and the number of flags.
COMPARED_KEYS = (
    "suppliers_reporting",
    "suppliers_with_baseline",
    "electricity_mwh",
    "green_mwh",
    "location_based_tco2e",
    "market_based_tco2e",
    "avoided_tco2e",
    "baseline_avoided_tco2e",
    "green_reduction_tco2e",
    "absolute_reduction_tco2e",
    "factors_used",
)
# What the page shows of the year displayed: the headline, the decomposition and, for the
# waterfall chart, the suppliers (not the flags: their count is enough).
SHOWN_KEYS = (*COMPARED_KEYS, "year", "baseline_year", "reported", "variance_pct", "decomposition", "suppliers")


class _JSONArrayLength(Func):
    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra_context)


def _result_keys(keys: tuple[str, ...], *, flag_count: bool = False) -> dict[str, Expression]:
    """Annotations reading `keys` of a run's result (a missing key reads as None, like .get())."""
    parts: dict[str, Expression] = {f"result_{key}": KeyTransform(key, "result") for key in keys}
    if flag_count:
        parts["result_flag_count"] = Coalesce(_JSONArrayLength(KeyTransform("flags", "result")), 0)
    return parts


def _parts(run: RollupRun, keys: tuple[str, ...], *, flag_count: bool = False) -> dict:
    parts = {key: getattr(run, f"result_{key}") for key in keys}
    if flag_count:
        parts["flag_count"] = run.result_flag_count
    return parts


def runs_trend(*, baseline_year: int, method_version: str) -> list[RollupRun]:
    """runs_latest_per_year without their results, each with `summary`: the TREND_KEYS of its result."""
    runs = list(
        runs_latest_per_year(baseline_year=baseline_year, method_version=method_version)
        .defer("result")
        .annotate(**_result_keys(TREND_KEYS))
    )
    for run in runs:
        run.summary = _parts(run, TREND_KEYS)
    return runs


def run_shown_result(run: RollupRun) -> dict:
    """The SHOWN_KEYS of the run's result, and `flag_count`, the length of its flags (one query)."""
    row = RollupRun.objects.filter(pk=run.pk).defer("result").annotate(**_result_keys(SHOWN_KEYS, flag_count=True))
    return _parts(row.get(), SHOWN_KEYS, flag_count=True)


def run_previous(run: RollupRun) -> RollupRun | None:
    """The run of the same year before `run`, without its result: `compared` holds the
    COMPARED_KEYS of it and `flag_count`, what runs_compare reads."""
    previous = (
        RollupRun.objects.filter(
            year=run.year,
            baseline_year=run.baseline_year,
            method_version=run.method_version,
            status=RollupRun.Status.SUCCEEDED,
        )
        .filter(Q(finished_at__lt=run.finished_at) | Q(finished_at=run.finished_at, pk__lt=run.pk))
        .order_by("-finished_at", "-id")
        .defer("result")
        .annotate(**_result_keys(COMPARED_KEYS, flag_count=True))
        .first()
    )
    if previous is not None:
        previous.compared = _parts(previous, COMPARED_KEYS, flag_count=True)
    return previous


def run_breakdown_by_region(run: RollupRun) -> list[dict]:
    return list(
        RollupSiteResult.objects.filter(run=run)
        .values("region")
        .annotate(
            sites=Count("pk"),
            electricity_mwh=Sum("electricity_mwh"),
            green_mwh=Sum("green_mwh"),
            location_based_tco2e=Sum("location_based_tco2e"),
            market_based_tco2e=Sum("market_based_tco2e"),
            avoided_tco2e=Sum("avoided_tco2e"),
            green_reduction_tco2e=Sum("green_reduction_tco2e"),
        )
        .order_by("-green_reduction_tco2e")
    )


def run_breakdown_by_category(run: RollupRun) -> list[dict]:
    return list(
        RollupSupplierResult.objects.filter(run=run)
        .values(category=F("supplier__category"))
        .annotate(
            suppliers=Count("pk"),
            location_based_tco2e=Sum("location_based_tco2e"),
            market_based_tco2e=Sum("market_based_tco2e"),
            avoided_tco2e=Sum("avoided_tco2e"),
            green_reduction_tco2e=Sum("green_reduction_tco2e"),
        )
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


def double_claims() -> dict[str, list[CertificateClaim]]:
    """Every batch ID claimed by more than one submitted or approved line, with its claims."""
    claims = (
        CertificateClaim.objects.filter(
            batch_id__in=duplicate_batch_ids(), line__submission__status__in=Submission.CLAIMING_STATUSES
        )
        .select_related("line__site__supplier", "line__submission__period")
        .order_by("batch_id", "line__site__supplier__code", "line__site__code")
    )
    grouped: dict[str, list[CertificateClaim]] = defaultdict(list)
    for claim in claims:
        grouped[claim.batch_id].append(claim)
    return dict(grouped)
