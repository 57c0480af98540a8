"""A report as plain values: title, blocks of text, key figures, tables and charts.

The content builders (reports.documents.content) fill it in the reader's language; the PDF and
XLSX writers (reports.documents.pdf, reports.documents.xlsx) draw the same blocks, so both formats carry the same
figures. Numbers are Decimal or int; a table's full rows go to the XLSX, and the PDF may show the
first rows of a long one with a note that the rest is in the XLSX.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Value = Decimal | int | str | date | None
ColumnKind = Literal["text", "number", "integer", "percent", "date", "year"]  # a year: a number, never grouped
# Runs of Chinese characters and full-width punctuation (a font of their own in the PDF, two
# characters' width in a spreadsheet column).
CJK_RUN = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\uff00-\uffef]+")
# The kinds written as grouped figures, right-aligned.
NUMERIC_KINDS = ("number", "integer", "percent")


@dataclass(frozen=True)
class Heading:
    text: str
    new_page: bool = False


@dataclass(frozen=True)
class Text:
    text: str
    note: bool = False  # smaller, grey: an explanation rather than a finding


@dataclass(frozen=True)
class Column:
    label: str
    kind: ColumnKind = "text"
    decimals: int = 0  # for "number" and "percent"
    width: float = 1  # relative width in the PDF


@dataclass(frozen=True)
class Table:
    sheet: str  # the XLSX sheet's name (at most 31 characters)
    columns: tuple[Column, ...]
    rows: list[list[Value]]
    pdf_rows: int | None = None  # show at most this many rows in the PDF (None: all; 0: XLSX only)
    more_note: str = ""  # shown under a PDF table cut short; "%(count)s" is the number of rows left out
    empty_note: str = ""  # shown in the PDF instead of an empty table
    page_share: float = 1.0  # the part of the page's width the PDF table takes (a narrow table need not span it)


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: Value
    unit: str = ""
    decimals: int = 0
    note: str = ""
    kind: ColumnKind = "number"


@dataclass(frozen=True)
class KeyFigures:
    sheet: str
    figures: tuple[KeyFigure, ...]


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[Decimal | None, ...]  # None: no value (no bar)


@dataclass(frozen=True)
class Chart:
    """Bars: one group per category, one bar per series (stacked if `stacked`)."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_axis: str
    category_axis: str
    horizontal: bool = False
    stacked: bool = False


Block = Heading | Text | Table | KeyFigures | Chart


@dataclass
class Document:
    title: str
    subtitle: str
    language: str
    footer: str
    about: list[tuple[str, str | int]] = field(default_factory=list)  # the XLSX's first sheet: what this is
    blocks: list[Block] = field(default_factory=list)
