"""The fingerprint of a run's inputs: a new run is stored only when something it reads has changed."""

import hashlib
import json

from reports.calculation import METHOD_VERSION
from reports.calculation.factors import FactorTable
from reports.calculation.values import Quantities, RollupInputs, SiteYear, plain_decimal


def _quantities_key(q: Quantities) -> list[str]:
    # str, not the normalized form: the same inputs read from one database are the same Decimals,
    # and str is a sixth of the cost (130,000 quantities at 2,000 suppliers). Equal values written
    # with other exponents (1.50, 1.5) would only make one run too many, never one too few.
    return [str(q.electricity), str(q.other_green), str(q.gec), str(q.irec), str(q.gec_double), str(q.irec_double)]


def _site_year_key(sy: SiteYear) -> list:
    return [
        sy.supplier_code,
        sy.site_code,
        sy.province,
        sy.region,
        sy.year,
        *_quantities_key(sy.total),
        *_quantities_key(sy.attributable),
        list(sy.duplicates),
    ]


def inputs_fingerprint(inputs: RollupInputs) -> str:
    """SHA-256 of everything the result depends on, in a canonical text form.

    Factors enter as resolved for the place-years used, so that loading an unrelated factor
    does not make a new run, while any factor that changes a figure does.
    """
    table = FactorTable(inputs.factors)
    places = {(sy.province, sy.region, sy.year) for sy in inputs.site_years}
    places |= {(sy.province, sy.region, inputs.year) for sy in inputs.site_years if sy.year == inputs.baseline_year}
    resolved = []
    for province, region, year in sorted(places):
        for kind in sorted(table.kinds):
            try:
                factor = table.resolve(province, region, year, kind).factor
                resolved.append([province, region, year, kind, factor.region, factor.year, str(factor.tco2_per_mwh)])
            except LookupError:
                resolved.append([province, region, year, kind, None])
    canonical = {
        "method": METHOD_VERSION,
        "year": inputs.year,
        "baseline_year": inputs.baseline_year,
        "irec_last_year": inputs.irec_last_year,
        "kinds": sorted(table.kinds),
        "site_years": sorted(_site_year_key(sy) for sy in inputs.site_years),
        "factors": resolved,
        "history": sorted(
            [supplier, site, year, plain_decimal(value)]
            for (supplier, site), years in inputs.site_history.items()
            for year, value in years.items()
        ),
        "reported": None if inputs.reported is None else [plain_decimal(inputs.reported.tco2e), inputs.reported.source],
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
