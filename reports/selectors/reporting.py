"""Reads for the scheduled reports and the reminders."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from reports.models import Reminder, Report
from suppliers.models import ReportingPeriod, Submission, Supplier, User
from suppliers.roles import REPORT_RECIPIENTS

# Staff in this group (a role of suppliers/roles.py) receive the scheduled reports.
REPORT_RECIPIENTS_GROUP = REPORT_RECIPIENTS

Status = Submission.Status


@dataclass(frozen=True)
class Recipient:
    email: str
    user: User | None
    language: str


def report_recipients() -> list[Recipient]:
    """The active staff of the group "report recipients" and the addresses of REPORT_RECIPIENTS,
    each once, in the user's language (an address that is nobody's: the site's default)."""
    listed = {address.strip().lower() for address in settings.REPORT_RECIPIENTS}
    users = User.objects.filter(is_active=True).filter(
        Q(is_staff=True, groups__name=REPORT_RECIPIENTS_GROUP) | Q(email__in=listed)
    )
    recipients = {user.email.lower(): Recipient(user.email.lower(), user, user.language) for user in users}
    for address in sorted(listed - set(recipients)):
        recipients[address] = Recipient(address, None, settings.LANGUAGE_CODE)
    return [recipients[address] for address in sorted(recipients)]


def report_get(*, kind: str, period_key: str) -> Report | None:
    return Report.objects.filter(kind=kind, period_key=period_key).select_related("run").first()


def active_suppliers() -> QuerySet:
    return Supplier.objects.filter(status=Supplier.Status.ACTIVE)


def open_periods_with_coverage() -> QuerySet:
    """The open periods, each with the number of active suppliers' submissions in every state (one query)."""
    active = Q(submissions__supplier__status=Supplier.Status.ACTIVE)
    return (
        ReportingPeriod.objects.filter(is_open=True)
        .annotate(
            approved=Count("submissions", filter=active & Q(submissions__status=Status.APPROVED)),
            submitted=Count("submissions", filter=active & Q(submissions__status=Status.SUBMITTED)),
            returned=Count("submissions", filter=active & Q(submissions__status=Status.RETURNED)),
            draft=Count("submissions", filter=active & Q(submissions__status=Status.DRAFT)),
        )
        .order_by("due_date", "year", "first_month", "last_month")
    )


def suppliers_not_submitted(period: ReportingPeriod) -> QuerySet:
    """Active suppliers with nothing submitted or approved for `period`, each annotated with the
    state of its draft or returned submission (None when it has not started)."""
    claiming = Submission.objects.filter(
        supplier=OuterRef("pk"), period=period, status__in=Submission.CLAIMING_STATUSES
    )
    own = Submission.objects.filter(supplier=OuterRef("pk"), period=period)
    return (
        active_suppliers()
        .filter(~Exists(claiming))
        .annotate(submission_status=Subquery(own.values("status")[:1]))
        .order_by("code")
    )


def _active_users(path: str = "users") -> Prefetch:
    """A supplier's active users, as `active_users` (one query for every supplier)."""
    return Prefetch(path, queryset=User.objects.filter(is_active=True).order_by("email"), to_attr="active_users")


def periods_for_reminders(*, today: date, days_before: int) -> QuerySet:
    """Open periods whose due date is at most `days_before` days away or past."""
    return ReportingPeriod.objects.filter(
        is_open=True, due_date__isnull=False, due_date__lte=today + timedelta(days=days_before)
    ).order_by("due_date", "pk")


def suppliers_to_remind(period: ReportingPeriod) -> QuerySet:
    return suppliers_not_submitted(period).prefetch_related(_active_users())


def returned_submissions() -> QuerySet:
    """Submissions of open periods waiting for their supplier's correction."""
    return (
        Submission.objects.filter(status=Status.RETURNED, period__is_open=True, supplier__status=Supplier.Status.ACTIVE)
        .select_related("supplier", "period")
        .prefetch_related(_active_users("supplier__users"))
        .order_by("period__due_date", "supplier__code")
    )


def reminders_settled(*, kind: str, period: ReportingPeriod | None = None) -> set[tuple[int, int, int, str]]:
    """(period, supplier, version, recipient) of the reminders of `kind` sent already: the daily run
    skips them without trying to claim them (a query per user saved)."""
    rows = Reminder.objects.filter(kind=kind, state=Reminder.State.SENT)
    if period is not None:
        rows = rows.filter(period=period)
    return set(rows.values_list("period_id", "supplier_id", "submission_version", "recipient"))


def submissions_awaiting_review_count() -> int:
    """Submissions of active suppliers waiting for a reviewer, in every period, closed ones too:
    closing a period does not review what was sent for it."""
    return Submission.objects.filter(
        status=Submission.Status.SUBMITTED, supplier__status=Supplier.Status.ACTIVE
    ).count()
