"""Emails sent at most once, and every one logged.

A job that sends email can run twice (a retried task, a redelivered message after a worker died)
or in two workers at once. Before sending, a worker takes a claim: a row whose unique key says what
"once" means (a report and a recipient; a reminder's kind, period, supplier and user). The database
lets one worker create it; the others find it taken and send nothing. No lock is held while the
SMTP server is talking, so a slow server never blocks the web.

What this cannot promise: a worker that dies after the server accepted a message but before it
marked the claim sent leaves the claim "sending"; after STALE_CLAIM a later run sends again. That
window is a second wide; the alternative (never retrying) would lose the email instead.
"""

import email.message
import email.policy
import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox.models import EmailClaim, EmailLog
from suppliers.models import User

logger = logging.getLogger(__name__)

# A claim left "sending" this long belongs to a worker that died: a later run may take it.
STALE_CLAIM = timedelta(hours=1)
# A recipient whose sends keep failing (a wrong address) is tried this often, then left to staff.
MAX_ATTEMPTS = 5


class PortalEmail(EmailMultiAlternatives):
    """Django's email, with its Subject folded by the email package's modern policy: Django's
    (compat32) folding starts a long non-ASCII subject on an empty line, which readers show as
    a leading space before a Chinese subject."""

    def message(self) -> object:
        message = super().message()
        folded = email.policy.SMTP.fold("Subject", self.subject)[len("Subject: ") :].rstrip("\r\n")
        del message["Subject"]
        # Django's own __setitem__ refuses the folded value's line breaks, which are the folding.
        email.message.Message.__setitem__(message, "Subject", folded.replace("\r\n", "\n"))
        return message


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str


def claim_take(model: type[EmailClaim], *, key: dict, defaults: dict) -> EmailClaim | None:
    """The claim of `model` with `key`, if this worker may send it now; None if it is sent, being
    sent by another worker, or has failed MAX_ATTEMPTS times."""
    now = timezone.now()
    with transaction.atomic():
        claim, created = model.objects.get_or_create(
            **key, defaults={**defaults, "state": EmailClaim.State.SENDING, "claimed_at": now, "attempts": 1}
        )
    if created:
        return claim
    retryable = Q(state=EmailClaim.State.FAILED, attempts__lt=MAX_ATTEMPTS) | Q(
        state=EmailClaim.State.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    # A conditional UPDATE: of two workers retrying at once, one changes the row and the other none.
    taken = model.objects.filter(retryable, pk=claim.pk).update(
        state=EmailClaim.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not taken:
        return None
    claim.refresh_from_db()
    return claim


def claim_finish(*, claim: EmailClaim, log: EmailLog) -> EmailClaim:
    """Marks the claim sent or failed, as the email's log entry says."""
    sent = log.outcome == EmailLog.Outcome.SENT
    with transaction.atomic():
        claim.state = EmailClaim.State.SENT if sent else EmailClaim.State.FAILED
        claim.sent_at = log.created_at if sent else None
        claim.full_clean()
        claim.save(update_fields=["state", "sent_at"])
    return claim


def email_send(
    *,
    kind: str,
    recipient: str,
    user: User | None,
    subject: str,
    text: str,
    html: str = "",
    attachments: Sequence[Attachment] = (),
    related: models.Model | None = None,
) -> EmailLog:
    """Sends one email and logs it with its outcome. A failure of the mail server is logged
    (outcome "failed" with the error), never raised: one bad address must not stop a job.

    Every email is from DEFAULT_FROM_EMAIL, dated in the portal's time zone (EMAIL_USE_LOCALTIME),
    with a Message-ID on the portal's own domain and `Auto-Submitted: auto-generated` (RFC 3834),
    so that out-of-office replies are not sent back to it."""
    headers = {
        "Message-ID": make_msgid(domain=urlsplit(settings.PORTAL_BASE_URL).hostname),
        "Auto-Submitted": "auto-generated",
    }
    message = PortalEmail(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient], headers=headers)
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.content_type)
    error = ""
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as failure:  # refused, timed out, TLS, unknown host …
        error = f"{type(failure).__name__}: {failure}".rstrip(": ")
        logger.warning("email %s to %s failed: %s", kind, recipient, error)
    return email_log_create(kind=kind, recipient=recipient, user=user, subject=subject, related=related, error=error)


def email_log_create(
    *, kind: str, recipient: str, user: User | None, subject: str, related: models.Model | None, error: str
) -> EmailLog:
    with transaction.atomic():
        log = EmailLog(
            kind=kind,
            recipient=recipient,
            user=user,
            subject=subject[:255],
            content_type=ContentType.objects.get_for_model(related) if related is not None else None,
            object_id=related.pk if related is not None else None,
            outcome=EmailLog.Outcome.FAILED if error else EmailLog.Outcome.SENT,
            error=error,
        )
        log.full_clean()
        log.save()
    return log
