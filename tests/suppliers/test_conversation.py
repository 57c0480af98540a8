"""A conversation on each submission (item 10): the supplier writes on its period page, staff on
the submission's admin page; each message is emailed to the other side in the recipient's language
by the worker after commit and logged; both sides see one timeline of the versions and messages;
who may read and write; bad input refused, nothing saved."""

import subprocess
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from outbox.models import EmailLog
from suppliers.models import MessageDelivery, Submission, SubmissionMessage, User
from suppliers.services.conversation import message_notify, message_post, message_recipients
from tests.concurrency import wait_until
from tests.conftest import SmtpServer
from tests.factories import ReportingPeriodFactory, SubmissionFactory, UserFactory
from tests.suppliers.test_submission_form import _data

Status = Submission.Status
ROW = {"unit": "MWh", "total_electricity": "1200", "onsite_renewable": "300", "bmw_share_percent": "40"}
# The Chinese, as put in /work/hB-translations.json (merged into the catalogue).
SUBJECT_TO_STAFF_ZH = "{name} 就其 2025 报告留言"
SUBJECT_TO_SUPPLIER_ZH = "审核人就 {name} 的 2025 报告留言"
EMPTY_ZH = "请先填写留言内容。"


def _subject(message: object) -> str:
    """The decoded subject (a long non-ASCII one arrives folded over lines)."""
    return " ".join(str(message["Subject"]).split())


def _staff(role: str, email: str, language: str = "en") -> User:
    user = User.objects.create_user(email, "a long staff password", is_staff=True, language=language)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def roles(db: None) -> None:
    call_command("setup_roles", stdout=StringIO())


@pytest.fixture
def period(db: None):
    return ReportingPeriodFactory(year=2025, is_open=True)


