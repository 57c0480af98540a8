"""Method version 2 in the engine: factors by province and kind, the I-REC cut-off, certificate
exclusions, the headline's bridge and the sensitivity variants (docs/method.md), on plain values."""

import decimal
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.calculation import context
from reports.calculation.factors import AVERAGE, RESIDUAL, Factor, FactorTable, MissingFactor
from reports.calculation.result import rollup_result_json
from reports.calculation.rollup import rollup_compute, sensitivity_compute
from reports.calculation.values import Quantities, RollupInputs, SiteYear

LIAONING, JILIN, GUANGDONG, TIANJIN = "210000", "220000", "440000", "120000"

# The worked example's table (tests/data/worked-example/factors.csv), which uses every step.
EXAMPLE = FactorTable(
    [
        Factor("NORTHEAST", 2019, D("0.6400")),
        Factor("NATIONAL", 2021, D("0.5568")),
        Factor("NATIONAL", 2023, D("0.5306")),
        Factor("NORTHEAST", 2022, D("0.5564")),
        Factor("NORTH", 2022, D("0.6776")),
        Factor(LIAONING, 2023, D("0.5700")),
        Factor(GUANGDONG, 2022, D("0.4000")),
        Factor(GUANGDONG, 2023, D("0.4200")),
        Factor("NATIONAL", 2021, D("0.5942"), kind=RESIDUAL),
        Factor("NATIONAL", 2023, D("0.6096"), kind=RESIDUAL),
    ]
)


@pytest.mark.parametrize(
    ("province", "region", "year", "kind", "used", "fallback"),
    [
        (LIAONING, "NORTHEAST", 2019, AVERAGE, ("NORTHEAST", 2019), False),  # same year: region before another year
        (LIAONING, "NORTHEAST", 2024, AVERAGE, (LIAONING, 2023), True),  # newest earlier year, province first
        (JILIN, "NORTHEAST", 2025, AVERAGE, ("NORTHEAST", 2022), True),  # the region's, not NATIONAL's newer one
        (GUANGDONG, "SOUTH", 2019, AVERAGE, (GUANGDONG, 2022), True),  # oldest later year, province first
        (TIANJIN, "NORTH", 2019, AVERAGE, ("NORTH", 2022), True),  # oldest later year of the region
        ("350000", "EAST", 2023, AVERAGE, ("NATIONAL", 2023), True),  # an average factor of NATIONAL
        (LIAONING, "NORTHEAST", 2023, AVERAGE, (LIAONING, 2023), False),  # the province's own year
        (GUANGDONG, "SOUTH", 2023, RESIDUAL, ("NATIONAL", 2023), False),  # a residual one is national: no fallback
        (GUANGDONG, "SOUTH", 2019, RESIDUAL, ("NATIONAL", 2021), True),  # … but another year is
    ],
)
def test_factor_resolution_follows_province_region_national_then_years(
    province: str, region: str, year: int, kind: str, used: tuple, fallback: bool
) -> None:
    resolved = EXAMPLE.resolve(province, region, year, kind)
    assert (resolved.factor.region, resolved.factor.year) == used
    assert resolved.is_fallback is fallback


def test_no_factor_of_a_kind_names_province_region_and_year() -> None:
    with pytest.raises(MissingFactor, match="residual emission factor for province 530000, region SOUTH"):
        FactorTable([Factor("SOUTH", 2024, D("0.4"))]).resolve("530000", "SOUTH", 2024, RESIDUAL)


def line(supplier: str, year: int, q: Quantities, share: str = "1", province: str = GUANGDONG, site: str = "S1"):
    region = {GUANGDONG: "SOUTH", LIAONING: "NORTHEAST", TIANJIN: "NORTH"}[province]
    return SiteYear(supplier, site, province, region, year, q, q.scaled(D(share)))


def compute(*site_years: SiteYear, year: int = 2025, factors: FactorTable = EXAMPLE, irec_last_year: int | None = 2024):
    return rollup_compute(RollupInputs(year, 2019, site_years, factors.factors, irec_last_year=irec_last_year))


def test_market_based_values_grid_electricity_at_the_residual_factor() -> None:
    # CN-0003 in 2019: 3,000 MWh, 500 of it I-RECs; 2,500 MWh of grid at 0.5942 = 1,485.5 t (LB: 3,000 × 0.4).
    result = rollup_result_json(compute(line("C", 2019, Quantities(D(3000), irec=D(500))), year=2019))
    assert result["market_based_tco2e"] == 1485.5
    assert result["location_based_tco2e"] == 1200.0


