"""The engine of docs/method.md on hand-computed cases, called directly with plain values."""

from decimal import Decimal as D

import pytest

from reports.calculation.decomposition import Drivers, drivers_from_sums, shapley_reduction
from reports.calculation.factors import Factor, FactorTable, MissingFactor
from reports.calculation.result import rollup_result_json
from reports.calculation.rollup import rollup_compute
from reports.calculation.values import Quantities, Reported, RollupInputs, SiteYear


def site_year(
    supplier: str,
    year: int,
    e: str,
    g: str = "0",
    share: str = "1",
    region: str = "EAST",
    site: str = "S1",
    dup: tuple = (),
) -> SiteYear:
    total = Quantities(electricity=D(e), other_green=D(g))
    return SiteYear(supplier, site, "", region, year, total, total.scaled(D(share)), dup)


FACTORS = (
    Factor("EAST", 2019, D("0.6")),
    Factor("EAST", 2024, D("0.5")),
    Factor("NATIONAL", 2024, D("0.55")),
)


def compute(*site_years: SiteYear, year: int = 2024, reported: Reported | None = None, factors=FACTORS, history=None):
    inputs = RollupInputs(year, 2019, tuple(site_years), factors, history or {}, reported)
    return rollup_result_json(rollup_compute(inputs))


# --- factor lookup --------------------------------------------------------------------------

TABLE = FactorTable(
    [
        Factor("EAST", 2022, D("0.5617")),
        Factor("NATIONAL", 2021, D("0.5568")),
        Factor("NATIONAL", 2023, D("0.5306")),
        Factor("SOUTH", 2022, D("0.3869")),
        Factor("NORTH", 2025, D("0.6")),
    ]
)


@pytest.mark.parametrize(
    ("region", "year", "used", "fallback"),
    [
        ("EAST", 2022, ("EAST", 2022), False),  # the region's own year
        ("NORTH", 2023, ("NATIONAL", 2023), True),  # then NATIONAL of the year
        ("EAST", 2024, ("EAST", 2022), True),  # then the newest earlier year of the region
        ("CENTRAL", 2024, ("NATIONAL", 2023), True),  # then the newest earlier NATIONAL
        ("SOUTH", 2019, ("SOUTH", 2022), True),  # then the oldest later year of the region
        ("CENTRAL", 2019, ("NATIONAL", 2021), True),  # then the oldest later NATIONAL
        ("NORTH", 2020, ("NORTH", 2025), True),  # the region's later year before NATIONAL's
    ],
)
def test_factor_lookup_follows_the_fallback_order(region: str, year: int, used: tuple, fallback: bool) -> None:
    resolved = TABLE.resolve("", region, year)
    assert (resolved.factor.region, resolved.factor.year) == used
    assert resolved.is_fallback is fallback


def test_no_factor_at_all_is_an_error_naming_region_and_year() -> None:
    with pytest.raises(MissingFactor, match="province 320000, region EAST or NATIONAL in 2024"):
        FactorTable([]).resolve("320000", "EAST", 2024)


# --- figures -----------------------------------------------------------------------------------


def test_location_market_and_avoided_follow_the_formulas() -> None:
    # a = 0.5, E = 1000, G = 400, EF(EAST, 2024) = 0.5
    result = compute(site_year("S", 2019, "1000", share="0.5"), site_year("S", 2024, "1000", "400", share="0.5"))
    supplier = result["suppliers"][0]
    assert supplier["location_based_tco2e"] == 250.0  # 0.5·1000·0.5
    assert supplier["market_based_tco2e"] == 150.0  # 0.5·600·0.5
    assert supplier["avoided_tco2e"] == 100.0  # 0.5·400·0.5
    assert result["attributable_electricity_mwh"] == 500.0
    assert result["attributable_green_mwh"] == 200.0
    assert result["electricity_mwh"] == 1000.0
    assert result["green_mwh"] == 400.0


def test_green_reduction_is_avoided_now_minus_avoided_in_the_baseline() -> None:
    # baseline: G = 100 at 0.6 → 60; 2024: G = 400 at 0.5 → 200
    result = compute(site_year("S", 2019, "1000", "100"), site_year("S", 2024, "1000", "400"))
    assert result["baseline_avoided_tco2e"] == 60.0
    assert result["green_reduction_tco2e"] == 140.0


def test_absolute_reduction_is_the_fall_in_market_based_emissions() -> None:
    # MB 2019 = 900·0.6 = 540; MB 2024 = 600·0.5 = 300
    result = compute(site_year("S", 2019, "1000", "100"), site_year("S", 2024, "1000", "400"))
    assert result["absolute_reduction_tco2e"] == 240.0
    parts = result["decomposition"]
    assert parts["activity"] + parts["green_share"] + parts["grid_factor"] == pytest.approx(240.0, abs=0.002)


