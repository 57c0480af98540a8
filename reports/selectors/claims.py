"""Certificates claimed twice: batch IDs on more than one line and serial ranges that overlap.

What repeats at all is found first without a join, then only those few are checked against their
claimants' states, so the reads stay fast with millions of certificates.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count

from suppliers.models import CertificateClaim, Line, Submission
from suppliers.periods import period_make
from suppliers.selectors import approved_lines, duplicate_batch_ids
from suppliers.serials import SerialRange, excluded_count, overlap_count


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
