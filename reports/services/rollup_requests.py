"""Asking the worker for a roll-up: the triggers (an approval, a factor file, a person on the
comparison page) coalesced into one queued task per year. The task (reports.tasks.rollup) makes
the run (reports.services.rollups); this module queues it, so the arrows run one way: requests ->
tasks -> runs."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from reports.models import RollupRequest
from reports.tasks import rollup

logger = logging.getLogger(__name__)

# A year marked pending longer than this lost its message (a broker restart): the next trigger sends anew.
STALE_REQUEST = timedelta(minutes=15)


def rollup_request(*, year: int, trigger: str) -> bool:
    """Asks the worker for a roll-up of `year` soon, coalescing bursts of triggers into one run.

    The first trigger marks the year pending and sends the task with a countdown; triggers until
    the task starts find it pending and send nothing (the task reads the data when it runs, so it
    includes them). Returns whether a task was sent. A broker that cannot be reached is logged,
    not raised: the data is safe in the database and the nightly run picks it up.
    """
    now = timezone.now()
    RollupRequest.objects.get_or_create(year=year)
    idle_or_stale = Q(pending_since__isnull=True) | Q(pending_since__lt=now - STALE_REQUEST)
    claimed = RollupRequest.objects.filter(idle_or_stale, year=year).update(pending_since=now, requested_at=now)
    if not claimed:
        return False
    try:
        rollup.apply_async(kwargs={"year": year, "trigger": trigger}, countdown=settings.ROLLUP_COALESCE_SECONDS)
    except Exception:  # kombu raises several kinds for an unreachable broker
        logger.exception("could not queue the roll-up of %s; the nightly run will do it", year)
        RollupRequest.objects.filter(year=year, pending_since=now).update(pending_since=None)
        return False
    return True


def rollup_requests_for_changed_years(sender: object, *, years: frozenset[int], trigger: str, **kwargs: object) -> None:
    """suppliers.signals.approved_lines_changed: a roll-up of each year whose approved lines changed."""
    for year in sorted(years):
        rollup_request(year=year, trigger=trigger)