def test_supplier_without_baseline_counts_in_green_reduction_not_in_absolute() -> None:
    result = compute(
        site_year("A", 2019, "1000"), site_year("A", 2024, "1000", "500"), site_year("B", 2024, "2000", "1000")
    )
    by_code = {s["supplier_code"]: s for s in result["suppliers"]}
    assert by_code["B"]["absolute_reduction_tco2e"] is None
    assert by_code["B"]["decomposition"] is None
    assert by_code["B"]["green_reduction_tco2e"] == 500.0  # 1000·0.5 − 0
    assert result["green_reduction_tco2e"] == 750.0  # A: 250, B: 500
    assert result["absolute_reduction_tco2e"] == by_code["A"]["absolute_reduction_tco2e"] == 350.0  # 600 − 250
    assert result["suppliers_reporting"] == 2 and result["suppliers_with_baseline"] == 1
    codes = [(f["code"], f["supplier_code"], f["site_code"]) for f in result["flags"]]
    # No residual factor is loaded here: the market-based figures use the average one, said once.
    assert codes == [("no_baseline", "B", None), ("no_residual_factor", None, None)]


def test_baseline_supplier_that_stopped_reporting_is_left_out() -> None:
    result = compute(site_year("A", 2019, "1000"), site_year("Gone", 2019, "5000"), site_year("A", 2024, "1000"))
    assert [s["supplier_code"] for s in result["suppliers"]] == ["A"]
    assert result["absolute_reduction_tco2e"] == 100.0  # 600 − 500: Gone's 3000 is not counted


def test_activity_only_change_is_all_activity() -> None:
    # Same grid share and factor, twice the electricity: MB doubles, all of it activity.
    same = (Factor("EAST", 2019, D("0.5")), Factor("EAST", 2024, D("0.5")))
    result = compute(site_year("S", 2019, "1000", "200"), site_year("S", 2024, "2000", "400"), factors=same)
    assert result["decomposition"] == {"activity": -400.0, "green_share": 0.0, "grid_factor": 0.0}


def test_shapley_of_two_factors_changing_splits_the_interaction_evenly() -> None:
    # x: 1 → 2, h: 1 → 0.5, f fixed at 1: V 1 → 1, so the two effects cancel, each ±(1·0.5 + 1·…)/…
    parts = shapley_reduction(Drivers(D(1), D(1), D(1)), Drivers(D(2), D("0.5"), D(1)))
    # effect of x: 1/3·(2−1)·1 + 1/6·(1−0.5) + 1/6·(2−1) + 1/3·(1−0.5) = 1/3+1/12+1/6+1/6 = 0.75
    assert parts.activity == pytest.approx(D("-0.75"), abs=D("1e-40"))
    assert parts.green_share == pytest.approx(D("0.75"), abs=D("1e-40"))
    assert parts.grid_factor == 0


def test_drivers_when_everything_is_green_use_the_location_factor() -> None:
    drivers = drivers_from_sums(D(100), D(0), D(0), D(55))
    assert drivers == Drivers(D(100), D(0), D("0.55"))
    assert drivers_from_sums(D(0), D(0), D(0), D(0)) == Drivers(D(0), D(0), D(0))


def test_duplicate_certificate_flag_names_the_batch() -> None:
    result = compute(site_year("S", 2019, "100"), site_year("S", 2024, "100", dup=("GEC-1",)))
    flags = [f for f in result["flags"] if f["code"] == "duplicate_certificate"]
    assert len(flags) == 1 and "GEC-1" in flags[0]["detail"]


@pytest.mark.parametrize(
    ("previous", "current", "flagged"),
    [
        ("100", "500", False),
        ("100", "500.001", True),
        ("100", "20", False),
        ("100", "19.99", True),
        ("0", "5000", False),
    ],
)
def test_yoy_outlier_is_over_five_times_or_under_a_fifth_of_the_newest_earlier_year(
    previous: str, current: str, flagged: bool
) -> None:
    history = {("S", "S1"): {2019: D(previous), 2022: D(previous), 2024: D(current)}}
    result = compute(site_year("S", 2019, previous), site_year("S", 2024, current), history=history)
    assert any(f["code"] == "yoy_outlier" for f in result["flags"]) is flagged


def test_factor_fallback_is_flagged_per_site_and_year() -> None:
    result = compute(
        site_year("S", 2019, "10"), site_year("S", 2024, "10", region="NORTH"), site_year("S", 2024, "10", site="S2")
    )
    fallback = {(f["site_code"], f["year"]) for f in result["flags"] if f["code"] == "factor_fallback"}
    assert fallback == {("S1", 2024)}  # NORTH 2024 → NATIONAL 2024; EAST 2019 and 2024 are loaded


def test_variance_against_the_published_figure() -> None:
    result = compute(site_year("S", 2024, "1000", "400"), reported=Reported(D("400"), "press release"))
    assert result["green_reduction_tco2e"] == 200.0
    assert result["variance_pct"] == -50.0
    assert result["reported"] == {"tco2e": 400.0, "source": "press release"}
    assert compute(site_year("S", 2024, "1000"))["variance_pct"] is None


def test_figures_are_rounded_half_even_to_three_decimals() -> None:
    # 0.0025 · 1 → 0.002 (half-even), 0.0035 → 0.004
    factors = (Factor("EAST", 2024, D("0.0025")),)
    assert compute(site_year("S", 2024, "1"), factors=factors)["location_based_tco2e"] == 0.002
    factors = (Factor("EAST", 2024, D("0.0035")),)
    assert compute(site_year("S", 2024, "1"), factors=factors)["location_based_tco2e"] == 0.004
