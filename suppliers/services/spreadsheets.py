"""Reading a submission file (CSV or XLSX) into rows of text, whatever Excel saved it as."""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
# An XLSX is a zip: refuse one that would unpack to far more than any real submission file.
MAX_XLSX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_XLSX_RATIO = 200


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
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)
    header_row: int = 1  # the first non-empty row, whatever blank rows come before it


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8")
        except UnicodeDecodeError:
            # A UTF-8 mark in front of other bytes: a file pasted together from two encodings.
            raise FileRefused(
                [Problem(None, None, _("The file's encoding is not recognised: save it as UTF-8 or GB18030/GBK."))]
            ) from None
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused([Problem(None, None, _("The file is UTF-16; save it as CSV UTF-8 or as an Excel workbook."))])
    if b"\x00" in content:
        raise FileRefused([Problem(None, None, _("The file is not a text CSV file nor an Excel workbook (.xlsx)."))])
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312: what Excel in China saves a CSV as.
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise FileRefused(
            [Problem(None, None, _("The file's encoding is not recognised: save it as UTF-8 or GB18030/GBK."))]
        ) from None


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


def _read_csv(content: bytes) -> list[list[str]]:
    text = _decode(content)
    rows: list[list[str]] = []
    # A cell repeated down the file (a code, a name, a unit, a period) is kept once: a 100,000-row
    # file's rows take half the memory.
    seen: dict[str, str] = {}
    try:
        for row in csv.reader(io.StringIO(text, newline=""), strict=True):
            rows.append([seen.setdefault(cell, cell) for cell in row])
    except csv.Error as error:
        # The row the reader was in: the next after those it read whole, numbered as the others.
        raise FileRefused([Problem(len(rows) + 1, None, _csv_error(error))]) from None
    return rows


def _cell_text(value: object, number_format: str = "General") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        # Excel turns "2024-03" typed into a cell into 1 March 2024: read it back as the month.
        return f"{value.year}-{value.month:02d}" if value.day == 1 else value.isoformat()
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


def _formulas_without_results(content: bytes, rows: list[list[str]]) -> list[Problem]:
    """The formula cells read as empty because the file holds no result for them (a workbook
    written by a program and never opened in Excel): named, rather than taken for blank cells."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    try:
        cells = [
            (r, c)
            for r, row in enumerate(workbook.worksheets[0].iter_rows())
            for c, cell in enumerate(row)
            if getattr(cell, "data_type", None) == "f" and r < len(rows) and c < len(rows[r]) and not rows[r][c]
        ]
    finally:
        workbook.close()
    header = next((row for row in rows if any(cell.strip() for cell in row)), [])
    message = _("is a formula whose result the file does not hold: save the file in Excel, or type the value")
    return [Problem(r + 1, (header[c].strip().lower() if c < len(header) else "") or None, message) for r, c in cells]


def _read_xlsx(content: bytes) -> list[list[str]]:
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
            # In read-only mode the sheet is parsed here, not on loading: a damaged sheet fails here.
            sheet = workbook.worksheets[0]
            rows = [
                [_cell_text(cell.value, getattr(cell, "number_format", "General")) for cell in row]
                for row in sheet.iter_rows()
            ]
            if b"<f" in archive.read(sheet._worksheet_path.lstrip("/")):
                problems = _formulas_without_results(content, rows)
                if problems:
                    raise FileRefused(problems)
            return rows
        finally:
            workbook.close()
    except FileRefused:
        raise
    except Exception:  # openpyxl, zipfile and the XML parser raise many kinds for a damaged workbook
        raise FileRefused(
            [Problem(None, None, _("The file is not an Excel workbook (.xlsx) that can be read."))]
        ) from None


def table_read(*, content: bytes, filename: str) -> Table:
    """The header and the non-empty rows of the file's first sheet. Raises FileRefused."""
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
        raw = _read_xlsx(content)
    else:
        raw = _read_csv(content)
    numbered = [(number, [cell.strip() for cell in row]) for number, row in enumerate(raw, start=1)]
    numbered = [(number, row) for number, row in numbered if any(row)]
    if not numbered:
        raise FileRefused([Problem(None, None, _("The file is empty."))])
    (header_row, header), *rows = numbered
    if len(rows) > MAX_ROWS:
        raise FileRefused(
            [Problem(None, None, _("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})]
        )
    return Table(header=[cell.lower() for cell in header], rows=rows, header_row=header_row)
