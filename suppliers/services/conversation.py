"""The conversation on a submission: writing a message, who is told, the email, the timeline.

Who is told of a message:
- a supplier's message: the staff already on the submission (who wrote on it, or decided it last),
  active and still allowed to review; with nobody yet, every active member of the group "reviewer";
- a staff message: every active user of the submission's supplier.
Each in their own language, by email after commit (suppliers.tasks.submission_message_notify).
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from outbox.models import EmailLog
from outbox.services import claim_finish, claim_take, email_send
from portal.celery import task_named
from suppliers.conversation import MESSAGE_MAX_LENGTH, MessageDelivery, SubmissionMessage
from suppliers.models import Submission, User

REVIEWERS = "reviewer"
Status = Submission.Status


def message_post(*, submission: Submission, author: User, body: str) -> SubmissionMessage:
    """Saves the message and queues its email to the other side once the transaction commits.
    The caller checks that `author` may write on `submission` (its supplier's user, or staff who
    may change submissions)."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message first.")})
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ValidationError({"body": _("A message has at most %(n)d characters.") % {"n": MESSAGE_MAX_LENGTH}})
    with transaction.atomic():
        message = SubmissionMessage(submission=submission, author=author, from_staff=author.is_staff, body=body)
        message.full_clean()
        message.save()
        transaction.on_commit(lambda: task_named("suppliers.submission_message_notify").delay(message.pk))
    return message


def _may_review(user: User) -> bool:
    return user.is_active and user.is_staff and user.has_perm("suppliers.change_submission")


def message_recipients(message: SubmissionMessage) -> list[User]:
    submission = message.submission
    if not message.from_staff:
        involved = set(
            SubmissionMessage.objects.filter(submission=submission, from_staff=True, author__isnull=False).values_list(
                "author_id", flat=True
            )
        )
        if submission.reviewed_by_id:
            involved.add(submission.reviewed_by_id)
        staff = [user for user in User.objects.filter(pk__in=involved).order_by("email") if _may_review(user)]
        if staff:
            return staff
        reviewers = User.objects.filter(Q(groups__name=REVIEWERS), is_active=True, is_staff=True)
        return list(reviewers.distinct().order_by("email"))
    return list(User.objects.filter(supplier_id=submission.supplier_id, is_active=True).order_by("email"))


def _email(message: SubmissionMessage, recipient: User) -> tuple[str, str, str]:
    """Subject, text and HTML of the message's email, in the recipient's language."""
    submission = message.submission
    with translation.override(recipient.language):
        names = {"supplier": submission.supplier.name_in_language(), "period": submission.period.code}
        if message.from_staff:
            subject = gettext("The reviewer wrote about the %(period)s report of %(supplier)s") % names
            link = settings.PORTAL_BASE_URL + reverse("period_detail", args=[submission.period_id])
            author = gettext("The reviewer")
        else:
            subject = gettext("%(supplier)s wrote about its %(period)s report") % names
            link = settings.PORTAL_BASE_URL + reverse("admin:suppliers_submission_change", args=[submission.pk])
            author = message.author.get_full_name() if message.author else names["supplier"]
        context = {
            "recipient": recipient, "message": message, "author": author, "supplier_name": names["supplier"],
            "period": submission.period.code, "link": link, "subject": subject,
        }  # fmt: skip
        return (
            subject,
            render_to_string("emails/message.txt", context),
            render_to_string("emails/message.html", context),
        )


def message_notify(message_id: int) -> dict[str, int]:
    """Emails the message to each recipient once; returns how many were sent and failed."""
    message = SubmissionMessage.objects.select_related("submission__supplier", "submission__period", "author").get(
        pk=message_id
    )
    kind = EmailLog.Kind.MESSAGE_TO_SUPPLIER if message.from_staff else EmailLog.Kind.MESSAGE_TO_STAFF
    outcome = {"sent": 0, "failed": 0}
    for user in message_recipients(message):
        claim = claim_take(
            MessageDelivery, key={"message": message, "recipient": user.email.lower()}, defaults={"user": user}
        )
        if claim is None:
            continue
        subject, text, html = _email(message, user)
        log = email_send(
            kind=kind, recipient=claim.recipient, user=user, subject=subject, text=text, html=html,
            related=message.submission,
        )  # fmt: skip
        claim = claim_finish(claim=claim, log=log)
        outcome[claim.state] = outcome.get(claim.state, 0) + 1
    return outcome


# --- The timeline: the submission's versions and the messages, in one list -------------------------


@dataclass(frozen=True)
class Event:
    when: datetime
    kind: str  # submitted, resubmitted, returned, approved, message
    who: str
    from_staff: bool
    text: str  # the message, or the comment a return carried

    @property
    def title(self) -> str:
        return {
            "submitted": gettext("Submitted"),
            "resubmitted": gettext("Submitted again"),
            "returned": gettext("Returned with a comment"),
            "approved": gettext("Approved"),
            "message": gettext("Message"),
        }[self.kind]


def _name(user: User | None, *, from_staff: bool, for_supplier: bool) -> str:
    if from_staff and for_supplier:
        return gettext("Reviewer")  # a supplier sees the role, not the staff member's address
    return user.get_full_name() if user is not None else "—"


def submission_timeline(submission: Submission, *, for_supplier: bool) -> list[Event]:
    """The submission's state changes (from its history) and its messages, oldest first; two
    queries whatever their number."""
    events = []
    previous = None
    submitted_before = False
    records = submission.history.select_related("history_user").order_by("history_date", "history_id")
    for record in records:
        if record.status != previous:
            user = record.history_user
            staff = bool(user and user.is_staff)
            who = _name(user, from_staff=staff, for_supplier=for_supplier)
            if record.status == Status.SUBMITTED:
                events.append(Event(record.history_date, "resubmitted" if submitted_before else "submitted", who,
                                    staff, ""))  # fmt: skip
                submitted_before = True
            elif record.status == Status.RETURNED:
                events.append(Event(record.history_date, "returned", who, staff, record.review_comment))
            elif record.status == Status.APPROVED:
                events.append(Event(record.history_date, "approved", who, staff, ""))
        previous = record.status
    for message in SubmissionMessage.objects.filter(submission=submission).select_related("author"):
        who = _name(message.author, from_staff=message.from_staff, for_supplier=for_supplier)
        events.append(Event(message.created_at, "message", who, message.from_staff, message.body))
    return sorted(events, key=lambda event: event.when)
