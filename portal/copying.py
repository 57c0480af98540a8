"""Writing many rows at once by PostgreSQL's COPY.

Django's bulk_create on PostgreSQL turns every value into an SQL literal of an UNNEST array in
Python; COPY streams the rows instead (an import's 100,000 lines and a roll-up's thousands of
result rows: seconds, not minutes). The callers keep bulk_create on other databases.
"""

import time
from collections.abc import Iterable, Sequence

from django.db import connection, models


def copy_rows(table: str, columns: list[str], rows: Iterable[Sequence[object]]) -> None:
    """Rows into `table` by COPY. Logged like a query (CaptureQueriesContext, DEBUG), so that the
    tests that count a service's writes see it."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


def stored_values(obj: models.Model, fields: list[models.Field], json_fields: set[str]) -> list[object]:
    """The values `obj` is stored with (auto_now applied), JSON adapted for the database."""
    values = [f.pre_save(obj, obj._state.adding) for f in fields]
    for i, f in enumerate(fields):
        if f.attname in json_fields:
            values[i] = f.get_db_prep_save(values[i], connection)
    return values


def copy_objects(objs: list[models.Model], model: type[models.Model], *, with_ids: bool) -> None:
    """The objects' rows into the model's table by COPY, as bulk_create stores them: with the ids
    the objects hold (`with_ids`), or with ids from the table's default."""
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    copy_rows(model._meta.db_table, [f.column for f in fields], (stored_values(o, fields, json_fields) for o in objs))


def insert_values(model: type[models.Model], rows: list[dict[str, object]]) -> None:
    """New rows given as field values by attribute name (`run_id`, not `run`), every row with the
    same keys: by COPY on PostgreSQL with no model instance made (a roll-up's 8,000 result rows:
    0.2 s less), bulk_create elsewhere. For rows whose fields need no preparation (no auto_now,
    no JSON)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return
    names = list(rows[0])
    column = {f.attname: f.column for f in model._meta.concrete_fields}
    columns = [column[name] for name in names]
    copy_rows(model._meta.db_table, columns, ([row[name] for name in names] for row in rows))


def copy_insert(objs: list[models.Model], model: type[models.Model]) -> None:
    """New rows nobody refers to afterwards (their ids are not given back to the objects);
    bulk_create on databases other than PostgreSQL."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=1000)
        return
    copy_objects(objs, model, with_ids=False)
