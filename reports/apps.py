from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports and roll-ups")

    def ready(self) -> None:
        from functools import partial

        from django.db.models.signals import post_delete, post_save

        from portal.generations import generation_bump
        from reports.models import RollupRun
        from reports.services.rollups import rollup_requests_for_changed_years
        from reports.views.comparison import COMMITMENTS, COVERAGE
        from reports.views.double_claims import DOUBLE_CLAIMS
        from suppliers.models import Commitment, EvidenceFile
        from suppliers.signals import approved_lines_changed, claims_changed

        approved_lines_changed.connect(rollup_requests_for_changed_years, dispatch_uid="reports.rollup_requests")
        claims_changed.connect(partial(generation_bump, DOUBLE_CLAIMS), weak=False, dispatch_uid="reports.claims")
        # What the comparison page keeps between runs (reports.views.comparison) and what changes it.
        approved_lines_changed.connect(partial(generation_bump, COVERAGE), weak=False, dispatch_uid="reports.coverage")
        for signal in (post_save, post_delete):
            signal.connect(
                partial(generation_bump, COVERAGE), sender=EvidenceFile, weak=False,
                dispatch_uid=f"reports.coverage.{signal is post_save}",
            )  # fmt: skip
            for sender in (Commitment, RollupRun):
                signal.connect(
                    partial(generation_bump, COMMITMENTS), sender=sender, weak=False,
                    dispatch_uid=f"reports.commitments.{sender.__name__}.{signal is post_save}",
                )  # fmt: skip