def test_without_any_residual_factor_market_based_uses_the_average_and_says_so_once() -> None:
    average_only = FactorTable([f for f in EXAMPLE.factors if f.kind == AVERAGE])
    result = rollup_result_json(
        compute(line("C", 2019, Quantities(D(3000), irec=D(500))), year=2019, factors=average_only)
    )
    assert result["market_based_tco2e"] == 1000.0  # 2,500 × 0.4
    assert [(f["code"], f["supplier_code"]) for f in result["flags"] if f["code"] == "no_residual_factor"] == [
        ("no_residual_factor", None)
    ]


def test_irecs_after_the_cut_off_count_as_grid_electricity_and_are_flagged() -> None:
    q = Quantities(D(900), gec=D(250), irec=D(250))
    result = rollup_result_json(compute(line("C", 2019, Quantities(D(100))), line("C", 2025, q)))
    assert result["green_mwh"] == 250.0
    assert result["ineligible_irec_mwh"] == 250.0
    assert result["double_claimed_mwh"] == 0.0
    assert ("irec_not_eligible", "C", "S1", 2025) in {
        (f["code"], f["supplier_code"], f["site_code"], f["year"]) for f in result["flags"]
    }
    # In 2024 the same I-RECs count.
    assert (
        rollup_result_json(compute(line("C", 2019, Quantities(D(100))), line("C", 2024, q), year=2024))["green_mwh"]
        == 500.0
    )


def test_ineligible_irecs_that_are_also_double_claimed_count_as_ineligible_not_double() -> None:
    q = Quantities(D(900), gec=D(300), irec=D(250), gec_double=D(100), irec_double=D(50))
    result = rollup_result_json(compute(line("C", 2019, Quantities(D(100))), line("C", 2025, q)))
    assert result["double_claimed_mwh"] == 100.0  # the GECs only
    assert result["ineligible_irec_mwh"] == 250.0
    assert result["green_mwh"] == 200.0
    # What they would have counted, at the line's factor (Guangdong 2025: 440000 2023, 0.42).
    assert result["double_claimed_tco2e"] == 42.0
    assert result["ineligible_irec_tco2e"] == 105.0


def test_the_bridge_of_the_worked_example_values_the_baseline_at_this_years_factor() -> None:
    # The baseline's only green electricity: 500 MWh of I-RECs in Guangdong, 0.4000 in 2019, 0.4200 in 2025.
    outcome = compute(
        line("C", 2019, Quantities(D(3000), irec=D(500))), line("C", 2025, Quantities(D(3400), gec=D(700)))
    )
    result = rollup_result_json(outcome)
    assert result["baseline_factor_change_tco2e"] == 10.0
    assert result["like_for_like_green_tco2e"] == 700 * 0.42 - 210
    assert result["new_entrants_avoided_tco2e"] == 0.0


def test_sensitivity_variants_move_only_what_they_change() -> None:
    inputs = RollupInputs(
        2025,
        2019,
        (
            line("C", 2019, Quantities(D(3000), irec=D(500))),
            line("C", 2025, Quantities(D(3400), gec=D(700), irec=D(100))),
        ),
        EXAMPLE.factors,
    )
    central = rollup_compute(inputs)
    result = rollup_result_json(central, sensitivity_compute(inputs))
    variants = result["sensitivity"]
    # Without the province factors, Guangdong falls back to… nothing of SOUTH: NATIONAL's.
    assert variants["regional_factors"]["green_reduction_tco2e"] == float(D(700) * D("0.5306") - 500 * D("0.5568"))
    # Residual factors only change the market-based figures, never the headline.
    assert variants["average_factor_market_based"]["green_reduction_tco2e"] == result["green_reduction_tco2e"]
    assert variants["average_factor_market_based"]["absolute_reduction_tco2e"] != result["absolute_reduction_tco2e"]
    # Ignoring the cut-off counts the 100 MWh of 2025 I-RECs at 0.42.
    assert variants["irec_without_cutoff"]["green_reduction_tco2e"] == result["green_reduction_tco2e"] + 42.0
    headlines = [result["green_reduction_tco2e"]] + [v["green_reduction_tco2e"] for v in variants.values()]
    assert result["range_tco2e"] == {"low": min(headlines), "high": max(headlines)}


# --- properties ---------------------------------------------------------------------------------

mwh = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
PROVINCES = [LIAONING, GUANGDONG, TIANJIN]