def _client(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _submit(client: Client, user: User, period, version: int) -> None:
    """The supplier saves and submits its figures through the period page."""
    site = user.supplier.sites.get()
    response = client.post(
        reverse("period_submit", args=[period.pk]),
        _data([site], [ROW], action="submit", version=version, declaration=True),
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def _supplier_message(client: Client, period, body: str):
    return client.post(reverse("period_message", args=[period.pk]), {"body": body})


def _staff_message(client: Client, submission: Submission, body: str):
    return client.post(reverse("admin:suppliers_submission_message", args=[submission.pk]), {"body": body}, follow=True)


# --- Both ways, through the real worker and a real SMTP server ----------------------------------


@pytest.fixture
def celery_worker_env(smtp_server: SmtpServer) -> dict[str, str]:
    return {"PORTAL_TEST_EMAIL_URL": smtp_server.url}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_messages_go_both_ways_by_email_in_each_recipients_language(
    celery_worker_process: subprocess.Popen, smtp_server: SmtpServer, alice: User, period
) -> None:
    call_command("setup_roles", stdout=StringIO())
    wang = _staff("reviewer", "wang@carmaker.example", language="zh-hans")
    alice.language = "en"
    alice.save()
    li = UserFactory(email="li@supplier-a.example", supplier=alice.supplier, language="zh-hans")
    supplier = _client(alice)
    _submit(supplier, alice, period, version=0)
    submission = Submission.objects.get(supplier=alice.supplier, period=period)

    # The supplier asks; the reviewers' group hears it, in Chinese for Wang.
    response = _supplier_message(supplier, period, "A1's bill is in 万kWh; is 120 right?")
    assert response.status_code == 302
    (mail,) = smtp_server.wait_for(1)
    assert mail.recipients == ["wang@carmaker.example"]
    assert _subject(mail.message) == SUBJECT_TO_STAFF_ZH.format(name=alice.supplier.name_zh)
    text = mail.message.get_body(("plain",)).get_content()
    assert "A1's bill is in 万kWh; is 120 right?" in text
    assert reverse("admin:suppliers_submission_change", args=[submission.pk]) in text

    # The reviewer answers on the admin page; each of the supplier's users gets it in their language.
    page = _staff_message(_client(wang, "zh-hans"), submission, "Yes: 120 万kWh is 1,200 MWh.")
    assert page.status_code == 200
    mails = smtp_server.wait_for(3)
    english = smtp_server.to("alice@supplier-a.example")
    chinese = smtp_server.to(li.email)
    assert len(mails) == 3 and len(english) == len(chinese) == 1
    assert _subject(english[0]) == f"The reviewer wrote about the 2025 report of {alice.supplier.name_en}"
    assert _subject(chinese[0]) == SUBJECT_TO_SUPPLIER_ZH.format(name=alice.supplier.name_zh)
    assert "Yes: 120 万kWh is 1,200 MWh." in english[0].get_body(("plain",)).get_content()
    assert "The reviewer wrote on the 2025 report of" in english[0].get_body(("plain",)).get_content()
    assert reverse("period_detail", args=[period.pk]) in chinese[0].get_body(("plain",)).get_content()

    # The worker logs each email once its SMTP conversation has ended: after the server has it.
    logs = EmailLog.objects.filter(object_id=submission.pk).order_by("id")
    wait_until(lambda: logs.count() == 3, timeout=30, message="the worker did not log the three emails")
    assert [(log.kind, log.recipient, log.outcome) for log in logs] == [
        ("message_to_staff", "wang@carmaker.example", "sent"),
        ("message_to_supplier", "alice@supplier-a.example", "sent"),
        ("message_to_supplier", li.email, "sent"),
    ]
    # The supplier sees the answer on its page.
    assert "Yes: 120 万kWh is 1,200 MWh." in supplier.get(reverse("period_detail", args=[period.pk])).content.decode()


# --- Recipients and once-only delivery ----------------------------------------------------------


@pytest.mark.django_db
def test_a_supplier_message_goes_to_the_staff_on_the_submission_else_to_the_reviewers_group(
    roles: None, alice: User, period
) -> None:
    wang = _staff("reviewer", "wang@carmaker.example")
    zhou = _staff("reviewer", "zhou@carmaker.example")
    _staff("viewer", "viewer@carmaker.example")
    User.objects.create_user("gone@carmaker.example", "x long password", is_staff=True, is_active=False).groups.add(
        Group.objects.get(name="reviewer")
    )
    submission = SubmissionFactory(supplier=alice.supplier, period=period, status=Status.SUBMITTED)
    first = message_post(submission=submission, author=alice, body="Which bill do you need?")
    assert [user.email for user in message_recipients(first)] == [wang.email, zhou.email]
    # Once Zhou has written on it (or decided it), Zhou is the one told.
    message_post(submission=submission, author=zhou, body="The December bill.")
    second = message_post(submission=submission, author=alice, body="Attached.")
    assert [user.email for user in message_recipients(second)] == [zhou.email]
    Submission.objects.filter(pk=submission.pk).update(reviewed_by=wang)
    second.submission.refresh_from_db()
    assert [user.email for user in message_recipients(second)] == [wang.email, zhou.email]
    # A staff message goes to the supplier's active users.
    UserFactory(email="li@supplier-a.example", supplier=alice.supplier)
    UserFactory(email="left@supplier-a.example", supplier=alice.supplier, is_active=False)
    answer = message_post(submission=submission, author=zhou, body="Thank you.")
    assert [user.email for user in message_recipients(answer)] == [alice.email, "li@supplier-a.example"]


@pytest.mark.django_db
def test_a_message_is_emailed_once_per_recipient_however_often_the_task_runs(
    roles: None, smtp_server: SmtpServer, alice: User, period
) -> None:
    zhou = _staff("reviewer", "zhou@carmaker.example")
    submission = SubmissionFactory(supplier=alice.supplier, period=period, status=Status.SUBMITTED)
    message = message_post(submission=submission, author=zhou, body="Please add the December bill.")
    assert message_notify(message.pk) == {"sent": 1, "failed": 0}
    assert message_notify(message.pk) == {"sent": 0, "failed": 0}
    (mail,) = smtp_server.messages()
    assert _subject(mail.message) == SUBJECT_TO_SUPPLIER_ZH.format(name=alice.supplier.name_zh)  # alice's language
    assert MessageDelivery.objects.get(message=message).state == "sent"
    log = EmailLog.objects.get()
    assert (log.kind, log.recipient, log.related) == ("message_to_supplier", alice.email, submission)


# --- One timeline on both sides ------------------------------------------------------------------


@pytest.mark.django_db
def test_both_sides_see_one_timeline_of_versions_and_messages(roles: None, alice: User, period) -> None:
    zhou = _staff("reviewer", "zhou@carmaker.example")
    supplier, staff = _client(alice), _client(zhou)
    _submit(supplier, alice, period, version=0)
    submission = Submission.objects.get(supplier=alice.supplier, period=period)
    review = reverse("admin:suppliers_submission_review", args=[submission.pk])
    staff.post(review, {"version": submission.version, "decision": "return", "review_comment": "Add the bill."})
    assert _supplier_message(supplier, period, "Which month's bill?").status_code == 302
    _staff_message(staff, submission, "December's.")
    submission.refresh_from_db()
    _submit(supplier, alice, period, version=submission.version)
    submission.refresh_from_db()
    staff.post(review, {"version": submission.version, "decision": "approve"})

    expected = [
        ("Submitted", "alice@supplier-a.example", ""),
        ("Returned with a comment", "zhou@carmaker.example", "Add the bill."),
        ("Message", "alice@supplier-a.example", "Which month's bill?"),
        ("Message", "zhou@carmaker.example", "December's."),
        ("Submitted again", "alice@supplier-a.example", ""),
        ("Approved", "zhou@carmaker.example", ""),
    ]
    admin_page = staff.get(reverse("admin:suppliers_submission_change", args=[submission.pk])).content.decode()
    assert _timeline(admin_page) == expected
    # The supplier sees the reviewer's role, not the staff member's address.
    supplier_page = supplier.get(reverse("period_detail", args=[period.pk])).content.decode()
    assert _timeline(supplier_page) == [
        (title, "Reviewer" if who.endswith("carmaker.example") else who, text) for title, who, text in expected
    ]
    assert "zhou@carmaker.example" not in supplier_page


def _timeline(page: str) -> list[tuple[str, str, str]]:
    import html
    import re

    part = page.split('id="timeline"')[1].split("</ol>")[0]
    events = []
    for item in re.findall(r'<li class="timeline-event.*?</li>', part, re.S):
        title = re.search(r'class="timeline-title">(.*?)<', item).group(1)
        who = re.search(r'class="timeline-who">(.*?)<', item).group(1)
        text = re.search(r'class="timeline-text">(.*?)</div>', item, re.S)
        events.append((title, html.unescape(who), html.unescape(text.group(1)) if text else ""))
    return events


# --- Who may read and write ---------------------------------------------------------------------


@pytest.mark.django_db
def test_another_suppliers_submission_is_not_found_and_never_written_on(alice: User, bob: User) -> None:
    closed = ReportingPeriodFactory(year=2019, is_open=False)
    alices = SubmissionFactory(supplier=alice.supplier, period=closed, status=Status.SUBMITTED)
    bobs_client = _client(bob)
    assert bobs_client.get(reverse("period_detail", args=[closed.pk])).status_code == 404
    assert _supplier_message(bobs_client, closed, "Hello").status_code == 404
    # On an open period Bob writes on his own submission only: he has none, so nothing is saved.
    open_period = ReportingPeriodFactory(year=2025, is_open=True)
    SubmissionFactory(supplier=alice.supplier, period=open_period, status=Status.SUBMITTED)
    assert _supplier_message(bobs_client, open_period, "Hello").status_code == 302
    assert not SubmissionMessage.objects.exists()
    assert alices.messages.count() == 0


@pytest.mark.django_db
def test_a_viewer_reads_the_conversation_but_cannot_write(roles: None, alice: User, period) -> None:
    submission = SubmissionFactory(supplier=alice.supplier, period=period, status=Status.SUBMITTED)
    message_post(submission=submission, author=alice, body="Is the share right?")
    viewer = _client(_staff("viewer", "viewer@carmaker.example"))
    page = viewer.get(reverse("admin:suppliers_submission_change", args=[submission.pk])).content.decode()
    assert "Is the share right?" in page
    assert 'id="message-form"' not in page
    response = viewer.post(reverse("admin:suppliers_submission_message", args=[submission.pk]), {"body": "Yes."})
    assert response.status_code == 403
    assert list(submission.messages.values_list("body", flat=True)) == ["Is the share right?"]
    # A reviewer sees the form.
    reviewer = _client(_staff("reviewer", "zhou@carmaker.example"))
    page = reviewer.get(reverse("admin:suppliers_submission_change", args=[submission.pk])).content.decode()
    assert 'id="message-form"' in page


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "body", "said"),
    [
        ("en", "   ", "Write a message first."),
        ("zh-hans", "", EMPTY_ZH),
        ("en", "x" * 4001, "A message has at most 4000 characters (it has 4001)."),
        ("en", "bad\x00byte", "Null characters are not allowed."),
    ],
)
def test_a_bad_message_from_the_supplier_is_refused_in_its_language_nothing_saved(
    alice: User, period, language: str, body: str, said: str
) -> None:
    import html

    SubmissionFactory(supplier=alice.supplier, period=period, status=Status.SUBMITTED)
    response = _supplier_message(_client(alice, language), period, body)
    assert response.status_code == 400
    assert said in html.unescape(response.content.decode())
    assert not SubmissionMessage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "said"), [("en", "Write a message first."), ("zh-hans", EMPTY_ZH)])
def test_an_empty_message_from_staff_is_refused_in_its_language_nothing_saved(
    roles: None, alice: User, period, language: str, said: str
) -> None:
    submission = SubmissionFactory(supplier=alice.supplier, period=period, status=Status.SUBMITTED)
    reviewer = _client(_staff("reviewer", "zhou@carmaker.example"), language)
    page = _staff_message(reviewer, submission, " \n ").content.decode()
    assert said in page
    assert _staff_message(reviewer, submission, "y" * 4001).status_code == 200
    assert not SubmissionMessage.objects.exists()


@pytest.mark.django_db
def test_the_service_refuses_an_empty_or_too_long_message_too(alice: User, period) -> None:
    from django.core.exceptions import ValidationError

    submission = SubmissionFactory(supplier=alice.supplier, period=period, status=Status.SUBMITTED)
    for body in ("", "  ", "z" * 4001):
        with pytest.raises(ValidationError):
            message_post(submission=submission, author=alice, body=body)
    assert not SubmissionMessage.objects.exists()
