"""What the outbox keeps: the claims that make an email go out once, and the log of every email."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailClaim(models.Model):
    """The right to send one email once, taken by one worker before it sends.

    The unique key of the concrete model says what "once" means; a worker that finds the row
    taken sends nothing. A failed send is taken again by a later run (up to a limit of attempts);
    one left "sending" by a worker that died is taken again once it is stale.
    """

    class State(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.EmailField(_("recipient"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("user"),
    )  # fmt: skip
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.SENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    claimed_at = models.DateTimeField(_("last attempt"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        abstract = True


class EmailLog(models.Model):
    """Every email the portal's jobs send, with its outcome: who, what, when, sent or failed."""

    class Kind(models.TextChoices):
        MONTHLY_REPORT = "monthly_report", _("Monthly status report")
        ANNUAL_REPORT = "annual_report", _("Annual report")
        REMINDER_DUE_SOON = "reminder_due_soon", _("Reminder: due soon")
        REMINDER_OVERDUE = "reminder_overdue", _("Reminder: overdue")
        REMINDER_RETURNED = "reminder_returned", _("Reminder: returned for correction")
        INVITATION = "invitation", _("Invitation")
        PASSWORD_RESET = "password_reset", _("Password reset link")
        MESSAGE_TO_STAFF = "message_to_staff", _("Message from a supplier")
        MESSAGE_TO_SUPPLIER = "message_to_supplier", _("Message from the reviewer")

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    recipient = models.EmailField(_("recipient"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    subject = models.CharField(_("subject"), max_length=255)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("kind of record"),
    )  # fmt: skip
    object_id = models.PositiveBigIntegerField(_("record ID"), null=True, blank=True)
    related = GenericForeignKey("content_type", "object_id")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("email log entry")
        verbose_name_plural = _("email log")
        db_table = "reports_emaillog"  # made by the reports app, where the log began
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="sent", error="") | (Q(outcome="failed") & ~Q(error="")),
                name="email_log_failure_has_an_error",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}: {self.get_outcome_display()}"
