"""{% newest_run as run %}: the newest succeeded run of the current method, for the admin's index."""

from django import template

from reports.calculation import METHOD_VERSION
from reports.models import RollupRun

register = template.Library()


@register.simple_tag
def newest_run() -> RollupRun | None:
    return (
        RollupRun.objects.filter(status=RollupRun.Status.SUCCEEDED, method_version=METHOD_VERSION)
        .defer("result", "factors_used")
        .order_by("-year", "-finished_at", "-id")
        .first()
    )
