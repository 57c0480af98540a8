"""What Chinese (and other) suppliers type, read as they mean it (issue #17, item 7): full-width
digits and ％, spaced thousands, Excel's scientific notation, -0, units, periods and provinces in
their Chinese and long English forms. What stays refused (ambiguous decimal marks, words for
numbers) is named by row and column, with a message that says how to write it, in both languages.
The period page and the API parse with the same rules (suppliers/line_rules.py)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from suppliers.forms.submissions import LineForm
from suppliers.line_rules import number_parse, quantity_parse, share_parse, share_text
from suppliers.models import Line, ReportingPeriod, Site, User
from suppliers.periods import period_parse
from suppliers.provinces import province_parse
from suppliers.services.imports import submissions_import
from suppliers.units import unit_parse
from tests.api.conftest import line as api_line
from tests.api.conftest import token_client
from tests.factories import ReportingPeriodFactory
from tests.suppliers.test_import_rules import _csv, _refused, _row

NOT_A_NUMBER = "“%s” is not a number: write it in digits, such as 1250000, 1,250,000.5 or 1.25E+06"
NOT_A_NUMBER_ZH = "“%s”不是有效数字：请用阿拉伯数字填写，例如 1250000、1,250,000.5 或 1.25E+06"
AMBIGUOUS = (
    "“%s” is ambiguous: write the decimal mark as a point and group thousands with commas or spaces, such as "
    "1,250,000.5"
)
AMBIGUOUS_ZH = "“%s”有歧义：小数点请用“.”，千位分隔请用逗号或空格，例如 1,250,000.5"


def _imported(**cells: str) -> Line:
    submissions_import(content=_csv([_row(**cells)]), filename="submission.csv")
    return Line.objects.select_related("site", "submission__period").get()


# --- numbers ------------------------------------------------------------------------------------

NUMBERS = [
    ("1 234 567", "1234567"),
    ("1 234 567.25", "1234567.25"),
    ("1\u00a0234\u00a0567", "1234567"),  # no-break spaces, as a spreadsheet in French or Russian writes them
    ("1\u3000234", "1234"),  # an ideographic (full-width) space
    ("1.25E+06", "1250000"),
    ("1.25e+06", "1250000"),
    ("2.5E-03", "0.0025"),
    ("1E+05", "100000"),
    ("-0", "0"),
    ("-0.00", "0"),
    ("１２３４", "1234"),
    ("１，２３４．５", "1234.5"),
    ("１ ２３４", "1234"),
    ("1,234,567", "1234567"),
]


@pytest.mark.parametrize(("typed", "value"), NUMBERS)
def test_a_number_is_read_as_meant(typed: str, value: str) -> None:
    assert number_parse(typed) == Decimal(value)
    assert "E" not in str(number_parse(typed))  # written out as a typed number is, without an exponent


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "value"), NUMBERS)
def test_a_number_in_a_file_is_stored_as_meant_and_kept_as_typed(typed: str, value: str) -> None:
    line = _imported(unit="MWh", total_electricity="2000000", onsite_renewable=typed)
    assert line.onsite_renewable_mwh == Decimal(value)
    assert line.entered_values["onsite_renewable"] == typed.strip()


def test_minus_zero_is_zero_and_never_negative_zero() -> None:
    assert number_parse("-0").is_signed() is False
    assert quantity_parse("-0", "kWh") == 0


def test_scientific_notation_is_exact_and_still_checked_for_size_and_precision() -> None:
    assert quantity_parse("1.25E+06", "kWh") == Decimal(1250)
    with pytest.raises(ValueError, match="implausibly large"):
        quantity_parse("1.25E+12", "kWh")
    with pytest.raises(ValueError, match="more decimal places"):
        quantity_parse("1E-10", "MWh")
    with pytest.raises(ValueError, match="must not be negative"):
        number_parse("-1.25E+06")


REFUSED_NUMBERS = [
    ("1.250.000,5", AMBIGUOUS, AMBIGUOUS_ZH),
    ("1,5", AMBIGUOUS, AMBIGUOUS_ZH),
    ("12,34", AMBIGUOUS, AMBIGUOUS_ZH),
    ("1 234,5", AMBIGUOUS, AMBIGUOUS_ZH),
    ("一千", NOT_A_NUMBER, NOT_A_NUMBER_ZH),
    ("一百二十万", NOT_A_NUMBER, NOT_A_NUMBER_ZH),
    ("one thousand", NOT_A_NUMBER, NOT_A_NUMBER_ZH),
    ("about 1000", NOT_A_NUMBER, NOT_A_NUMBER_ZH),
    ("1  000", NOT_A_NUMBER, NOT_A_NUMBER_ZH),
    ("1,23,456", NOT_A_NUMBER, NOT_A_NUMBER_ZH),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "english", "chinese"), REFUSED_NUMBERS)
def test_an_ambiguous_number_or_words_are_refused_naming_row_column_and_how_to_write_it(
    typed: str, english: str, chinese: str
) -> None:
    rows = [_row(), _row(site_code="WX2", total_electricity=typed)]
    problems = _refused(rows)
    assert [(p.row, p.column, p.message) for p in problems] == [(3, "total_electricity", english % typed)]
    assert str(problems[0]) == f"row 3, column total_electricity: {english % typed}"
    with translation.override("zh-hans"):
        problems = _refused(rows)
    assert [(p.row, p.column, p.message) for p in problems] == [(3, "total_electricity", chinese % typed)]


# --- shares -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "share"), [("35％", "35"), ("３５％", "35"), ("35 ％", "35"), ("12.5 %", "12.5")])
def test_a_share_with_a_full_width_percent_sign_is_read(typed: str, share: str) -> None:
    assert share_parse(share_text(typed)) == Decimal(share)


@pytest.mark.django_db
def test_a_share_with_a_full_width_percent_sign_is_imported() -> None:
    assert _imported(bmw_share_percent="３５．５％").bmw_share_percent == Decimal("35.5")


@pytest.mark.django_db
def test_a_share_of_only_a_full_width_percent_sign_is_refused_as_blank_in_both_languages() -> None:
    problems = _refused([_row(bmw_share_percent="％")])
    assert [(p.row, p.column, p.message) for p in problems] == [(2, "bmw_share_percent", "is required")]
    with translation.override("zh-hans"):
        problems = _refused([_row(bmw_share_percent="％")])
    assert [(p.row, p.column, p.message) for p in problems] == [(2, "bmw_share_percent", "为必填项")]


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "english", "chinese"), REFUSED_NUMBERS[:2] + REFUSED_NUMBERS[4:5])
def test_an_ambiguous_share_is_refused_in_both_languages(typed: str, english: str, chinese: str) -> None:
    problems = _refused([_row(bmw_share_percent=typed + "%")])
    assert [(p.row, p.column, p.message) for p in problems] == [(2, "bmw_share_percent", english % typed)]
    with translation.override("zh-hans"):
        problems = _refused([_row(bmw_share_percent=typed + "%")])
    assert [(p.row, p.column, p.message) for p in problems] == [(2, "bmw_share_percent", chinese % typed)]


# --- units --------------------------------------------------------------------------------------

UNITS = [  # (typed, unit, MWh of 1000 in that unit)
    ("千瓦时", "kWh", "1"),
    ("千瓦·时", "kWh", "1"),
    ("度", "kWh", "1"),
    ("万千瓦时", "万kWh", "10000"),
    ("万kWh", "万kWh", "10000"),
    ("万 kW·h", "万kWh", "10000"),
    ("兆瓦时", "MWh", "1000"),
    ("吉瓦时", "GWh", "1000000"),
    ("kW·h", "kWh", "1"),
    ("kW・h", "kWh", "1"),
    ("kW.h", "kWh", "1"),
    ("kW-h", "kWh", "1"),
    ("KWH", "kWh", "1"),
    ("ｋＷｈ", "kWh", "1"),
    ("MW·h", "MWh", "1000"),
    ("GW·h", "GWh", "1000000"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "unit", "mwh"), UNITS)
def test_a_unit_is_read_in_its_chinese_and_dotted_forms(typed: str, unit: str, mwh: str) -> None:
    assert unit_parse(typed) == unit
    line = _imported(unit=typed, total_electricity="1000")
    assert line.entered_unit == unit
    assert line.total_electricity_mwh == Decimal(mwh)


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["千瓦", "kW", "瓦时", "TWh"])
def test_a_power_or_an_unknown_unit_is_refused_in_both_languages(typed: str) -> None:
    problems = _refused([_row(unit=typed)])
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, "unit", f"“{typed}” is not a unit: use kWh, MWh, GWh or 万kWh.")
    ]
    with translation.override("zh-hans"):
        problems = _refused([_row(unit=typed)])
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, "unit", f"“{typed}”不是有效单位：请使用 kWh、MWh、GWh 或 万kWh。")
    ]


# --- periods ------------------------------------------------------------------------------------

PERIODS = [
    ("2026年", "2026"),
    ("２０２６年", "2026"),
    ("2026年度", "2026"),
    ("2026年3月", "2026-03"),
    ("2026年03月", "2026-03"),
    ("2026年3月份", "2026-03"),
    ("2026年第二季度", "2026-Q2"),
    ("2026年第2季度", "2026-Q2"),
    ("2026年一季度", "2026-Q1"),
    ("2026Q2", "2026-Q2"),
    ("2026 Q2", "2026-Q2"),
    ("2026年Q2", "2026-Q2"),
    ("2026q4", "2026-Q4"),
    ("Q2 2026", "2026-Q2"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "code"), PERIODS)
def test_a_period_is_read_in_its_chinese_and_compact_forms(typed: str, code: str) -> None:
    assert period_parse(typed).code == code
    assert _imported(period=typed).submission.period.code == code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "english", "chinese"),
    [
        ("2026年第五季度", "“2026年第五季度” is not a period: use 2024, 2024-Q2 or 2024-03.",
         "“2026年第五季度”不是有效的报告期：请使用 2024、2024-Q2 或 2024-03 格式。"),
        ("2026Q5", "“2026Q5” is not a period: use 2024, 2024-Q2 or 2024-03.",
         "“2026Q5”不是有效的报告期：请使用 2024、2024-Q2 或 2024-03 格式。"),
        ("2026年13月", "“2026年13月” has no month 13.", "“2026年13月”中没有第 13 月。"),
        ("1999年", "The year 1999 is outside 2000–2100.", "年份 1999 不在 2000–2100 范围内。"),
    ],
)  # fmt: skip
def test_a_period_that_is_no_period_is_refused_in_both_languages(typed: str, english: str, chinese: str) -> None:
    problems = _refused([_row(period=typed)])
    assert [(p.row, p.column, p.message) for p in problems] == [(2, "period", english)]
    with translation.override("zh-hans"):
        problems = _refused([_row(period=typed)])
    assert [(p.row, p.column, p.message) for p in problems] == [(2, "period", chinese)]


# --- provinces ----------------------------------------------------------------------------------

PROVINCES = [
    ("Jiangsu Province", "320000"),
    ("jiangsu province", "320000"),
    ("江苏省", "320000"),
    ("江苏 省", "320000"),
    ("Jiangsu Sheng", "320000"),
    ("Guangxi Zhuang Autonomous Region", "450000"),
    ("广西壮族自治区", "450000"),
    ("广西自治区", "450000"),
    ("Beijing Municipality", "110000"),
    ("Beijing City", "110000"),
    ("北京市", "110000"),
    ("Chongqing Municipality", "500000"),
    ("Ningxia Hui Autonomous Region", "640000"),
    ("Xinjiang Uyghur Autonomous Region", "650000"),
    ("新疆维吾尔自治区", "650000"),
    ("Inner Mongolia Autonomous Region", "150000"),
    ("Xizang Autonomous Region", "540000"),
    ("ＧＵＡＮＧＤＯＮＧ", "440000"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "code"), PROVINCES)
def test_a_province_is_read_in_its_long_forms(typed: str, code: str) -> None:
    assert province_parse(typed).code == code
    assert _imported(province=typed).site.province == code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "english", "chinese"),
    [
        ("Hong Kong SAR", "“Hong Kong SAR” is outside mainland China's regional grids; sites there cannot be reported.",
         "“Hong Kong SAR”不在中国大陆区域电网范围内；无法填报该地工厂。"),
        ("Atlantis Province",
         "“Atlantis Province” is not a province: give its English or Chinese name or its GB/T 2260 code (e.g. 210000).",
         "“Atlantis Province”不是有效省份：请填写省份的中文或英文名称，或其 GB/T 2260 代码（如 210000）。"),
        ("省", "“省” is not a province: give its English or Chinese name or its GB/T 2260 code (e.g. 210000).",
         "“省”不是有效省份：请填写省份的中文或英文名称，或其 GB/T 2260 代码（如 210000）。"),
    ],
)  # fmt: skip
def test_a_province_outside_the_grids_or_unknown_is_refused_in_both_languages(
    typed: str, english: str, chinese: str
) -> None:
    problems = _refused([_row(province=typed)])
    assert [(p.row, p.column, p.message) for p in problems] == [(2, "province", english)]
    with translation.override("zh-hans"):
        problems = _refused([_row(province=typed)])
    assert [(p.row, p.column, p.message) for p in problems] == [(2, "province", chinese)]


# --- the period page and the API parse the same way ---------------------------------------------

SITES = {7: Site(pk=7, code="A1", name="Plant A1", province="320000")}


@pytest.mark.parametrize(
    ("total", "share", "mwh", "percent"),
    [("1 250 000", "35％", "1250", "35"), ("1.25E+06", "３５％", "1250", "35"), ("-0", "0％", "0", "0")],
)
def test_the_period_page_reads_the_same_numbers(total: str, share: str, mwh: str, percent: str) -> None:
    form = LineForm(
        {"site_id": "7", "unit": "kWh", "total_electricity": total, "bmw_share_percent": share}, sites=SITES
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["total_electricity"] == Decimal(mwh)
    assert form.cleaned_data["bmw_share_percent"] == Decimal(percent)


def test_the_period_page_refuses_an_ambiguous_number_in_both_languages() -> None:
    row = {"site_id": "7", "unit": "kWh", "total_electricity": "1.250.000,5", "bmw_share_percent": "35"}
    assert LineForm(row, sites=SITES).errors["total_electricity"] == [AMBIGUOUS % "1.250.000,5"]
    with translation.override("zh-hans"):
        assert LineForm(row, sites=SITES).errors["total_electricity"] == [AMBIGUOUS_ZH % "1.250.000,5"]


@pytest.mark.django_db
def test_the_api_reads_spaced_thousands_scientific_notation_and_a_full_width_percent(alice: User) -> None:
    period = ReportingPeriodFactory(year=2024, kind="year", number=0)
    client: APIClient = token_client(alice)
    sent = api_line("A1", total_electricity="1 250 000", onsite_renewable="1.8E+05", bmw_share_percent="35％")
    response = client.put(f"/api/v1/periods/{period.pk}/lines/", {"version": 0, "lines": [sent]})
    assert response.status_code == 200, response.json()
    stored = Line.objects.get()
    assert (stored.total_electricity_mwh, stored.onsite_renewable_mwh) == (Decimal(1250), Decimal(180))
    assert stored.bmw_share_percent == Decimal(35)
    assert stored.entered_values["total_electricity"] == "1 250 000"


@pytest.mark.django_db
def test_the_period_page_saves_what_a_chinese_supplier_types(alice: User) -> None:
    period = ReportingPeriod.objects.create(year=2024, kind="year", number=0, is_open=True)
    site = alice.supplier.sites.get()
    client = Client()
    client.force_login(alice)
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000", "version": "0", "action": "save_draft",
            "form-0-site_id": str(site.pk), "form-0-unit": "kWh", "form-0-total_electricity": "１ ２５０ ０００",
            "form-0-bmw_share_percent": "３５％"}  # fmt: skip
    response = client.post(reverse("period_submit", args=[period.pk]), data)
    assert response.status_code == 302
    stored = Line.objects.get()
    assert (stored.total_electricity_mwh, stored.bmw_share_percent) == (Decimal(1250), Decimal(35))
