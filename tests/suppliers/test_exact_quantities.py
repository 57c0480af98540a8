"""Quantities are exact on SQLite as on PostgreSQL: a 100 %-green line is accepted in every unit,
stored as typed, and rolled up to the same figures (portal/exact.py).

SQLite adds decimals in floating point (0.1 + 0.2 > 0.3): the `green <= total` check refused fully
green sites and sums drifted. The suite runs on SQLite (`make test`) and on PostgreSQL (CI); the last
test also rolls the same files up on a fresh SQLite database in another process and compares.
"""

import csv
import io
import json
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from suppliers.models import Line
from suppliers.services.imports import COLUMNS, submissions_import
from suppliers.units import MWH_PER_UNIT
from tests.factories import valid_uscc

pytestmark = pytest.mark.django_db(transaction=True)

FACTORS = "region,year,kind,tco2_per_mwh,source\nEAST,2019,average,0.61,test\nEAST,2024,average,0.5617,test\n"


def _split(total: Decimal, parts: int, rnd: random.Random, places: int) -> list[Decimal]:
    """`total` cut into `parts` non-negative pieces of `places` decimals that add up to it exactly."""
    quantum = Decimal(1).scaleb(-places)
    units = int(total / quantum)
    cuts = sorted(rnd.randint(0, units) for _ in range(parts - 1))
    edges = [0, *cuts, units]
    return [(edges[i + 1] - edges[i]) * quantum for i in range(parts)]


def _rows(seed: int, count: int) -> list[dict[str, str]]:
    """Fully green lines in every unit, with awkward decimals: 0.1 + 0.2 = 0.3 and random exact splits."""
    rnd = random.Random(seed)
    rows = []
    units = list(MWH_PER_UNIT)
    for i in range(count):
        unit = units[i % len(units)]
        # A kWh figure to the Wh has 3 decimals; larger units fewer, so that every value is whole Wh.
        places = {"kWh": 3, "MWh": 6, "GWh": 9, "万kWh": 5}.get(unit, 3)
        total = Decimal("0.3") if i < len(units) else Decimal(rnd.randint(1, 10**9)).scaleb(-places)
        parts = (
            [Decimal("0.1"), Decimal("0.2"), Decimal(0), Decimal(0)]
            if i < len(units)
            else _split(total, 4, rnd, places)
        )
        supplier = i % 7
        rows.append(
            {
                "supplier_code": f"CN-X{supplier:03d}",
                "supplier_name": f"Exact Supplier {supplier}",
                "uscc": valid_uscc(900 + supplier),
                "site_code": f"S{i}",
                "site_name": f"Site {i}",
                "province": "Jiangsu",
                "period": str(2019 + 5 * (i % 2)),
                "unit": unit,
                "total_electricity": f"{total:f}",
                "onsite_renewable": f"{parts[0]:f}",
                "green_power_trading": f"{parts[1]:f}",
                "gec": f"{parts[2]:f}",
                "irec": f"{parts[3]:f}",
                "bmw_share_percent": f"{Decimal(rnd.randint(0, 1000000)).scaleb(-4):f}",
                "certificate_ids": f"GEC-X-{i}" if parts[2] or parts[3] else "",
            }
        )
    return rows


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[c for c in COLUMNS if c in rows[0]])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_fully_green_lines_in_every_unit_are_accepted_and_stored_exactly() -> None:
    rows = _rows(seed=13, count=60)
    submissions_import(content=_csv(rows), filename="green.csv", approve=True)
    stored = {line.site.code: line for line in Line.objects.select_related("site")}
    for row in rows:
        line = stored[row["site_code"]]
        per_unit = MWH_PER_UNIT[row["unit"]]
        assert line.total_electricity_mwh == Decimal(row["total_electricity"]) * per_unit
        assert line.green_mwh == line.total_electricity_mwh  # 100 % green, to the Wh
        assert line.bmw_share_percent == Decimal(row["bmw_share_percent"])


def _rollup(year: int) -> dict:
    out = io.StringIO()
    call_command("rollup", "--year", str(year), "--json", "--inline", stdout=out)
    return json.loads(out.getvalue())


def _expected_sums(rows: list[dict[str, str]], period: str) -> tuple[Decimal, Decimal]:
    """Σ E and Σ a·E of the rows of one period, in Decimal: the oracle of the roll-up's sums."""
    total = attributable = Decimal(0)
    for row in rows:
        if row["period"] == period:
            e = Decimal(row["total_electricity"]) * MWH_PER_UNIT[row["unit"]]
            total += e
            attributable += e * Decimal(row["bmw_share_percent"]) / 100
    return total, attributable


def test_the_roll_up_sums_are_the_exact_decimal_sums() -> None:
    rows = _rows(seed=14, count=80)
    _load(rows)
    result = _rollup(2024)
    total, attributable = _expected_sums(rows, "2024")
    assert Decimal(str(result["electricity_mwh"])) == total.quantize(Decimal("0.001"))
    assert Decimal(str(result["green_mwh"])) == total.quantize(Decimal("0.001"))
    assert Decimal(str(result["attributable_electricity_mwh"])) == attributable.quantize(Decimal("0.001"))


def _load(
    rows: list[dict[str, str]], *, python: str | None = None, env: dict | None = None, folder: Path | None = None
):
    """The factors and the rows, in this process or (with `python`) through the commands of another."""
    if python is None:
        from reports.services.factors import factors_import

        factors_import(content=FACTORS.encode(), replace=True)
        submissions_import(content=_csv(rows), filename="rows.csv", approve=True)
        return
    (folder / "factors.csv").write_text(FACTORS)
    (folder / "rows.csv").write_bytes(_csv(rows))
    for args in (
        ["migrate", "-v", "0"],
        ["import_factors", str(folder / "factors.csv"), "--replace"],
        ["import_submissions", str(folder / "rows.csv"), "--approve"],
    ):
        subprocess.run([python, "manage.py", *args], check=True, env=env, cwd=settings.BASE_DIR, capture_output=True)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_fresh_sqlite_database_gives_the_same_roll_up_as_this_one(tmp_path: Path, seed: int) -> None:
    """On PostgreSQL (CI) a cross-check of the two databases; on SQLite, of two runs of the same."""
    rows = _rows(seed=seed, count=120)
    _load(rows)
    here = {year: _rollup(year) for year in (2019, 2024)}
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/other.sqlite3"
    _load(rows, python=sys.executable, env=env, folder=tmp_path)
    for year, result in here.items():
        other = subprocess.run(
            [sys.executable, "manage.py", "rollup", "--year", str(year), "--json", "--inline"],
            check=True, env=env, cwd=settings.BASE_DIR, capture_output=True, text=True,
        )  # fmt: skip
        assert json.loads(other.stdout) == result
