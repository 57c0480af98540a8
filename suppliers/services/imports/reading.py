"""Reading a submission file: each row parsed on its own into a ParsedLine, with its problems."""

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from suppliers.line_rules import (
    QUANTITY_FIELDS,
    SERIAL_COLUMNS,
    certificate_ids_parse,
    certificate_serials_parse,
    line_check,
    number_parse,
    quantity_parse,
    share_parse,
    share_text,
)
from suppliers.models import (
    code_validator,
)
from suppliers.periods import InvalidPeriod, Period, period_parse
from suppliers.provinces import Province, UnknownProvince, province_parse
from suppliers.serials import SerialRange
from suppliers.services.spreadsheets import FileRefused, Problem, Table
from suppliers.units import UnknownUnit, unit_parse
from suppliers.uscc import validate_uscc

REQUIRED_COLUMNS = ("supplier_code", "site_code", "period", "unit", "total_electricity", "bmw_share_percent")
FIRST_SIGHT_COLUMNS = ("supplier_name", "uscc", "site_name", "province")
GREEN_COLUMNS = ("onsite_renewable", "green_power_trading", "gec", "irec")
COLUMNS = (
    "supplier_code", "supplier_name", "uscc", "site_code", "site_name", "province", "period", "unit",
    "total_electricity", *GREEN_COLUMNS, "bmw_share_percent", "certificate_ids", *SERIAL_COLUMNS,
)  # fmt: skip
WRITE_CHUNK = 2_000  # lines read, built and written at a time
MAX_NAME_LENGTH = 200  # Supplier.name_zh / name_en and Site.name
HAS_CJK = re.compile(r"[\u3400-\u9fff]")
FORMULA_STARTS = ("=", "+", "-", "@")  # what Excel reads as the start of a formula


@dataclass(slots=True)
class RowKey:
    """What the checks against the other rows and the database, and the writing of suppliers,
    sites and submissions, read of a parsed row: the row without its figures. An import holds one
    of these for every row of its file, and the lines themselves one chunk at a time.

    A column in `unknown` (its cell did not parse, or the header lacks it) is left out of those
    checks."""

    row: int
    supplier_code: str
    supplier_name: str
    uscc: str
    site_code: str
    site_name: str
    province: Province | None
    period: Period | None
    unknown: frozenset[str]

    def known(self, column: str) -> bool:
        return column not in self.unknown


@dataclass(slots=True)
class ParsedLine(RowKey):
    """One row as read: its key and its figures. A row with problems is kept too (`valid` false),
    so that the checks against the other rows and the database can say what else is wrong with
    what it does give."""

    unit: str | None
    entered: dict[str, str]
    quantities_mwh: dict[str, Decimal]
    bmw_share_percent: Decimal | None
    certificate_ids: list[str]
    serials: dict[str, list[SerialRange]]  # gec_serials / irec_serials → the ranges claimed
    valid: bool = True


def row_keys(lines: Iterable[ParsedLine]) -> list[RowKey]:
    """The key of each line, its texts and periods shared between the rows that repeat them (a
    supplier's code and name are on each of its rows)."""
    shared: dict[object, object] = {}

    def once(value: object) -> object:
        return shared.setdefault(value, value)

    return [
        RowKey(
            line.row,
            once(line.supplier_code),
            once(line.supplier_name),
            once(line.uscc),
            once(line.site_code),
            once(line.site_name),
            line.province,
            once(line.period),
            line.unknown,
        )
        for line in lines
    ]


NOTHING_UNKNOWN: frozenset[str] = frozenset()  # shared: a new empty frozenset costs 216 bytes a row


_LINE_CHECK_COLUMNS = frozenset({"unit", *QUANTITY_FIELDS, "certificate_ids", *SERIAL_COLUMNS})


# The cells a file repeats on row after row (codes, USCCs, provinces, periods, units) are read once
# each: a value that parses is kept (pure, whatever the language); one that does not raises again
# on each row, with its message in the language of the moment.
_SEEN = 10_000