@st.composite
def portfolio(draw: st.DrawFn) -> list[SiteYear]:
    rows = []
    for supplier in range(draw(st.integers(1, 5))):
        for year in draw(st.sampled_from([(2019, 2024), (2024,), (2019,), (2019, 2025), (2025,)])):
            e = draw(mwh)
            parts = [draw(st.decimals(min_value=0, max_value=e / 4, places=3)) for _ in range(4)]
            gec_double = draw(st.decimals(min_value=0, max_value=parts[2], places=3))
            q = Quantities(e, parts[0] + parts[1], parts[2], parts[3], gec_double, D(0))
            share = str(draw(st.decimals(min_value=0, max_value=1, places=4)))
            rows.append(line(f"S{supplier}", year, q, share=share, province=draw(st.sampled_from(PROVINCES))))
    return rows


@settings(max_examples=200, deadline=None)
@given(portfolio(), st.sampled_from([2024, 2025]))
def test_the_bridge_adds_up_to_the_headline_exactly(rows: list[SiteYear], year: int) -> None:
    outcome = compute(*rows, year=year)
    with decimal.localcontext(context()):
        parts = (
            outcome.total("like_for_like_green", baseline_only=True)
            + outcome.total("baseline_factor_change", baseline_only=True)
            + outcome.total("new_entrant_avoided")
        )
        assert parts == outcome.total("green_reduction")


def _version_1(rows: list[SiteYear], table: FactorTable, year: int) -> tuple[D, D]:
    """Version 1's headline and absolute reduction, written out here as an independent oracle: regional
    average factors for everything, a double-claimed batch zeroing the line's certificates."""
    current = {r.supplier_code for r in rows if r.year == year}
    with_baseline = {r.supplier_code for r in rows if r.year == 2019} & current
    avoided, market = {}, {}
    for r in rows:
        if r.supplier_code not in current or r.year not in (year, 2019):
            continue
        ef = table.resolve("", r.region, r.year).value
        q = r.attributable
        green = q.other_green + q.gec + q.irec - q.gec_double - q.irec_double
        key = (r.supplier_code, r.year)
        avoided[key] = avoided.get(key, D(0)) + green * ef
        market[key] = market.get(key, D(0)) + (q.electricity - green) * ef
    headline = sum((avoided.get((s, year), D(0)) - avoided.get((s, 2019), D(0)) for s in current), D(0))
    absolute = sum((market.get((s, 2019), D(0)) - market.get((s, year), D(0)) for s in with_baseline), D(0))
    return headline, absolute


@settings(max_examples=150, deadline=None)
@given(portfolio())
def test_regional_average_factors_and_batch_ids_give_version_1s_figures(rows: list[SiteYear]) -> None:
    regional = FactorTable([f for f in EXAMPLE.factors if f.kind == AVERAGE and not f.region.isdigit()])
    # Batch IDs: a double claim zeroes a line's whole GEC (no I-RECs after the cut-off in this year).
    rows = [
        SiteYear(r.supplier_code, r.site_code, r.province, r.region, r.year, t, t.scaled(D(1)))
        for r in rows
        for t in [
            Quantities(
                r.total.electricity,
                r.total.other_green,
                r.total.gec,
                r.total.irec,
                r.total.gec if r.total.gec_double else D(0),
                D(0),
            )
        ]
    ]
    outcome = compute(*rows, year=2024, factors=regional)
    with decimal.localcontext(context()):
        headline, absolute = _version_1(rows, regional, 2024)
        assert outcome.total("green_reduction") == headline
        assert outcome.total("absolute_reduction", baseline_only=True) == absolute


@settings(max_examples=100, deadline=None)
@given(portfolio(), st.sampled_from([2024, 2025]), st.sampled_from([2024, None]))
def test_without_details_every_supplier_figure_is_the_same(rows: list[SiteYear], year: int, cutoff: int | None) -> None:
    """The sensitivity variants are computed without flags and sites' rows: nothing they are read for moves."""
    inputs = RollupInputs(year, 2019, tuple(rows), EXAMPLE.factors, irec_last_year=cutoff)
    full, lean = rollup_compute(inputs), rollup_compute(inputs, details=False)
    assert lean.suppliers == full.suppliers
    assert lean.total("green_reduction") == full.total("green_reduction")
    for key in ("absolute_reduction", "like_for_like_green", "baseline_factor_change"):
        assert lean.total(key, baseline_only=True) == full.total(key, baseline_only=True)
    assert (lean.double_claimed_mwh, lean.ineligible_irec_mwh) == (full.double_claimed_mwh, full.ineligible_irec_mwh)
    assert lean.flags == () and lean.sites == ()
