"""A conversation on each submission: the reviewer and the supplier write to each other.

A message is emailed to the other side after commit (suppliers.tasks.submission_message_notify),
once per recipient (MessageDelivery, the outbox's claim) and logged in the email log."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outbox.models import EmailClaim

MESSAGE_MAX_LENGTH = 4000


class SubmissionMessage(models.Model):
    submission = models.ForeignKey(
        "suppliers.Submission", on_delete=models.CASCADE, related_name="messages", verbose_name=_("submission")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("author")
    )
    # Whether the author wrote as staff (kept when the author's account is gone).
    from_staff = models.BooleanField(_("from staff"))
    body = models.TextField(_("message"), validators=[MaxLengthValidator(MESSAGE_MAX_LENGTH)])
    created_at = models.DateTimeField(_("written"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [models.CheckConstraint(condition=~models.Q(body=""), name="submission_message_has_a_body")]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.body[:40]}"


class MessageDelivery(EmailClaim):
    """A message emailed to one recipient: at most one email per message and recipient."""

    message = models.ForeignKey(SubmissionMessage, on_delete=models.CASCADE, related_name="deliveries")

    class Meta:
        ordering = ["message", "recipient"]
        verbose_name = _("message delivery")
        verbose_name_plural = _("message deliveries")
        constraints = [
            models.UniqueConstraint(fields=["message", "recipient"], name="message_delivery_once_per_recipient")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.recipient}"
