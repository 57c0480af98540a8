"""What "nothing was written" means in the bad-input tests: compared before and after an attempt."""

from django.apps import apps
from django.db import connection


def database_snapshot() -> dict[str, object]:
    """The row count of every table (in one query), and every row of the tables an import writes."""
    tables = sorted({model._meta.db_table for model in apps.get_models()})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables))
        state: dict[str, object] = dict(zip(tables, cursor.fetchone(), strict=True))
    for model in apps.get_app_config("suppliers").get_models():
        if not model._meta.db_table.startswith("suppliers_historical"):
            state[f"{model._meta.db_table} rows"] = sorted(map(repr, model.objects.values_list()))
    return state
