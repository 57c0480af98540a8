"""Import of submission files (interfaces.md): validated whole, then written in one transaction.

A file with one bad value is refused whole, with every problem named by row and column; nothing
is written. Importing the same row again (same supplier, site and period) replaces that line.
"""

import logging
import re
import unicodedata
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from suppliers.line_rules import (
    QUANTITY_FIELDS,
    SERIAL_COLUMNS,
    SERIAL_INSTRUMENTS,
    certificate_ids_parse,
    certificate_instrument,
    certificate_serials_parse,
    line_check,
    number_parse,
    quantity_parse,
    share_parse,
    share_text,
)
from suppliers.models import (
    CertificateClaim,
    CertificateRange,
    Line,
    ReportingPeriod,
    Site,
    Submission,
    Supplier,
    code_validator,
)
from suppliers.periods import InvalidPeriod, Period, period_parse
from suppliers.provinces import Province, UnknownProvince, province_parse
from suppliers.serials import SerialRange
from suppliers.services.copying import copy_insert, copy_objects, copy_rows, stored_values
from suppliers.services.spreadsheets import FileRefused, Problem, Table, table_read
from suppliers.units import UnknownUnit, unit_parse
from suppliers.uscc import validate_uscc

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("supplier_code", "site_code", "period", "unit", "total_electricity", "bmw_share_percent")
FIRST_SIGHT_COLUMNS = ("supplier_name", "uscc", "site_name", "province")
GREEN_COLUMNS = ("onsite_renewable", "green_power_trading", "gec", "irec")
COLUMNS = (
    "supplier_code", "supplier_name", "uscc", "site_code", "site_name", "province", "period", "unit",
    "total_electricity", *GREEN_COLUMNS, "bmw_share_percent", "certificate_ids", *SERIAL_COLUMNS,
)  # fmt: skip
WRITE_CHUNK = 10_000  # lines built and written at a time
MAX_NAME_LENGTH = 200  # Supplier.name_zh / name_en and Site.name
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")
FORMULA_STARTS = ("=", "+", "-", "@")  # what Excel reads as the start of a formula


@dataclass(slots=True)
class ParsedLine:
    """One row as read. A row with problems is kept too (`valid` false), so that the checks against
    the other rows and the database can say what else is wrong with what it does give: a column in
    `unknown` (its cell did not parse, or the header lacks it) is left out of those checks."""

    row: int
    supplier_code: str
    supplier_name: str
    uscc: str
    site_code: str
    site_name: str
    province: Province | None
    period: Period | None
    unit: str | None
    entered: dict[str, str]
    quantities_mwh: dict[str, Decimal]
    bmw_share_percent: Decimal | None
    certificate_ids: list[str]
    serials: dict[str, list[SerialRange]]  # gec_serials / irec_serials → the ranges claimed
    valid: bool = True
    unknown: frozenset[str] = frozenset()

    def known(self, column: str) -> bool:
        return column not in self.unknown


@dataclass
class ImportResult:
    lines_created: int = 0
    lines_replaced: int = 0
    suppliers_created: int = 0
    sites_created: int = 0
    years: set[int] = field(default_factory=set)
    parsed: list[ParsedLine] = field(default_factory=list)  # the file's lines, in file order
    replacing_rows: set[int] = field(default_factory=set)  # rows whose line replaces a stored one

    @property
    def lines(self) -> int:
        return self.lines_created + self.lines_replaced


_LINE_CHECK_COLUMNS = frozenset({"unit", *QUANTITY_FIELDS, "certificate_ids", *SERIAL_COLUMNS})


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
                code_validator(value)
            except ValidationError as error:
                problem(column, " ".join(error.messages))

    uscc = unicodedata.normalize("NFKC", cells.get("uscc", "")).strip().upper()
    if uscc:
        try:
            validate_uscc(uscc)
        except ValidationError as error:
            problem("uscc", " ".join(error.messages))

    province = None
    if cells.get("province"):
        try:
            province = province_parse(cells["province"])
        except UnknownProvince as error:
            problem("province", str(error))

    period = None
    if cells.get("period"):
        try:
            period = period_parse(cells["period"])
        except InvalidPeriod as error:
            problem("period", str(error))

    unit = None
    if cells.get("unit"):
        try:
            unit = unit_parse(cells["unit"])
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
        unknown=frozenset(failed),
    )


