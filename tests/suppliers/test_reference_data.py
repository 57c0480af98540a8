"""The reference data the import leans on: provinces and grids, periods, units, USCC check characters."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from suppliers.periods import InvalidPeriod, PeriodKind, period_make, period_parse
from suppliers.provinces import PROVINCES, Region, UnknownProvince, province_parse
from suppliers.units import EnergyUnit, UnknownUnit, to_mwh, unit_parse
from suppliers.uscc import ALPHABET, uscc_check_character, validate_uscc

# calculation.md, "Provinces and regional grids": region → GB/T 2260 two-digit prefixes.
GRIDS = {
    Region.NORTH: {"11", "12", "13", "14", "15", "37"},
    Region.NORTHEAST: {"21", "22", "23"},
    Region.EAST: {"31", "32", "33", "34", "35"},
    Region.CENTRAL: {"36", "41", "42", "43"},
    Region.NORTHWEST: {"61", "62", "63", "64", "65"},
    Region.SOUTH: {"44", "45", "46", "52", "53"},
    Region.SOUTHWEST: {"50", "51", "54"},
}

# The worked example's USCCs, and codes of real companies published with their check character.
KNOWN_GOOD_USCCS = [
    "91210100MA0Y7K001D",
    "91320500MA1P3Q0029",
    "91440600MA4W8E003E",
    "91120000MA05N6004L",
    "91510100MA61R2005Q",
    "91350100M000100Y43",
    "91110000802100433B",
]


# --- provinces -------------------------------------------------------------------------------


def test_every_mainland_province_belongs_to_the_grid_calculation_md_names() -> None:
    by_region = {region: {p.code[:2] for p in PROVINCES if p.region == region} for region in GRIDS}
    assert by_region == GRIDS
    assert len(PROVINCES) == 31
    assert all(p.code.endswith("0000") for p in PROVINCES)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Liaoning", "210000"),
        ("LIAONING", "210000"),
        ("  liaoning ", "210000"),
        ("辽宁", "210000"),
        ("辽宁省", "210000"),
        ("210000", "210000"),
        ("天津市", "120000"),
        ("广西", "450000"),
        ("广西壮族自治区", "450000"),
        ("Inner  Mongolia", "150000"),
        ("Nei Mongol", "150000"),
        ("内蒙古自治区", "150000"),
        ("Xizang", "540000"),
        ("新疆维吾尔自治区", "650000"),
        ("440000", "440000"),
    ],
)
def test_a_province_is_found_by_english_chinese_short_official_name_or_code(text: str, code: str) -> None:
    assert province_parse(text).code == code


@pytest.mark.parametrize(
    "text", ["Hong Kong", "香港", "810000", "Macau", "澳门特别行政区", "Taiwan", "台湾省", "710000"]
)
def test_hong_kong_macao_and_taiwan_are_refused_as_outside_the_grids(text: str) -> None:
    with pytest.raises(UnknownProvince, match="outside mainland China's regional grids"):
        province_parse(text)


@pytest.mark.parametrize("text", ["Atlantis", "21", "210001", "Liao ning", "辽"])
def test_an_unknown_province_is_refused_with_a_hint(text: str) -> None:
    with pytest.raises(UnknownProvince, match="is not a province"):
        province_parse(text)


def test_a_blank_province_is_refused() -> None:
    with pytest.raises(UnknownProvince, match="required"):
        province_parse("   ")


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "number", "months"),
    [
        ("2024", PeriodKind.YEAR, 0, (1, 12)),
        ("2024-Q2", PeriodKind.QUARTER, 2, (4, 6)),
        ("2024-q4", PeriodKind.QUARTER, 4, (10, 12)),
        ("2024-03", PeriodKind.MONTH, 3, (3, 3)),
        (" 2024-12 ", PeriodKind.MONTH, 12, (12, 12)),
    ],
)
def test_a_period_is_a_year_a_quarter_or_a_month(text: str, kind: str, number: int, months: tuple[int, int]) -> None:
    period = period_parse(text)
    assert (period.year, period.kind, period.number) == (2024, kind, number)
    assert (period.first_month, period.last_month) == months


@pytest.mark.parametrize(
    "text", ["2024-13", "2024-00", "2024-Q5", "2024-Q0", "24", "2024Q5", "2024-3", "2024/03", "Q5 2024"]
)
def test_a_malformed_period_is_refused(text: str) -> None:
    with pytest.raises(InvalidPeriod):
        period_parse(text)


@pytest.mark.parametrize("text", ["1999", "2101"])
def test_a_year_outside_2000_to_2100_is_refused(text: str) -> None:
    with pytest.raises(InvalidPeriod, match="outside 2000–2100"):
        period_parse(text)


def test_a_period_prints_as_it_is_written() -> None:
    assert [str(period_parse(t)) for t in ("2024", "2024-q2", "2024-03")] == ["2024", "2024-Q2", "2024-03"]


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        ("2024", "2024-Q1", True),
        ("2024", "2024-07", True),
        ("2024-Q1", "2024-03", True),
        ("2024-Q1", "2024-04", False),
        ("2024-Q1", "2024-Q2", False),
        ("2024-03", "2024-04", False),
        ("2024", "2023", False),
        ("2024-Q1", "2023-Q1", False),
    ],
)
def test_periods_of_the_same_year_overlap_when_their_months_do(first: str, second: str, overlap: bool) -> None:
    a, b = period_parse(first), period_parse(second)
    assert a.overlaps(b) is overlap
    assert b.overlaps(a) is overlap


def test_period_make_builds_the_same_period_as_parsing() -> None:
    assert period_make(2024, PeriodKind.QUARTER, 3) == period_parse("2024-Q3")
    assert period_make(2024, PeriodKind.MONTH, 11) == period_parse("2024-11")
    assert period_make(2024, PeriodKind.YEAR, 0) == period_parse("2024")


# --- units -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("kWh", EnergyUnit.KWH),
        ("KWH", EnergyUnit.KWH),
        ("度", EnergyUnit.KWH),
        ("MWh", EnergyUnit.MWH),
        ("mwh", EnergyUnit.MWH),
        ("GWh", EnergyUnit.GWH),
        ("万kWh", EnergyUnit.WAN_KWH),
        ("万 kWh", EnergyUnit.WAN_KWH),
        ("万千瓦时", EnergyUnit.WAN_KWH),
    ],
)
def test_a_unit_is_found_by_its_symbol_or_chinese_name_in_any_case(text: str, unit: str) -> None:
    assert unit_parse(text) == unit


@pytest.mark.parametrize("text", ["kW", "TWh", "Wh", "MJ", "", "千kWh"])
def test_an_unknown_unit_is_refused(text: str) -> None:
    with pytest.raises(UnknownUnit, match="is not a unit"):
        unit_parse(text)


@pytest.mark.parametrize(
    ("amount", "unit", "mwh"),
    [
        ("2500000", EnergyUnit.KWH, "2500"),
        ("0.001", EnergyUnit.KWH, "0.000001"),
        ("800", EnergyUnit.MWH, "800"),
        ("9.5", EnergyUnit.GWH, "9500"),
        ("300", EnergyUnit.WAN_KWH, "3000"),
        ("0.5", EnergyUnit.WAN_KWH, "5"),
    ],
)
def test_units_convert_to_mwh_exactly(amount: str, unit: str, mwh: str) -> None:
    converted = to_mwh(Decimal(amount), unit)
    assert isinstance(converted, Decimal)
    assert converted == Decimal(mwh)


# --- USCC ------------------------------------------------------------------------------------


@pytest.mark.parametrize("uscc", KNOWN_GOOD_USCCS)
def test_a_uscc_with_the_right_check_character_is_accepted(uscc: str) -> None:
    validate_uscc(uscc)
    assert uscc_check_character(uscc[:17]) == uscc[17]


@pytest.mark.parametrize("uscc", KNOWN_GOOD_USCCS)
def test_every_other_check_character_is_refused(uscc: str) -> None:
    for wrong in ALPHABET.replace(uscc[17], ""):
        with pytest.raises(ValidationError) as raised:
            validate_uscc(uscc[:17] + wrong)
        assert raised.value.code == "check"


def test_a_check_value_of_31_is_written_as_0() -> None:
    # Weighted sum ≡ 0 (mod 31) → 31 − 0 = 31, which GB 32100 writes as "0".
    assert uscc_check_character("0" * 17) == "0"
    validate_uscc("0" * 18)


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V", "a", "-"])
def test_a_uscc_with_a_letter_outside_the_alphabet_is_refused(letter: str) -> None:
    uscc = "91320500MA1P3Q002" + "9"
    with pytest.raises(ValidationError) as raised:
        validate_uscc(letter + uscc[1:])
    assert raised.value.code == "alphabet"


@pytest.mark.parametrize("uscc", ["", "91320500MA1P3Q002", "91320500MA1P3Q00299"])
def test_a_uscc_of_another_length_is_refused(uscc: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_uscc(uscc)
    assert raised.value.code == "length"
