"""A poison job (one that always fails) on a real worker: it is tried max_retries + 1 times under
the portal's retry policy, then stops, and staff see the failure, its exception and its retries
in the admin (django-celery-results' records, read-only in reports.admin)."""

import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django_celery_results.models import TaskResult

from portal.celery import RETRY
from tests.concurrency import wait_until
from tests.factories import UserFactory
from tests.reliability.conftest import WorkerStarter
from tests.reliability.worker_hooks import poison

pytestmark = pytest.mark.worker


def test_a_poison_job_stops_after_its_retries_and_staff_see_why(
    start_worker: WorkerStarter, hook_dir: Path, client: Client
) -> None:
    assert poison.max_retries == RETRY["max_retries"] == 6
    start_worker(pool="prefork")
    attempts_file = hook_dir / "poison-attempts"
    sent = poison.apply_async(kwargs={"attempts_file": str(attempts_file)})

    def failed() -> bool:
        return TaskResult.objects.filter(task_id=sent.id, status="FAILURE").exists()

    wait_until(failed, timeout=90, message="the poison job never failed for good")
    ran = attempts_file.read_text().split()
    assert ran == [str(retry) for retry in range(poison.max_retries + 1)], "tried once, then retried six times"
    # It does not loop: a retry would come within retry_backoff_max (1 s) of the last attempt.
    time.sleep(2)
    assert attempts_file.read_text().split() == ran
    assert TaskResult.objects.get(task_id=sent.id).status == "FAILURE"

    staff = UserFactory(email="ops@carmaker.example", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_taskresult"))
    client.force_login(staff)
    listing = client.get(reverse("admin:django_celery_results_taskresult_changelist"), {"status__exact": "FAILURE"})
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "tests.reliability.poison" in page
    assert '<td class="field-retries">6</td>' in page
    assert "OperationalError: poison job: this task always fails" in page

    record = TaskResult.objects.get(task_id=sent.id)
    detail = client.get(reverse("admin:django_celery_results_taskresult_change", args=[record.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "FAILURE" in page and "Traceback (most recent call last)" in page
    assert "OperationalError: poison job: this task always fails" in page
    assert 'name="_save"' not in page, "a record, not a form"
    delete = client.post(reverse("admin:django_celery_results_taskresult_delete", args=[record.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert TaskResult.objects.filter(pk=record.pk).exists()


def test_job_records_are_read_only_even_for_a_superuser(client: Client, db: None) -> None:
    record = TaskResult.objects.create(task_id="a-job", task_name="reports.rollup", status="FAILURE")
    client.force_login(UserFactory(email="root@carmaker.example", is_staff=True, is_superuser=True))
    change = reverse("admin:django_celery_results_taskresult_change", args=[record.pk])
    assert client.post(change, {"status": "SUCCESS"}).status_code == 403
    assert client.get(reverse("admin:django_celery_results_taskresult_add")).status_code == 403
    assert TaskResult.objects.get(pk=record.pk).status == "FAILURE"
