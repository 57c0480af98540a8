"""The GiST index over numrange(first, last) of the claimed serial ranges goes: no query plans
through it (serial overlaps are found in one pass over certificate_range_key, with window
functions, on SQLite as on PostgreSQL: reports/selectors/claims.py), and keeping it cost every
import its upkeep: at 126,016 ranges it held 67 MB, and the 48,643 ranges of the bench's
100,000-row file took 3.6 s more to write with it (the import's write 10.4 s against 6.8 s,
bench/RESULTS.md)."""

from django.db import migrations

OVERLAP_INDEX = (
    "CREATE INDEX certificate_range_overlap ON suppliers_certificaterange "
    "USING gist (instrument, stem, width, numrange(first::numeric, last::numeric, '[]'))"
)


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS certificate_range_overlap")


def _create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        schema_editor.execute(OVERLAP_INDEX)


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0008_submission_queue_index")]

    operations = [migrations.RunPython(_drop, _create)]