@functools.lru_cache(maxsize=_SEEN)
def _valid_code(value: str) -> None:
    code_validator(value)


def _uscc_text(typed: str) -> str:
    return unicodedata.normalize("NFKC", typed).strip().upper()


@functools.lru_cache(maxsize=_SEEN)
def _valid_uscc(typed: str) -> str:
    uscc = _uscc_text(typed)
    validate_uscc(uscc)
    return uscc


_province = functools.lru_cache(maxsize=_SEEN)(province_parse)
_period = functools.lru_cache(maxsize=_SEEN)(period_parse)
_unit = functools.lru_cache(maxsize=_SEEN)(unit_parse)


def _parse_row(
    number: int, cells: dict[str, str], problems: list[Problem], *, unreadable: frozenset[str] = frozenset()
) -> ParsedLine:
    """The row's values and its problems (appended to `problems`). The columns in `unreadable`
    (missing from the header, given twice, or covered by a problem of the sheet) are told about
    elsewhere: they are read as unknown, with no problem of their own."""
    before = len(problems)
    failed: set[str] = set(unreadable)

    def problem(column: str, message: str) -> None:
        failed.add(column)
        if column not in unreadable:
            problems.append(Problem(number, column, message))

    cells = {column: value for column, value in cells.items() if column not in unreadable}
    for column in REQUIRED_COLUMNS:
        if not cells.get(column):
            problem(column, _("is required"))
    for column in ("supplier_name", "site_name"):
        if len(cells.get(column, "")) > MAX_NAME_LENGTH:
            problem(column, _("is longer than %(max)d characters") % {"max": MAX_NAME_LENGTH})
        if cells.get(column, "").startswith(FORMULA_STARTS):
            # A name goes into exports that people open in Excel, which would run it (CSV injection).
            problem(column, _("must not start with =, +, - or @: a spreadsheet would run it as a formula"))

    supplier_code = cells.get("supplier_code", "")
    site_code = cells.get("site_code", "")
    for column, value in (("supplier_code", supplier_code), ("site_code", site_code)):
        if value:
            try:
                _valid_code(value)
            except ValidationError as error:
                problem(column, " ".join(error.messages))

    uscc = cells.get("uscc", "")
    if uscc:
        try:
            uscc = _valid_uscc(uscc)
        except ValidationError as error:
            uscc = _uscc_text(uscc)
            problem("uscc", " ".join(error.messages))

    province = None
    if cells.get("province"):
        try:
            province = _province(cells["province"])
        except UnknownProvince as error:
            problem("province", str(error))

    period = None
    if cells.get("period"):
        try:
            period = _period(cells["period"])
        except InvalidPeriod as error:
            problem("period", str(error))

    unit = None
    if cells.get("unit"):
        try:
            unit = _unit(cells["unit"])
        except UnknownUnit as error:
            problem("unit", str(error))

    entered: dict[str, str] = {}
    quantities: dict[str, Decimal] = {}
    for column, field_name in QUANTITY_FIELDS.items():
        text = cells.get(column, "")
        if not text:
            quantities[field_name] = Decimal(0)
            continue
        entered[column] = text
        try:
            if unit is None:
                number_parse(text)
            else:
                quantities[field_name] = quantity_parse(text, unit)
        except ValueError as error:
            problem(column, str(error))

    share = None
    typed_share = share_text(cells.get("bmw_share_percent", ""))
    if cells.get("bmw_share_percent") and not typed_share:
        problem("bmw_share_percent", _("is required"))
    if typed_share:
        try:
            share = share_parse(typed_share)
        except ValueError as error:
            problem("bmw_share_percent", str(error))

    certificate_ids, id_problems = certificate_ids_parse(cells.get("certificate_ids", ""))
    for message in id_problems:
        problem("certificate_ids", message)
    serials: dict[str, list[SerialRange]] = {}
    for column in SERIAL_COLUMNS:
        serials[column], serial_problems = certificate_serials_parse(cells.get(column, ""))
        for message in serial_problems:
            problem(column, message)

    # The rules across the line's figures, whenever the figures themselves could be read.
    if not failed & _LINE_CHECK_COLUMNS:
        for column, message in line_check(quantities, certificate_ids, serials):
            problem(column, message)
    # A value that did not parse is blank here, and named in `unknown`: the checks leave it out.
    return ParsedLine(
        row=number,
        supplier_code=supplier_code if "supplier_code" not in failed else "",
        supplier_name=cells.get("supplier_name", "") if "supplier_name" not in failed else "",
        uscc=uscc if "uscc" not in failed else "",
        site_code=site_code if "site_code" not in failed else "",
        site_name=cells.get("site_name", "") if "site_name" not in failed else "",
        province=province,
        period=period,
        unit=unit,
        entered=entered,
        quantities_mwh=quantities,
        bmw_share_percent=share,
        certificate_ids=certificate_ids,
        serials=serials,
        valid=len(problems) == before and not failed,
        unknown=frozenset(failed) if failed else NOTHING_UNKNOWN,
    )


