"""A workbook read as the person saw it (issue #17, item 6): the sheet shown when it was saved,
never a hidden one; a date cell as its format shows it; merged cells named as such."""

import datetime
import io
import re
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from suppliers.models import Line
from suppliers.services.imports import COLUMNS, submissions_import
from suppliers.services.spreadsheets import FileRefused, table_read
from suppliers.services.templates import INSTRUCTIONS_SHEET_TITLE, submission_template_build
from tests.factories import ReportingPeriodFactory, SiteFactory, SupplierFactory, valid_uscc

USCC = valid_uscc(6600)
MERGED = "is in merged cells %s: unmerge them and fill in each cell"
MERGED_ZH = "位于合并单元格 %s 中：请取消合并，并在每个单元格中填写"
NO_VISIBLE_SHEET = "The workbook has no visible sheet: show the sheet with the figures and save it again."
NO_VISIBLE_SHEET_ZH = "工作簿中没有可见的工作表：请显示填有数据的工作表后重新保存。"


def _values(**cells: object) -> list[object]:
    row = {
        "supplier_code": "CN-0066", "supplier_name": "Suzhou Wire", "uscc": USCC, "site_code": "SZ1",
        "site_name": "Wuzhong plant", "province": "Jiangsu", "period": "2026", "unit": "MWh",
        "total_electricity": 1000, "bmw_share_percent": 50,
    } | cells  # fmt: skip
    return [row.get(column) for column in COLUMNS]


def _saved(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _data_sheet(workbook: Workbook, title: str, *rows: list[object]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)


def _imported_totals(content: bytes) -> list[str]:
    submissions_import(content=content, filename="figures.xlsx")
    return sorted(f"{line.total_electricity_mwh.normalize():f}" for line in Line.objects.all())


def _refusal(content: bytes) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(FileRefused) as refused:
        submissions_import(content=content, filename="figures.xlsx")
    return [(p.row, p.column, p.message) for p in refused.value.problems]


# --- which sheet ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sheet_shown_when_the_file_was_saved_is_read_not_the_first() -> None:
    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["These are last year's figures, for comparison"])
    _data_sheet(workbook, "2026", _values(total_electricity=777))
    workbook.active = 1
    assert _imported_totals(_saved(workbook)) == ["777"]


@pytest.mark.django_db
def test_a_hidden_sheet_is_never_read_even_when_it_is_first_and_marked_active() -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    _data_sheet(workbook, "old draft", _values(total_electricity=111))
    _data_sheet(workbook, "figures", _values(total_electricity=222))
    workbook["old draft"].sheet_state = "hidden"
    content = _saved(workbook)
    # Mark the hidden sheet as the one shown, as a program (not Excel) may write it.
    content = _patched(content, "xl/workbook.xml", [(rb"activeTab=\"\d+\"", b'activeTab="0"')], add_active_tab=True)
    assert load_workbook(io.BytesIO(content), read_only=True).active.title == "old draft"
    assert _imported_totals(content) == ["222"]


@pytest.mark.django_db
def test_a_template_saved_while_its_instructions_were_shown_is_read_from_its_data_sheet() -> None:
    supplier = SupplierFactory(code="CN-0066", uscc=USCC, name_en="Suzhou Wire")
    SiteFactory(supplier=supplier, code="SZ1", name="Wuzhong plant", province="320000")
    ReportingPeriodFactory(year=2026, kind="year", number=0, is_open=True)
    workbook = load_workbook(io.BytesIO(submission_template_build(supplier=supplier)))
    data = workbook.worksheets[0]
    header = [cell.value for cell in data[1]]
    data.cell(row=2, column=header.index("unit") + 1, value="MWh")
    data.cell(row=2, column=header.index("total_electricity") + 1, value=333)
    data.cell(row=2, column=header.index("bmw_share_percent") + 1, value=40)
    workbook.active = workbook[INSTRUCTIONS_SHEET_TITLE]
    assert _imported_totals(_saved(workbook)) == ["333"]


@pytest.mark.django_db
def test_a_workbook_whose_sheets_are_all_hidden_is_refused_in_both_languages() -> None:
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    content = _patched(_saved(workbook), "xl/workbook.xml", [(rb'state="visible"', b'state="hidden"')])
    assert _refusal(content) == [(None, None, NO_VISIBLE_SHEET)]
    with translation.override("zh-hans"):
        assert _refusal(content) == [(None, None, NO_VISIBLE_SHEET_ZH)]


