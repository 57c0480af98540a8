"""{% newest_run as run %}: the newest succeeded run of the current method, for the admin's index."""

from django import template

from reports.calculation import METHOD_VERSION
from reports.models import RollupRun
from reports.selectors.runs import runs_readable

register = template.Library()


@register.simple_tag(takes_context=True)
def newest_run(context: template.Context) -> RollupRun | None:
    """Of the runs the user may read (an auditor's: of the years assigned)."""
    return (
        runs_readable(context["request"].user)
        .filter(status=RollupRun.Status.SUCCEEDED, method_version=METHOD_VERSION)
        .defer("result", "factors_used")
        .order_by("-year", "-finished_at", "-id")
        .first()
    )
