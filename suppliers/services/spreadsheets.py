"""Reading a submission file (CSV or XLSX) into rows of text, whatever Excel saved it as."""

import csv
import datetime
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
# An XLSX is a zip: refuse one that would unpack to far more than any real submission file.
MAX_XLSX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_XLSX_RATIO = 200
# The template's sheet of instructions (suppliers/services/templates.py): never the data, even when
# the file was saved while it was shown.
INSTRUCTIONS_SHEET_TITLE = "Instructions 填写说明"  # Excel forbids "/" in a sheet's name


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused: where (row as the spreadsheet numbers it, column) and why."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("row %(row)d") % {"row": self.row})
        if self.column:
            where.append(_("column %(column)s") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message


class FileRefused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Table:
    header: list[str]
    # (spreadsheet row number, cells) of the non-empty rows after the header: a list, or for a CSV
    # file CsvRows, which reads them from the file's bytes each time it is gone through.
    rows: "list[tuple[int, list[str]]] | CsvRows"
    header_row: int = 1  # the first non-empty row, whatever blank rows come before it
    # What the sheet itself is refused for (merged cells, formulas without results), told with the
    # rows' own problems; and the cells (row number, column index) those problems cover, whose
    # value as read (empty) is not what the person sees, so nothing else is said about them.
    problems: list[Problem] = field(default_factory=list)
    covered: frozenset[tuple[int, int]] = frozenset()


def _encoding(content: bytes) -> str:
    """The codec that reads the whole CSV file: UTF-8 (with or without its mark) or GB18030."""
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            content[3:].decode("utf-8")
        except UnicodeDecodeError:
            # A UTF-8 mark in front of other bytes: a file pasted together from two encodings.
            raise FileRefused(
                [Problem(None, None, _("The file's encoding is not recognised: save it as UTF-8 or GB18030/GBK."))]
            ) from None
        return "utf-8-sig"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused([Problem(None, None, _("The file is UTF-16; save it as CSV UTF-8 or as an Excel workbook."))])
    if b"\x00" in content:
        raise FileRefused([Problem(None, None, _("The file is not a text CSV file nor an Excel workbook (.xlsx)."))])
    for encoding in ("utf-8", "gb18030"):  # GB18030: a superset of GBK and GB2312, what Excel in China saves
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileRefused(
        [Problem(None, None, _("The file's encoding is not recognised: save it as UTF-8 or GB18030/GBK."))]
    )


def _csv_error(error: csv.Error) -> str:
    """The csv module's reason, told in the user's language where it is one people meet."""
    reason = str(error)
    if reason == "unexpected end of data":
        return _('a quoted cell is not closed: a closing " is missing')
    if reason.startswith("',' expected after '\"'"):
        return _('a quote (") inside a quoted cell must be doubled ("")')
    if reason.startswith("field larger than field limit"):
        return _("a cell is longer than %(max)d characters") % {"max": csv.field_size_limit()}
    return _("The CSV file cannot be read: %(error)s") % {"error": reason}


def _csv_rows(content: bytes, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, stripped cells) of each non-empty row, read as a stream: one row at a time in
    memory, never the file's text nor its rows whole. Raises FileRefused where the CSV is broken."""
    text = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    number = 0
    try:
        for number, row in enumerate(csv.reader(text, strict=True), start=1):
            cells = [cell.strip() for cell in row]
            if any(cells):
                yield number, cells
    except csv.Error as error:
        # The row the reader was in: the next after those it read whole, numbered as the others.
        raise FileRefused([Problem(number + 1, None, _csv_error(error))]) from None


class CsvRows:
    """The non-empty rows after the header of a CSV file, read from its bytes each time they are
    gone through (an import reads them twice: to check, then to write), so that a large file's
    rows are never all in memory. Counted, and the file's CSV checked, when made."""

    def __init__(self, content: bytes, encoding: str, header_row: int) -> None:
        self._content, self._encoding, self._header_row = content, encoding, header_row
        self._count = sum(1 for _row in self)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        for number, cells in _csv_rows(self._content, self._encoding):
            if number > self._header_row:
                yield number, cells

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> tuple[int, list[str]]:
        return next(itertools.islice(self, index, None))


def _read_csv(content: bytes) -> Table:
    encoding = _encoding(content)
    first = next(_csv_rows(content, encoding), None)
    if first is None:
        raise FileRefused([Problem(None, None, _("The file is empty."))])
    header_row, header = first
    rows = CsvRows(content, encoding, header_row)
    if len(rows) > MAX_ROWS:
        raise FileRefused(
            [Problem(None, None, _("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})]
        )
    return Table(header=[cell.lower() for cell in header], rows=rows, header_row=header_row)


# What an Excel number format shows of a date: quoted text, escaped characters, [colours] and
# [$-804] locales, padding (_x, *x) and AM/PM are not parts of the date.
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.|am/pm|a/p|上午/下午', re.IGNORECASE)
_MINUTES = re.compile(r"h+[^a-z]*m+|m+[^a-z]*s+")  # m next to h or s is minutes, not the month
# The date formats Excel numbers for East Asian locales, which openpyxl does not know (it reads
# such a cell as a bare number): as Excel in Simplified Chinese shows them.
_CJK_DATE_FORMATS = {
    27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy", 31: 'yyyy"年"m"月"d"日"',
    36: 'yyyy"年"m"月"', 50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
    54: 'm"月"d"日"', 57: 'yyyy"年"m"月"', 58: 'm"月"d"日"',
}  # fmt: skip


def _date_text(value: datetime.date, number_format: str) -> str:
    """A date cell as its format shows it: only the year (2026), the year and month (2026-03), or
    the date (2026-03-01, with the time if it shows one)."""
    code = _FORMAT_NOISE.sub("", (number_format or "").split(";")[0]).lower()
    shows_month = "m" in _MINUTES.sub("", code)
    shows_day = "d" in code or "a" in code  # aaa/aaaa: the day of the week in Chinese Excel
    shows_year = "y" in code or "e" in code  # e: the year in East Asian formats
    if shows_year and not shows_month and not shows_day:
        return str(value.year)
    if shows_year and shows_month and not shows_day:
        return f"{value.year}-{value.month:02d}"
    if isinstance(value, datetime.datetime):
        shows_time = "h" in code or "s" in code
        return value.isoformat(sep=" ") if shows_time and value.time() != datetime.time() else value.date().isoformat()
    return value.isoformat()


def _cell_text(value: object, number_format: str = "General", format_id: int | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if format_id in _CJK_DATE_FORMATS and isinstance(value, int | float) and 0 < value < 2958466:
        from openpyxl.utils.datetime import from_excel

        value, number_format = from_excel(value), _CJK_DATE_FORMATS[format_id]
    if isinstance(value, datetime.datetime | datetime.date):
        # Read as shown: a cell showing "2026" is the year, "2026-03" or "Mar-26" the month.
        return _date_text(value, number_format)
    if isinstance(value, int | float):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return repr(value)
        # Excel shows and keeps 15 significant digits: 0.1+0.2 is 0.3 to the person who typed it.
        number = Decimal(format(value, ".15g"))
        if "%" in (number_format or ""):
            # A cell formatted as a percentage holds 0.3 and shows 30%: read what the person sees.
            number *= 100
        # Written out without an exponent (1e-07 is 0.0000001), as the number pattern expects.
        return f"{number.normalize():f}"
    return str(value)


def _header_names(rows: list[list[str]]) -> tuple[int, list[str]]:
    """The index of the header row (the first non-empty one) and its column names."""
    for index, row in enumerate(rows):
        if any(cell.strip() for cell in row):
            return index, [cell.strip().lower() for cell in row]
    return 0, []


def _column_name(header: list[str], column: int) -> str | None:
    return (header[column] if column < len(header) else "") or None


def _formulas_without_results(
    content: bytes, title: str, rows: list[list[str]]
) -> tuple[list[Problem], set[tuple[int, int]]]:
    """The formula cells read as empty because the file holds no result for them (a workbook
    written by a program and never opened in Excel): named, rather than taken for blank cells."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    try:
        cells = [
            (r, c)
            for r, row in enumerate(workbook[title].iter_rows())
            for c, cell in enumerate(row)
            if getattr(cell, "data_type", None) == "f" and r < len(rows) and c < len(rows[r]) and not rows[r][c]
        ]
    finally:
        workbook.close()
    _index, header = _header_names(rows)
    message = _("is a formula whose result the file does not hold: save the file in Excel, or type the value")
    return [Problem(r + 1, _column_name(header, c), message) for r, c in cells], {(r + 1, c) for r, c in cells}


_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]{1,3}[0-9]+:[A-Z]{1,3}[0-9]+)"')


def _merged_cells(sheet_xml: bytes, rows: list[list[str]]) -> tuple[list[Problem], set[tuple[int, int]]]:
    """Merged cells that hold a value: the value shows in every cell of the range but the file keeps
    it in the first only, so the others would be read as empty. Named by the range's first cell."""
    from openpyxl.utils import range_boundaries

    header_index, header = _header_names(rows)
    problems, covered = [], set()
    for match in _MERGE.finditer(sheet_xml):
        reference = match[1].decode()
        first_column, first_row, last_column, last_row = range_boundaries(reference)
        row, column = first_row - 1, first_column - 1
        if row >= len(rows) or column >= len(rows[row]) or not rows[row][column].strip():
            continue  # merged blank cells hide nothing
        name = _column_name(header, column) if row >= header_index else None
        problems.append(
            Problem(
                first_row,
                name,
                _("is in merged cells %(cells)s: unmerge them and fill in each cell") % {"cells": reference},
            )
        )
        covered |= {(r, c - 1) for r in range(first_row, last_row + 1) for c in range(first_column, last_column + 1)}
    return problems, covered


def _shown_sheet(workbook: object) -> object:
    """The sheet the person saw when saving: the active one, unless it is hidden, not a sheet of
    cells or the template's instructions; then the first visible sheet of cells."""
    visible = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
    data = [sheet for sheet in visible if sheet.title != INSTRUCTIONS_SHEET_TITLE]
    active = workbook.active
    if active in data:
        return active
    if data or visible:
        return (data or visible)[0]
    raise FileRefused(
        [
            Problem(
                None, None, _("The workbook has no visible sheet: show the sheet with the figures and save it again.")
            )
        ]
    )


def _read_xlsx(content: bytes) -> tuple[list[list[str]], list[Problem], set[tuple[int, int]]]:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FileRefused([Problem(None, None, _("The Excel file is damaged and cannot be opened."))]) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES or unpacked > MAX_XLSX_RATIO * max(len(content), 1):
        raise FileRefused([Problem(None, None, _("The Excel file unpacks to an implausible size and is refused."))])
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = _shown_sheet(workbook)
            # In read-only mode the sheet is parsed here, not on loading: a damaged sheet fails here.
            rows = [
                [
                    _cell_text(
                        cell.value,
                        getattr(cell, "number_format", "General"),
                        getattr(getattr(cell, "style_array", None), "numFmtId", None),
                    )
                    for cell in row
                ]
                for row in sheet.iter_rows()
            ]
            sheet_xml = archive.read(sheet._worksheet_path.lstrip("/"))
            problems, covered = _merged_cells(sheet_xml, rows) if b"<mergeCell" in sheet_xml else ([], set())
            if b"<f" in sheet_xml:
                formula_problems, formula_cells = _formulas_without_results(content, sheet.title, rows)
                problems, covered = problems + formula_problems, covered | formula_cells
            return rows, problems, covered
        finally:
            workbook.close()
    except FileRefused:
        raise
    except Exception:  # openpyxl, zipfile and the XML parser raise many kinds for a damaged workbook
        raise FileRefused(
            [Problem(None, None, _("The file is not an Excel workbook (.xlsx) that can be read."))]
        ) from None


def table_read(*, content: bytes, filename: str) -> Table:
    """The header and the non-empty rows of the CSV file, or of the workbook's sheet shown when it
    was saved (never a hidden one). Raises FileRefused for a file that cannot be read at all; what
    the sheet is refused for besides (merged cells, formulas without results) is in `problems`."""
    if len(content) > MAX_FILE_BYTES:
        raise FileRefused(
            [Problem(None, None, _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // 2**20})]
        )
    if not content.strip():
        raise FileRefused([Problem(None, None, _("The file is empty."))])
    is_zip = content.startswith(b"PK\x03\x04")
    if filename.lower().endswith((".xlsx", ".xlsm")) or is_zip:
        if not is_zip:
            raise FileRefused([Problem(None, None, _("The file is named .xlsx but is not an Excel workbook."))])
        raw, problems, covered = _read_xlsx(content)
    else:
        return _read_csv(content)
    numbered = [(number, [cell.strip() for cell in row]) for number, row in enumerate(raw, start=1)]
    numbered = [(number, row) for number, row in numbered if any(row)]
    if not numbered:
        raise FileRefused([Problem(None, None, _("The file is empty."))])
    (header_row, header), *rows = numbered
    if len(rows) > MAX_ROWS:
        raise FileRefused(
            [Problem(None, None, _("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})]
        )
    return Table(
        header=[cell.lower() for cell in header],
        rows=rows,
        header_row=header_row,
        problems=sorted(problems, key=lambda problem: problem.row or 0),
        covered=frozenset(covered),
    )
