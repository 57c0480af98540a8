"""Reads for the roll-up: a fixed number of aggregated queries, whatever the number of lines."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce

from portal.exact import ExactSum, micro_sum
from reports.calculation.factors import Factor
from reports.calculation.rollup import Quantities, Reported, RollupInputs, SiteYear
from reports.models import (
    EmissionFactor,
    PublishedFigure,
    RollupFlag,
    RollupRun,
    RollupSiteResult,
    RollupSupplierResult,
)
from suppliers.models import CertificateClaim, EvidenceFile, Line, Submission, Supplier
from suppliers.periods import period_make
from suppliers.roles import audit_years
from suppliers.serials import SerialRange, excluded_count, overlap_count

ZERO_MWH = Decimal(0)


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


def batch_ids_claimed_twice() -> list[str]:
    """duplicate_batch_ids() across the whole portfolio, in two steps: the batch IDs that appear
    more than once at all (one pass over the batch_id index, no join), then, of those few, the ones
    that two submitted or approved lines claim. Grouping every claim joined to its line and
    submission first took 0.85 s at 2,000 suppliers (536,788 claims); PostgreSQL cannot know how
    few batches repeat, so given both steps at once it plans the joins over every claim anyway.
    One placeholder ("") when none repeats: it matches no batch (certificate_batch_id_format), and
    the queries that use the list still run, so their count does not depend on the data."""
    repeated = list(
        CertificateClaim.objects.values("batch_id")
        .annotate(claims=Count("pk"))
        .filter(claims__gt=1)
        .values_list("batch_id", flat=True)
        .order_by()
    )
    found = list(duplicate_batch_ids().filter(batch_id__in=repeated or [""]).values_list("batch_id", flat=True))
    return found or [""]


@dataclass(frozen=True)
class SerialOverlap:
    """A claimed range (of `line_id`) that shares certificates with a range of another line."""

    line_id: int
    instrument: str
    own: SerialRange
    other: SerialRange
    other_line_id: int
    other_claimant: str  # "CN-0002/SZ1 2025"

    @property
    def certificates(self) -> int:
        return overlap_count(self.own, self.other)


_CANDIDATES_SQL = """
SELECT id FROM (
    -- In one (instrument, stem, width) the serials' text order is their number order (equal
    -- widths), so one pass in the order of the index certificate_range_key finds every range that
    -- overlaps another: its first serial is not after the last of a range before it, or the next
    -- range starts before its last serial. (Ranges with the same first serial overlap whatever
    -- their order.) Over every range, whatever its line's state: no join, no sort.
    SELECT id, first, last,
           MAX(last) OVER (PARTITION BY instrument, stem, width ORDER BY first
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_before,
           LEAD(first) OVER (PARTITION BY instrument, stem, width ORDER BY first) AS next_first
    FROM suppliers_certificaterange
) ordered
WHERE last_before >= first OR next_first <= last
"""

# SQLite takes at most 32,766 parameters in a query; PostgreSQL 65,535.
MAX_LISTED_CANDIDATES = 10_000

# The candidates (a few ranges, or none) paired among themselves, each side on a submitted or
# approved line: a range that overlaps another such range overlaps some range, so it is a candidate.
_OVERLAP_SQL = """
WITH overlapping AS (
    SELECT r.id, r.line_id, r.instrument, r.stem, r.width, r.first, r.last
    FROM suppliers_certificaterange r
    JOIN suppliers_line line ON line.id = r.line_id
    JOIN suppliers_submission submission ON submission.id = line.submission_id
    WHERE submission.status IN %s AND r.id IN {candidates}
)
SELECT a.line_id, a.instrument, a.stem, a.width, a.first, a.last,
       b.line_id, b.first, b.last, sup.code, site.code, per.year, per.kind, per.number
FROM overlapping a
JOIN overlapping b
  ON b.instrument = a.instrument AND b.stem = a.stem AND b.width = a.width AND b.line_id <> a.line_id
  AND b.first <= a.last AND a.first <= b.last
