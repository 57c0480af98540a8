"""The roll-up result object of docs/formats.md, built from an outcome in one place: the headline
figures unrounded, and the JSON that holds them half-even to 3 decimals."""

import decimal
from decimal import Decimal

from reports.calculation import METHOD_VERSION
from reports.calculation.decomposition import Decomposition
from reports.calculation.values import THREE_PLACES, RollupOutcome

# The result's keys of the sensitivity variants and their range, which some outputs leave out.
SENSITIVITY_KEYS = ("sensitivity", "range_tco2e")


def _rounded(value: Decimal | None) -> float | None:
    """A figure as the roll-up JSON holds it: half-even to 3 decimals.

    JSON has no decimal type; a value with 3 decimals and at most 15 significant digits is
    written exactly by the float that the JSON number is read as. This is the one place a figure
    becomes a float, on its way out.
    """
    if value is None:
        return None
    return float(value.quantize(THREE_PLACES, rounding=decimal.ROUND_HALF_EVEN))


def _decomposition_json(decomposition: Decomposition | None) -> dict[str, float] | None:
    if decomposition is None:
        return None
    return {
        "activity": _rounded(decomposition.activity),
        "green_share": _rounded(decomposition.green_share),
        "grid_factor": _rounded(decomposition.grid_factor),
    }


def headline_figures(outcome: RollupOutcome) -> dict[str, Decimal | int | None]:
    """The portfolio's figures, unrounded, by their JSON names."""
    return {
        "suppliers_reporting": len(outcome.suppliers),
        "suppliers_with_baseline": len(outcome.with_baseline),
        "electricity_mwh": outcome.current_total("electricity_mwh"),
        "green_mwh": outcome.current_total("green_mwh"),
        "attributable_electricity_mwh": outcome.current_total("attributable_electricity_mwh"),
        "attributable_green_mwh": outcome.current_total("attributable_green_mwh"),
        "location_based_tco2e": outcome.current_total("location_based"),
        "market_based_tco2e": outcome.current_total("market_based"),
        "avoided_tco2e": outcome.current_total("avoided"),
        "baseline_avoided_tco2e": outcome.total("baseline_avoided"),
        "green_reduction_tco2e": outcome.total("green_reduction"),
        "absolute_reduction_tco2e": outcome.total("absolute_reduction", baseline_only=True),
        "like_for_like_green_tco2e": outcome.total("like_for_like_green", baseline_only=True),
        "baseline_factor_change_tco2e": outcome.total("baseline_factor_change", baseline_only=True),
        "new_entrants_avoided_tco2e": outcome.total("new_entrant_avoided"),
        "baseline_suppliers_not_reporting": len(outcome.baseline_suppliers_not_reporting),
        "double_claimed_mwh": outcome.double_claimed_mwh,
        "ineligible_irec_mwh": outcome.ineligible_irec_mwh,
        "double_claimed_tco2e": outcome.double_claimed_tco2e,
        "ineligible_irec_tco2e": outcome.ineligible_irec_tco2e,
    }


def _json_number(value: Decimal | int | None) -> float | int | None:
    return value if isinstance(value, int) else _rounded(value)


def rollup_result_json(outcome: RollupOutcome, sensitivity: dict[str, RollupOutcome] | None = None) -> dict:
    """The roll-up result object of docs/formats.md."""
    inputs = outcome.inputs
    reported = inputs.reported
    result: dict = {
        "year": inputs.year,
        "baseline_year": inputs.baseline_year,
        "method_version": int(METHOD_VERSION),
        "irec_last_year": inputs.irec_last_year,
        **{key: _json_number(value) for key, value in headline_figures(outcome).items()},
        "baseline_suppliers_not_reporting_codes": list(outcome.baseline_suppliers_not_reporting),
        "decomposition": _decomposition_json(outcome.decomposition),
        "reported": None if reported is None else {"tco2e": _rounded(reported.tco2e), "source": reported.source},
        "variance_pct": _rounded(outcome.variance_pct),
        "flags": [
            {
                "code": f.code,
                "supplier_code": f.supplier_code,
                "site_code": f.site_code,
                "year": f.year,
                "detail": f.detail,
            }
            for f in outcome.flags
        ],
        "suppliers": [
            {
                "supplier_code": s.supplier_code,
                "location_based_tco2e": _rounded(s.current.location_based),
                "market_based_tco2e": _rounded(s.current.market_based),
                "avoided_tco2e": _rounded(s.current.avoided),
                "green_reduction_tco2e": _rounded(s.green_reduction),
                "like_for_like_green_tco2e": _rounded(s.like_for_like_green),
                "absolute_reduction_tco2e": _rounded(s.absolute_reduction),
                "decomposition": _decomposition_json(s.decomposition),
            }
            for s in outcome.suppliers
        ],
        "factors_used": [
            {
                "province": f.province,
                "region": f.region,
                "year": f.year,
                "kind": f.kind,
                "tco2_per_mwh": str(f.value),
                "from_region": f.factor.region,
                "from_year": f.factor.year,
                "source": f.factor.source,
            }
            for f in outcome.factors_used
        ],
    }
    if sensitivity is not None:
        result["sensitivity"] = {
            variant: {
                "green_reduction_tco2e": _rounded(variant_outcome.total("green_reduction")),
                "absolute_reduction_tco2e": _rounded(variant_outcome.total("absolute_reduction", baseline_only=True)),
            }
            for variant, variant_outcome in sensitivity.items()
        }
        headlines = [outcome.total("green_reduction")] + [o.total("green_reduction") for o in sensitivity.values()]
        result["range_tco2e"] = {"low": _rounded(min(headlines)), "high": _rounded(max(headlines))}
    return result
