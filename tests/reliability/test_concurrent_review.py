"""Two staff decide the same submission at the same moment, in two threads with two database
connections: both have read the submission (the version their page showed) before either writes.
One wins; the other gets StaleSubmission (in the admin: a message, not an error page); the row,
its history and its reviewer are the winner's alone.

Each race is run several times with fresh submissions, so that the threads meet in different
orders; on PostgreSQL the row lock (select_for_update) decides, on SQLite the database lock."""

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from suppliers.models import Submission, User
from suppliers.services.submissions import StaleSubmission, submission_approve, submission_return
from tests.factories import LineFactory, SubmissionFactory, UserFactory

ROUNDS = 8
Status = Submission.Status


@dataclass
class Outcome:
    reviewer: User
    decision: str
    error: BaseException | None = None

    @property
    def target(self) -> str:
        return Status.APPROVED if self.decision == "approve" else Status.RETURNED


def _race(actions: list[Callable[[], None]]) -> list[BaseException | None]:
    """Runs `actions` in threads released together; returns what each raised (None: it won)."""
    barrier = threading.Barrier(len(actions), timeout=30)
    errors: list[BaseException | None] = [None] * len(actions)

    def run(index: int) -> None:
        try:
            barrier.wait()
            actions[index]()
        except BaseException as error:  # reported to the test
            errors[index] = error
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a reviewer's thread hung"
    return errors


def _submitted() -> Submission:
    submission = SubmissionFactory(status=Status.SUBMITTED)
    LineFactory(submission=submission)
    return submission


def _decide(submission: Submission, outcome: Outcome, seen_version: int) -> Callable[[], None]:
    def act() -> None:
        # Each thread reads the submission through its own connection, as each reviewer's page did.
        mine = Submission.objects.get(pk=submission.pk)
        if outcome.decision == "approve":
            submission_approve(submission=mine, user=outcome.reviewer, expected_version=seen_version)
        else:
            submission_return(
                submission=mine, user=outcome.reviewer, comment="Check the unit.", expected_version=seen_version
            )

    return act


@pytest.mark.parametrize(
    "decisions", [("approve", "approve"), ("approve", "return"), ("return", "approve"), ("return", "return")]
)
def test_two_reviewers_at_once_one_wins_the_other_gets_a_conflict(
    transactional_db: None, decisions: tuple[str, str]
) -> None:
    reviewers = [UserFactory(email=f"reviewer{n}@carmaker.example", is_staff=True) for n in (1, 2)]
    for _round in range(ROUNDS):
        submission = _submitted()
        seen = submission.version
        history_before = submission.history.count()
        outcomes = [Outcome(reviewer, decision) for reviewer, decision in zip(reviewers, decisions, strict=True)]
        errors = _race([_decide(submission, outcome, seen) for outcome in outcomes])
        for outcome, error in zip(outcomes, errors, strict=True):
            outcome.error = error

        winners = [outcome for outcome in outcomes if outcome.error is None]
        losers = [outcome for outcome in outcomes if outcome.error is not None]
        assert len(winners) == 1, f"round {_round}: {[repr(o.error) for o in outcomes]}"
        assert len(losers) == 1 and isinstance(losers[0].error, StaleSubmission), repr(losers[0].error)
        assert "was changed by someone else" in str(losers[0].error)
        submission.refresh_from_db()
        winner = winners[0]
        assert (submission.status, submission.version, submission.reviewed_by) == (
            winner.target,
            seen + 1,
            winner.reviewer,
        )
        assert submission.review_comment == ("" if winner.decision == "approve" else "Check the unit.")
        assert submission.history.count() == history_before + 1, "one change recorded, not two"


def _post(client: Client, url: str, data: dict, responses: list, index: int) -> Callable[[], None]:
    def act() -> None:
        # Followed to the submission's page, as a browser does: that page shows the message.
        responses[index] = client.post(url, data, follow=True)

    return act


def test_two_reviewers_in_the_admin_at_once_the_loser_sees_a_conflict_message(transactional_db: None) -> None:
    clients = []
    for n in (1, 2):
        client = Client()
        client.force_login(UserFactory(email=f"admin{n}@carmaker.example", is_staff=True, is_superuser=True))
        clients.append(client)
    for _round in range(ROUNDS):
        submission = _submitted()
        url = reverse("admin:suppliers_submission_review", args=[submission.pk])
        posts = [
            {"version": submission.version, "decision": "approve"},
            {"version": submission.version, "decision": "return", "review_comment": "Check the unit."},
        ]
        responses: list = [None, None]
        errors = _race([_post(clients[index], url, posts[index], responses, index) for index in (0, 1)])
        assert errors == [None, None], errors
        assert [(response.redirect_chain[0][1], response.status_code) for response in responses] == [(302, 200)] * 2
        pages = [response.content.decode() for response in responses]
        conflict = "was changed by someone else"
        lost = [index for index, page in enumerate(pages) if conflict in page]
        assert len(lost) == 1, f"round {_round}: one reviewer, not {len(lost)}, gets the conflict"
        won = 1 - lost[0]
        assert "reload it and try again" in pages[lost[0]]
        assert ("approved." if won == 0 else "returned to its supplier.") in pages[won]
        submission.refresh_from_db()
        expected = Status.APPROVED if won == 0 else Status.RETURNED
        assert (submission.status, submission.version) == (expected, 2)