JOIN suppliers_line la ON la.id = a.line_id
JOIN suppliers_submission sa ON sa.id = la.submission_id
JOIN suppliers_line lb ON lb.id = b.line_id
JOIN suppliers_submission sb ON sb.id = lb.submission_id
JOIN suppliers_supplier sup ON sup.id = sb.supplier_id
JOIN suppliers_site site ON site.id = lb.site_id
JOIN suppliers_reportingperiod per ON per.id = sb.period_id
JOIN suppliers_reportingperiod pa ON pa.id = sa.period_id
WHERE TRUE {only}
ORDER BY a.line_id, a.instrument, a.stem, a.width, a.first, b.first
"""


def serial_overlaps(*, approved_in_years: set[int] | None = None) -> list[SerialOverlap]:
    """Every claimed range of a submitted or approved line that shares certificates with another
    such line's range (of any supplier, site or period), once per pair of ranges and side; with
    `approved_in_years`, only the ranges of approved lines of those years. Two queries: the ranges
    that overlap any other, in one pass over the index (O(n)), then those few paired; not n²."""
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL)
        candidates = tuple(row[0] for row in cursor.fetchall())
    statuses = tuple(Submission.CLAIMING_STATUSES)
    params: list[tuple] = [statuses]
    if len(candidates) <= MAX_LISTED_CANDIDATES:
        params.append(candidates or (0,))  # no range has id 0
        listed = "%s"
    else:  # more than a query may carry as parameters: the same ranges, found again inside it
        listed = f"({_CANDIDATES_SQL})"
    only = ""
    if approved_in_years is not None:
        only = "AND sa.status = %s AND pa.year IN %s"
        params += [(Submission.Status.APPROVED,), tuple(sorted(approved_in_years))]
    sql = _OVERLAP_SQL.format(candidates=listed, only=only)
    # Neither driver takes a tuple for IN: one placeholder per value (each parameter is a tuple).
    parts = sql.split("%s")
    sql = parts[0] + "".join(
        ("(" + ", ".join(["%s"] * len(values)) + ")" if part_before.rstrip().endswith("IN") else "%s") + part
        for values, part_before, part in zip(params, parts[:-1], parts[1:], strict=True)
    )
    params = [value for values in params for value in values]
    found = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for line_id, instrument, stem, width, first, last, other_line, o_first, o_last, *claimant in cursor.fetchall():
            supplier_code, site_code, year, kind, number = claimant
            found.append(
                SerialOverlap(
                    line_id=line_id,
                    instrument=instrument,
                    own=SerialRange(stem, width, int(first), int(last)),
                    other=SerialRange(stem, width, int(o_first), int(o_last)),
                    other_line_id=other_line,
                    other_claimant=f"{supplier_code}/{site_code} {period_make(year, kind, number)}",
                )
            )
    return found


@dataclass
class LineExclusion:
    """The certificates of one line that other lines also claim, in MWh, and what they are."""

    gec_mwh: Decimal = Decimal(0)
    irec_mwh: Decimal = Decimal(0)
    what: list[str] = field(default_factory=list)


def line_exclusions_get(*, years: set[int]) -> dict[int, LineExclusion]:
    """The double-claimed certificates of approved lines in `years`, by line id: by serial, exactly
    the certificates shared with another line; by batch ID, the line's whole GEC and I-REC."""
    exclusions: dict[int, LineExclusion] = defaultdict(LineExclusion)
    in_years = approved_lines().filter(submission__period__year__in=years)
    # The lines of these years that claim a batch some other line claims too: one query, the
    # double-claimed batches (a handful, or none) a subquery of their own, not one per line.
    claims = (
        CertificateClaim.objects.filter(batch_id__in=batch_ids_claimed_twice(), line__in=in_years)
        .values_list("line_id", "line__gec_mwh", "line__irec_mwh", "batch_id")
        .order_by("line_id", "batch_id")
    )
    for line_id, gec, irec, batch_id in claims:
        exclusion = exclusions[line_id]
        exclusion.gec_mwh, exclusion.irec_mwh = gec, irec
        exclusion.what.append(batch_id)
    by_range: dict[tuple[int, str, SerialRange], list[SerialOverlap]] = defaultdict(list)
    for found in serial_overlaps(approved_in_years=years):
        by_range[(found.line_id, found.instrument, found.own)].append(found)
    for (line_id, instrument, own), found in by_range.items():
        count = Decimal(excluded_count([own], [o.other for o in found]))
        exclusion = exclusions[line_id]
        if instrument == CertificateClaim.Instrument.GEC:
            exclusion.gec_mwh += count
        else:
            exclusion.irec_mwh += count
        claimants = sorted({o.other_claimant for o in found})
        exclusion.what.append(f"{count.normalize():f} of {own.text()} (also claimed by {', '.join(claimants)})")
    return dict(exclusions)


def approved_lines() -> QuerySet:
    return Line.objects.filter(submission__status=Submission.Status.APPROVED)


