"""Every rule of the submission file (interfaces.md), each refused with a message naming row and column."""

import csv
import io
from decimal import Decimal

import pytest

from suppliers.models import CertificateClaim, Line, Site, Submission, Supplier
from suppliers.periods import period_parse
from suppliers.services.imports import COLUMNS, REQUIRED_COLUMNS, submissions_import
from suppliers.services.spreadsheets import FileRefused, Problem
from tests.factories import (
    LineFactory,
    ReportingPeriodFactory,
    SiteFactory,
    SubmissionFactory,
    SupplierFactory,
    valid_uscc,
)

USCC = valid_uscc(4200)
OTHER_USCC = valid_uscc(4201)


def _row(**cells: str) -> dict[str, str]:
    """A valid row of a supplier and site seen for the first time, with `cells` changed."""
    row = {
        "supplier_code": "CN-0042",
        "supplier_name": "Wuxi Cell Works",
        "uscc": USCC,
        "site_code": "WX1",
        "site_name": "Xishan plant",
        "province": "Jiangsu",
        "period": "2024",
        "unit": "MWh",
        "total_electricity": "1000",
        "onsite_renewable": "",
        "green_power_trading": "",
        "gec": "",
        "irec": "",
        "bmw_share_percent": "50",
        "certificate_ids": "",
    }
    unknown = set(cells) - set(row)
    assert not unknown, f"not columns: {unknown}"
    return row | cells


def _csv(rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    header = list(COLUMNS) if header is None else header
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[row.get(column, "") for column in header] for row in rows])
    return out.getvalue().encode()


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Supplier, Site, Submission, Line, CertificateClaim))


def _refused(rows: list[dict[str, str]], header: list[str] | None = None, **kwargs: object) -> list[Problem]:
    """The problems the import names; asserts that nothing was written."""
    before = _counts()
    with pytest.raises(FileRefused) as raised:
        submissions_import(content=_csv(rows, header), filename="submission.csv", **kwargs)
    assert _counts() == before
    assert raised.value.problems, "a refusal names at least one problem"
    return raised.value.problems


def _where(problems: list[Problem]) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in problems]


def _imported_line(rows: list[dict[str, str]], **kwargs: object) -> Line:
    submissions_import(content=_csv(rows), filename="submission.csv", **kwargs)
    return Line.objects.select_related("site__supplier", "submission__period").get()


# --- the header ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_a_required_column_missing_from_the_header_is_named(column: str) -> None:
    header = [c for c in COLUMNS if c != column]
    problems = _refused([_row()], header=header)
    assert _where(problems) == [(1, column)]
    assert "required column is missing" in problems[0].message


@pytest.mark.django_db
def test_an_unknown_column_in_the_header_is_named() -> None:
    problems = _refused([_row()], header=[*COLUMNS, "colour"])
    assert _where(problems) == [(1, "colour")]
    assert "is not a column of the submission format" in problems[0].message


@pytest.mark.django_db
def test_a_column_given_twice_in_the_header_is_named() -> None:
    problems = _refused([_row()], header=[*COLUMNS, "gec"])
    assert _where(problems) == [(1, "gec")]
    assert "more than once" in problems[0].message


@pytest.mark.django_db
def test_header_names_are_read_in_any_case_and_optional_columns_may_be_left_out() -> None:
    header = ["supplier_code", "supplier_name", "uscc", "site_code", "site_name", "province", "period", "unit"]
    header += ["total_electricity", "bmw_share_percent"]
    content = _csv([_row()], header=header).replace(b"supplier_code,supplier_name", b" Supplier_Code ,SUPPLIER_NAME", 1)
    submissions_import(content=content, filename="submission.csv")
    line = Line.objects.get()
    assert line.total_electricity_mwh == Decimal(1000)
    assert line.green_mwh == 0


