"""The baselines of the benchmark: what the same work costs when written straight in SQL.

`green_reduction_sql` is the hand-written roll-up of method version 2 (docs/method.md): one
`SUM … GROUP BY` over the approved lines of the year and the baseline year, with the average
factor resolved in SQL by province, region and NATIONAL in the method's three steps, I-RECs after
`IREC_LAST_YEAR` counted as grid electricity, a line with a double-claimed batch ID losing its
certificates, and exactly the serials shared with another claiming line excluded (one sort finds
the ranges that overlap another, `range_agg` merges what they share), as the engine does: first
what repeats at all, then only that against the claimants' states.
It gives only the headline figure (the green-power reduction), which the bench checks against the
portal's stored run to the tonne.
"""

from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction

GREEN_REDUCTION_SQL = """
WITH candidate_batches AS MATERIALIZED (
    -- batch IDs that appear more than once at all: one pass over the batch_id index, no join
    SELECT batch_id FROM suppliers_certificateclaim GROUP BY batch_id HAVING COUNT(*) > 1
),
duplicated AS MATERIALIZED (
    -- of those, the ones claimed by more than one submitted or approved line (a line claims a
    -- batch once)
    SELECT claim.batch_id
    FROM candidate_batches
    JOIN suppliers_certificateclaim claim USING (batch_id)
    JOIN suppliers_line line ON line.id = claim.line_id
    JOIN suppliers_submission submission ON submission.id = line.submission_id
    WHERE submission.status IN ('submitted', 'approved')
    GROUP BY claim.batch_id HAVING COUNT(*) > 1
),
conflicted AS MATERIALIZED (
    -- a line with a double-claimed batch loses all its GECs and I-RECs
    SELECT DISTINCT claim.line_id FROM suppliers_certificateclaim claim JOIN duplicated USING (batch_id)
),
ranges AS MATERIALIZED (
    -- every range, with the last serial of the ranges sorted before it and the first of the next
    -- one (within an instrument, stem and width the text order of the serials is theirs), in the
    -- order of the index certificate_range_key
    SELECT r.id, r.line_id, r.instrument, r.stem, r.width, r.first, r.last,
           MAX(r.last) OVER (PARTITION BY r.instrument, r.stem, r.width ORDER BY r.first
                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS last_before,
           LEAD(r.first) OVER (PARTITION BY r.instrument, r.stem, r.width ORDER BY r.first) AS next_first
    FROM suppliers_certificaterange r
),
overlapping AS MATERIALIZED (
    -- the ranges that overlap another, kept when their line is submitted or approved
    SELECT ranges.*
    FROM ranges
    JOIN suppliers_line line ON line.id = ranges.line_id
    JOIN suppliers_submission submission ON submission.id = line.submission_id
    WHERE (ranges.last_before >= ranges.first OR ranges.next_first <= ranges.last)
      AND submission.status IN ('submitted', 'approved')
),
shared AS MATERIALIZED (
    -- per line and instrument, the serials it shares with any other claiming line, each once: the
    -- intersections of its ranges with theirs, merged by range_agg
    SELECT a.line_id, a.instrument,
           range_agg(numrange(GREATEST(a.first::numeric, b.first::numeric),
                              LEAST(a.last::numeric, b.last::numeric) + 1, '[)')) AS serials
    FROM overlapping a
    JOIN overlapping b
      ON b.instrument = a.instrument AND b.stem = a.stem AND b.width = a.width AND b.line_id <> a.line_id
     AND b.first <= a.last AND a.first <= b.last
    GROUP BY a.line_id, a.instrument
),
excluded AS MATERIALIZED (
    SELECT shared.line_id,
           SUM(upper(piece) - lower(piece)) FILTER (WHERE shared.instrument = 'gec') AS gec,
           SUM(upper(piece) - lower(piece)) FILTER (WHERE shared.instrument = 'irec') AS irec
    FROM shared, unnest(shared.serials) AS piece
    GROUP BY shared.line_id
),
lines AS (
    SELECT site.supplier_id, site.province, site.region, period.year,
           line.bmw_share_percent / 100 * (
               line.onsite_renewable_mwh + line.green_power_trading_mwh
               + CASE WHEN conflicted.line_id IS NOT NULL THEN 0
                      ELSE line.gec_mwh - COALESCE(excluded.gec, 0) END
               -- I-RECs after the cut-off count as grid electricity before any double claim
               + CASE WHEN conflicted.line_id IS NOT NULL OR period.year > %(irec_last_year)s THEN 0
                      ELSE line.irec_mwh - COALESCE(excluded.irec, 0) END
           ) AS attributable_green
    FROM suppliers_line line
    JOIN suppliers_submission submission ON submission.id = line.submission_id
    JOIN suppliers_reportingperiod period ON period.id = submission.period_id
    JOIN suppliers_site site ON site.id = line.site_id
    LEFT JOIN conflicted ON conflicted.line_id = line.id
    LEFT JOIN excluded ON excluded.line_id = line.id
    WHERE submission.status = 'approved' AND period.year IN (%(year)s, %(baseline_year)s)
),
places AS (SELECT DISTINCT province, region, year FROM lines),
factors AS MATERIALIZED (
    -- once per place and year, not per line: EF(p, y) of kind average: the same year (province, region, NATIONAL); else the newest
    -- earlier year of the province, else of the region, else NATIONAL; else the oldest later one.
    SELECT places.province, places.year, (
        SELECT factor.tco2_per_mwh FROM reports_emissionfactor factor
        WHERE factor.kind = 'average' AND factor.region IN (places.province, places.region, 'NATIONAL')
        ORDER BY
            CASE WHEN factor.year = places.year THEN 0 WHEN factor.year < places.year THEN 1 ELSE 2 END,
            CASE factor.region WHEN places.province THEN 0 WHEN places.region THEN 1 ELSE 2 END,
            CASE WHEN factor.year < places.year THEN -factor.year ELSE factor.year END
        LIMIT 1
    ) AS tco2_per_mwh
    FROM places
),
per_supplier AS (
    SELECT lines.supplier_id,
           COUNT(*) FILTER (WHERE lines.year = %(year)s) AS lines_in_year,
           SUM(lines.attributable_green * factors.tco2_per_mwh) FILTER (WHERE lines.year = %(year)s) AS avoided,
           COALESCE(SUM(lines.attributable_green * factors.tco2_per_mwh)
                    FILTER (WHERE lines.year = %(baseline_year)s), 0) AS baseline_avoided
    FROM lines JOIN factors ON factors.province = lines.province AND factors.year = lines.year
    GROUP BY lines.supplier_id
)
SELECT COALESCE(SUM(avoided - baseline_avoided), 0) FROM per_supplier WHERE lines_in_year > 0
"""


def green_reduction_sql(*, year: int, baseline_year: int) -> Decimal:
    """Σ over suppliers with approved lines in `year` of AV[s, year] − AV[s, baseline], in tCO2e."""
    params = {"year": year, "baseline_year": baseline_year, "irec_last_year": settings.IREC_LAST_YEAR}
    # As the portal's roll-up reads: without PostgreSQL's JIT, which compiles this query for longer
    # than it runs (reports.selectors).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(GREEN_REDUCTION_SQL, params)
        return cursor.fetchone()[0]