def rollup_inputs_get(*, year: int, baseline_year: int, irec_last_year: int | None = None) -> RollupInputs:
    """Everything the engine needs for `year`, in a fixed number of queries."""
    irec_last_year = settings.IREC_LAST_YEAR if irec_last_year is None else irec_last_year
    if connection.vendor != "postgresql":
        return _rollup_inputs(year=year, baseline_year=baseline_year, irec_last_year=irec_last_year)
    with transaction.atomic(), connection.cursor() as cursor:
        # PostgreSQL's JIT compiles the aggregate anew on every run, for longer than it then runs
        # (0.6 s of 0.9 s at 2,000 suppliers, bench/RESULTS.md): off for these reads only.
        cursor.execute("SET LOCAL jit = off")
        return _rollup_inputs(year=year, baseline_year=baseline_year, irec_last_year=irec_last_year)


def _rollup_inputs(*, year: int, baseline_year: int, irec_last_year: int) -> RollupInputs:
    factors = tuple(
        Factor(f.region, f.year, f.tco2_per_mwh, f.source, f.kind) for f in EmissionFactor.objects.order_by("pk")
    )
    years = {year, baseline_year}
    exclusions = line_exclusions_get(years=years)
    # A line with exclusions is a group of its own, so that its exclusions meet its own share.
    own_group = Case(When(pk__in=list(exclusions), then=F("pk")), default=None, output_field=IntegerField())
    groups = (
        approved_lines()
        .filter(submission__period__year__in=years)
        .annotate(own_group=own_group)
        .values(
            "site_id",
            "site__supplier__code",
            "site__code",
            "site__province",
            "site__region",
            "submission__period__year",
            "bmw_share_percent",
            "own_group",
        )
        .annotate(
            lines=Count("pk"),
            electricity=ExactSum("total_electricity_mwh"),
            other_green=ExactSum(micro_sum("onsite_renewable_mwh", "green_power_trading_mwh")),
            gec=ExactSum("gec_mwh"),
            irec=ExactSum("irec_mwh"),
        )
        .order_by()
    )
    merged: dict[tuple, list] = {}
    sites: dict[int, tuple[str, str]] = {}
    reporting: dict[int, set[int]] = defaultdict(set)
    for row in groups:
        key = (
            row["site__supplier__code"], row["site__code"], row["site__province"], row["site__region"],
            row["submission__period__year"],
        )  # fmt: skip
        sites[row["site_id"]] = (row["site__supplier__code"], row["site__code"])
        reporting[row["submission__period__year"]].add(row["site_id"])
        exclusion = exclusions.get(row["own_group"]) if row["own_group"] else None
        total = Quantities(
            electricity=row["electricity"],
            other_green=row["other_green"],
            gec=row["gec"],
            irec=row["irec"],
            gec_double=exclusion.gec_mwh if exclusion else ZERO_MWH,
            irec_double=exclusion.irec_mwh if exclusion else ZERO_MWH,
        )
        # The share is applied in Python, exactly: a product in SQL would be floating point on SQLite.
        attributable = total.scaled(row["bmw_share_percent"] / 100)
        entry = merged.setdefault(key, [Quantities(), Quantities(), [], 0])
        entry[0] += total
        entry[1] += attributable
        entry[2] += exclusion.what if exclusion else []
        entry[3] += row["lines"]
    site_years = tuple(
        SiteYear(
            supplier_code=key[0],
            site_code=key[1],
            province=key[2],
            region=key[3],
            year=key[4],
            total=total,
            attributable=attributable,
            duplicates=tuple(sorted(set(what))),
            line_count=count,
        )
        for key, (total, attributable, what, count) in sorted(merged.items())
    )
    return RollupInputs(
        year=year,
        baseline_year=baseline_year,
        site_years=site_years,
        factors=factors,
        site_history=site_history_get(years=years, sites=sites, reporting=reporting),
        reported=reported_get(year=year),
        irec_last_year=irec_last_year,
    )