@pytest.mark.django_db
def test_a_row_with_more_cells_than_the_header_is_named() -> None:
    content = _csv([_row()]) + b"CN-0042,,,WX2,Plant 2,Jiangsu,2024,MWh,1,,,,,5,,,,surplus\n"
    with pytest.raises(FileRefused) as raised:
        submissions_import(content=content, filename="submission.csv")
    assert _where(raised.value.problems) == [(3, None)]
    assert "more cells than the header" in raised.value.problems[0].message


# --- one cell at a time ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_a_blank_required_cell_is_named(column: str) -> None:
    problems = _refused([_row(**{column: ""})])
    assert (2, column) in _where(problems)
    assert any(p.column == column and p.message == "is required" for p in problems)


CELL_RULES = [
    # (row changes, column named, words of the message)
    ({"supplier_code": "CN 0042"}, "supplier_code", "letters, digits"),
    ({"site_code": "W/X1"}, "site_code", "letters, digits"),
    ({"uscc": USCC[:17] + ("0" if USCC[17] != "0" else "1")}, "uscc", "check character is wrong"),
    ({"uscc": USCC[:17]}, "uscc", "18 characters"),
    ({"uscc": "I" + USCC[1:]}, "uscc", "is not allowed"),
    ({"province": "Atlantis"}, "province", "is not a province"),
    ({"province": "Hong Kong"}, "province", "outside mainland China"),
    ({"province": "香港特别行政区"}, "province", "outside mainland China"),
    ({"province": "Taiwan"}, "province", "outside mainland China"),
    ({"province": "710000"}, "province", "outside mainland China"),
    ({"province": "Macau"}, "province", "outside mainland China"),
    ({"period": "2024-13"}, "period", "has no month 13"),
    ({"period": "2024-Q5"}, "period", "is not a period"),
    ({"period": "24"}, "period", "is not a period"),
    ({"period": "2024-3"}, "period", "is not a period"),
    ({"period": "1999"}, "period", "outside 2000–2100"),
    ({"unit": "kW"}, "unit", "is not a unit"),
    ({"unit": "TWh"}, "unit", "is not a unit"),
    ({"total_electricity": "-5"}, "total_electricity", "must not be negative"),
    ({"onsite_renewable": "-1"}, "onsite_renewable", "must not be negative"),
    ({"gec": "-1", "certificate_ids": "GEC-1"}, "gec", "must not be negative"),
    ({"total_electricity": "abc"}, "total_electricity", "is not a number"),
    ({"total_electricity": "NaN"}, "total_electricity", "is not a number"),
    ({"total_electricity": "Infinity"}, "total_electricity", "is not a number"),
    ({"total_electricity": "inf"}, "total_electricity", "is not a number"),
    # Scientific notation (1.25E+06) and spaced thousands (1 000) are read: tests/suppliers/test_typed_as_meant.py.
    ({"total_electricity": "1.2.3"}, "total_electricity", "is not a number"),
    ({"total_electricity": "12,34"}, "total_electricity", "is ambiguous"),
    ({"total_electricity": "1  000"}, "total_electricity", "is not a number"),
    ({"total_electricity": ".5"}, "total_electricity", "is not a number"),
    ({"green_power_trading": "0x10"}, "green_power_trading", "is not a number"),
    ({"unit": "kWh", "total_electricity": "0.0001"}, "total_electricity", "more decimal places"),
    ({"total_electricity": "200000000"}, "total_electricity", "implausibly large"),
    ({"unit": "GWh", "total_electricity": "100001"}, "total_electricity", "implausibly large"),
    ({"onsite_renewable": "600", "green_power_trading": "500"}, "total_electricity", "more than the total of 1,000"),
    ({"bmw_share_percent": "120"}, "bmw_share_percent", "between 0 and 100"),
    ({"bmw_share_percent": "100.0001"}, "bmw_share_percent", "between 0 and 100"),
    ({"bmw_share_percent": "-1"}, "bmw_share_percent", "must not be negative"),
    ({"bmw_share_percent": "half"}, "bmw_share_percent", "is not a number"),
    ({"bmw_share_percent": "33.33333"}, "bmw_share_percent", "more than 4 decimal places"),
    ({"gec": "10"}, "certificate_ids", "required when GEC or I-REC"),
    ({"irec": "10"}, "certificate_ids", "required when GEC or I-REC"),
    ({"gec": "10", "certificate_ids": "GEC 2024 001"}, "certificate_ids", "is not a certificate batch ID"),
    ({"gec": "10", "certificate_ids": "GEC-1;gec-1"}, "certificate_ids", "listed twice"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cells", "column", "words"),
    CELL_RULES,
    ids=[f"{column}:{'/'.join(cells.values())}" for cells, column, _ in CELL_RULES],
)
def test_a_bad_cell_is_refused_naming_its_row_and_column(cells: dict[str, str], column: str, words: str) -> None:
    problems = _refused([_row(), _row(**({"site_code": "WX2"} | cells))])
    assert _where(problems) == [(3, column)]
    assert words in problems[0].message
    assert f"row 3, column {column}: " in str(problems[0])


@pytest.mark.django_db
def test_a_row_with_several_bad_cells_names_each_of_them() -> None:
    problems = _refused([_row(period="2024-13", unit="kW", bmw_share_percent="120", province="Taiwan")])
    assert sorted(_where(problems)) == [(2, "bmw_share_percent"), (2, "period"), (2, "province"), (2, "unit")]


@pytest.mark.django_db
def test_a_share_cell_holding_only_a_percent_sign_is_refused_as_blank() -> None:
    problems = _refused([_row(bmw_share_percent="%")])
    assert _where(problems) == [(2, "bmw_share_percent")]
    assert problems[0].message == "is required"


@pytest.mark.django_db
def test_a_number_too_long_for_decimal_arithmetic_is_refused_not_a_crash() -> None:
    problems = _refused([_row(total_electricity="1234567890123456789012345.5")])
    assert _where(problems) == [(2, "total_electricity")]
    assert "implausibly large" in problems[0].message


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["supplier_name", "site_name"])
def test_a_name_longer_than_the_database_holds_is_refused_naming_its_cell(column: str) -> None:
    problems = _refused([_row(**{column: "x" * 201})])
    assert _where(problems) == [(2, column)]
    assert "200" in problems[0].message