def _file_parse(table: Table) -> tuple[list[ParsedLine], list[Problem]]:
    """Every row read, and every problem of the sheet, the header and each row on its own.

    Consumes `table.rows`: each row's text is dropped once parsed, so that a large file's text and
    its parsed lines are not both held in memory."""
    problems: list[Problem] = list(table.problems)
    missing = [c for c in REQUIRED_COLUMNS if c not in table.header]
    unknown = [c for c in table.header if c and c not in COLUMNS]
    duplicated = sorted({c for c in table.header if c and table.header.count(c) > 1})
    for column in missing:
        problems.append(Problem(table.header_row, column, _("this required column is missing from the header")))
    for column in unknown:
        problems.append(Problem(table.header_row, column, _("is not a column of the submission format")))
    for column in duplicated:
        problems.append(Problem(table.header_row, column, _("appears more than once in the header")))
    if not table.rows:
        return [], [*problems, Problem(None, None, _("The file has a header but no rows."))]
    # Told once in the header, not again in every row.
    absent = frozenset(missing) | frozenset(duplicated)
    width = len(table.header)
    covered: dict[int, set[str]] = defaultdict(set)
    for row, column in table.covered:
        if column < width and table.header[column]:
            covered[row].add(table.header[column])
    parsed = []
    rows = table.rows
    for index, (number, cells) in enumerate(rows):
        rows[index] = None
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
        parsed.append(_parse_row(number, dict(zip(table.header, cells, strict=False)), problems, unreadable=unreadable))
    return parsed, problems


def submission_file_parse(*, table: Table) -> list[ParsedLine]:
    """Each row checked on its own. Raises FileRefused naming every problem of the file itself
    (the checks against the database are submissions_import's)."""
    parsed, problems = _file_parse(table)
    if problems:
        raise FileRefused(problems)
    return parsed


def _same_name(typed: str, recorded: str) -> bool:
    """The same name, whatever the spaces or the width of its characters."""
    return bool(recorded) and " ".join(unicodedata.normalize("NFKC", typed).split()) == " ".join(
        unicodedata.normalize("NFKC", recorded).split()
    )


def _instrument(batch_id: str, line: ParsedLine) -> str:
    return certificate_instrument(batch_id, line.quantities_mwh)


