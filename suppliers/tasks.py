"""Celery tasks of the suppliers app: thin wrappers that take plain values and call a service."""

from celery import shared_task

from reports.tasks import RETRY
from suppliers.services.conversation import message_notify


@shared_task(name="suppliers.submission_message_notify", soft_time_limit=5 * 60, time_limit=6 * 60, **RETRY)
def submission_message_notify(message_id: int) -> dict[str, int]:
    """Emails a message on a submission to the other side, once per recipient (safe to run twice)."""
    return message_notify(message_id)