# --- accepted as people type them ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "mwh"),
    [
        ("1,234.5", "1234.5"),
        ("1,234,567", "1234567"),
        ("１２３４", "1234"),
        ("１，２３４．５", "1234.5"),
        ("+800", "800"),
        (" 800 ", "800"),
    ],
)
def test_thousands_separators_and_full_width_digits_are_accepted(typed: str, mwh: str) -> None:
    line = _imported_line([_row(total_electricity=typed)])
    assert line.total_electricity_mwh == Decimal(mwh)
    assert line.entered_values == {"total_electricity": typed.strip()}


@pytest.mark.django_db
def test_a_share_may_carry_a_percent_sign_and_four_decimals() -> None:
    line = _imported_line([_row(bmw_share_percent="33.3333%")])
    assert line.bmw_share_percent == Decimal("33.3333")


@pytest.mark.django_db
def test_green_equal_to_total_and_a_share_of_0_or_100_are_accepted() -> None:
    submissions_import(
        content=_csv(
            [
                _row(
                    onsite_renewable="400",
                    green_power_trading="300",
                    gec="200",
                    irec="100",
                    certificate_ids="GEC-1;IREC-1",
                ),
                _row(site_code="WX2", bmw_share_percent="0"),
                _row(site_code="WX3", bmw_share_percent="100"),
            ]
        ),
        filename="submission.csv",
    )
    line = Line.objects.get(site__code="WX1")
    assert line.green_mwh == line.total_electricity_mwh == Decimal(1000)
    assert sorted(Line.objects.values_list("bmw_share_percent", flat=True)) == [0, 50, 100]


