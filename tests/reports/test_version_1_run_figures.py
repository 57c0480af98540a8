"""Runs of method version 1 kept their figures in their JSON only: a migration fills their columns,
reading the JSON's numbers as Decimal, so that every page and document reads columns."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from reports.models import RollupRun

fill = importlib.import_module("reports.migrations.0013_version_1_runs_figures").fill


@pytest.mark.django_db
def test_a_version_1_runs_columns_are_its_json_figures_exactly() -> None:
    now = timezone.now()
    result = {
        "year": 2024, "baseline_year": 2019, "suppliers_reporting": 7, "suppliers_with_baseline": 5,
        "electricity_mwh": 12345.678, "green_mwh": 5278.55, "green_reduction_tco2e": 28992.878,
        "absolute_reduction_tco2e": -0.001, "reported": {"tco2e": 30000.0, "source": "report"},
        "variance_pct": -3.357, "decomposition": {"activity": 1.1, "green_share": 2.2, "grid_factor": -0.3},
        "flags": [],
    }  # fmt: skip
    old = RollupRun.objects.create(
        year=2024, baseline_year=2019, method_version="1", input_fingerprint="v1", result=result,
        started_at=now, finished_at=now,
    )  # fmt: skip
    failed = RollupRun.objects.create(
        year=2024, baseline_year=2019, method_version="1", input_fingerprint="f", status=RollupRun.Status.FAILED,
        started_at=now, finished_at=now,
    )  # fmt: skip

    fill(apps, None)

    old.refresh_from_db()
    assert old.green_reduction_tco2e == Decimal("28992.878")
    assert old.green_mwh == Decimal("5278.55") and old.electricity_mwh == Decimal("12345.678")
    assert old.absolute_reduction_tco2e == Decimal("-0.001")
    assert old.reported_tco2e == Decimal(30000) and old.variance_pct == Decimal("-3.357")
    assert (old.activity_tco2e, old.green_share_tco2e, old.grid_factor_tco2e) == (
        Decimal("1.1"), Decimal("2.2"), Decimal("-0.3"),
    )  # fmt: skip
    assert (old.suppliers_reporting, old.suppliers_with_baseline) == (7, 5)
    assert old.like_for_like_green_tco2e is None  # version 1 had no bridge
    failed.refresh_from_db()
    assert failed.green_reduction_tco2e is None
