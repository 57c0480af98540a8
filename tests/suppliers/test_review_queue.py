"""Staff review in the admin: flags before approval, bulk approval of clean submissions only,
and two reviewers on one submission (the second gets a conflict, nothing is overwritten)."""

import datetime
import html
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from suppliers.models import Submission, User
from suppliers.selectors import submission_flags
from tests.conftest import WORKED_EXAMPLE

pytestmark = pytest.mark.django_db
EXAMPLES = WORKED_EXAMPLE


@pytest.fixture
def reviewer(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("reviewer@carmaker.example", "a long reviewer password"))
    return client


@pytest.fixture
def example_2024_waiting() -> dict[str, Submission]:
    """The worked example with 2019 approved and 2024 waiting for review."""
    call_command("import_factors", str(EXAMPLES / "factors.csv"), "--replace", stdout=StringIO())
    call_command("import_submissions", str(EXAMPLES / "submissions-2019.csv"), "--approve", stdout=StringIO())
    call_command("import_submissions", str(EXAMPLES / "submissions-2024-gbk.csv"), stdout=StringIO())
    return {
        s.supplier.code: s
        for s in Submission.objects.filter(period__kind="year", period__year=2024).select_related("supplier")
    }


def listed_at(client: Client) -> str:
    """The moment the review queue says it was shown, as its action bar sends it back."""
    page = client.get(reverse("admin:suppliers_submission_changelist")).content.decode()
    found = re.search(r'<input type="hidden" name="listed_at" value="([^"]+)"', page)
    assert found, "the action bar carries no listed_at"
    return html.unescape(found.group(1))


def test_a_submission_sent_again_after_the_list_was_shown_is_not_bulk_approved(
    reviewer: Client, example_2024_waiting: dict[str, Submission]
) -> None:
    clean = Submission.objects.filter(supplier__code="CN-0003", status="submitted").first()  # quarterly, no flag
    # The reviewer's list was shown an hour ago; half an hour ago the submission was returned,
    # corrected and submitted again: the reviewer has not seen this version.
    shown_at = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    Submission.objects.filter(pk=clean.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(minutes=30), version=clean.version + 2
    )
    response = reviewer.post(
        reverse("admin:suppliers_submission_changelist"),
        {"action": "approve_selected", "_selected_action": [clean.pk], "listed_at": shown_at},
        follow=True,
    )
    assert "submitted again after the list was shown" in response.content.decode()
    clean.refresh_from_db()
    assert clean.status == Submission.Status.SUBMITTED

    # Shown again, it is approved.
    reviewer.post(
        reverse("admin:suppliers_submission_changelist"),
        {"action": "approve_selected", "_selected_action": [clean.pk], "listed_at": listed_at(reviewer)},
    )
    clean.refresh_from_db()
    assert clean.status == Submission.Status.APPROVED


def test_a_bulk_approval_without_the_moment_the_list_was_shown_approves_nothing(
    reviewer: Client, example_2024_waiting: dict[str, Submission]
) -> None:
    clean = Submission.objects.filter(supplier__code="CN-0003", status="submitted").first()
    response = reviewer.post(
        reverse("admin:suppliers_submission_changelist"),
        {"action": "approve_selected", "_selected_action": [clean.pk]},
        follow=True,
    )
    assert "Nothing approved: reload the list and approve again." in response.content.decode()
    clean.refresh_from_db()
    assert clean.status == Submission.Status.SUBMITTED


def test_flags_are_known_before_approval(example_2024_waiting: dict[str, Submission]) -> None:
    subs = example_2024_waiting
    flags = submission_flags([s.pk for s in subs.values()])
    assert flags[subs["CN-0001"].pk] == ["duplicate_certificate"]
    assert flags[subs["CN-0002"].pk] == ["duplicate_certificate"]
    assert flags[subs["CN-0004"].pk] == ["no_baseline"]
    assert flags[subs["CN-0005"].pk] == ["yoy_outlier"]  # 5,000 MWh against 800 in 2019


def test_bulk_approval_leaves_flagged_submissions_waiting(
    reviewer: Client, example_2024_waiting: dict[str, Submission]
) -> None:
    ids = list(Submission.objects.filter(status=Submission.Status.SUBMITTED).values_list("pk", flat=True))
    response = reviewer.post(
        reverse("admin:suppliers_submission_changelist"),
        {"action": "approve_selected", "_selected_action": ids, "listed_at": listed_at(reviewer)},
        follow=True,
    )
    assert "Not approved, because they have data-quality flags" in response.content.decode()
    statuses = dict(Submission.objects.filter(pk__in=ids).values_list("supplier__code", "status"))
    # CN-0003 reports quarters and has no flag: its four quarterly submissions are approved.
    assert statuses["CN-0003"] == Submission.Status.APPROVED
    for code in ("CN-0001", "CN-0002", "CN-0004", "CN-0005"):
        assert statuses[code] == Submission.Status.SUBMITTED, code


