"""A report job says what happened to its emails: every recipient's delivery failed after the
retries ends the job failed (a task result in the admin), some failed ends it "partial", and the
report's admin page names each recipient with their delivery's state."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django_celery_results.models import TaskResult
from pytest_django.fixtures import Settings as SettingsWrapper

from outbox.models import EmailLog
from outbox.services import MAX_ATTEMPTS
from reports.models import Report, ReportDelivery
from reports.selectors.reporting import REPORT_RECIPIENTS_GROUP
from reports.tasks import ReportNotDelivered, annual_report, monthly_report
from suppliers.models import User
from tests.conftest import SmtpServer, free_port, smtp_settings
from tests.factories import UserFactory
from tests.reports.test_worked_example import _load_example

pytestmark = [pytest.mark.usefixtures("private_storage"), pytest.mark.django_db(transaction=True)]

BOARD = "board@carmaker.example"


@pytest.fixture
def recipients(settings: SettingsWrapper, charlie: User) -> list[str]:
    group, _created = Group.objects.get_or_create(name=REPORT_RECIPIENTS_GROUP)
    wang = UserFactory(email="wang@carmaker.example", is_staff=True, language="zh-hans")
    group.user_set.add(charlie, wang)
    settings.REPORT_RECIPIENTS = [BOARD]
    return sorted([charlie.email, wang.email, BOARD])


def test_a_last_run_in_which_no_recipient_got_the_report_ends_the_job_failed(
    settings: SettingsWrapper, recipients: list[str]
) -> None:
    _load_example()
    smtp_settings(settings, free_port())  # nothing listens there
    result = annual_report.apply(kwargs={"year": 2024}, retries=annual_report.max_retries, throw=False)

    assert result.state == "FAILURE"
    assert isinstance(result.result, ReportNotDelivered)
    assert "no recipient received it" in str(result.result)
    assert all(address in str(result.result) for address in recipients)
    assert EmailLog.objects.filter(outcome=EmailLog.Outcome.FAILED).count() == 3


def test_while_a_failed_delivery_may_still_succeed_the_job_is_retried_not_ended(
    settings: SettingsWrapper, recipients: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _load_example()
    smtp_settings(settings, free_port())
    retried: list[dict] = []

    def retry(**options: object) -> Exception:
        retried.append(options)
        return RuntimeError("retried")

    monkeypatch.setattr(annual_report, "retry", retry)
    result = annual_report.apply(kwargs={"year": 2024}, retries=annual_report.max_retries - 1, throw=False)
    assert result.state == "FAILURE" and str(result.result) == "retried"
    assert retried == [{"countdown": 30 * 60, "kwargs": {"year": 2024}}]


def test_deliveries_that_failed_their_last_attempt_end_the_job_even_before_its_last_retry(
    settings: SettingsWrapper, smtp_server: SmtpServer, recipients: list[str]
) -> None:
    """A delivery is tried MAX_ATTEMPTS times; once each has been, retrying the job sends nothing."""
    _load_example()
    smtp_server.refused = set(recipients)
    for _attempt in range(MAX_ATTEMPTS - 1):
        annual_report.apply(kwargs={"year": 2024}, retries=annual_report.max_retries, throw=False)
    assert set(ReportDelivery.objects.values_list("state", "attempts")) == {("failed", MAX_ATTEMPTS - 1)}
    result = annual_report.apply(kwargs={"year": 2024}, retries=1, throw=False)  # five more retries allowed
    assert set(ReportDelivery.objects.values_list("state", "attempts")) == {("failed", MAX_ATTEMPTS)}
    assert isinstance(result.result, ReportNotDelivered)


def test_a_job_in_which_some_recipients_got_the_report_says_partial_and_names_the_others(
    smtp_server: SmtpServer, recipients: list[str]
) -> None:
    _load_example()
    smtp_server.refused = {BOARD}
    result = monthly_report.apply(kwargs={"period_key": "2024-11"}, retries=monthly_report.max_retries)

    assert result.state == "SUCCESS"
    report = Report.objects.get()
    assert result.result == {"report": report.pk, "outcome": "partial", "delivered": 2, "undelivered": [BOARD]}
    assert len(smtp_server.messages()) == 2
    (failure,) = EmailLog.objects.filter(outcome=EmailLog.Outcome.FAILED)
    assert failure.recipient == BOARD and "550" in failure.error


def test_a_job_that_reached_everyone_says_delivered(smtp_server: SmtpServer, recipients: list[str]) -> None:
    _load_example()
    result = annual_report.apply(kwargs={"year": 2024})
    assert result.result == {
        "report": Report.objects.get().pk,
        "outcome": "delivered",
        "delivered": 3,
        "undelivered": [],
    }


def test_the_admin_says_how_far_each_report_got_and_names_its_recipients(
    client: Client, smtp_server: SmtpServer, recipients: list[str], settings: SettingsWrapper
) -> None:
    settings.STAFF_OTP_REQUIRED = False
    _load_example()
    smtp_server.refused = {BOARD}
    annual_report.apply(kwargs={"year": 2024}, retries=annual_report.max_retries)
    report = Report.objects.get()
    client.force_login(User.objects.create_superuser("admin@carmaker.example", "a long admin password"))

    listing = client.get(reverse("admin:reports_report_changelist")).content.decode()
    assert "partial: 2 of 3" in listing
    page = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    for address in recipients:
        assert address in page
    assert page.count(">Sent<") == 2 and page.count(">Failed<") == 1


@pytest.mark.worker
def test_through_the_worker_an_undelivered_report_is_a_failed_task_result(
    celery_worker_process: object, recipients: list[str]
) -> None:
    """The worker was given an SMTP address where nothing listens (celery_worker_env)."""
    _load_example()
    sent = annual_report.apply_async(kwargs={"year": 2024}, retries=annual_report.max_retries)
    with pytest.raises(ReportNotDelivered):
        sent.get(timeout=120)
    stored = TaskResult.objects.get(task_id=sent.id)
    assert stored.status == "FAILURE"
    assert "ReportNotDelivered" in stored.result and BOARD in stored.result


@pytest.fixture
def celery_worker_env(private_storage: object) -> dict[str, str]:
    return {
        "PORTAL_TEST_EMAIL_URL": f"smtp://127.0.0.1:{free_port()}",
        "PORTAL_TEST_PRIVATE_DIR": str(private_storage),
        "REPORT_RECIPIENTS": BOARD,
    }
