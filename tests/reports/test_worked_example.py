"""The worked example (tests/data/worked-example, docs/method.md), through the portal's own commands."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import WORKED_EXAMPLE

EXAMPLES = WORKED_EXAMPLE
TOLERANCE = 0.0005  # the JSON holds 3 decimals: equal to the last decimal


def _load_example(*, with_2025: bool = True) -> None:
    call_command("import_factors", str(EXAMPLES / "factors.csv"), "--replace", stdout=StringIO())
    call_command("import_submissions", str(EXAMPLES / "submissions-2019.csv"), "--approve", stdout=StringIO())
    call_command("import_submissions", str(EXAMPLES / "submissions-2024-gbk.csv"), "--approve", stdout=StringIO())
    if with_2025:
        call_command("import_submissions", str(EXAMPLES / "submissions-2025.csv"), "--approve", stdout=StringIO())
    call_command("reported_figure", "2024", "10000", "--source", "worked example", stdout=StringIO())


def _rollup_json(year: int, *, decimals: bool = False) -> dict:
    """The `rollup --json` output; with `decimals`, its numbers read as Decimal (as a page shows them)."""
    out = StringIO()
    call_command("rollup", "--year", str(year), "--json", "--inline", stdout=out)
    return json.loads(out.getvalue(), parse_float=Decimal if decimals else float)


def _differences(expected: object, actual: object, path: str = "") -> list[str]:
    if isinstance(expected, dict):
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{path}.{key}: missing")
            elif key == "flags":
                as_set = lambda flags: {(f["code"], f["supplier_code"], f["site_code"], f["year"]) for f in flags}  # noqa: E731
                if as_set(value) != as_set(actual[key]):
                    found.append(
                        f"{path}.flags: expected {sorted(as_set(value), key=str)}, got {sorted(as_set(actual[key]), key=str)}"
                    )
            elif key == "suppliers":
                by_code = {s["supplier_code"]: s for s in actual[key]}
                if set(by_code) != {s["supplier_code"] for s in value}:
                    found.append(
                        f"{path}.suppliers: expected {[s['supplier_code'] for s in value]}, got {sorted(by_code)}"
                    )
                for supplier in value:
                    found += _differences(
                        supplier, by_code.get(supplier["supplier_code"], {}), f"{path}.{supplier['supplier_code']}"
                    )
            else:
                found += _differences(value, actual[key], f"{path}.{key}")
        return found
    if isinstance(expected, float | int) and not isinstance(expected, bool):
        ok = isinstance(actual, float | int) and abs(expected - actual) <= TOLERANCE
        return [] if ok else [f"{path}: expected {expected}, got {actual}"]
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("year", [2024, 2019, 2025])
def test_worked_example_rollup_equals_expected_json(year: int) -> None:
    _load_example()
    expected = json.loads((EXAMPLES / f"expected-rollup-{year}.json").read_text())
    assert _differences(expected, _rollup_json(year)) == []


@pytest.mark.django_db(transaction=True)
def test_worked_example_flags_carry_a_detail_for_staff() -> None:
    _load_example()
    flags = _rollup_json(2024)["flags"]
    details = {(f["code"], f["supplier_code"], f["site_code"]): f["detail"] for f in flags}
    assert "GEC-2024-LN-000118" in details[("duplicate_certificate", "CN-0001", "SY1")]
    assert "average factor of 210000 2023" in details[("factor_fallback", "CN-0001", "SY1")]
    assert "average factor of NORTHEAST 2022" in details[("factor_fallback", "CN-0001", "SY2")]
    assert "800" in details[("yoy_outlier", "CN-0005", "TJ1")]


@pytest.mark.django_db(transaction=True)
def test_worked_example_names_the_overlapping_serials_and_the_late_irecs() -> None:
    _load_example()
    result = _rollup_json(2025)
    details = {(f["code"], f["supplier_code"], f["site_code"]): f["detail"] for f in result["flags"]}
    overlap = details[("duplicate_certificate", "CN-0001", "SY1")]
    assert "100 of GEC-0210-2025-001001~GEC-0210-2025-004000" in overlap
    assert "CN-0002/SZ1 2025" in overlap
    assert "250 MWh of I-RECs after 2024" in details[("irec_not_eligible", "CN-0003", "FS1")]
    assert result["baseline_suppliers_not_reporting_codes"] == ["CN-0005"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("year", [2024, 2019, 2025])
def test_a_runs_decimal_columns_hold_the_figures_of_its_json(year: int) -> None:
    """The pages, reports and exports read a run's columns: the same figures as the JSON, exact."""
    from decimal import Decimal

    from reports.models import RollupRun

    _load_example()
    _rollup_json(year)
    run = RollupRun.objects.filter(year=year).latest("finished_at", "id")
    expected = json.loads((EXAMPLES / f"expected-rollup-{year}.json").read_text())
    for key, value in expected.items():
        if (
            isinstance(value, float | int)
            and hasattr(run, key)
            and key not in ("year", "baseline_year", "method_version")
        ):
            stored = getattr(run, key)
            if isinstance(value, int):
                assert stored == value, key
            else:
                assert isinstance(stored, Decimal), key
                assert stored.quantize(Decimal("0.001")) == Decimal(str(value)).quantize(Decimal("0.001")), key
    variants = {s.variant: s for s in run.sensitivity.all()}
    assert set(variants) == {"regional_factors", "average_factor_market_based", "irec_without_cutoff"}
    headlines = [run.green_reduction_tco2e, *(v.green_reduction_tco2e for v in variants.values())]
    assert (run.range_low_tco2e, run.range_high_tco2e) == (min(headlines), max(headlines))
