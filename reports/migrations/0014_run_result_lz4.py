"""A run's result (its JSON, about 4 MB at 2,000 suppliers) compressed with lz4 instead of pglz on
PostgreSQL servers built with it: the insert of a 2024 run took 0.09 s with pglz, 0.05 s with lz4
(bench/RESULTS.md). Rows already stored keep their compression until rewritten; SQLite and
servers without lz4 are left as they are."""

from django.db import migrations


def _lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("ALTER TABLE reports_rolluprun ALTER COLUMN result SET COMPRESSION lz4")


def _pglz(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE reports_rolluprun ALTER COLUMN result SET COMPRESSION pglz")


class Migration(migrations.Migration):
    dependencies = [("reports", "0013_version_1_runs_figures")]

    operations = [migrations.RunPython(_lz4, _pglz)]
