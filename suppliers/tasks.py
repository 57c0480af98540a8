"""Celery tasks of the suppliers app: thin wrappers that take plain values and call a service;
the emails a page asks for, sent after its answer."""

from celery import shared_task

from portal.celery import RETRY
from suppliers.models import User
from suppliers.services.accounts import password_reset_send, supplier_user_invitation_send
from suppliers.services.conversation import message_notify

# A mail server that fails is logged as failed in the Email log, not retried: staff send an
# invitation again from the user admin, a supplier asks for a new link.
LIMITS = {"soft_time_limit": 2 * 60, "time_limit": 3 * 60, "acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="suppliers.send_invitation", **LIMITS)
def send_invitation(*, user_id: int, invited_by_id: int | None = None) -> str:
    """Emails the invitation to user `user_id`; returns the outcome ("sent", "failed", or why none)."""
    user = User.objects.select_related("supplier").filter(pk=user_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return "not sent: the user is inactive, gone or has chosen a password"
    invited_by = User.objects.filter(pk=invited_by_id).first() if invited_by_id else None
    return supplier_user_invitation_send(user=user, invited_by=invited_by).outcome


@shared_task(name="suppliers.send_password_reset", **LIMITS)
def send_password_reset(*, email: str) -> int:
    """Emails a link to choose a new password to the active users with `email`; returns how many."""
    return password_reset_send(email=email)


@shared_task(name="suppliers.submission_message_notify", soft_time_limit=5 * 60, time_limit=6 * 60, **RETRY)
def submission_message_notify(message_id: int) -> dict[str, int]:
    """Emails a message on a submission to the other side, once per recipient (safe to run twice)."""
    return message_notify(message_id)