def header_problems(table: Table) -> list[Problem]:
    """What is wrong with the sheet and its header (a file without rows included)."""
    problems: list[Problem] = list(table.problems)
    for column in _missing(table):
        problems.append(Problem(table.header_row, column, _("this required column is missing from the header")))
    for column in [c for c in table.header if c and c not in COLUMNS]:
        problems.append(Problem(table.header_row, column, _("is not a column of the submission format")))
    for column in _duplicated(table):
        problems.append(Problem(table.header_row, column, _("appears more than once in the header")))
    if not table.rows:
        problems.append(Problem(None, None, _("The file has a header but no rows.")))
    return problems


def _missing(table: Table) -> list[str]:
    return [c for c in REQUIRED_COLUMNS if c not in table.header]


def _duplicated(table: Table) -> list[str]:
    return sorted({c for c in table.header if c and table.header.count(c) > 1})


def rows_parse(table: Table, problems: list[Problem]) -> Iterator[ParsedLine]:
    """Each row of `table` parsed on its own, in file order; each row's problems appended to
    `problems` as it is read. A row that cannot be read as a line at all (more cells than the
    header, values under nameless columns) gives its problems and no line.

    The rows are read as they are parsed, not held: a CSV file's rows are read anew from its bytes
    each time this is gone through (spreadsheets.CsvRows)."""
    # Told once in the header, not again in every row.
    absent = frozenset(_missing(table)) | frozenset(_duplicated(table))
    width = len(table.header)
    covered: dict[int, set[str]] = defaultdict(set)
    for row, column in table.covered:
        if column < width and table.header[column]:
            covered[row].add(table.header[column])
    for number, cells in table.rows:
        if len(cells) > width and any(cells[width:]):
            problems.append(Problem(number, None, _("has more cells than the header has columns")))
            continue
        nameless = [i for i, name in enumerate(table.header) if not name and i < len(cells) and cells[i]]
        if nameless:
            problems += [
                Problem(
                    number,
                    None,
                    _("has a value in column %(number)d, which has no name in the header") % {"number": i + 1},
                )
                for i in nameless
            ]
            continue
        unreadable = absent | covered[number] if number in covered else absent
        yield _parse_row(number, dict(zip(table.header, cells, strict=False)), problems, unreadable=unreadable)


def file_parse(table: Table) -> tuple[list[ParsedLine], list[Problem]]:
    """Every row read, and every problem of the sheet, the header and each row on its own."""
    problems = header_problems(table)
    return list(rows_parse(table, problems)), problems


def submission_file_parse(*, table: Table) -> list[ParsedLine]:
    """Each row checked on its own. Raises FileRefused naming every problem of the file itself
    (the checks against the database are submissions_import's)."""
    parsed, problems = file_parse(table)
    if problems:
        raise FileRefused(problems)
    return parsed