def test_the_flags_filter_lists_only_flagged_submissions(
    reviewer: Client, example_2024_waiting: dict[str, Submission]
) -> None:
    page = reviewer.get(reverse("admin:suppliers_submission_changelist"), {"flags": "yes", "status": "submitted"})
    text = page.content.decode()
    assert "CN-0005" in text and "yoy_outlier" in text
    assert "CN-0003" not in text


def test_the_second_of_two_reviewers_gets_a_conflict_and_nothing_is_overwritten(
    reviewer: Client, example_2024_waiting: dict[str, Submission]
) -> None:
    submission = example_2024_waiting["CN-0005"]
    seen_version = submission.version
    url = reverse("admin:suppliers_submission_review", args=[submission.pk])
    first = reviewer.post(url, {"version": seen_version, "decision": "approve"}, follow=True)
    assert "approved" in first.content.decode()
    second = reviewer.post(
        url, {"version": seen_version, "decision": "return", "review_comment": "kWh typed as MWh?"}, follow=True
    )
    assert "changed by someone else" in second.content.decode()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED
    assert submission.review_comment == ""


def test_returning_needs_a_comment_that_the_supplier_sees(
    reviewer: Client, example_2024_waiting: dict[str, Submission]
) -> None:
    submission = example_2024_waiting["CN-0005"]
    url = reverse("admin:suppliers_submission_review", args=[submission.pk])
    response = reviewer.post(
        url, {"version": submission.version, "decision": "return", "review_comment": " "}, follow=True
    )
    assert "Say what the supplier must correct." in response.content.decode()
    reviewer.post(url, {"version": submission.version, "decision": "return", "review_comment": "Check the unit."})
    submission.refresh_from_db()
    assert (submission.status, submission.review_comment) == (Submission.Status.RETURNED, "Check the unit.")


def _queue_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:suppliers_submission_changelist")).status_code == 200
    return len(queries)


def test_the_review_queue_runs_the_same_queries_for_1_and_50_suppliers(reviewer: Client) -> None:
    from tests.factories import LineFactory, SubmissionFactory

    def add(n: int) -> None:
        for _ in range(n):
            submission = SubmissionFactory(status=Submission.Status.SUBMITTED)
            LineFactory(submission=submission, total_electricity_mwh=Decimal(10))
            LineFactory(submission=submission, total_electricity_mwh=Decimal(20))

    add(1)
    small = _queue_queries(reviewer)
    add(49)
    assert _queue_queries(reviewer) == small


def test_flags_are_the_same_whether_or_not_approved_submissions_are_asked_about_too(
    example_2024_waiting: dict[str, Submission],
) -> None:
    waiting = [s.pk for s in example_2024_waiting.values()]
    everything = list(Submission.objects.values_list("pk", flat=True))
    alone, together = submission_flags(waiting), submission_flags(everything)
    assert {pk: together[pk] for pk in waiting} == alone


# --- the flags kept between requests (suppliers.cache.SUBMISSION_FLAGS) -----------------------------


def _listed_flags(client: Client) -> tuple[dict[str, list[str]], int]:
    """Each listed submission's flags by supplier code, and the queries of the request."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:suppliers_submission_changelist"), {"status": "submitted"})
    assert response.status_code == 200
    listed = {s.supplier.code: s.flag_codes for s in response.context["cl"].result_list if s.period.year == 2024}
    return listed, len(queries)


def test_the_queue_keeps_each_submissions_flags_and_draws_them_the_same(
    reviewer: Client, example_2024_waiting: dict[str, Submission]
) -> None:
    first, first_queries = _listed_flags(reviewer)
    second, second_queries = _listed_flags(reviewer)
    assert first["CN-0001"] == ["duplicate_certificate"]
    assert second == first
    assert second_queries < first_queries


def test_a_return_shows_in_the_queues_flags_at_once(
    reviewer: Client, example_2024_waiting: dict[str, Submission], django_capture_on_commit_callbacks
) -> None:
    from suppliers.services.submissions import submission_return

    before, _queries = _listed_flags(reviewer)
    assert before["CN-0001"] == ["duplicate_certificate"]  # CN-0002 claims the same batch
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(submission=example_2024_waiting["CN-0002"], user=User.objects.get(), comment="Check it.")
    after, _queries = _listed_flags(reviewer)
    assert after["CN-0001"] == []  # a returned submission claims nothing


def test_a_line_saved_on_its_own_shows_in_the_queues_flags_at_once(
    reviewer: Client, example_2024_waiting: dict[str, Submission], django_capture_on_commit_callbacks
) -> None:
    before, _queries = _listed_flags(reviewer)
    assert before["CN-0005"] == ["yoy_outlier"]  # 5,000 MWh against 800 in 2019
    line = example_2024_waiting["CN-0005"].lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        line.total_electricity_mwh = Decimal(1200)  # its 1,000 MWh of green power trading kept
        line.save()
    after, _queries = _listed_flags(reviewer)
    assert after["CN-0005"] == []