def site_history_get(
    *, years: set[int], sites: dict[int, tuple[str, str]], reporting: dict[int, set[int]]
) -> dict[tuple[str, str], dict[int, Decimal]]:
    """Σ E per site and year before each of `years`, as far back as the yoy_outlier rule looks: the
    newest earlier year in which the site has approved lines. Keyed by the (supplier code, site
    code) that `sites` gives for each site id; `reporting` names the sites with lines in each year.

    Three queries, whatever the data: the year before each of `years` for every site, the first
    year with approved lines, then, for the sites with no line in the year before, every year
    before it back to that first year (a few sites; reading all years for all sites was 0.38 s of
    a 2.5 s roll-up at 2,000 suppliers, bench/RESULTS.md).
    """
    history: dict[tuple[str, str], dict[int, Decimal]] = defaultdict(dict)
    previous = {year - 1 for year in years}
    # Grouped by the site's id, not its codes: no join to sites and suppliers for every line.
    # Every site's, not only those of `sites`: a list of thousands of site ids as parameters cost
    # more (0.25 s at 2,000 suppliers) than the few rows of sites that are not asked for.
    rows = list(
        approved_lines()
        .filter(submission__period__year__in=previous)
        .values_list("site_id", "submission__period__year")
        .annotate(electricity=ExactSum("total_electricity_mwh"))
        .order_by()
    )
    found = {(site_id, line_year) for site_id, line_year, _ in rows}
    first_year = Submission.objects.filter(status=Submission.Status.APPROVED).aggregate(first=Min("period__year"))
    older = Q(pk=0)  # no line: the query runs even when no site is missing
    for year in years:
        if first_year["first"] is None or year - 1 <= first_year["first"]:
            continue  # nothing was approved before the year before: no site has an older year
        missing = [site_id for site_id in reporting.get(year, ()) if (site_id, year - 1) not in found]
        older |= Q(site_id__in=missing, submission__period__year__lt=year - 1)
    rows += (
        approved_lines()
        .filter(older)
        .values_list("site_id", "submission__period__year")
        .annotate(electricity=ExactSum("total_electricity_mwh"))
        .order_by()
    )
    for site_id, line_year, electricity in rows:
        if site_id in sites:
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


def published_years() -> set[int]:
    return set(PublishedFigure.objects.values_list("year", flat=True))


def suppliers_by_codes(codes: list[str] | None) -> list[Supplier]:
    return list(Supplier.objects.filter(code__in=codes or []).order_by("code")) if codes else []


def evidence_coverage(*, year: int) -> tuple[Decimal, Decimal]:
    """Σ a·E of the year's approved lines, and of those whose submission carries evidence (one query)."""
    has_evidence = Exists(EvidenceFile.objects.filter(submission_id=OuterRef("submission_id")))
    rows = (
        approved_lines()
        .filter(submission__period__year=year)
        .annotate(has_evidence=has_evidence)
        .values("bmw_share_percent", "has_evidence")
        .annotate(electricity=ExactSum("total_electricity_mwh"))
        .order_by()
    )
    total = with_evidence = Decimal(0)
    for row in rows:
        attributable = row["electricity"] * row["bmw_share_percent"] / 100
        total += attributable
        if row["has_evidence"]:
            with_evidence += attributable
    return total, with_evidence


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


@dataclass(frozen=True)
class SerialDoubleClaim:
    """Certificates that two lines both claim by serial: the shared run, and both claimants."""

    instrument: str
    shared: SerialRange
    claimants: tuple[Line, Line]

    @property
    def certificates(self) -> int:
        return self.shared.count

    @property
    def instrument_label(self) -> str:
        return CertificateClaim.Instrument(self.instrument).label


def serial_double_claims() -> list[SerialDoubleClaim]:
    """Every overlap of claimed serials between two submitted or approved lines, once per pair of
    ranges, with both lines (their site, supplier, submission and period): two queries."""
    pairs = [found for found in serial_overlaps() if found.line_id < found.other_line_id]
    ids = {found.line_id for found in pairs} | {found.other_line_id for found in pairs}
    # One query whether or not there are overlaps ([0] matches no line), so the page's count is fixed.
    lines = Line.objects.select_related("site__supplier", "submission__period").in_bulk(ids or [0])
    found_claims = []
    for found in pairs:
        own, other = found.own, found.other
        shared = SerialRange(own.stem, own.width, max(own.first, other.first), min(own.last, other.last))
        found_claims.append(
            SerialDoubleClaim(found.instrument, shared, (lines[found.line_id], lines[found.other_line_id]))
        )
    return sorted(found_claims, key=lambda c: (c.instrument, c.shared))


def double_claims() -> dict[str, list[CertificateClaim]]:
    """Every batch ID claimed by more than one submitted or approved line, with its claims."""
    claims = (
        CertificateClaim.objects.filter(
            batch_id__in=batch_ids_claimed_twice(), line__submission__status__in=Submission.CLAIMING_STATUSES
        )
        .select_related("line__site__supplier", "line__submission__period")
        .order_by("batch_id", "line__site__supplier__code", "line__site__code")
    )
    grouped: dict[str, list[CertificateClaim]] = defaultdict(list)
    for claim in claims:
        grouped[claim.batch_id].append(claim)
    return dict(grouped)