# --- dates as shown ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (datetime.date(2026, 1, 1), "yyyy", "2026"),
        (datetime.date(2026, 7, 15), "yyyy", "2026"),
        (datetime.datetime(2026, 1, 1), 'yyyy"年"', "2026"),
        (datetime.date(2026, 3, 1), "yyyy-mm", "2026-03"),
        (datetime.date(2026, 3, 1), "mmm-yy", "2026-03"),
        (datetime.date(2026, 3, 1), 'yyyy"年"m"月"', "2026-03"),
        (datetime.date(2026, 3, 1), "[$-804]yyyy\\年m\\月", "2026-03"),
        (datetime.date(2026, 3, 1), "yyyy-mm-dd", "2026-03-01"),
        (datetime.date(2026, 3, 1), "m/d/yy", "2026-03-01"),
        (datetime.datetime(2026, 3, 1, 0, 0), "yyyy-mm-dd h:mm:ss", "2026-03-01"),
        (datetime.datetime(2026, 3, 1, 8, 30), "yyyy-mm-dd h:mm", "2026-03-01 08:30:00"),
    ],
)
def test_a_date_cell_is_read_as_its_format_shows_it(value: datetime.date, number_format: str, shown: str) -> None:
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    workbook.active.append(_values(period=value))
    workbook.active.cell(row=2, column=COLUMNS.index("period") + 1).number_format = number_format
    table = table_read(content=_saved(workbook), filename="figures.xlsx")
    assert table.rows[0][1][COLUMNS.index("period")] == shown


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "number_format", "code"),
    [
        (datetime.date(2026, 1, 1), "yyyy", "2026"),
        (datetime.date(2026, 3, 1), "yyyy-mm", "2026-03"),
        (datetime.date(2026, 3, 1), 'yyyy"年"m"月"', "2026-03"),
    ],
)
def test_a_date_shown_as_a_year_or_a_month_is_imported_as_that_period(
    value: datetime.date, number_format: str, code: str
) -> None:
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    workbook.active.append(_values(period=value))
    workbook.active.cell(row=2, column=COLUMNS.index("period") + 1).number_format = number_format
    submissions_import(content=_saved(workbook), filename="figures.xlsx")
    assert Line.objects.get().submission.period.code == code


def test_a_date_in_an_east_asian_built_in_format_is_read_as_shown() -> None:
    """Excel in Chinese stores 2026年3月 under its built-in format 57, which openpyxl does not know."""
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    workbook.active.append(_values(period=datetime.date(2026, 3, 1)))
    workbook.active.cell(row=2, column=COLUMNS.index("period") + 1).number_format = 'yyyy"年"m"月"'
    content = _patched(
        _saved(workbook),
        "xl/styles.xml",
        [(rb"<numFmts.*?</numFmts>", b""), (rb'<xf numFmtId="16\d"', b'<xf numFmtId="57"')],
    )
    table = table_read(content=content, filename="figures.xlsx")
    assert table.rows[0][1][COLUMNS.index("period")] == "2026-03"


@pytest.mark.django_db
def test_a_date_shown_with_its_day_is_refused_as_a_period_in_both_languages() -> None:
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    workbook.active.append(_values(period=datetime.date(2026, 3, 1)))  # shown 2026-03-01
    content = _saved(workbook)
    assert _refusal(content) == [(2, "period", "“2026-03-01” is not a period: use 2024, 2024-Q2 or 2024-03.")]
    with translation.override("zh-hans"):
        assert _refusal(content) == [
            (2, "period", "“2026-03-01”不是有效的报告期：请使用 2024、2024-Q2 或 2024-03 格式。")
        ]


# --- merged cells --------------------------------------------------------------------------------


def _merged_workbook() -> bytes:
    """supplier_code merged over rows 2-4 (shown in each row, kept in the first only), and a
    total merged across two columns in row 3."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for period in ("2026-Q1", "2026-Q2", "2026-Q3"):
        sheet.append(_values(period=period))
    sheet.merge_cells("A2:A4")
    total = COLUMNS.index("total_electricity") + 1
    sheet.merge_cells(start_row=3, start_column=total, end_row=3, end_column=total + 1)
    return _saved(workbook)


@pytest.mark.django_db
def test_merged_cells_are_named_once_by_row_and_column_and_nothing_else_is_said_of_them() -> None:
    assert _refusal(_merged_workbook()) == [
        (2, "supplier_code", MERGED % "A2:A4"),
        (3, "total_electricity", MERGED % "I3:J3"),
    ]
    assert not Line.objects.exists()


@pytest.mark.django_db
def test_merged_cells_are_named_in_chinese_to_a_chinese_user() -> None:
    with translation.override("zh-hans"):
        assert _refusal(_merged_workbook()) == [
            (2, "supplier_code", MERGED_ZH % "A2:A4"),
            (3, "total_electricity", MERGED_ZH % "I3:J3"),
        ]


def test_merged_blank_cells_hide_nothing_and_are_not_refused() -> None:
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    workbook.active.append(_values())
    workbook.active.merge_cells("T5:U6")  # blank, below and beside the table
    assert table_read(content=_saved(workbook), filename="figures.xlsx").problems == []


# --- helpers -------------------------------------------------------------------------------------


def _patched(
    content: bytes, member: str, replacements: list[tuple[bytes, bytes]], *, add_active_tab: bool = False
) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == member:
                if add_active_tab and b"activeTab" not in data:
                    data = data.replace(b"<workbookView ", b'<workbookView activeTab="0" ', 1)
                for pattern, replacement in replacements:
                    data = re.sub(pattern, replacement, data, flags=re.S)
            target.writestr(info, data)
    return out.getvalue()
