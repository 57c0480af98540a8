from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The invented demo portfolio and the commands that seed it (`seed_demo`, `demo_logins`), kept
    apart so that the domain apps carry no seeding code. It has no models."""

    name = "demo"
    verbose_name = _("Demo data")
