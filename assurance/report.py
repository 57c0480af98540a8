"""What the annual report says of a run's assurance: its samples and the exceptions found
(added to the report through reports.documents.explanation.APPENDICES)."""

from django.utils.translation import gettext

from assurance.models import AssuranceSample, SampledLine
from reports.documents.document import Block, Column, Heading, Table, Text
from reports.models import RollupRun


def assurance_blocks(run: RollupRun) -> list[Block]:
    samples = list(AssuranceSample.objects.filter(run=run).order_by("drawn_at"))
    if not samples:
        return []
    exceptions = SampledLine.objects.filter(sample__run=run, result=SampledLine.Result.EXCEPTION).order_by(
        "sample_id", "position"
    )
    checked = SampledLine.objects.filter(sample__run=run).exclude(result=SampledLine.Result.PENDING).count()
    drawn = SampledLine.objects.filter(sample__run=run).count()
    return [
        Heading(gettext("Assurance")),
        Text(
            gettext("%(samples)d sample(s) of this run, %(drawn)d lines drawn, %(checked)d checked by the verifier.")
            % {"samples": len(samples), "drawn": drawn, "checked": checked}
        ),
        Table(
            sheet=gettext("Assurance exceptions"),
            columns=(
                Column(gettext("Sample"), "integer", width=0.6),
                Column(gettext("Supplier code"), width=1),
                Column(gettext("Site"), width=0.7),
                Column(gettext("Period"), width=0.8),
                Column(gettext("Avoided (tCO2e)"), "number", 3),
                Column(gettext("Exception"), width=3.4),
            ),
            rows=[
                [e.sample_id, e.supplier_code, e.site_code, e.period, e.avoided_tco2e, e.comment] for e in exceptions
            ],
            empty_note=gettext("The verifier recorded no exception."),
        ),
    ]
