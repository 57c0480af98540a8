"""{% run_exceptions run as exceptions %}: the lines a verifier found an exception on, for pages of
the reports app (which does not import assurance: the arrow runs from assurance to reports);
{% audit_runs as assignments %}: an auditor's years with the newest run of each, for the admin's index."""

from django import template
from django.conf import settings
from django.db.models import QuerySet

from assurance.models import SampledLine
from reports.calculation import METHOD_VERSION
from reports.models import RollupRun
from suppliers.roles import audit_years

register = template.Library()


@register.simple_tag
def run_exceptions(run: RollupRun) -> QuerySet:
    return (
        SampledLine.objects.filter(sample__run=run, result=SampledLine.Result.EXCEPTION)
        .select_related("sample", "checked_by")
        .order_by("sample_id", "position")
    )


@register.simple_tag(takes_context=True)
def audit_runs(context: template.Context) -> list[tuple[int, RollupRun | None]] | None:
    """The years assigned to the user with each year's newest run (None before there is one), or
    None for someone who is not an auditor (two queries)."""
    years = audit_years(context["request"].user)
    if years is None:
        return None
    runs = (
        RollupRun.objects.filter(
            year__in=sorted(years), status=RollupRun.Status.SUCCEEDED, method_version=METHOD_VERSION,
            baseline_year=settings.BASELINE_YEAR,
        )
        .defer("result", "factors_used")
        .order_by("year", "finished_at", "id")
    )  # fmt: skip
    newest = {run.year: run for run in runs}
    return [(year, newest.get(year)) for year in sorted(years, reverse=True)]