class _Check:
    """Cross-row and database checks, collecting problems rather than stopping at the first."""

    def __init__(self, lines: list[ParsedLine], restrict_to_supplier: Supplier | None, *, as_draft: bool) -> None:
        self.lines = lines
        self.restrict = restrict_to_supplier
        self.as_draft = as_draft
        self.problems: list[Problem] = []
        self.replacing_rows: set[int] = set()

    def add(self, row: int, column: str | None, message: str) -> None:
        self.problems.append(Problem(row, column, message))

    def run(self) -> tuple[dict[str, Supplier], dict[tuple[str, str], Site]]:
        # A row whose supplier code did not parse says nothing the database could check.
        self.lines = [line for line in self.lines if line.supplier_code]
        if self.restrict is not None:
            # Another supplier's rows are refused and checked no further: the other checks would
            # tell a supplier about that supplier's sites and periods.
            for line in self.lines:
                if line.supplier_code != self.restrict.code:
                    self.add(
                        line.row,
                        "supplier_code",
                        _("you can only report for your own supplier code %(code)s") % {"code": self.restrict.code},
                    )
            self.lines = [line for line in self.lines if line.supplier_code == self.restrict.code]
        codes = {line.supplier_code for line in self.lines}
        suppliers = {s.code: s for s in Supplier.objects.select_for_update().filter(code__in=codes).order_by("pk")}
        sites = {
            (site.supplier.code, site.code): site
            for site in Site.objects.select_related("supplier").filter(supplier__code__in=codes)
        }
        self._suppliers(suppliers)
        with_site = [line for line in self.lines if line.site_code]
        self._sites(sites, with_site)
        self._periods(sites, [line for line in with_site if line.period is not None])
        if self.as_draft:
            self._draft_periods(suppliers)
        return suppliers, sites

    def _suppliers(self, suppliers: dict[str, Supplier]) -> None:
        first_uscc: dict[str, tuple[str, int]] = {}
        new_usccs: dict[str, tuple[str, int]] = {}  # USCC → (code, row) of the new supplier first giving it
        for line in self.lines:
            existing = suppliers.get(line.supplier_code)
            if existing is None and line.supplier_code not in first_uscc:
                for column in ("supplier_name", "uscc"):
                    if not getattr(line, column) and line.known(column):
                        self.add(
                            line.row,
                            column,
                            _("is required for a supplier seen for the first time (%(code)s)")
                            % {"code": line.supplier_code},
                        )
            if not line.uscc:
                continue
            if existing is not None and existing.uscc != line.uscc:
                self.add(
                    line.row, "uscc", _("differs from the USCC on record for %(code)s") % {"code": line.supplier_code}
                )
            seen = first_uscc.setdefault(line.supplier_code, (line.uscc, line.row))
            if seen[0] != line.uscc:
                self.add(
                    line.row,
                    "uscc",
                    _("differs from the USCC given for %(code)s in row %(row)d")
                    % {"code": line.supplier_code, "row": seen[1]},
                )
            if existing is None:
                owner = new_usccs.setdefault(line.uscc, (line.supplier_code, line.row))
                if owner[0] != line.supplier_code:
                    self.add(
                        line.row,
                        "uscc",
                        _("is already given for supplier %(code)s in row %(row)d")
                        % {"code": owner[0], "row": owner[1]},
                    )
        taken = dict(Supplier.objects.filter(uscc__in=new_usccs).values_list("uscc", "code"))
        for line in self.lines:
            if line.supplier_code not in suppliers and line.uscc in taken:
                self.add(line.row, "uscc", _("is already the USCC of supplier %(code)s") % {"code": taken[line.uscc]})
        if self.restrict is not None:
            self._master_data_of_supplier(suppliers)

    def _master_data_of_supplier(self, suppliers: dict[str, Supplier]) -> None:
        """A supplier's upload changes figures only: its company's name stays as staff recorded it."""
        for line in self.lines:
            supplier = suppliers.get(line.supplier_code)
            if supplier is None or not line.supplier_name:
                continue
            if _same_name(line.supplier_name, supplier.name_zh) or _same_name(line.supplier_name, supplier.name_en):
                continue
            in_script = supplier.name_zh if _HAS_CJK.search(line.supplier_name) else supplier.name_en
            self.add(
                line.row,
                "supplier_name",
                _(
                    "differs from your company's name on record (%(name)s): an upload cannot change it. Leave "
                    "the cell empty or as on record; to change the name, ask staff"
                )
                % {"name": in_script or supplier.name_zh or supplier.name_en},
            )

    def _sites(self, sites: dict[tuple[str, str], Site], lines: list[ParsedLine]) -> None:
        first_province: dict[tuple[str, str], tuple[Province | None, int]] = {}
        for line in lines:
            key = (line.supplier_code, line.site_code)
            existing = sites.get(key)
            if self.restrict is not None and not self._site_of_supplier(line, existing):
                continue
            if existing is None and key not in first_province:
                for column in ("site_name", "province"):
                    if not getattr(line, column) and line.known(column):
                        self.add(
                            line.row,
                            column,
                            _("is required for a site seen for the first time (%(site)s)") % {"site": line.site_code},
                        )
            if line.province is None:
                continue
            if existing is not None and existing.province != line.province.code:
                self.add(
                    line.row,
                    "province",
                    _("site %(site)s is recorded in %(recorded)s; ask staff to change a site's province")
                    % {"site": line.site_code, "recorded": existing.get_province_display()},
                )
            seen = first_province.setdefault(key, (line.province, line.row))
            if seen[0] != line.province:
                self.add(
                    line.row,
                    "province",
                    _("differs from the province given for site %(site)s in row %(row)d")
                    % {"site": line.site_code, "row": seen[1]},
                )

    def _site_of_supplier(self, line: ParsedLine, site: Site | None) -> bool:
        """On a supplier's upload a site is one staff recorded, under its recorded name: False (and
        the row refused) for a new site, which is then checked no further."""
        if site is None:
            self.add(
                line.row,
                "site_code",
                _(
                    "site %(site)s is not one of your sites on record: an upload cannot add a site. Ask staff to "
                    "add it (its code, name and province), then upload again"
                )
                % {"site": line.site_code},
            )
            return False
        if line.site_name and not _same_name(line.site_name, site.name):
            self.add(
                line.row,
                "site_name",
                _(
                    "differs from the name on record for site %(site)s (%(name)s): an upload cannot rename a "
                    "site. Leave the cell empty or as on record; to rename the site, ask staff"
                )
                % {"site": line.site_code, "name": site.name},
            )
        return True

    def _periods(self, sites: dict[tuple[str, str], Site], lines: list[ParsedLine]) -> None:
        by_site: dict[tuple[str, str], list[ParsedLine]] = defaultdict(list)
        for line in lines:
            by_site[(line.supplier_code, line.site_code)].append(line)
        for key, site_lines in by_site.items():
            seen: dict[Period, int] = {}
            for line in site_lines:
                if line.period in seen:
                    self.add(
                        line.row,
                        "period",
                        _("site %(site)s already has period %(period)s in row %(row)d")
                        % {"site": key[1], "period": line.period, "row": seen[line.period]},
                    )
                    continue
                for other, other_row in seen.items():
                    if other.overlaps(line.period):
                        self.add(
                            line.row,
                            "period",
                            _("%(period)s overlaps %(other)s of site %(site)s in row %(row)d")
                            % {"period": line.period, "other": other, "site": key[1], "row": other_row},
                        )
                seen[line.period] = line.row
        known = {site.pk: key for key, site in sites.items() if key in by_site}
        years = {line.period.year for line in lines}
        stored = Line.objects.filter(site_id__in=known, submission__period__year__in=years).values_list(
            "site_id", "submission__period__year", "submission__period__kind", "submission__period__number"
        )
        from suppliers.periods import period_make

        for site_id, year, kind, number in stored:
            existing = period_make(year, kind, number)
            for line in by_site[known[site_id]]:
                if line.period == existing:
                    self.replacing_rows.add(line.row)
                elif line.period.overlaps(existing):
                    self.add(
                        line.row,
                        "period",
                        _("%(period)s overlaps the stored period %(other)s of site %(site)s")
                        % {"period": line.period, "other": existing, "site": line.site_code},
                    )

    def _draft_periods(self, suppliers: dict[str, Supplier]) -> None:
        """A supplier's own upload may change only what the supplier can still change on the period
        page: a period open for reporting, or one whose submission is a draft or was returned."""
        lines = [line for line in self.lines if line.period is not None]
        years = {line.period.year for line in lines}
        open_periods = {reporting.period for reporting in ReportingPeriod.objects.filter(year__in=years, is_open=True)}
        submissions = {
            (submission.supplier_id, submission.period.period): submission
            for submission in Submission.objects.select_for_update(of=("self",))
            .select_related("period")
            .filter(supplier__in=[s.pk for s in suppliers.values()], period__year__in=years)
        }
        for line in lines:
            supplier = suppliers.get(line.supplier_code)
            submission = submissions.get((supplier.pk, line.period)) if supplier else None
            if submission is not None and submission.status in Submission.CLAIMING_STATUSES:
                self.add(
                    line.row,
                    "period",
                    _("period %(period)s is %(status)s and can no longer be changed; ask staff to return it")
                    % {"period": line.period, "status": submission.get_status_display().lower()},
                )
            elif submission is None and line.period not in open_periods:
                self.add(line.row, "period", _("period %(period)s is not open for reporting") % {"period": line.period})


