"""Password-reset and invitation emails leave after the page's answer, from a task queued once the
transaction commits: the answer is the same work for a known address as for an unknown one and
never waits on the mail server (#18, item 3). A command that could not send an invitation says so
and exits non-zero, and the Email log has the failed row (#18, item 7)."""

import subprocess

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from outbox.models import EmailLog
from suppliers.models import Supplier, User
from tests.concurrency import wait_until
from tests.conftest import SmtpServer, free_port, smtp_settings
from tests.factories import SupplierFactory


@pytest.fixture
def supplier(db: None) -> Supplier:
    return SupplierFactory(code="CN-C001")


def test_the_reset_page_queues_one_task_and_sends_nothing_whether_or_not_the_address_exists(
    alice: User, django_capture_on_commit_callbacks, settings: SettingsWrapper
) -> None:
    smtp_settings(settings, free_port())  # a mail server that is down changes nothing on the page
    answers, queued, queries = [], [], []
    for address in ("alice@supplier-a.example", "nobody@supplier-a.example"):
        with django_capture_on_commit_callbacks(execute=False) as callbacks, CaptureQueriesContext(connection) as seen:
            answers.append(Client().post(reverse("password_reset"), {"email": address}))
        queued.append(len(callbacks))
        queries.append([query["sql"] for query in seen.captured_queries])
    assert [answer.status_code for answer in answers] == [302, 302]
    assert answers[0].url == answers[1].url == reverse("password_reset_done")
    assert queued == [1, 1]
    assert queries[0] == [sql.replace("nobody", "alice") for sql in queries[1]]  # the same work
    assert not any("suppliers_user" in sql for sql in queries[0])  # the address is not even looked up
    assert mail.outbox == []
    assert EmailLog.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_run_here")
def test_the_queued_reset_is_sent_by_the_task_and_logged(alice: User, smtp_server: SmtpServer) -> None:
    Client().post(reverse("password_reset"), {"email": "alice@supplier-a.example"})
    Client().post(reverse("password_reset"), {"email": "nobody@supplier-a.example"})
    (received,) = smtp_server.messages()
    assert received.recipients == ["alice@supplier-a.example"]
    assert "/accounts/reset/" in received.message.get_body(("plain",)).get_content()
    (log,) = EmailLog.objects.all()
    assert (log.kind, log.recipient, log.outcome, log.user) == ("password_reset", alice.email, "sent", alice)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_run_here")
def test_a_reset_the_mail_server_refused_is_a_failed_row_in_the_email_log(alice: User, smtp_server: SmtpServer) -> None:
    smtp_server.refused = {alice.email}
    response = Client().post(reverse("password_reset"), {"email": alice.email})
    assert response.status_code == 302
    (log,) = EmailLog.objects.all()
    assert (log.kind, log.outcome) == ("password_reset", "failed") and "550" in log.error


@pytest.mark.django_db(transaction=True)
def test_the_invitation_from_the_admin_is_queued_not_sent_in_the_request(
    supplier: Supplier, settings: SettingsWrapper, charlie: User
) -> None:
    settings.STAFF_OTP_REQUIRED = False
    admin = User.objects.create_superuser("admin@carmaker.example", "a long admin password")
    client = Client()
    client.force_login(admin)
    smtp_settings(settings, free_port())  # down: the page must not wait for it or fail
    response = client.post(
        reverse("admin:suppliers_user_invite"),
        {"email": "li@supplier-c.example", "supplier": supplier.pk, "language": "zh-hans"},
    )
    assert response.status_code == 302
    assert User.objects.filter(email="li@supplier-c.example", supplier=supplier).exists()
    assert EmailLog.objects.count() == 0  # nothing was tried in the request: the task does it


@pytest.mark.django_db(transaction=True)
def test_the_command_that_could_not_send_the_invitation_fails_and_the_log_has_the_row(
    supplier: Supplier, settings: SettingsWrapper
) -> None:
    smtp_settings(settings, free_port())  # nothing listens there
    with pytest.raises(CommandError, match="the invitation could not be sent") as refused:
        call_command("add_supplier_user", "CN-C001", "wang@supplier-c.example")
    assert "Send the invitation again" in str(refused.value)
    (log,) = EmailLog.objects.all()
    assert (log.kind, log.recipient, log.outcome) == ("invitation", "wang@supplier-c.example", "failed")
    assert "ConnectionRefusedError" in log.error
    assert User.objects.filter(email="wang@supplier-c.example").exists()  # kept: invite again later


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_non_zero_from_the_shell_when_the_invitation_failed(supplier: Supplier) -> None:
    import os
    import sys

    from tests.conftest import database_url_for_subprocess

    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=database_url_for_subprocess(),
        PORTAL_TEST_EMAIL_URL=f"smtp://127.0.0.1:{free_port()}",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "add_supplier_user", "CN-C001", "zhao@supplier-c.example"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "could not be sent" in done.stderr and "sent the invitation" not in done.stdout
    assert EmailLog.objects.get(recipient="zhao@supplier-c.example").outcome == "failed"


@pytest.mark.django_db(transaction=True)
def test_the_command_that_sent_the_invitation_says_so(supplier: Supplier, smtp_server: SmtpServer) -> None:
    call_command("add_supplier_user", "CN-C001", "wang@supplier-c.example")
    assert [mail.recipients for mail in smtp_server.messages()] == [["wang@supplier-c.example"]]
    assert EmailLog.objects.get().outcome == "sent"


@pytest.fixture
def celery_worker_env(smtp_server: SmtpServer) -> dict[str, str]:
    return {"PORTAL_TEST_EMAIL_URL": smtp_server.url}


@pytest.mark.worker
def test_through_the_worker_the_reset_link_arrives_after_the_answer(
    celery_worker_process: subprocess.Popen, smtp_server: SmtpServer, alice: User
) -> None:
    response = Client().post(reverse("password_reset"), {"email": alice.email})
    assert response.status_code == 302
    (received,) = smtp_server.wait_for(1)
    assert received.recipients == [alice.email]
    # The worker logs the email once its SMTP conversation has ended: after the server has it.
    wait_until(EmailLog.objects.exists, timeout=30, message="the worker did not log the email")
    assert EmailLog.objects.get().outcome == "sent"
