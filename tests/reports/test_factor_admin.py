"""Emission factors edited in the admin: history kept, a new roll-up queued, past runs untouched."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import EmissionFactor, RollupRequest, RollupRun
from reports.services.rollups import rollup_run_create
from suppliers.models import User
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db


def test_a_factor_edited_in_the_admin_queues_a_roll_up_and_leaves_past_runs_as_they_were(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    _load_example()
    old = rollup_run_create(year=2024)
    RollupRequest.objects.update(pending_since=None)
    client.force_login(User.objects.create_superuser("admin@carmaker.example", "a long admin password"))
    factor = EmissionFactor.objects.get(region="NORTHEAST", year=2022)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:reports_emissionfactor_change", args=[factor.pk]),
            {
                "region": "NORTHEAST",
                "year": 2022,
                "kind": "average",
                "tco2_per_mwh": "0.6000",
                "source": "corrected table",
            },
        )
    assert response.status_code == 302
    factor.refresh_from_db()
    assert factor.tco2_per_mwh == Decimal("0.6")
    assert factor.history.count() == 2  # the import and the edit
    # Every year with approved lines has a roll-up queued for the worker.
    assert set(RollupRequest.objects.filter(pending_since__isnull=False).values_list("year", flat=True)) == {
        2019,
        2024,
        2025,
    }
    old.refresh_from_db()
    assert old.result["suppliers"][0]["location_based_tco2e"] == 5431.2  # the stored run is unchanged
    new = rollup_run_create(year=2024)
    assert new.pk != old.pk and RollupRun.objects.filter(year=2024).count() == 2