def _history_copy(objs: list[models.Model], model: type[models.Model], history_type: str, user: object) -> None:
    """One history row per object, as simple_history's bulk_history_create writes it."""
    history = model.history.model
    tracked = list(history.tracked_fields)
    json_fields = {f.attname for f in tracked if isinstance(f, models.JSONField)}
    now = timezone.now()
    user_id = getattr(user, "pk", None)
    copy_rows(
        history._meta.db_table,
        [history._meta.get_field(f.name).column for f in tracked]
        + ["history_date", "history_change_reason", "history_type", "history_user_id"],
        (
            [
                *(connection.ops.adapt_json_value(getattr(obj, f.attname), f.encoder) if f.attname in json_fields
                  else getattr(obj, f.attname) for f in tracked),
                now, None, history_type, user_id,
            ]
            for obj in objs
        ),
    )  # fmt: skip


def _bulk_create(objs: list[models.Model], model: type[models.Model], *, user: object) -> None:
    """bulk_create_with_history; on PostgreSQL by COPY, with the ids drawn from the table's sequence
    first, so that the objects have their ids as after bulk_create (100,000 lines: seconds, not minutes)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        bulk_create_with_history(objs, model, batch_size=2000, default_user=user)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            obj.pk = pk
    copy_objects(objs, model, with_ids=True)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    _history_copy(objs, model, "+", user)


def _bulk_update(objs: list[models.Model], model: type[models.Model], fields: list[str], *, user: object) -> None:
    """bulk_update_with_history; on PostgreSQL one UPDATE … FROM a temporary table filled by COPY
    (bulk_update's CASE WHEN per row grows with the square of the batch)."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        bulk_update_with_history(objs, model, fields, batch_size=2000, default_user=user)
        return
    quote = connection.ops.quote_name
    table = model._meta.db_table
    chosen = [model._meta.pk, *(model._meta.get_field(name) for name in fields)]
    json_fields = {f.attname for f in chosen if isinstance(f, models.JSONField)}
    columns = [f.column for f in chosen]
    with connection.cursor() as cursor:
        selected = ", ".join(quote(c) for c in columns)  # names from the model, quoted
        cursor.execute(f"CREATE TEMPORARY TABLE import_update AS SELECT {selected} FROM {quote(table)} WITH NO DATA")  # noqa: S608
    try:
        copy_rows("import_update", columns, (stored_values(obj, chosen, json_fields) for obj in objs))
        with connection.cursor() as cursor:
            assignments = ", ".join(f"{quote(c)} = import_update.{quote(c)}" for c in columns[1:])
            match = f"{quote(table)}.{quote(columns[0])} = import_update.{quote(columns[0])}"
            cursor.execute(f"UPDATE {quote(table)} SET {assignments} FROM import_update WHERE {match}")  # noqa: S608
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS import_update")
    _history_copy(objs, model, "~", user)


def _write(
    lines: list[ParsedLine],
    suppliers: dict[str, Supplier],
    sites: dict[tuple[str, str], Site],
    *,
    approve: bool,
    as_draft: bool,
    user: AbstractBaseUser | None,
) -> ImportResult:
    result = ImportResult()
    now = timezone.now()
    names_before = {code: (supplier.name_zh, supplier.name_en) for code, supplier in suppliers.items()}
    for line in lines:
        supplier = suppliers.get(line.supplier_code)
        if supplier is None:
            supplier = Supplier(code=line.supplier_code, uscc=line.uscc)
            suppliers[line.supplier_code] = supplier
            result.suppliers_created += 1
        # A name as on record but for its spaces or character widths is the same name: no rename.
        if line.supplier_name and not (
            _same_name(line.supplier_name, supplier.name_zh) or _same_name(line.supplier_name, supplier.name_en)
        ):
            if _HAS_CJK.search(line.supplier_name):
                supplier.name_zh = line.supplier_name
            else:
                supplier.name_en = line.supplier_name
    in_file = {line.supplier_code for line in lines}
    for supplier in suppliers.values():
        # A supplier whose names the file leaves as they were is not saved again (nor its history).
        if supplier.code in in_file and names_before.get(supplier.code) != (supplier.name_zh, supplier.name_en):
            supplier.full_clean(validate_unique=False)
            supplier.save()

    new_sites: list[Site] = []
    renamed: dict[int, Site] = {}
    for line in lines:
        key = (line.supplier_code, line.site_code)
        site = sites.get(key)
        if site is None:
            site = Site(
                supplier=suppliers[line.supplier_code],
                code=line.site_code,
                name=line.site_name,
                province=line.province.code,
            )
            site.full_clean(validate_unique=False)  # sets the region from the province
            sites[key] = site
            new_sites.append(site)
        elif line.site_name and not _same_name(line.site_name, site.name) and site.pk:
            site.name = line.site_name
            renamed[site.pk] = site
    if new_sites:
        bulk_create_with_history(new_sites, Site, batch_size=2000, default_user=user)
        result.sites_created = len(new_sites)
    if renamed:
        bulk_update_with_history(list(renamed.values()), Site, ["name"], batch_size=2000, default_user=user)

    periods: dict[Period, ReportingPeriod] = {}
    for period in sorted({line.period for line in lines}):  # one order for every import: no deadlock
        # A period first seen in a file is recorded closed: staff open the periods suppliers are
        # asked to report for, with their due dates.
        periods[period], _created = ReportingPeriod.objects.get_or_create(
            year=period.year, kind=period.kind, number=period.number, defaults={"is_open": False}
        )
    status = Submission.Status.APPROVED if approve else Submission.Status.SUBMITTED
    keys = {(suppliers[line.supplier_code].pk, periods[line.period].pk) for line in lines}
    # One locked read for every submission the file touches, then bulk writes (with history).
    submissions: dict[tuple[int, int], Submission] = {
        (submission.supplier_id, submission.period_id): submission
        for submission in Submission.objects.select_for_update(of=("self",)).filter(
            supplier_id__in={key[0] for key in keys}, period_id__in={key[1] for key in keys}
        )
    }
    new_submissions, changed = [], []
    for key in sorted(keys):
        submission = submissions.get(key)
        if submission is None:
            submission = Submission(supplier_id=key[0], period_id=key[1], version=0)
            submissions[key] = submission
            new_submissions.append(submission)
        else:
            changed.append(submission)
        if as_draft:
            if submission.status in Submission.CLAIMING_STATUSES:
                # Submitted by someone else between the check and this write.
                period_code = next(p.code for p, stored in periods.items() if stored.pk == key[1])
                raise FileRefused(
                    [Problem(None, "period", _("period %(period)s was submitted meanwhile") % {"period": period_code})]
                )
            # A new submission is a draft; a returned one stays returned, with the reviewer's comment,
            # until the supplier submits it from the period page.
        else:
            submission.status = status
            submission.submitted_at = submission.submitted_at or now
            submission.submitted_by = submission.submitted_by or user
            if approve:
                submission.reviewed_at, submission.reviewed_by, submission.review_comment = now, user, ""
        submission.version += 1
        submission.updated_at = now  # bulk_update does not apply auto_now
    _bulk_create(new_submissions, Submission, user=user)
    _bulk_update(
        changed, Submission,
        ["status", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by", "review_comment", "version", "updated_at"],
        user=user,
    )  # fmt: skip

    # The lines are written a chunk at a time: memory holds one chunk's lines and claims, not the file's.
    stored = {
        (submission_id, site_id): pk
        for submission_id, site_id, pk in Line.objects.filter(submission__in=[s.pk for s in submissions.values()])
        .values_list("submission_id", "site_id", "pk")
        .iterator(chunk_size=WRITE_CHUNK)
    }
    for start in range(0, len(lines), WRITE_CHUNK):
        to_create, to_update, claims = [], [], []
        for parsed in lines[start : start + WRITE_CHUNK]:
            submission = submissions[(suppliers[parsed.supplier_code].pk, periods[parsed.period].pk)]
            site = sites[(parsed.supplier_code, parsed.site_code)]
            pk = stored.get((submission.pk, site.pk))
            # Every field of a line comes from its row: a stored line is replaced whole, by its id.
            line = Line(
                pk=pk,
                submission=submission,
                site=site,
                entered_unit=parsed.unit,
                entered_values=parsed.entered,
                bmw_share_percent=parsed.bmw_share_percent,
                **parsed.quantities_mwh,
            )
            if pk:
                line._state.adding = False
                line.updated_at = now  # bulk_update does not apply auto_now
                to_update.append(line)
            else:
                to_create.append(line)
            claims.append((line, parsed))
        if to_update:
            CertificateClaim.objects.filter(line__in=[line.pk for line in to_update]).delete()
            CertificateRange.objects.filter(line__in=[line.pk for line in to_update]).delete()
            _bulk_update(
                to_update, Line, [*QUANTITY_FIELDS.values(), "entered_unit", "entered_values", "bmw_share_percent", "updated_at"],
                user=user,
            )  # fmt: skip
        _bulk_create(to_create, Line, user=user)
        CertificateClaim.objects.bulk_create(
            [
                CertificateClaim(line=line, batch_id=batch_id, instrument=_instrument(batch_id, parsed))
                for line, parsed in claims
                for batch_id in parsed.certificate_ids
            ],
            batch_size=5000,
        )
        copy_insert(
            [
                CertificateRange(
                    line=line,
                    instrument=SERIAL_INSTRUMENTS[column],
                    stem=serial_range.stem,
                    width=serial_range.width,
                    first=serial_range.first_text,
                    last=serial_range.last_text,
                    count=serial_range.count,
                )
                for line, parsed in claims
                for column, ranges in parsed.serials.items()
                for serial_range in ranges
            ],
            CertificateRange,
        )
        result.lines_created += len(to_create)
        result.lines_replaced += len(to_update)
    result.years = {line.period.year for line in lines}
    return result


# The database's rules on a line, with the column they concern and a Python reading of the same
# rule, so that a refusal by the database names the rows that break it.
_LINE_RULES = {
    "line_green_not_above_total": (
        "total_electricity",
        lambda line: (
            sum((v for k, v in line.quantities_mwh.items() if k != "total_electricity_mwh"), Decimal(0))
            > line.quantities_mwh["total_electricity_mwh"]
        ),
    ),
    "line_quantities_non_negative": ("total_electricity", lambda line: min(line.quantities_mwh.values()) < 0),
    "line_share_is_a_percentage": ("bmw_share_percent", lambda line: not 0 <= line.bmw_share_percent <= 100),
}
_CONFLICT_STATES = {"23505", "40001", "40P01"}  # unique violation, serialization failure, deadlock


def _violated_constraint(error: Exception) -> str | None:
    """The name of the constraint a database error reports, on PostgreSQL and on SQLite."""
    cause = error.__cause__
    name = getattr(getattr(cause, "diag", None), "constraint_name", None)
    if name:
        return name
    found = re.search(r"CHECK constraint failed: (\w+)", str(error))
    return found.group(1) if found else None


def _write_refusal(error: Exception, lines: list[ParsedLine]) -> list[Problem]:
    """What to tell the user when the database refuses the write.

    Only a real conflict with another transaction (a row it created between our check and write,
    a deadlock PostgreSQL broke by cancelling this one) says "try again"; a broken rule is named,
    with the rows that break it, and is never passed off as a concurrent import.
    """
    state = getattr(error.__cause__, "sqlstate", None)
    unique = state == "23505" or "UNIQUE constraint failed" in str(error)
    if state in _CONFLICT_STATES or unique:
        return [
            Problem(
                None,
                None,
                _("Another import changed the same suppliers at the same time; nothing was saved. Try again."),
            )
        ]
    if isinstance(error, OperationalError):
        raise error
    name = _violated_constraint(error)
    column, breaks = _LINE_RULES.get(name or "", (None, None))
    rows = [line.row for line in lines if breaks(line)] if breaks else []
    message = _("the database refused a value under its rule %(rule)s; nothing was saved") % {"rule": name or "?"}
    logger.error("import refused by the database (%s): %s", name, error)
    return [Problem(row, column, message) for row in rows] or [Problem(None, column, message)]


SUPPLIER_IMPORT_LOCK = 7301  # the first key of the advisory locks below: this module's number


def _suppliers_lock(codes: set[str]) -> None:
    """On PostgreSQL, waits for the other imports of any of these suppliers (new ones included,
    which no row lock can cover) and holds them off until this transaction ends. The locks are
    taken in one order, that of their keys, so two imports never wait for each other."""
    if connection.vendor != "postgresql" or not codes:
        return
    keys = sorted({zlib.crc32(code.encode()) - 2**31 for code in codes})  # an int4 per code
    with connection.cursor() as cursor:
        # unnest yields the sorted keys in order, so the locks are taken in that order.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, key) FROM unnest(%s::int[]) AS key", [SUPPLIER_IMPORT_LOCK, keys]
        )


def submissions_import(
    *, content: bytes, filename: str, approve: bool = False, user: AbstractBaseUser | None = None,
    restrict_to_supplier: Supplier | None = None, as_draft: bool = False, dry_run: bool = False,
) -> ImportResult:  # fmt: skip
    """Validates the whole file, then writes it in one transaction. Raises FileRefused.

    Without `approve` the lines wait for review (submitted); with it they are approved.
    `as_draft` is a supplier's own upload: the lines land in a draft (a returned submission stays
    returned) for the supplier to submit, and a row for a period that is not open, or whose
    submission is already submitted or approved, is refused. `restrict_to_supplier` is that
    supplier's upload: it changes only the supplier's figures, so a row of another supplier, a new
    site, or a company or site name other than the one on record is refused (staff imports create
    and rename as they always did). `dry_run` runs every check, the
    database's included, and returns what the import would do, with the parsed lines, writing nothing.
    """
    if approve and as_draft:
        raise ValueError("A file is imported either approved or as a draft, not both.")
    table = table_read(content=content, filename=filename)
    lines, problems = _file_parse(table)
    del table  # the rows as text are not needed once parsed: the write has that memory
    try:
        with transaction.atomic():
            _suppliers_lock({line.supplier_code for line in lines if line.supplier_code})
            check = _Check(lines, restrict_to_supplier, as_draft=as_draft)
            suppliers, sites = check.run()
            if problems or check.problems:
                # One refusal with every problem: the file's own, then the database's, row by row.
                checked = sorted(check.problems, key=lambda p: (p.row or 0, p.column or ""))
                raise FileRefused(sorted([*problems, *checked], key=lambda p: p.row or 0))
            if dry_run:
                return ImportResult(
                    lines_created=len(lines) - len(check.replacing_rows),
                    lines_replaced=len(check.replacing_rows),
                    suppliers_created=len({line.supplier_code for line in lines} - suppliers.keys()),
                    sites_created=len({(line.supplier_code, line.site_code) for line in lines} - sites.keys()),
                    years={line.period.year for line in lines},
                    parsed=lines,
                    replacing_rows=check.replacing_rows,
                )
            result = _write(lines, suppliers, sites, approve=approve, as_draft=as_draft, user=user)
            result.parsed, result.replacing_rows = lines, check.replacing_rows
    except (IntegrityError, OperationalError) as error:
        raise FileRefused(_write_refusal(error, lines)) from None
    if approve:
        from reports.services.rollups import rollup_request

        for year in sorted(result.years):
            transaction.on_commit(lambda year=year: rollup_request(year=year, trigger="import"))
    return result
