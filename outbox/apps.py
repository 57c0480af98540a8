from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    """Emails sent at most once and every one logged, for every app that sends: reports and
    reminders (reports), invitations, password resets and the conversation (suppliers)."""

    name = "outbox"
    verbose_name = _("Outgoing email")
