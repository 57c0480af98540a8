# Runs of method version 1 kept their figures in their JSON only; their columns are filled from it,
# read as Decimal (the JSON text's numbers, never through float), so every reader reads columns.

from decimal import Decimal
import json

from django.db import migrations
from django.db.models import TextField
from django.db.models.functions import Cast

# column: the key in the result JSON (a path for the nested ones)
FROM_JSON = {
    "suppliers_reporting": ("suppliers_reporting",),
    "suppliers_with_baseline": ("suppliers_with_baseline",),
    "electricity_mwh": ("electricity_mwh",),
    "green_mwh": ("green_mwh",),
    "attributable_electricity_mwh": ("attributable_electricity_mwh",),
    "attributable_green_mwh": ("attributable_green_mwh",),
    "location_based_tco2e": ("location_based_tco2e",),
    "market_based_tco2e": ("market_based_tco2e",),
    "avoided_tco2e": ("avoided_tco2e",),
    "baseline_avoided_tco2e": ("baseline_avoided_tco2e",),
    "green_reduction_tco2e": ("green_reduction_tco2e",),
    "absolute_reduction_tco2e": ("absolute_reduction_tco2e",),
    "reported_tco2e": ("reported", "tco2e"),
    "variance_pct": ("variance_pct",),
    "activity_tco2e": ("decomposition", "activity"),
    "green_share_tco2e": ("decomposition", "green_share"),
    "grid_factor_tco2e": ("decomposition", "grid_factor"),
}


def _value(result: dict, path: tuple[str, ...]) -> object:
    for key in path:
        if not isinstance(result, dict):
            return None
        result = result.get(key)
    return result


def fill(apps, schema_editor) -> None:
    RollupRun = apps.get_model("reports", "RollupRun")
    runs = (
        RollupRun.objects.filter(status="succeeded", green_reduction_tco2e__isnull=True)
        .annotate(text=Cast("result", TextField()))
        .values_list("pk", "text")
    )
    for pk, text in runs:
        result = json.loads(text or "{}", parse_float=Decimal)
        if "green_reduction_tco2e" not in result:
            continue
        values = {column: _value(result, path) for column, path in FROM_JSON.items()}
        RollupRun.objects.filter(pk=pk).update(**{k: v for k, v in values.items() if v is not None})


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0012_emaillog_moves_to_outbox"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
