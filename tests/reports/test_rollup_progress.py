"""Issue 17, item 12: "ask for a fresh run" tells queued, running and done (with the new figure)."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.models import RollupRequest
from reports.selectors.progress import DONE, IDLE, QUEUED, RUNNING, rollup_progress
from reports.services.rollup_requests import rollup_request
from reports.services.rollups import rollup_request_finished, rollup_request_started
from reports.tasks import rollup
from tests.factories import EmissionFactorFactory, LineFactory, ReportingPeriodFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_2024(db: None) -> None:
    EmissionFactorFactory(region="NATIONAL", year=2024, tco2_per_mwh="0.5")
    for year in (2019, 2024):
        period = ReportingPeriodFactory(year=year, kind="year", number=0)
        LineFactory(
            submission=SubmissionFactory(period=period, status="approved"), gec_mwh="0", onsite_renewable_mwh="100"
        )


def _status(client: Client, year: object, language: str = "en") -> tuple[int, dict]:
    response = client.get(reverse("reports_comparison_status"), {"year": year}, HTTP_ACCEPT_LANGUAGE=language)
    return response.status_code, json.loads(response.content)


def test_a_year_never_asked_for_is_idle() -> None:
    assert rollup_progress(year=2024).state == IDLE


def test_a_request_is_queued_then_running_then_done_with_its_run(approved_2024: None, settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the request is queued, not run at once
    rollup_request(year=2024, trigger="test")
    assert rollup_progress(year=2024).state == QUEUED

    rollup_request_started(year=2024)
    assert rollup_progress(year=2024).state == RUNNING

    run = rollup.run(year=2024, trigger="test")
    progress = rollup_progress(year=2024)
    assert progress.state == DONE and progress.run.pk == run and not progress.failed


def test_a_roll_up_that_raised_is_done_and_failed(approved_2024: None) -> None:
    RollupRequest.objects.create(year=2024, requested_at=timezone.now())
    rollup_request_started(year=2024)
    rollup_request_finished(year=2024, run=None)
    progress = rollup_progress(year=2024)
    assert progress.state == DONE and progress.failed


def test_the_status_endpoint_gives_the_state_and_the_new_figure_in_the_readers_language(
    admin_client: Client, approved_2024: None
) -> None:
    assert _status(admin_client, 2024)[1]["state"] == IDLE
    RollupRequest.objects.create(year=2024, requested_at=timezone.now(), pending_since=timezone.now())
    code, body = _status(admin_client, 2024, "zh-hans")
    assert code == 200 and body["state"] == QUEUED and "排队" in body["label"]

    rollup_request_started(year=2024)
    run_id = rollup.run(year=2024, trigger="test")
    code, body = _status(admin_client, 2024)
    assert body["state"] == DONE and body["run_id"] == run_id
    # 100 MWh of on-site solar at 0.5 t/MWh and a 50 % share, with no baseline line: 25 t.
    assert body["headline"] == "25.000"
    assert body["label"] == f"Done: run {run_id}, green-power reduction 25.000 tCO2e."


@pytest.mark.parametrize("year", ["", "abc", "1", "99999999999999999999"])
def test_the_status_endpoint_refuses_a_year_that_is_not_a_reporting_year(admin_client: Client, year: str) -> None:
    code, body = _status(admin_client, year)
    assert code == 400 and body["error"]
