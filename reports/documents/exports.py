"""Exports of a roll-up run as CSV and XLSX: numbers as numbers, no cell a spreadsheet would run.

A text cell that begins with =, +, -, @, a tab or a carriage return is a formula to Excel and
LibreOffice (CSV injection). In a CSV it is written with a leading apostrophe; in an XLSX it is a
text cell with the quote-prefix style, which shows (and copies) the text as typed, with no
apostrophe in it.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: object) -> object:
    """Text that a spreadsheet would evaluate, made inert; numbers and None pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_text(cell: "Cell", value: str) -> "Cell":
    """`cell` holding `value` as a text cell, never a formula: quote-prefixed when a spreadsheet
    would otherwise read it as one."""
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(header: list[str], rows: Iterable[list[object]]) -> Iterator[str]:
    """CSV text, row by row (for a StreamingHttpResponse): memory does not grow with the rows.

    Starts with a UTF-8 BOM so that Excel reads the Chinese names correctly.
    """
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_csv_cell(v) for v in row])


def _csv_cell(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    return "" if value is None else defuse(value)


def xlsx_file(title: str, header: list[str], rows: Iterable[list[object]]) -> tempfile.SpooledTemporaryFile:
    """An XLSX written row by row (openpyxl's write-only mode) into a spooled temporary file."""
    # openpyxl loaded with the first XLSX (6 MB of every process that never writes one).
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0.000"
            elif isinstance(value, str):
                cell = xlsx_text(WriteOnlyCell(sheet), value)
            else:
                cell = WriteOnlyCell(sheet, value=value)
            cells.append(cell)
        sheet.append(cells)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 2**20)  # noqa: SIM115 - handed to the response
    workbook.save(output)
    output.seek(0)
    return output
