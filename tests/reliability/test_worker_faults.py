"""A Celery worker killed (SIGKILL) in the middle of a roll-up, with a real worker process.

The roll-up task is acknowledged late and rejected on a lost worker (reports.tasks), and a run is
stored in one transaction (reports.services.rollups). A test-only hook (worker_hooks, imported by
the worker only) pauses the first run inside that transaction, after the run's row is written and
before its supplier rows, so the kill lands mid-write every time.

What comes back after the kill depends on what died and on the broker:
- a pool process killed (the OOM killer's way): the worker rejects the task back onto the queue
  and runs it again at once, on Redis as on the filesystem broker;
- the whole worker killed (a lost host): on Redis the unacknowledged message is handed to the next
  worker once CELERY_VISIBILITY_TIMEOUT has passed; kombu's filesystem broker removes a message from
  its folder when it delivers it, so nothing comes back, and the run is made by the next trigger
  (or the nightly run) instead. Either way nothing half-written is ever visible.
"""

import json
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from reports.models import RollupRun
from reports.services.rollup_requests import rollup_request
from reports.tasks import rollup
from tests.concurrency import wait_until
from tests.reliability.conftest import (
    WorkerStarter,
    assert_equals_a_clean_run,
    load_example_without_its_queued_runs,
    stored_rows,
)
from tests.reliability.worker_hooks import PAUSED

pytestmark = pytest.mark.worker

VISIBILITY_TIMEOUT = 3  # seconds; production's is an hour (CELERY_VISIBILITY_TIMEOUT)


def _pause_dir(hook_dir: Path) -> Path:
    folder = hook_dir / "pause"
    folder.mkdir()
    return folder


def _kill_mid_write(pause: Path, kill: object) -> int:
    """Waits until the roll-up is paused inside its transaction, proves that nothing of it is
    visible, kills (`kill(pid)`) and proves that nothing of it was left behind. Returns the pid."""
    wait_until((pause / PAUSED).exists, timeout=60, message="the roll-up never reached its transaction")
    pid = int((pause / PAUSED).read_text())
    empty = {"runs": 0, "supplier rows": 0, "site rows": 0, "flags": 0}
    assert stored_rows() == empty, "a run still being written is visible to others"
    kill(pid)
    assert stored_rows() == empty, "the killed run left rows behind"
    return pid


def test_a_pool_process_killed_mid_rollup_is_run_again_at_once(start_worker: WorkerStarter, hook_dir: Path) -> None:
    load_example_without_its_queued_runs()
    pause = _pause_dir(hook_dir)
    worker = start_worker(pool="prefork", PORTAL_TEST_PAUSE_DIR=str(pause))
    sent = rollup.apply_async(kwargs={"year": 2024, "trigger": "killed mid-run"})

    def kill_pool_process(pid: int) -> None:
        assert pid != worker.pid, "the roll-up ran in a pool process, not in the worker itself"
        import os
        import signal

        os.kill(pid, signal.SIGKILL)

    _kill_mid_write(pause, kill_pool_process)

    run = RollupRun.objects.get(pk=sent.get(timeout=60))  # the same task, delivered again
    assert run.task_id == sent.id
    attempts = [attempt for attempt in start_worker.attempts() if attempt[1] == sent.id]
    assert attempts == [("reports.rollup", sent.id, 0)] * 2, "started once, killed, started once more"
    assert worker.process.poll() is None, "the worker itself lived on"
    assert_equals_a_clean_run(run)


def test_a_worker_killed_mid_rollup_leaves_nothing_half_written_and_the_run_is_made_again(
    start_worker: WorkerStarter, hook_dir: Path
) -> None:
    load_example_without_its_queued_runs()
    pause = _pause_dir(hook_dir)
    timeout = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    worker = start_worker(PORTAL_TEST_PAUSE_DIR=str(pause), **timeout)
    sent = rollup.apply_async(kwargs={"year": 2024, "trigger": "killed mid-run"})

    def kill_worker(pid: int) -> None:
        assert pid == worker.pid, "with the solo pool the roll-up runs in the worker process itself"
        worker.kill()

    _kill_mid_write(pause, kill_worker)

    if settings.CELERY_BROKER_URL.startswith("redis://"):
        broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        held = {tag: json.loads(value)[0] for tag, value in broker.hgetall("unacked").items()}
        tags = [tag for tag, message in held.items() if message["headers"]["id"] == sent.id]
        assert len(tags) == 1, "Redis keeps the killed worker's message as delivered but unacknowledged"
        delivered_at = broker.zscore("unacked_index", tags[0])
        # A worker hands such a message back to the queue once it is older than the visibility timeout.
        wait_until(lambda: time.time() > delivered_at + VISIBILITY_TIMEOUT + 0.5, timeout=30, message="time")
        start_worker(**timeout)
        run = RollupRun.objects.get(pk=sent.get(timeout=60))
        assert run.task_id == sent.id, "the killed worker's task itself was delivered again"
        attempts = [attempt for attempt in start_worker.attempts() if attempt[1] == sent.id]
        assert attempts == [("reports.rollup", sent.id, 0)] * 2
    else:
        # The filesystem broker deleted the message file when it delivered it: nothing to deliver again.
        queue = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        assert not [path for path in queue.iterdir() if sent.id in path.read_text(errors="replace")]
        assert RollupRun.objects.count() == 0
        # The next trigger is not swallowed by the coalescing: the killed task had cleared the
        # request's pending mark as it started.
        start_worker()
        assert rollup_request(year=2024, trigger="the next approval")
        wait_until(lambda: RollupRun.objects.filter(year=2024).exists(), timeout=60, message="no run was made")
        run = RollupRun.objects.get(year=2024)
        assert run.task_id and run.task_id != sent.id and run.trigger == "the next approval"
    assert_equals_a_clean_run(run)