@pytest.mark.django_db
def test_certificate_ids_are_split_on_semicolons_and_stored_in_upper_case() -> None:
    line = _imported_line([_row(gec="10", irec="5", certificate_ids=" gec-2024-a ；IREC-CN-9; ")])
    claims = {(c.batch_id, c.instrument) for c in line.certificate_claims.all()}
    assert claims == {("GEC-2024-A", "gec"), ("IREC-CN-9", "irec")}


@pytest.mark.django_db
def test_a_lower_case_uscc_and_a_chinese_unit_name_are_accepted() -> None:
    line = _imported_line([_row(uscc=USCC.lower(), unit="万千瓦时", total_electricity="12.5")])
    assert line.site.supplier.uscc == USCC
    assert line.entered_unit == "万kWh"
    assert line.total_electricity_mwh == Decimal(125)


# --- suppliers and sites seen for the first time, or already on record -----------------------


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["supplier_name", "uscc"])
def test_a_supplier_seen_for_the_first_time_needs_its_name_and_uscc(column: str) -> None:
    problems = _refused([_row(**{column: ""})])
    assert _where(problems) == [(2, column)]
    assert "seen for the first time (CN-0042)" in problems[0].message


@pytest.mark.django_db
def test_a_known_supplier_and_site_need_neither_name_uscc_nor_province() -> None:
    SiteFactory(supplier=SupplierFactory(code="CN-0042", uscc=USCC), code="WX1", province="320000")
    line = _imported_line([_row(supplier_name="", uscc="", site_name="", province="")])
    assert line.site.code == "WX1"
    assert Supplier.objects.count() == 1


@pytest.mark.django_db
def test_a_uscc_differing_from_the_one_on_record_is_refused() -> None:
    SupplierFactory(code="CN-0042", uscc=OTHER_USCC)
    problems = _refused([_row()])
    assert _where(problems) == [(2, "uscc")]
    assert "differs from the USCC on record for CN-0042" in problems[0].message
    assert Supplier.objects.get().uscc == OTHER_USCC


@pytest.mark.django_db
def test_a_new_supplier_with_the_uscc_of_another_supplier_is_refused() -> None:
    SupplierFactory(code="CN-0001", uscc=USCC)
    problems = _refused([_row(supplier_code="CN-0042")])
    assert _where(problems) == [(2, "uscc")]
    assert "already the USCC of supplier CN-0001" in problems[0].message


@pytest.mark.django_db
def test_two_new_suppliers_with_the_same_uscc_in_one_file_are_refused_naming_the_row() -> None:
    problems = _refused([_row(), _row(supplier_code="CN-0043", site_code="WX9")])
    assert _where(problems) == [(3, "uscc")]
    assert "CN-0042" in problems[0].message


@pytest.mark.django_db
def test_a_supplier_given_two_usccs_in_one_file_is_refused() -> None:
    problems = _refused([_row(), _row(site_code="WX2", uscc=OTHER_USCC)])
    assert _where(problems) == [(3, "uscc")]
    assert "differs from the USCC given for CN-0042 in row 2" in problems[0].message


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["site_name", "province"])
def test_a_site_seen_for_the_first_time_needs_its_name_and_province(column: str) -> None:
    problems = _refused([_row(**{column: ""})])
    assert _where(problems) == [(2, column)]
    assert "site seen for the first time (WX1)" in problems[0].message


@pytest.mark.django_db
def test_a_site_seen_first_without_province_is_refused_even_when_a_later_row_gives_it() -> None:
    problems = _refused([_row(province="", period="2024-Q1"), _row(period="2024-Q2")])
    assert _where(problems) == [(2, "province")]


@pytest.mark.django_db
def test_a_known_site_moved_to_another_province_is_refused() -> None:
    SiteFactory(supplier=SupplierFactory(code="CN-0042", uscc=USCC), code="WX1", province="320000")
    problems = _refused([_row(province="广东")])
    assert _where(problems) == [(2, "province")]
    assert "ask staff" in problems[0].message


