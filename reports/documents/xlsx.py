"""A report Document written as XLSX, for a spreadsheet: the blocks the PDF draws
(reports.documents.pdf), every row of every table; numbers are numeric cells, and no text cell is
something a spreadsheet would evaluate (reports.documents.exports.xlsx_text)."""

import io
import re
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports.documents.document import CJK_RUN, Document, KeyFigures, Table, Value
from reports.documents.document import NUMERIC_KINDS as NUMERIC
from reports.documents.exports import xlsx_text
from reports.documents.numbers import figure_rounded, figure_text

# --- XLSX ---------------------------------------------------------------------------------------

NUMBER_FORMATS = {"integer": "#,##0", "date": "yyyy-mm-dd", "year": "0"}
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="198754")
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _number_format(kind: str, decimals: int) -> str:
    if kind in NUMBER_FORMATS:
        return NUMBER_FORMATS[kind]
    # A percentage's unit is in its column's header or the key figures' unit column: said once.
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _write_cell(sheet: object, row: int, column: int, value: Value, kind: str, decimals: int) -> int:
    """Writes one cell; returns the width its text needs."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        # A figure to the roll-up JSON's 3 decimals, half-even (or to more where more are shown): the
        # cell holds what the page and the PDF round from, not digits beyond what the run publishes.
        cell.value = figure_rounded(value, max(decimals, 3)) if isinstance(value, Decimal) else value
        cell.number_format = _number_format(kind if kind in (*NUMERIC, "year") else "number", decimals)
        return len(figure_text(value, decimals if isinstance(value, Decimal) else 0))
    if isinstance(value, date):
        cell.value = value
        cell.number_format = NUMBER_FORMATS["date"]
        return 10
    if value is None:
        return 0
    xlsx_text(cell, str(value))
    return sum(2 if CJK_RUN.match(char) else 1 for char in str(value))


def _sheet(workbook: Workbook, name: str, used: set[str]) -> object:
    title = SHEET_NAME_FORBIDDEN.sub(" ", name)[:31] or "Sheet"
    candidate, number = title, 2
    while candidate.lower() in used:
        candidate = f"{title[:28]} {number}"
        number += 1
    used.add(candidate.lower())
    return workbook.create_sheet(candidate)


def _header(sheet: object, labels: list[str]) -> list[int]:
    for index, label in enumerate(labels, start=1):
        cell = xlsx_text(sheet.cell(row=1, column=index), label)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    return [min(max(len(label), 8), 40) for label in labels]


def _widths(sheet: object, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)


def xlsx_bytes(document: Document) -> bytes:
    """The document's key figures and tables as sheets of a workbook, after a sheet saying what it is."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = document.title
    workbook.properties.creator = gettext("Green electricity portal")
    used: set[str] = set()
    about = _sheet(workbook, gettext("About"), used)
    widths = _header(about, [gettext("Item"), gettext("Value")])
    for row, (label, value) in enumerate([(gettext("Title"), document.title), *document.about], start=2):
        widths = [
            max(widths[0], _write_cell(about, row, 1, label, "text", 0)),
            max(widths[1], _write_cell(about, row, 2, value, "year" if isinstance(value, int) else "text", 0)),
        ]
    _widths(about, widths)
    for block in document.blocks:
        if isinstance(block, KeyFigures):
            sheet = _sheet(workbook, block.sheet, used)
            widths = _header(sheet, [gettext("Figure"), gettext("Value"), gettext("Unit"), gettext("Note")])
            for row, figure in enumerate(block.figures, start=2):
                cells = [
                    (figure.label, "text", 0),
                    (figure.value, figure.kind, figure.decimals),
                    (figure.unit, "text", 0),
                    (figure.note, "text", 0),
                ]
                for column, (value, kind, decimals) in enumerate(cells, start=1):
                    widths[column - 1] = max(widths[column - 1], _write_cell(sheet, row, column, value, kind, decimals))
            _widths(sheet, widths)
        elif isinstance(block, Table):
            sheet = _sheet(workbook, block.sheet, used)
            widths = _header(sheet, [column.label for column in block.columns])
            for row, values in enumerate(block.rows, start=2):
                for column, (value, spec) in enumerate(zip(values, block.columns, strict=True), start=1):
                    widths[column - 1] = max(
                        widths[column - 1], _write_cell(sheet, row, column, value, spec.kind, spec.decimals)
                    )
            _widths(sheet, widths)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
