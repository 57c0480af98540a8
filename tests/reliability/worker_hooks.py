"""Test-only code for the Celery workers that tests/reliability starts: they import this module
because the test settings list it in PORTAL_TEST_TASK_MODULES (CELERY_IMPORTS). The portal never
imports it, and every probe here does nothing unless its environment variable is set.

- `poison`: a job that always fails with an error the portal's tasks retry (a database error);
- PORTAL_TEST_PAUSE_DIR: the first roll-up run to be saved pauses inside its transaction (the run
  row written, its supplier rows not yet) until the test kills the process or releases it;
- PORTAL_TEST_HOOK_DIR: every task attempt that starts is noted in `attempts.log`.
"""

import os
import time
from pathlib import Path

from celery import Task, shared_task
from celery.signals import task_prerun
from django.db import OperationalError
from django.db.models.signals import post_save

from portal.celery import RETRY
from reports.models import RollupRun

PAUSED, RELEASE = "paused", "release"


# The portal's retry policy (reports.tasks.RETRY: the exceptions, max_retries, acks_late) with a
# backoff of at most a second, so that the test waits seconds for the retries, not minutes.
@shared_task(name="tests.reliability.poison", bind=True, **{**RETRY, "retry_backoff": 1, "retry_backoff_max": 1})
def poison(self: Task, *, attempts_file: str) -> None:
    """Notes each attempt in `attempts_file`, then fails as a database outage would."""
    with open(attempts_file, "a") as attempts:
        attempts.write(f"{self.request.retries}\n")
    raise OperationalError("poison job: this task always fails")


def _pause_inside_rollup(sender: type, instance: RollupRun, created: bool, **kwargs: object) -> None:
    folder = os.environ.get("PORTAL_TEST_PAUSE_DIR")
    if not folder or not created:
        return
    try:  # only the first run pauses: a redelivered task must be able to finish
        marker = os.open(Path(folder) / PAUSED, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.write(marker, str(os.getpid()).encode())
    os.close(marker)
    deadline = time.monotonic() + 120
    while not (Path(folder) / RELEASE).exists() and time.monotonic() < deadline:
        time.sleep(0.05)


post_save.connect(_pause_inside_rollup, sender=RollupRun, dispatch_uid="tests.reliability.pause_inside_rollup")


@task_prerun.connect
def _note_attempt(task: Task, **kwargs: object) -> None:
    folder = os.environ.get("PORTAL_TEST_HOOK_DIR")
    if folder:
        with open(Path(folder) / "attempts.log", "a") as log:
            log.write(f"{task.name} {task.request.id} {task.request.retries}\n")
