"""One upload shows every problem of the file at once (issue #17, item 3): the header's, each
row's, and those only the database can tell, a row that failed to parse included for what it does
give (its supplier, site and period)."""

import pytest
from django.utils import translation

from suppliers.services.imports import COLUMNS, submissions_import
from suppliers.services.spreadsheets import FileRefused
from tests.factories import (
    LineFactory,
    ReportingPeriodFactory,
    SiteFactory,
    SubmissionFactory,
    SupplierFactory,
    valid_uscc,
)
from tests.suppliers.test_import_rules import USCC, _csv, _refused, _row

OTHER_USCC = valid_uscc(4299)


@pytest.fixture
def on_record(db: None) -> None:
    """CN-0042 with site WX1 in Jiangsu and a stored 2023 line for it."""
    site = SiteFactory(supplier=SupplierFactory(code="CN-0042", uscc=USCC), code="WX1", province="320000")
    year_2023 = ReportingPeriodFactory(year=2023, kind="year", number=0)
    LineFactory(submission=SubmissionFactory(supplier=site.supplier, period=year_2023), site=site)


ROWS = [  # every row gives a USCC that is not CN-0042's on record
    _row(bmw_share_percent="150") | {"notes": "checked"},  # row 2: a bad share
    _row(period="2024-13"),  # row 3: no such month
    _row(total_electricity="abc"),  # row 4: not a number, and the same site and period as row 2
    _row(unit="kW", period="2023-Q2"),  # row 5: no unit, and a quarter of the stored 2023
    _row(site_code="WX9", site_name="", province="Atlantis"),  # row 6: no province, a new site without name
]
NOT_ON_RECORD = "differs from the USCC on record for CN-0042"


def test_the_header_the_rows_and_the_database_problems_come_in_one_refusal(on_record: None) -> None:
    problems = _refused([row | {"uscc": OTHER_USCC} for row in ROWS], header=[*COLUMNS, "notes"])
    assert [(p.row, p.column, p.message) for p in problems] == [
        (1, "notes", "is not a column of the submission format"),
        (2, "bmw_share_percent", "must be between 0 and 100"),
        (2, "uscc", NOT_ON_RECORD),
        (3, "period", "“2024-13” has no month 13."),
        (3, "uscc", NOT_ON_RECORD),
        (4, "total_electricity", "“abc” is not a number: write it in digits, such as 1250000, 1,250,000.5 or 1.25E+06"),
        (4, "period", "site WX1 already has period 2024 in row 2"),
        (4, "uscc", NOT_ON_RECORD),
        (5, "unit", "“kW” is not a unit: use kWh, MWh, GWh or 万kWh."),
        (5, "period", "2023-Q2 overlaps the stored period 2023 of site WX1"),
        (5, "uscc", NOT_ON_RECORD),
        (6, "province",
         "“Atlantis” is not a province: give its English or Chinese name or its GB/T 2260 code (e.g. 210000)."),
        (6, "site_name", "is required for a site seen for the first time (WX9)"),
        (6, "uscc", NOT_ON_RECORD),
    ]  # fmt: skip


def test_a_row_that_failed_to_parse_is_still_checked_for_what_it_gives(on_record: None) -> None:
    problems = _refused([_row(), _row(total_electricity="abc", unit="kW")])
    assert [(p.row, p.column) for p in problems] == [(3, "unit"), (3, "total_electricity"), (3, "period")]
    assert problems[2].message == "site WX1 already has period 2024 in row 2"


def test_a_cell_that_did_not_parse_is_not_also_called_missing(db: None) -> None:
    """A new supplier with a bad USCC and a new site with an unknown province: each is named once,
    for what is wrong with it, not again as required on a first sight."""
    problems = _refused([_row(uscc="123", province="Atlantis")])
    assert [(p.row, p.column) for p in problems] == [(2, "uscc"), (2, "province")]


def test_a_missing_column_is_named_once_in_the_header_and_the_rows_are_still_checked(on_record: None) -> None:
    header = [column for column in COLUMNS if column != "unit"]
    problems = _refused([_row(), _row(), _row(bmw_share_percent="x")], header=header)
    assert [(p.row, p.column) for p in problems] == [
        (1, "unit"),
        (3, "period"),
        (4, "bmw_share_percent"),
        (4, "period"),
    ]


def test_the_line_rules_are_checked_even_when_another_cell_of_the_row_is_bad(db: None) -> None:
    problems = _refused([_row(province="Atlantis", onsite_renewable="600", green_power_trading="500")])
    assert [(p.row, p.column) for p in problems] == [(2, "province"), (2, "total_electricity")]


def test_a_suppliers_own_upload_hears_of_its_bad_cells_and_of_another_suppliers_rows_at_once(
    on_record: None,
) -> None:
    own = SupplierFactory(code="CN-0001")
    problems = _refused([_row(bmw_share_percent="150")], restrict_to_supplier=own, as_draft=True)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, "bmw_share_percent", "must be between 0 and 100"),
        (2, "supplier_code", "you can only report for your own supplier code CN-0001"),
    ]


def test_every_problem_at_once_in_chinese(on_record: None) -> None:
    rows = [_row(bmw_share_percent="150"), _row(period="2024-13"), _row(unit="kW"), _row(site_code="WX9", province="")]
    with translation.override("zh-hans"), pytest.raises(FileRefused) as refused:
        submissions_import(content=_csv(rows), filename="submission.csv")
    assert [(p.row, p.column, p.message) for p in refused.value.problems] == [
        (2, "bmw_share_percent", "必须介于 0 到 100 之间"),
        (3, "period", "“2024-13”中没有第 13 月。"),
        (4, "unit", "“kW”不是有效单位：请使用 kWh、MWh、GWh 或 万kWh。"),
        (4, "period", "工厂 WX1 的报告期 2024 已在第 2 行出现"),
        (5, "province", "首次出现的工厂（WX9）必须填写此项"),
    ]
    with translation.override("zh-hans"):
        assert str(refused.value.problems[0]) == "第 2 行, 列 bmw_share_percent: 必须介于 0 到 100 之间"
