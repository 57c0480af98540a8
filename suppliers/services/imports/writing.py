"""Writing a checked file in one transaction, and naming the rule when the database refuses it."""

import itertools
import logging
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import OperationalError, connection, models
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from portal.copying import copy_objects, copy_rows, insert_values, stored_values
from suppliers.line_rules import (
    QUANTITY_FIELDS,
    SERIAL_INSTRUMENTS,
)
from suppliers.models import (
    CertificateClaim,
    CertificateRange,
    Line,
    ReportingPeriod,
    Site,
    Submission,
    Supplier,
)
from suppliers.periods import Period
from suppliers.services.imports.checking import line_instrument, same_name
from suppliers.services.imports.reading import HAS_CJK, WRITE_CHUNK, ParsedLine, RowKey
from suppliers.services.spreadsheets import FileRefused, Problem

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    lines_created: int = 0
    lines_replaced: int = 0
    suppliers_created: int = 0
    sites_created: int = 0
    years: set[int] = field(default_factory=set)
    parsed: list[ParsedLine] = field(default_factory=list)  # a dry run's lines, in file order
    replacing_rows: set[int] = field(default_factory=set)  # rows whose line replaces a stored one

    @property
    def lines(self) -> int:
        return self.lines_created + self.lines_replaced


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
    chosen = [model._meta.pk, *(model._meta.get_field(name) for name in fields)]
    json_fields = {f.attname for f in chosen if isinstance(f, models.JSONField)}
    rows = (stored_values(obj, chosen, json_fields) for obj in objs)
    _rows_update(model._meta.db_table, [f.column for f in chosen], rows)
    _history_copy(objs, model, "~", user)


_LINE_FIELDS = [
    "submission_id", "site_id", "entered_unit", "entered_values", *QUANTITY_FIELDS.values(), "bmw_share_percent",
    "updated_at",
]  # fmt: skip


def _line_values(parsed: ParsedLine, submission_id: int, site_id: int, now: datetime) -> list[object]:
    """A line's stored values (_LINE_FIELDS), every one from its row: a stored line is replaced whole."""
    quantities = parsed.quantities_mwh
    return [
        submission_id, site_id, parsed.unit, parsed.entered, *(quantities[name] for name in QUANTITY_FIELDS.values()),
        parsed.bmw_share_percent, now,
    ]  # fmt: skip


def _lines_store(keyed: list[tuple[ParsedLine, int, int, int | None]], *, now: datetime, user: object) -> list[int]:
    """The lines of (parsed row, submission id, site id, id of the line it replaces or None), new or
    replacing, with a history row each; their ids, in the order given.

    On PostgreSQL without a model instance: the new lines by COPY, with ids drawn from the table's
    sequence first, the replaced ones by one UPDATE … FROM a temporary table, and
    their history by one INSERT … SELECT from the lines as stored. Elsewhere
    bulk_create_with_history and bulk_update_with_history of the same values."""
    if connection.vendor != "postgresql":
        objects = [
            Line(pk=pk, **dict(zip(_LINE_FIELDS, _line_values(parsed, submission_id, site_id, now), strict=True)))
            for parsed, submission_id, site_id, pk in keyed
        ]
        new = [line for line in objects if line.pk is None]
        replaced = [line for line in objects if line.pk is not None]
        for line in replaced:
            line._state.adding = False
        bulk_update_with_history(replaced, Line, _LINE_FIELDS[2:], batch_size=2000, default_user=user)
        bulk_create_with_history(new, Line, batch_size=2000, default_user=user)
        return [line.pk for line in objects]
    with connection.cursor() as cursor:  # the new lines' ids, from the table's sequence
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Line._meta.db_table, sum(1 for *_, pk in keyed if pk is None)],
        )
        drawn = iter([pk for (pk,) in cursor.fetchall()])
    ids = [pk if pk is not None else next(drawn) for *_, pk in keyed]
    json_column = _LINE_FIELDS.index("entered_values")
    new_rows, replaced_rows = [], []
    for (parsed, submission_id, site_id, pk), line_id in zip(keyed, ids, strict=True):
        values = _line_values(parsed, submission_id, site_id, now)
        values[json_column] = connection.ops.adapt_json_value(values[json_column], None)
        (new_rows if pk is None else replaced_rows).append([line_id, *values])
    columns = ["id", *(Line._meta.get_field(name).column for name in _LINE_FIELDS)]
    copy_rows(Line._meta.db_table, columns, new_rows)
    if replaced_rows:
        _rows_update(Line._meta.db_table, columns, replaced_rows)
    _lines_history(ids, replaced=[row[0] for row in replaced_rows], now=now, user=user)
    return ids


