"""What the roll-up reads: approved lines, factors, published figures and site history, in a fixed
number of aggregated queries whatever the number of lines.
"""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, IntegerField, Min, OuterRef, Q, When

from portal.exact import ExactSum, micro_sum
from reports.calculation.factors import Factor
from reports.calculation.values import Quantities, Reported, RollupInputs, SiteYear
from reports.models import EmissionFactor, PublishedFigure
from reports.selectors.claims import line_exclusions_get
from suppliers.models import EvidenceFile, Submission, Supplier
from suppliers.selectors import approved_lines

ZERO_MWH = Decimal(0)


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
        entry = merged.get(key)
        if entry is None:  # a site-year is one row but for its lines of other shares or with exclusions
            merged[key] = [total, attributable, list(exclusion.what) if exclusion else [], row["lines"]]
            continue
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


def approved_years() -> list[int]:
    return sorted(set(approved_lines().values_list("submission__period__year", flat=True).distinct()))


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
