"""Redis restarted under a real worker and beat: a Redis server of the test's own (never the
shared one) is killed and started again on the same port, without persistence, so it comes back
empty, as a production Redis without an append-only file does.

What matters lives in the database: submissions, approvals, runs and reports. What was queued in
Redis is lost with it, and is redone: a lost roll-up by the scheduled roll-up of every year
(reports.rollup_all_years, the nightly job, here every two seconds), which also clears the years'
pending marks, and by the coalescing (rollup_request), which sends a new roll-up for a year whose
message was lost once STALE_REQUEST has passed."""

import datetime
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_results.models import TaskResult

from portal.celery import app
from reports.models import RollupRequest, RollupRun
from reports.services.rollup_requests import STALE_REQUEST, rollup_request
from reports.tasks import ping
from suppliers.models import Submission
from suppliers.services.submissions import submission_approve
from tests.concurrency import wait_until
from tests.factories import UserFactory
from tests.reliability.conftest import (
    RedisServer,
    WorkerStarter,
    assert_equals_a_clean_run,
    celery_app_on,
)
from tests.reports.test_worked_example import EXAMPLES

pytestmark = pytest.mark.worker


def _load_example_waiting_for_review() -> None:
    """The worked example with its 2019 submissions approved and its 2024 ones waiting."""
    call_command("import_factors", str(EXAMPLES / "factors.csv"), "--replace", stdout=StringIO())
    call_command("import_submissions", str(EXAMPLES / "submissions-2019.csv"), "--approve", stdout=StringIO())
    call_command("import_submissions", str(EXAMPLES / "submissions-2024-gbk.csv"), stdout=StringIO())
    call_command("reported_figure", "2024", "10000", "--source", "worked example", stdout=StringIO())


def _schedule_every_year_every_two_seconds() -> None:
    """The nightly job's entry, as staff could set it in the admin, every two seconds."""
    every = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="Roll-up of every year (test)", task="reports.rollup_all_years", interval=every)


def _database_state() -> list[tuple]:
    return list(Submission.objects.order_by("pk").values_list("pk", "status", "version", "reviewed_by"))


def _queued(server: RedisServer) -> int:
    return server.client().llen(app.conf.task_default_queue)


def _worker_reconnected(server: RedisServer) -> bool:
    # A worker declares its queue when it (re)connects: kombu keeps the binding in Redis.
    return server.client().exists(f"_kombu.binding.{app.conf.task_default_queue}") == 1


def test_work_queued_when_redis_restarts_is_redone_and_nothing_in_the_database_is_lost(
    start_worker: WorkerStarter, redis_server: RedisServer
) -> None:
    reviewer = UserFactory(email="reviewer@carmaker.example", is_staff=True)
    with celery_app_on(redis_server.url):
        _load_example_waiting_for_review()
        # No worker is running: what the approvals send stays queued in Redis.
        for submission in Submission.objects.filter(period__year=2024, status=Submission.Status.SUBMITTED):
            submission_approve(submission=submission, user=reviewer, expected_version=submission.version)
        assert _queued(redis_server) >= 1, "the approvals' roll-up is queued"
        before = _database_state()
        assert Submission.objects.filter(period__year=2024, status=Submission.Status.APPROVED).count() == 8

        redis_server.restart()
        assert _queued(redis_server) == 0, "Redis came back empty: the queued roll-up is gone"
        assert _database_state() == before, "every submission and approval is still in the database"
        assert not RollupRun.objects.filter(year=2024).exists()

        # The coalescing still counts the lost messages as pending: a trigger now sends nothing...
        assert RollupRequest.objects.get(year=2019).pending_since is not None
        assert RollupRequest.objects.get(year=2024).pending_since is not None
        assert not rollup_request(year=2024, trigger="a trigger while pending")
        assert _queued(redis_server) == 0
        # ...until STALE_REQUEST has passed (made to have passed here): then the next trigger sends anew.
        long_ago = timezone.now() - STALE_REQUEST - datetime.timedelta(seconds=1)
        RollupRequest.objects.filter(year=2024).update(pending_since=long_ago)
        assert rollup_request(year=2024, trigger="a trigger after STALE_REQUEST")
        assert _queued(redis_server) == 1

        # And the schedule redoes every year, 2019's lost roll-up too.
        _schedule_every_year_every_two_seconds()
        env = {"REDIS_URL": redis_server.url}
        start_worker(**env)
        start_worker.beat(**env)
        scheduled_from = timezone.now()
        wait_until(_nightly_ran_since(scheduled_from), timeout=60, message="the schedule did not run")
        wait_until(_rollup_task_succeeded("a trigger after STALE_REQUEST"), timeout=60, message="no roll-up was sent")
        run = RollupRun.objects.get(year=2024)  # one run: whichever came second found the inputs unchanged
        assert run.result["suppliers_reporting"] == 5, "every approval is in it"
        assert RollupRun.objects.filter(year=2019).exists()
        # The scheduled run cleared the pending marks: the next trigger of 2019 is sent at once.
        assert RollupRequest.objects.get(year=2019).pending_since is None
        for started in start_worker.started:
            started.stop()
    assert_equals_a_clean_run(run)


def test_an_idle_worker_and_beat_reconnect_after_a_redis_restart_and_new_work_runs(
    start_worker: WorkerStarter, redis_server: RedisServer
) -> None:
    reviewer = UserFactory(email="reviewer@carmaker.example", is_staff=True)
    env = {"REDIS_URL": redis_server.url}
    with celery_app_on(redis_server.url):
        _load_example_waiting_for_review()
        start_worker(**env)
        _schedule_every_year_every_two_seconds()
        beat = start_worker.beat(**env)
        started_at = timezone.now()
        wait_until(_nightly_ran_since(started_at), timeout=60, message="beat and worker did not run the schedule")

        redis_server.restart()  # just after a scheduled run: the worker and beat are idle
        restarted_at = timezone.now()
        wait_until(lambda: _worker_reconnected(redis_server), timeout=60, message="the worker did not reconnect")
        assert ping.delay("after the restart").get(timeout=30).startswith("after the restart")
        wait_until(_nightly_ran_since(restarted_at), timeout=60, message="beat sent nothing after the restart")
        beat.stop()

        # New work: approvals through the service queue one roll-up after commit; the worker runs it.
        for submission in Submission.objects.filter(period__year=2024, status=Submission.Status.SUBMITTED):
            submission_approve(submission=submission, user=reviewer, expected_version=submission.version)
        wait_until(
            lambda: RollupRun.objects.filter(year=2024, trigger__startswith="approved").exists(),
            timeout=60,
            message="the approvals after the restart gave no run",
        )
        for started in start_worker.started:
            started.stop()
    run = RollupRun.objects.get(year=2024, trigger__startswith="approved")
    assert run.result["suppliers_reporting"] == 5
    assert_equals_a_clean_run(run)


def _nightly_ran_since(moment: datetime.datetime) -> Callable[[], bool]:
    return lambda: TaskResult.objects.filter(
        task_name="reports.rollup_all_years", status="SUCCESS", date_done__gt=moment
    ).exists()


def _rollup_task_succeeded(trigger: str) -> Callable[[], bool]:
    return lambda: TaskResult.objects.filter(
        task_name="reports.rollup", status="SUCCESS", task_kwargs__contains=trigger
    ).exists()