def _rows_update(table: str, columns: list[str], rows: Iterable[list[object]]) -> None:
    """UPDATE `table` SET columns[1:] FROM a temporary table filled by COPY, matched on columns[0]
    (bulk_update's CASE WHEN per row grows with the square of the batch)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        selected = ", ".join(quote(c) for c in columns)  # names from the model, quoted
        cursor.execute(f"CREATE TEMPORARY TABLE import_update AS SELECT {selected} FROM {quote(table)} WITH NO DATA")  # noqa: S608
    try:
        copy_rows("import_update", columns, rows)
        with connection.cursor() as cursor:
            assignments = ", ".join(f"{quote(c)} = import_update.{quote(c)}" for c in columns[1:])
            match = f"{quote(table)}.{quote(columns[0])} = import_update.{quote(columns[0])}"
            cursor.execute(f"UPDATE {quote(table)} SET {assignments} FROM import_update WHERE {match}")  # noqa: S608
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS import_update")


def _lines_history(ids: list[int], *, replaced: list[int], now: datetime, user: object) -> None:
    """One history row per line as now stored ("+" new, "~" replaced), as simple_history writes it,
    by one INSERT … SELECT (PostgreSQL)."""
    quote = connection.ops.quote_name
    history = Line.history.model
    tracked = [f.column for f in history.tracked_fields]
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    target = ", ".join(quote(c) for c in [*tracked, *extra])
    source = ", ".join(f"line.{quote(c)}" for c in tracked)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({target}) "  # noqa: S608 - names from the models
            f"SELECT {source}, %s, NULL, CASE WHEN line.id = ANY(%s) THEN '~' ELSE '+' END, %s "
            f"FROM {quote(Line._meta.db_table)} line WHERE line.id = ANY(%s)",
            [now, replaced, getattr(user, "pk", None), ids],
        )


def lines_write(
    keys: list[RowKey],
    lines: Iterable[ParsedLine],
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
    for line in keys:
        supplier = suppliers.get(line.supplier_code)
        if supplier is None:
            supplier = Supplier(code=line.supplier_code, uscc=line.uscc)
            suppliers[line.supplier_code] = supplier
            result.suppliers_created += 1
        # A name as on record but for its spaces or character widths is the same name: no rename.
        if line.supplier_name and not (
            same_name(line.supplier_name, supplier.name_zh) or same_name(line.supplier_name, supplier.name_en)
        ):
            if HAS_CJK.search(line.supplier_name):
                supplier.name_zh = line.supplier_name
            else:
                supplier.name_en = line.supplier_name
    in_file = {line.supplier_code for line in keys}
    for supplier in suppliers.values():
        # A supplier whose names the file leaves as they were is not saved again (nor its history).
        if supplier.code in in_file and names_before.get(supplier.code) != (supplier.name_zh, supplier.name_en):
            supplier.full_clean(validate_unique=False)
            supplier.save()

    new_sites: list[Site] = []
    renamed: dict[int, Site] = {}
    for line in keys:
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
        elif line.site_name and not same_name(line.site_name, site.name) and site.pk:
            site.name = line.site_name
            renamed[site.pk] = site
    if new_sites:
        bulk_create_with_history(new_sites, Site, batch_size=2000, default_user=user)
        result.sites_created = len(new_sites)
    if renamed:
        bulk_update_with_history(list(renamed.values()), Site, ["name"], batch_size=2000, default_user=user)

    periods: dict[Period, ReportingPeriod] = {}
    for period in sorted({key.period for key in keys}):  # one order for every import: no deadlock
        # A period first seen in a file is recorded closed: staff open the periods suppliers are
        # asked to report for, with their due dates.
        periods[period], _created = ReportingPeriod.objects.get_or_create(
            year=period.year, kind=period.kind, number=period.number, defaults={"is_open": False}
        )
    status = Submission.Status.APPROVED if approve else Submission.Status.SUBMITTED
    submission_keys = sorted({(suppliers[key.supplier_code].pk, periods[key.period].pk) for key in keys})
    # One locked read for every submission the file touches, then bulk writes (with history), a
    # chunk at a time: what the lines need of them is their ids.
    existing: dict[tuple[int, int], Submission] = {
        (submission.supplier_id, submission.period_id): submission
        for submission in Submission.objects.select_for_update(of=("self",)).filter(
            supplier_id__in={key[0] for key in submission_keys}, period_id__in={key[1] for key in submission_keys}
        )
    }
    submission_ids: dict[tuple[int, int], int] = {}
    for start in range(0, len(submission_keys), WRITE_CHUNK):
        chunk_keys = submission_keys[start : start + WRITE_CHUNK]
        new_submissions, changed = [], []
        for key in chunk_keys:
            submission = existing.get(key)
            if submission is None:
                submission = Submission(supplier_id=key[0], period_id=key[1], version=0)
                new_submissions.append(submission)
            else:
                changed.append(submission)
            if as_draft:
                if submission.status in Submission.CLAIMING_STATUSES:
                    # Submitted by someone else between the check and this write.
                    period_code = next(p.code for p, stored in periods.items() if stored.pk == key[1])
                    raise FileRefused(
                        [
                            Problem(
                                None, "period", _("period %(period)s was submitted meanwhile") % {"period": period_code}
                            )
                        ]
                    )
                # A new submission is a draft; a returned one stays returned, with the reviewer's
                # comment, until the supplier submits it from the period page.
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
        submission_ids.update(((s.supplier_id, s.period_id), s.pk) for s in (*new_submissions, *changed))

    # The lines are written a chunk at a time: memory holds one chunk's rows, not the file's. Only
    # a submission stored before this import has lines to replace.
    stored = {
        (submission_id, site_id): pk
        for submission_id, site_id, pk in Line.objects.filter(submission__in=[s.pk for s in existing.values()])
        .values_list("submission_id", "site_id", "pk")
        .iterator(chunk_size=WRITE_CHUNK)
    }
    del existing, submission_keys
    rows = iter(lines)
    while chunk := list(itertools.islice(rows, WRITE_CHUNK)):
        keyed = []
        for parsed in chunk:
            submission_id = submission_ids[(suppliers[parsed.supplier_code].pk, periods[parsed.period].pk)]
            site_id = sites[(parsed.supplier_code, parsed.site_code)].pk
            keyed.append((parsed, submission_id, site_id, stored.get((submission_id, site_id))))
        replaced = [pk for *_, pk in keyed if pk]
        if replaced:
            CertificateClaim.objects.filter(line__in=replaced).delete()
            CertificateRange.objects.filter(line__in=replaced).delete()
        line_ids = _lines_store(keyed, now=now, user=user)
        insert_values(
            CertificateClaim,
            [
                {"line_id": line_id, "batch_id": batch_id, "instrument": line_instrument(batch_id, parsed)}
                for (parsed, *_), line_id in zip(keyed, line_ids, strict=True)
                for batch_id in parsed.certificate_ids
            ],
        )
        insert_values(
            CertificateRange,
            [
                {
                    "line_id": line_id,
                    "instrument": SERIAL_INSTRUMENTS[column],
                    "stem": serial_range.stem,
                    "width": serial_range.width,
                    "first": serial_range.first_text,
                    "last": serial_range.last_text,
                    "count": serial_range.count,
                }
                for (parsed, *_), line_id in zip(keyed, line_ids, strict=True)
                for column, ranges in parsed.serials.items()
                for serial_range in ranges
            ],
        )
        result.lines_created += len(chunk) - len(replaced)
        result.lines_replaced += len(replaced)
    result.years = {key.period.year for key in keys}
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


def write_refusal(error: Exception, lines: Iterable[ParsedLine]) -> list[Problem]:
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


def suppliers_lock(codes: set[str]) -> None:
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
