"""The roll-up through a real Celery worker process (Redis broker in CI)."""

import json
import subprocess
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from reports.models import RollupRun
from suppliers.models import Submission, User
from tests.reports.test_worked_example import EXAMPLES, _differences, _load_example

pytestmark = pytest.mark.worker


def _rollup_command(year: int, *flags: str) -> dict:
    out = StringIO()
    call_command("rollup", "--year", str(year), "--json", "--timeout", "120", *flags, stdout=out)
    return json.loads(out.getvalue())


def test_a_run_through_the_worker_equals_the_inline_run(celery_worker_process: subprocess.Popen) -> None:
    _load_example()
    through_worker = _rollup_command(2024)
    # The imports' approvals queued runs too; the worker, taking jobs in order, stored them first.
    assert all(run.task_id for run in RollupRun.objects.all()), "every run was stored by a task"
    RollupRun.objects.all().delete()
    inline = _rollup_command(2024, "--inline")
    assert through_worker == inline
    assert _differences(json.loads((EXAMPLES / "expected-rollup-2024.json").read_text()), through_worker) == []


def test_approving_in_the_admin_leads_to_a_new_run_through_the_worker(
    celery_worker_process: subprocess.Popen, client: Client
) -> None:
    call_command("import_factors", str(EXAMPLES / "factors.csv"), "--replace", stdout=StringIO())
    call_command("import_submissions", str(EXAMPLES / "submissions-2019.csv"), "--approve", stdout=StringIO())
    call_command(
        "import_submissions", str(EXAMPLES / "submissions-2024-gbk.csv"), stdout=StringIO()
    )  # waits for review
    old = _rollup_command(2024, "--inline")
    assert old["suppliers_reporting"] == 0
    old_run = RollupRun.objects.get(year=2024)

    reviewer = User.objects.create_superuser("reviewer@carmaker.example", "a long reviewer password")
    client.force_login(reviewer)
    # A reviewer decides each one on its page (four of them have data-quality flags, so bulk
    # approval would leave them waiting): eight approvals in a burst.
    for submission in Submission.objects.filter(period__year=2024, status=Submission.Status.SUBMITTED):
        response = client.post(
            reverse("admin:suppliers_submission_review", args=[submission.pk]),
            {"version": submission.version, "decision": "approve"},
        )
        assert response.status_code == 302
    approvals = Submission.objects.filter(period__year=2024, status=Submission.Status.APPROVED).count()
    assert approvals == 8

    deadline = time.monotonic() + 60
    while not RollupRun.objects.filter(year=2024).exclude(pk=old_run.pk).exists():
        assert time.monotonic() < deadline, "no new run within 60 s of the approvals"
        time.sleep(0.5)
    time.sleep(3)  # room for a second, uncoalesced run to show up if there were one
    runs = list(RollupRun.objects.filter(year=2024).order_by("id"))
    # Eight approvals in a burst: one run, not eight.
    assert len(runs) == 2
    assert runs[-1].result["suppliers_reporting"] == 5
    assert runs[-1].trigger.startswith("approved")
    assert RollupRun.objects.get(pk=old_run.pk).result == old_run.result  # the old run stays readable
