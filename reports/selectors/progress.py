"""Where a requested roll-up stands (queued, running, done), for the comparison page to show
without a reload (static/portal/rollup-status.js polls reports_comparison_status)."""

from dataclasses import dataclass

from reports.models import RollupRequest, RollupRun

IDLE, QUEUED, RUNNING, DONE = "idle", "queued", "running", "done"


@dataclass(frozen=True)
class RollupProgress:
    year: int
    state: str  # IDLE (never asked), QUEUED, RUNNING or DONE
    run: RollupRun | None  # the run the last finished roll-up stored or returned (DONE only)
    failed: bool = False  # DONE, but the roll-up raised or stored a failed run


def rollup_progress(*, year: int) -> RollupProgress:
    """The state of the last roll-up asked for `year`: one query."""
    request = RollupRequest.objects.select_related("run").filter(year=year).first()
    if request is None or (request.requested_at is None and request.started_at is None):
        return RollupProgress(year, IDLE, None)
    if request.pending_since is not None:
        return RollupProgress(year, QUEUED, None)
    finished = request.finished_at is not None and (
        request.started_at is None or request.finished_at >= request.started_at
    )
    if not finished:
        return RollupProgress(year, RUNNING, None)
    failed = request.run is None or request.run.status == RollupRun.Status.FAILED
    return RollupProgress(year, DONE, request.run, failed=failed)
