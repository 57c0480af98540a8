"""Reminders to suppliers: before a period's due date, after it, and when a submission is returned.

Run daily (reports.tasks.send_reminders). For each open period with a due date, the active users of
every active supplier with nothing submitted or approved for it get, in their own language:

- a "due soon" reminder from REMINDER_DAYS_BEFORE days before the due date until the due date;
- an "overdue" notice after it.

Each at most once per period, supplier and user (Reminder's unique key); a run that finds one
sent sends nothing, so the job can run twice, or late, without repeating itself. A supplier whose
submission was returned for correction is reminded once per return: the key holds the
submission's version, which every state change increments.
"""

import logging
from collections import Counter
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from outbox.models import EmailLog
from outbox.services import claim_finish, claim_take, email_send
from reports.models import Reminder
from reports.selectors.reporting import (
    periods_for_reminders,
    reminders_settled,
    returned_submissions,
    suppliers_to_remind,
)
from suppliers.models import ReportingPeriod, Submission, Supplier, User

logger = logging.getLogger(__name__)

Kind = Reminder.Kind
LOG_KINDS = {
    Kind.DUE_SOON: EmailLog.Kind.REMINDER_DUE_SOON,
    Kind.OVERDUE: EmailLog.Kind.REMINDER_OVERDUE,
    Kind.RETURNED: EmailLog.Kind.REMINDER_RETURNED,
}


def reminder_kind_for(period: ReportingPeriod, *, today: date) -> str | None:
    """Due soon within REMINDER_DAYS_BEFORE days of the due date (the due date included), overdue after it."""
    if period.due_date is None:
        return None
    if today > period.due_date:
        return Kind.OVERDUE
    if (period.due_date - today).days <= settings.REMINDER_DAYS_BEFORE:
        return Kind.DUE_SOON
    return None


def _message(
    kind: str, *, user: User, supplier: Supplier, period: ReportingPeriod, submission: Submission | None
) -> tuple[str, str, str]:
    """Subject, text and HTML of a reminder, in the user's language."""
    with translation.override(user.language):
        names = {"supplier": supplier.name_in_language(), "period": period.code}
        if kind == Kind.DUE_SOON:
            subject = gettext("Reminder: the %(period)s report of %(supplier)s is due soon") % names
        elif kind == Kind.OVERDUE:
            subject = gettext("Overdue: the %(period)s report of %(supplier)s") % names
        else:
            subject = gettext("Returned for correction: the %(period)s report of %(supplier)s") % names
        context = {
            "kind": kind,
            "user": user,
            "supplier_name": names["supplier"],
            "period": period,
            "submission": submission,
            "today": timezone.localdate(),
            "link": settings.PORTAL_BASE_URL + reverse("period_detail", args=[period.pk]),
            "base_url": settings.PORTAL_BASE_URL,
            "subject": subject,
        }
        return (
            subject,
            render_to_string("emails/reminder.txt", context),
            render_to_string("emails/reminder.html", context),
        )


def reminder_send(
    *, kind: str, period: ReportingPeriod, supplier: Supplier, user: User, submission: Submission | None = None
) -> Reminder | None:
    """Sends one reminder to one user, unless it was sent (or is being sent) already."""
    version = submission.version if kind == Kind.RETURNED and submission is not None else 0
    claim = claim_take(
        Reminder,
        key={
            "kind": kind,
            "period": period,
            "supplier": supplier,
            "submission_version": version,
            "recipient": user.email.lower(),
        },
        defaults={"user": user, "submission": submission},
    )
    if claim is None:
        return None
    subject, text, html = _message(kind, user=user, supplier=supplier, period=period, submission=submission)
    log = email_send(
        kind=LOG_KINDS[kind],
        recipient=claim.recipient,
        user=user,
        subject=subject,
        text=text,
        html=html,
        related=submission if submission is not None else period,
    )
    return claim_finish(claim=claim, log=log)


def reminders_send(*, today: date | None = None) -> Counter:
    """The day's reminders; returns how many were sent and failed, by kind."""
    today = today or timezone.localdate()
    outcome: Counter = Counter()

    def count(kind: str, reminder: Reminder | None) -> None:
        if reminder is not None:
            outcome[f"{kind} {reminder.state}"] += 1

    for period in periods_for_reminders(today=today, days_before=settings.REMINDER_DAYS_BEFORE):
        kind = reminder_kind_for(period, today=today)
        if kind is None:
            continue
        settled = reminders_settled(kind=kind, period=period)
        for supplier in suppliers_to_remind(period):
            for user in supplier.active_users:
                if (period.pk, supplier.pk, 0, user.email.lower()) in settled:
                    continue
                count(kind, reminder_send(kind=kind, period=period, supplier=supplier, user=user))
    settled = reminders_settled(kind=Kind.RETURNED)
    for submission in returned_submissions():
        for user in submission.supplier.active_users:
            if (submission.period_id, submission.supplier_id, submission.version, user.email.lower()) in settled:
                continue
            count(
                Kind.RETURNED,
                reminder_send(
                    kind=Kind.RETURNED,
                    period=submission.period,
                    supplier=submission.supplier,
                    user=user,
                    submission=submission,
                ),
            )
    logger.info("reminders of %s: %s", today, dict(outcome) or "none due")
    return outcome
