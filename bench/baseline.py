"""The baselines of the benchmark: what the same work costs when written straight in SQL.

`green_reduction_sql` is the hand-written roll-up: one `SUM … GROUP BY` over the approved lines of
the year and the baseline year, with the emission factor resolved in SQL by calculation.md's
fallback order and double-claimed certificates counted as grid electricity, as the engine does.
It gives only the headline figure (the green-power reduction), which the bench checks against the
portal's stored run to the tonne.
"""

from decimal import Decimal

from django.db import connection

GREEN_REDUCTION_SQL = """
WITH duplicated AS MATERIALIZED (
    -- batches claimed by more than one line (a line claims a batch once) among submitted or approved
    SELECT claim.batch_id
    FROM suppliers_certificateclaim claim
    JOIN suppliers_line line ON line.id = claim.line_id
    JOIN suppliers_submission submission ON submission.id = line.submission_id
    WHERE submission.status IN ('submitted', 'approved')
    GROUP BY claim.batch_id
    HAVING COUNT(*) > 1
),
conflicted AS MATERIALIZED (
    SELECT DISTINCT claim.line_id FROM suppliers_certificateclaim claim JOIN duplicated USING (batch_id)
),
lines AS (
    SELECT site.supplier_id, site.region, period.year,
           line.bmw_share_percent / 100 * (
               line.onsite_renewable_mwh + line.green_power_trading_mwh
               + CASE WHEN conflicted.line_id IS NULL THEN line.gec_mwh + line.irec_mwh ELSE 0 END
           ) AS attributable_green
    FROM suppliers_line line
    JOIN suppliers_submission submission ON submission.id = line.submission_id
    JOIN suppliers_reportingperiod period ON period.id = submission.period_id
    JOIN suppliers_site site ON site.id = line.site_id
    LEFT JOIN conflicted ON conflicted.line_id = line.id
    WHERE submission.status = 'approved' AND period.year IN (%(year)s, %(baseline_year)s)
),
regions AS (SELECT DISTINCT region, year FROM lines),
factors AS (
    -- EF(r, y): (r, y); (NATIONAL, y); newest earlier of r, then NATIONAL; oldest later of r, then NATIONAL.
    SELECT regions.region, regions.year, (
        SELECT factor.tco2_per_mwh FROM reports_emissionfactor factor
        WHERE factor.region IN (regions.region, 'NATIONAL')
        ORDER BY CASE
            WHEN factor.year = regions.year AND factor.region = regions.region THEN 0
            WHEN factor.year = regions.year THEN 1
            WHEN factor.year < regions.year AND factor.region = regions.region THEN 2
            WHEN factor.year < regions.year THEN 3
            WHEN factor.region = regions.region THEN 4
            ELSE 5 END,
            CASE WHEN factor.year < regions.year THEN -factor.year ELSE factor.year END
        LIMIT 1
    ) AS tco2_per_mwh
    FROM regions
),
per_supplier AS (
    SELECT lines.supplier_id,
           COUNT(*) FILTER (WHERE lines.year = %(year)s) AS lines_in_year,
           SUM(lines.attributable_green * factors.tco2_per_mwh) FILTER (WHERE lines.year = %(year)s) AS avoided,
           COALESCE(SUM(lines.attributable_green * factors.tco2_per_mwh)
                    FILTER (WHERE lines.year = %(baseline_year)s), 0) AS baseline_avoided
    FROM lines JOIN factors ON factors.region = lines.region AND factors.year = lines.year
    GROUP BY lines.supplier_id
)
SELECT COALESCE(SUM(avoided - baseline_avoided), 0) FROM per_supplier WHERE lines_in_year > 0
"""


def green_reduction_sql(*, year: int, baseline_year: int) -> Decimal:
    """Σ over suppliers with approved lines in `year` of AV[s, year] − AV[s, baseline], in tCO2e."""
    with connection.cursor() as cursor:
        cursor.execute(GREEN_REDUCTION_SQL, {"year": year, "baseline_year": baseline_year})
        return cursor.fetchone()[0]