@pytest.mark.django_db
def test_a_known_site_given_its_province_by_another_name_is_accepted() -> None:
    SiteFactory(supplier=SupplierFactory(code="CN-0042", uscc=USCC), code="WX1", province="320000")
    line = _imported_line([_row(province="江苏省")])
    assert line.site.province == "320000"
    assert line.site.region == "EAST"


@pytest.mark.django_db
def test_a_site_given_two_provinces_in_one_file_is_refused() -> None:
    problems = _refused([_row(period="2024-Q1"), _row(period="2024-Q2", province="Zhejiang")])
    assert _where(problems) == [(3, "province")]
    assert "differs from the province given for site WX1 in row 2" in problems[0].message


@pytest.mark.django_db
def test_a_supplier_user_can_import_only_their_own_supplier_code() -> None:
    own = SupplierFactory(code="CN-0001")
    problems = _refused([_row()], restrict_to_supplier=own)
    assert _where(problems) == [(2, "supplier_code")]
    assert "your own supplier code CN-0001" in problems[0].message


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_supplier_site_and_period_twice_in_a_file_is_refused() -> None:
    problems = _refused([_row(), _row(total_electricity="2000")])
    assert _where(problems) == [(3, "period")]
    assert "site WX1 already has period 2024 in row 2" in problems[0].message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second"), [("2024", "2024-Q1"), ("2024-Q1", "2024"), ("2024-Q1", "2024-02"), ("2024-12", "2024")]
)
def test_overlapping_periods_of_one_site_in_a_file_are_refused(first: str, second: str) -> None:
    problems = _refused([_row(period=first), _row(period=second)])
    assert _where(problems) == [(3, "period")]
    assert f"{second} overlaps {first} of site WX1 in row 2" in problems[0].message


@pytest.mark.django_db
def test_the_same_period_for_two_sites_or_two_suppliers_is_accepted() -> None:
    rows = [_row(), _row(site_code="WX2"), _row(supplier_code="CN-0043", uscc=OTHER_USCC)]
    result = submissions_import(content=_csv(rows), filename="submission.csv")
    assert result.lines_created == 3


@pytest.mark.django_db
def test_quarters_of_a_year_and_a_year_of_another_site_are_accepted() -> None:
    rows = [_row(period=f"2024-Q{q}") for q in range(1, 5)] + [_row(site_code="WX2", period="2024")]
    assert submissions_import(content=_csv(rows), filename="submission.csv").lines_created == 5


@pytest.mark.django_db
@pytest.mark.parametrize(("stored", "new"), [("2024-Q1", "2024"), ("2024", "2024-03"), ("2024-Q2", "2024-05")])
def test_a_period_overlapping_one_already_stored_for_the_site_is_refused(stored: str, new: str) -> None:
    site = SiteFactory(supplier=SupplierFactory(code="CN-0042", uscc=USCC), code="WX1")
    period = period_parse(stored)
    reporting_period = ReportingPeriodFactory(year=period.year, kind=period.kind, number=period.number)
    LineFactory(submission=SubmissionFactory(supplier=site.supplier, period=reporting_period), site=site)
    problems = _refused([_row(period=new)])
    assert _where(problems) == [(2, "period")]
    assert f"{new} overlaps the stored period {stored} of site WX1" in problems[0].message


@pytest.mark.django_db
def test_a_period_stored_for_another_site_or_year_does_not_block_the_import() -> None:
    supplier = SupplierFactory(code="CN-0042", uscc=USCC)
    other_site = SiteFactory(supplier=supplier, code="WX2")
    site = SiteFactory(supplier=supplier, code="WX1")
    LineFactory(
        submission=SubmissionFactory(supplier=supplier, period=ReportingPeriodFactory(year=2024)), site=other_site
    )
    q1_2023 = ReportingPeriodFactory(year=2023, kind="quarter", number=1)
    LineFactory(submission=SubmissionFactory(supplier=supplier, period=q1_2023), site=site)
    result = submissions_import(content=_csv([_row(period="2024-Q1")]), filename="submission.csv")
    assert (result.lines_created, result.lines_replaced) == (1, 0)
