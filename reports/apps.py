from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and roll-ups")

    def ready(self) -> None:
        from reports.cache import generations_connect
        from reports.services.rollup_requests import rollup_requests_for_changed_years
        from suppliers.signals import approved_lines_changed

        approved_lines_changed.connect(rollup_requests_for_changed_years, dispatch_uid="reports.rollup_requests")
        generations_connect()
