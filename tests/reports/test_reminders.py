"""Reminders to suppliers, over a real SMTP server: before the due date and after it, once each per
period, supplier and user, in the user's language; once per return of a submission; every email
logged with its outcome."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from pytest_django.fixtures import Settings as SettingsWrapper

from outbox.models import EmailLog
from outbox.services import MAX_ATTEMPTS, STALE_CLAIM, claim_take
from reports.models import Reminder
from reports.services.reminders import reminder_kind_for, reminders_send
from reports.tasks import send_reminders
from suppliers.models import ReportingPeriod, Submission, Supplier, User
from suppliers.services.submissions import submission_return, submission_submit
from tests.concurrency import at_once
from tests.conftest import SmtpServer, free_port, smtp_settings
from tests.factories import LineFactory, ReportingPeriodFactory, SubmissionFactory, SupplierFactory, UserFactory

DUE = date(2026, 3, 31)
ZH_DATE = "2026年3月31日"
EN_DATE = "March 31, 2026"


@pytest.fixture
def period(db: None) -> ReportingPeriod:
    return ReportingPeriodFactory(year=2025, due_date=DUE, is_open=True)


def supplier_user(code: str, email: str, language: str, **user: object) -> User:
    supplier = SupplierFactory(code=code, name_en=f"{code} Parts Co., Ltd.", name_zh=f"{code}零部件有限公司")
    return UserFactory(email=email, supplier=supplier, language=language, **user)


@pytest.fixture
def people(period: ReportingPeriod, charlie: User) -> dict[str, User]:
    """Who is reminded (li in Chinese, ann in English, dan drafting) and who is not (sam submitted,
    amy approved, a user who left, a user of an inactive supplier, staff)."""
    li = supplier_user("CN-LI", "li@supplier-a.example", "zh-hans", full_name="李伟")
    UserFactory(email="left@supplier-a.example", supplier=li.supplier, is_active=False)
    ann = supplier_user("CN-ANN", "ann@supplier-b.example", "en", full_name="Ann Smith")
    dan = supplier_user("CN-DAN", "dan@supplier-d.example", "en")
    SubmissionFactory(supplier=dan.supplier, period=period, status=Submission.Status.DRAFT)
    sam = supplier_user("CN-SAM", "sam@supplier-s.example", "en")
    LineFactory(submission=SubmissionFactory(supplier=sam.supplier, period=period, status=Submission.Status.SUBMITTED))
    amy = supplier_user("CN-AMY", "amy@supplier-p.example", "zh-hans")
    SubmissionFactory(supplier=amy.supplier, period=period, status=Submission.Status.APPROVED)
    gone = supplier_user("CN-GONE", "gone@supplier-x.example", "en")
    Supplier.objects.filter(pk=gone.supplier_id).update(status=Supplier.Status.INACTIVE)
    return {"li": li, "ann": ann, "dan": dan, "sam": sam, "amy": amy, "gone": gone, "staff": charlie}


def addressees(server: SmtpServer) -> list[str]:
    return sorted(address for mail in server.messages() for address in mail.recipients)


def subject_of(message: object) -> str:
    """The decoded subject (a long non-ASCII one arrives folded over lines)."""
    return " ".join(str(message["Subject"]).split())


def text_of(message: object) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: object) -> str:
    return message.get_body(("html",)).get_content()


REMINDED = sorted(["li@supplier-a.example", "ann@supplier-b.example", "dan@supplier-d.example"])


@pytest.mark.parametrize(
    ("today", "kind"),
    [
        (DUE - timedelta(days=15), None),
        (DUE - timedelta(days=14), "due_soon"),
        (DUE, "due_soon"),  # the due date itself is not late yet
        (DUE + timedelta(days=1), "overdue"),
    ],
)
def test_the_kind_of_reminder_follows_the_due_date(today: date, kind: str | None) -> None:
    assert reminder_kind_for(ReportingPeriod(due_date=DUE), today=today) == kind


def test_no_due_date_means_no_reminder() -> None:
    assert reminder_kind_for(ReportingPeriod(due_date=None), today=DUE) is None


def test_before_the_due_date_each_supplier_without_a_submission_is_reminded_once_in_its_users_language(
    smtp_server: SmtpServer, people: dict[str, User], period: ReportingPeriod
) -> None:
    outcome = reminders_send(today=DUE - timedelta(days=14))

    assert outcome == {"due_soon sent": 3}
    assert addressees(smtp_server) == REMINDED  # not the submitted, approved, inactive, departed or staff
    (chinese,) = smtp_server.to("li@supplier-a.example")
    with translation.override("zh-hans"):
        expected = gettext("Reminder: the %(period)s report of %(supplier)s is due soon") % {
            "period": "2025",
            "supplier": "CN-LI零部件有限公司",
        }
    assert subject_of(chinese) == expected
    assert ZH_DATE in text_of(chinese) and ZH_DATE in html_of(chinese)
    assert 'lang="zh-hans"' in html_of(chinese)
    assert "李伟" in text_of(chinese)
    assert f"/periods/{period.pk}/" in text_of(chinese)
    (english,) = smtp_server.to("ann@supplier-b.example")
    assert subject_of(english) == "Reminder: the 2025 report of CN-ANN Parts Co., Ltd. is due soon"
    assert EN_DATE in text_of(english) and ZH_DATE not in text_of(english)
    assert 'lang="en"' in html_of(english)

    # The same day again, and the next days: nothing new.
    assert reminders_send(today=DUE - timedelta(days=14)) == {}
    assert reminders_send(today=DUE - timedelta(days=3)) == {}
    assert reminders_send(today=DUE) == {}
    assert len(smtp_server.messages()) == 3
    logs = EmailLog.objects.order_by("recipient")
    assert [(log.recipient, log.kind, log.outcome) for log in logs] == [
        (address, "reminder_due_soon", "sent") for address in REMINDED
    ]
    assert all(log.related == period and log.user.email == log.recipient and log.error == "" for log in logs)
    assert set(Reminder.objects.values_list("state", "attempts")) == {("sent", 1)}


def test_no_reminder_before_the_window_and_the_window_is_a_setting(
    settings: SettingsWrapper, smtp_server: SmtpServer, people: dict[str, User]
) -> None:
    assert reminders_send(today=DUE - timedelta(days=15)) == {}
    assert smtp_server.messages() == []
    settings.REMINDER_DAYS_BEFORE = 30
    assert reminders_send(today=DUE - timedelta(days=15)) == {"due_soon sent": 3}


def test_after_the_due_date_an_overdue_notice_once_and_none_for_who_submitted_meanwhile(
    smtp_server: SmtpServer, people: dict[str, User], period: ReportingPeriod
) -> None:
    assert reminders_send(today=DUE - timedelta(days=10)) == {"due_soon sent": 3}
    ann = people["ann"]
    LineFactory(submission=SubmissionFactory(supplier=ann.supplier, period=period, status=Submission.Status.SUBMITTED))

    assert reminders_send(today=DUE + timedelta(days=1)) == {"overdue sent": 2}
    assert reminders_send(today=DUE + timedelta(days=2)) == {}
    assert reminders_send(today=DUE + timedelta(days=40)) == {}
    overdue = smtp_server.messages()[3:]
    assert sorted(address for mail in overdue for address in mail.recipients) == [
        "dan@supplier-d.example",
        "li@supplier-a.example",
    ]
    assert (
        subject_of(smtp_server.to("dan@supplier-d.example")[1]) == "Overdue: the 2025 report of CN-DAN Parts Co., Ltd."
    )
    chinese = smtp_server.to("li@supplier-a.example")[1]
    with translation.override("zh-hans"):
        assert subject_of(chinese) == gettext("Overdue: the %(period)s report of %(supplier)s") % {
            "period": "2025",
            "supplier": "CN-LI零部件有限公司",
        }
    assert ZH_DATE in text_of(chinese)
    assert EmailLog.objects.filter(kind="reminder_overdue").count() == 2
    assert not EmailLog.objects.filter(kind="reminder_overdue", recipient=ann.email).exists()


def test_a_returned_submission_reminds_its_supplier_once_per_return(
    smtp_server: SmtpServer, people: dict[str, User], period: ReportingPeriod, charlie: User
) -> None:
    sam = people["sam"]
    submission = Submission.objects.get(supplier=sam.supplier, period=period)
    submission_return(submission=submission, user=charlie, comment="Attach the GEC certificates, please.")
    far = DUE - timedelta(days=90)  # outside the due-soon window: only the return is news

    assert reminders_send(today=far) == {"returned sent": 1}
    (first,) = smtp_server.to(sam.email)
    assert subject_of(first) == "Returned for correction: the 2025 report of CN-SAM Parts Co., Ltd."
    assert "Attach the GEC certificates, please." in text_of(first) and EN_DATE in text_of(first)
    assert reminders_send(today=far) == {}
    assert reminders_send(today=far + timedelta(days=1)) == {}

    submission_submit(submission=submission, user=sam)
    assert reminders_send(today=far) == {}  # submitted again: nothing to correct
    submission_return(submission=submission, user=charlie, comment="The share is still 100 %.")
    assert reminders_send(today=far) == {"returned sent": 1}
    second = smtp_server.to(sam.email)[1]
    assert "The share is still 100 %." in text_of(second)
    versions = sorted(Reminder.objects.filter(kind="returned").values_list("submission_version", flat=True))
    assert len(versions) == 2 and versions[0] < versions[1]
    assert EmailLog.objects.filter(kind="reminder_returned", outcome="sent").count() == 2
    assert {log.related for log in EmailLog.objects.filter(kind="reminder_returned")} == {submission}


def test_a_refused_send_is_logged_as_failed_the_job_goes_on_and_the_next_run_sends_it_once(
    settings: SettingsWrapper, smtp_server: SmtpServer, people: dict[str, User]
) -> None:
    smtp_settings(settings, free_port())  # nothing listens there

    assert reminders_send(today=DUE - timedelta(days=14)) == {"due_soon failed": 3}
    failures = EmailLog.objects.filter(outcome=EmailLog.Outcome.FAILED)
    assert sorted(failures.values_list("recipient", flat=True)) == REMINDED
    assert all(re.search(r"ConnectionRefusedError|Connection refused", log.error) for log in failures)
    assert set(Reminder.objects.values_list("state", flat=True)) == {"failed"}

    smtp_settings(settings, smtp_server.port)
    assert reminders_send(today=DUE - timedelta(days=13)) == {"due_soon sent": 3}
    assert addressees(smtp_server) == REMINDED
    assert reminders_send(today=DUE - timedelta(days=12)) == {}
    assert set(Reminder.objects.values_list("state", "attempts")) == {("sent", 2)}
    assert EmailLog.objects.filter(outcome=EmailLog.Outcome.SENT).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_email_per_user(smtp_server: SmtpServer, people: dict[str, User]) -> None:
    assert at_once(lambda: reminders_send(today=DUE - timedelta(days=14)), 3, timeout=60) == []
    assert addressees(smtp_server) == REMINDED
    assert EmailLog.objects.count() == 3


@pytest.mark.parametrize("suppliers", [5, 40])
def test_a_day_when_everyone_was_reminded_reads_a_fixed_number_of_queries(
    smtp_server: SmtpServer, period: ReportingPeriod, suppliers: int
) -> None:
    for index in range(suppliers):
        supplier_user(f"CN-{index:04d}", f"user{index}@supplier.example", "en")
    assert reminders_send(today=DUE - timedelta(days=14)) == {"due_soon sent": suppliers}
    with CaptureQueriesContext(connection) as queries:
        assert reminders_send(today=DUE - timedelta(days=13)) == {}
    assert len(queries) <= 6, [q["sql"] for q in queries]


def test_the_daily_task_sends_the_days_reminders(smtp_server: SmtpServer, people: dict[str, User]) -> None:
    ReportingPeriod.objects.update(due_date=timezone.localdate() + timedelta(days=2))
    assert send_reminders.apply().get() == {"due_soon sent": 3}
    assert send_reminders.apply().get() == {}
    assert addressees(smtp_server) == REMINDED


def test_a_claim_is_taken_again_only_after_a_failure_or_when_its_worker_died(
    people: dict[str, User], period: ReportingPeriod
) -> None:
    li = people["li"]
    key = {
        "kind": "due_soon",
        "period": period,
        "supplier": li.supplier,
        "submission_version": 0,
        "recipient": li.email,
    }

    def take() -> Reminder | None:
        return claim_take(Reminder, key=key, defaults={"user": li})

    first = take()
    assert first is not None and (first.state, first.attempts) == ("sending", 1)
    assert take() is None  # another worker is sending it
    Reminder.objects.filter(pk=first.pk).update(claimed_at=timezone.now() - STALE_CLAIM - timedelta(minutes=1))
    again = take()  # that worker died long ago
    assert again is not None and again.pk == first.pk and again.attempts == 2
    Reminder.objects.filter(pk=first.pk).update(state="failed")
    assert take().attempts == 3
    Reminder.objects.filter(pk=first.pk).update(state="failed", attempts=MAX_ATTEMPTS)
    assert take() is None  # given up: staff see it in the admin
    Reminder.objects.filter(pk=first.pk).update(state="sent", attempts=1)
    assert take() is None
    assert Reminder.objects.count() == 1
