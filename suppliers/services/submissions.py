"""State changes of a submission: submit, approve, return. Each one is a write under a row lock
with an optimistic version check, so two reviewers acting at once cannot both win."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from suppliers.models import Submission, User

Status = Submission.Status


class StaleSubmission(Exception):
    """Someone else changed the submission since it was read."""


def _locked(submission: Submission, expected_version: int | None) -> Submission:
    current = Submission.objects.select_for_update().select_related("period").get(pk=submission.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleSubmission(
            _("%(submission)s was changed by someone else (it is now %(status)s); reload it and try again.")
            % {"submission": current, "status": current.get_status_display()}
        )
    return current


def _transition(submission: Submission, allowed_from: tuple[str, ...], target: str) -> None:
    if submission.status not in allowed_from:
        raise ValidationError(
            _("A %(status)s submission cannot be %(action)s.")
            % {"status": submission.get_status_display().lower(), "action": Status(target).label.lower()}
        )


def _after_commit_rollup(submission: Submission, trigger: str) -> None:
    from reports.services.rollups import rollup_request

    year = submission.period.year
    transaction.on_commit(lambda: rollup_request(year=year, trigger=trigger))


def submission_submit(*, submission: Submission, user: User, expected_version: int | None = None) -> Submission:
    with transaction.atomic():
        submission = _locked(submission, expected_version)
        _transition(submission, (Status.DRAFT, Status.RETURNED), Status.SUBMITTED)
        if not submission.lines.exists():
            raise ValidationError(_("A submission needs at least one line."))
        submission.status, submission.submitted_at, submission.submitted_by = Status.SUBMITTED, timezone.now(), user
        submission.version += 1
        submission.full_clean()
        submission.save()
    return submission


def submission_approve(*, submission: Submission, user: User, expected_version: int | None = None) -> Submission:
    with transaction.atomic():
        submission = _locked(submission, expected_version)
        _transition(submission, (Status.SUBMITTED,), Status.APPROVED)
        submission.status, submission.reviewed_at, submission.reviewed_by = Status.APPROVED, timezone.now(), user
        submission.review_comment = ""
        submission.version += 1
        submission.full_clean()
        submission.save()
        _after_commit_rollup(submission, f"approved {submission}")
    return submission


def submission_return(
    *, submission: Submission, user: User, comment: str, expected_version: int | None = None
) -> Submission:
    """Sends a submission back to its supplier with a comment they will see. A run is queued:
    an approved submission's lines leave the roll-up, and a returned submission's certificates no
    longer count as claims, which can end another line's double claim."""
    if not comment.strip():
        raise ValidationError({"review_comment": _("Say what the supplier must correct.")})
    with transaction.atomic():
        submission = _locked(submission, expected_version)
        _transition(submission, (Status.SUBMITTED, Status.APPROVED), Status.RETURNED)
        submission.status, submission.reviewed_at, submission.reviewed_by = Status.RETURNED, timezone.now(), user
        submission.review_comment = comment.strip()
        submission.version += 1
        submission.full_clean()
        submission.save()
        _after_commit_rollup(submission, f"returned {submission}")
    return submission
