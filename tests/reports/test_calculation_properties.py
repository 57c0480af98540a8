"""Properties of the engine that must hold for any portfolio (hypothesis)."""

import decimal
import random
from dataclasses import replace
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.calculation import context
from reports.calculation.factors import Factor
from reports.calculation.result import rollup_result_json
from reports.calculation.rollup import rollup_compute
from reports.calculation.values import Quantities, RollupInputs, SiteYear

REGIONS = ["NORTH", "EAST", "SOUTH", "SOUTHWEST"]
FACTORS = tuple(
    Factor(region, year, D(value))
    for region, value in zip(REGIONS, ["0.6776", "0.5617", "0.3869", "0.2268"], strict=True)
    for year in (2019, 2024)
)

mwh = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False, allow_infinity=False)
share = st.decimals(min_value=0, max_value=1, places=4)


@st.composite
def site_years(draw: st.DrawFn, allow_green: bool = True) -> list[SiteYear]:
    rows = []
    for supplier in range(draw(st.integers(1, 6))):
        for site in range(draw(st.integers(1, 3))):
            region = draw(st.sampled_from(REGIONS))
            for year in draw(st.sampled_from([(2019, 2024), (2024,), (2019,)])):
                e = draw(mwh)
                g = draw(st.decimals(min_value=0, max_value=e, places=3)) if allow_green else D(0)
                a = draw(share)
                total = Quantities(electricity=e, other_green=g)
                rows.append(SiteYear(f"S{supplier}", f"T{site}", "", region, year, total, total.scaled(a)))
    return rows


def compute(rows: list[SiteYear]):
    return rollup_compute(RollupInputs(2024, 2019, tuple(rows), FACTORS))


@settings(max_examples=200, deadline=None)
@given(site_years())
def test_decomposition_parts_sum_to_the_absolute_reduction(rows: list[SiteYear]) -> None:
    outcome = compute(rows)
    with decimal.localcontext(context()):
        for supplier in outcome.with_baseline:
            assert abs(supplier.decomposition.total - supplier.absolute_reduction) < D("1e-30")
        total = outcome.total("absolute_reduction", baseline_only=True)
        assert abs(outcome.decomposition.total - total) < D("1e-30")


@settings(max_examples=100, deadline=None)
@given(site_years(allow_green=False))
def test_a_portfolio_without_green_electricity_avoids_nothing(rows: list[SiteYear]) -> None:
    result = rollup_result_json(compute(rows))
    assert result["avoided_tco2e"] == 0 and result["green_reduction_tco2e"] == 0
    assert result["location_based_tco2e"] == result["market_based_tco2e"]
    assert all(s["avoided_tco2e"] == 0 for s in result["suppliers"])


@settings(max_examples=100, deadline=None)
@given(site_years(), st.randoms(use_true_random=False))
def test_the_order_of_lines_never_changes_a_result(rows: list[SiteYear], rnd: random.Random) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert rollup_result_json(compute(rows)) == rollup_result_json(compute(shuffled))


@settings(max_examples=100, deadline=None)
@given(site_years(), st.integers(1, 6))
def test_decimal_results_scale_exactly_with_the_quantities(rows: list[SiteYear], power: int) -> None:
    """Multiplying every MWh by 10^k multiplies every figure by exactly 10^k: no drift with scale."""
    k = D(10) ** power
    scaled = [replace(r, total=r.total.scaled(k), attributable=r.attributable.scaled(k)) for r in rows]
    small, large = compute(rows), compute(scaled)
    for attribute in ("location_based", "market_based", "avoided"):
        assert small.current_total(attribute) * k == large.current_total(attribute)
    assert small.total("green_reduction") * k == large.total("green_reduction")
    for a, b in zip(small.with_baseline, large.with_baseline, strict=True):
        assert abs(a.decomposition.activity * k - b.decomposition.activity) < D("1e-25") * k


@settings(max_examples=100, deadline=None)
@given(site_years())
def test_per_site_figures_add_up_to_the_portfolio(rows: list[SiteYear]) -> None:
    outcome = compute(rows)
    with decimal.localcontext(context()):
        for attribute in ("location_based", "market_based", "avoided", "electricity_mwh"):
            assert sum((getattr(s.current, attribute) for s in outcome.sites), D(0)) == outcome.current_total(attribute)
        assert sum((s.green_reduction for s in outcome.sites), D(0)) == outcome.total("green_reduction")
