"""Celery tasks: thin wrappers that take plain values, load and call a service.

Every task is acknowledged late, has time limits, and is safe to run twice: a roll-up with
unchanged inputs returns the run already stored. A task whose pool process is killed is put back on
the queue at once (reject_on_worker_lost); the task of a worker killed whole comes back from Redis
after CELERY_VISIBILITY_TIMEOUT, while kombu's filesystem broker has already dropped it, and the
next trigger or the nightly run does its work (tests/reliability/test_worker_faults.py).
"""

import datetime

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from portal.celery import RETRY
from reports.models import Report
from reports.services.reminders import reminders_send
from reports.services.reports import ReportIssued, previous_month_key, previous_year_key, report_issue
from reports.services.rollups import rollup_request_finished, rollup_request_started, rollup_run_create


@shared_task(name="reports.rollup", soft_time_limit=20 * 60, time_limit=25 * 60, **RETRY)
def rollup(*, year: int, trigger: str = "") -> int:
    """Computes and stores the roll-up of `year`; returns the run's id."""
    rollup_request_started(year=year)
    run = None
    try:
        run = rollup_run_create(year=year, trigger=trigger, task_id=rollup.request.id or "")
    finally:
        rollup_request_finished(year=year, run=run)
    return run.pk


@shared_task(name="reports.rollup_all_years", soft_time_limit=60 * 60, time_limit=65 * 60, **RETRY)
def rollup_all_years() -> list[int]:
    """The nightly run: every year from the baseline to the current one.

    Each year's run reads the data as it starts, so it covers a trigger still pending for that
    year, perhaps one whose message was lost with a restarted Redis: the year's pending mark is
    cleared, and the next trigger sends a run of its own instead of waiting for STALE_REQUEST."""
    this_year = timezone.localdate().year
    run_ids = []
    for year in range(settings.BASELINE_YEAR, this_year + 1):
        rollup_request_started(year=year)
        run = None
        try:
            run = rollup_run_create(year=year, trigger="nightly")
        finally:
            rollup_request_finished(year=year, run=run)
        run_ids.append(run.pk)
    return run_ids


@shared_task(name="reports.ping", soft_time_limit=30, time_limit=60, acks_late=True)
def ping(token: str) -> str:
    """Echoes `token` with the time: proves a worker takes jobs from the broker (CI smoke test)."""
    return f"{token} {datetime.datetime.now(datetime.UTC).isoformat()}"


# --- Scheduled reports and reminders (reports/schedule.py) ---------------------------------------
# A delivery that failed (mail server down) is tried again by the same task later: the report is
# not made again, and recipients who got it are not sent it twice (outbox.services).
REPORT_RETRY_SECONDS = 30 * 60


class ReportNotDelivered(Exception):
    """No recipient received the report after every retry: the job ends failed."""


def _report_job_finish(task: Task, issued: ReportIssued, retry_kwargs: dict) -> dict:
    """Retries the job while a failed delivery may still succeed; then ends it failed if no one
    received the report, or returns its summary ("delivered", "partial", "no recipients")."""
    if issued.retryable and task.request.retries < task.max_retries:
        raise task.retry(countdown=REPORT_RETRY_SECONDS, kwargs=retry_kwargs)
    if issued.outcome == "failed":
        raise ReportNotDelivered(
            f"{issued.report}: no recipient received it after {task.request.retries + 1} runs "
            f"({', '.join(issued.undelivered)}); the Email log has each error."
        )
    return issued.summary()


@shared_task(name="reports.monthly_report", bind=True, soft_time_limit=15 * 60, time_limit=20 * 60, **RETRY)
def monthly_report(self: Task, period_key: str = "") -> dict:
    """The monthly status report of `period_key` ("2026-11"; by default the month before today),
    made once and emailed once to each recipient; returns its summary (report id, outcome)."""
    key = period_key or previous_month_key(timezone.localdate())
    issued = report_issue(kind=Report.Kind.MONTHLY, period_key=key)
    return _report_job_finish(self, issued, {"period_key": key})


@shared_task(name="reports.annual_report", bind=True, soft_time_limit=20 * 60, time_limit=25 * 60, **RETRY)
def annual_report(self: Task, year: int | None = None) -> dict:
    """The annual report of `year` (by default the year before today), made once and emailed once
    to each recipient; returns its summary (report id, outcome)."""
    key = str(year) if year else previous_year_key(timezone.localdate())
    issued = report_issue(kind=Report.Kind.ANNUAL, period_key=key)
    return _report_job_finish(self, issued, {"year": int(key)})


@shared_task(name="reports.send_reminders", soft_time_limit=20 * 60, time_limit=25 * 60, **RETRY)
def send_reminders() -> dict[str, int]:
    """The day's reminders to suppliers; a failed one is tried again by the next day's run."""
    return dict(reminders_send())
