from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssuranceConfig(AppConfig):
    name = "assurance"
    verbose_name = _("Assurance")

    def ready(self) -> None:
        # The annual report carries the run's samples and exceptions; reports does not import assurance.
        from assurance.report import assurance_blocks
        from reports.documents.explanation import APPENDICES

        if assurance_blocks not in APPENDICES:
            APPENDICES.append(assurance_blocks)
