"""{% run_exceptions run as exceptions %}: the lines a verifier found an exception on, for pages of
the reports app (which does not import assurance: the arrow runs from assurance to reports)."""

from django import template
from django.db.models import QuerySet

from assurance.models import SampledLine
from reports.models import RollupRun

register = template.Library()


@register.simple_tag
def run_exceptions(run: RollupRun) -> QuerySet:
    return (
        SampledLine.objects.filter(sample__run=run, result=SampledLine.Result.EXCEPTION)
        .select_related("sample", "checked_by")
        .order_by("sample_id", "position")
    )
