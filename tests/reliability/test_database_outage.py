"""The database goes away for a moment while a roll-up runs on a real worker: the task retries
with backoff (reports.tasks.RETRY: OperationalError and InterfaceError) and then succeeds.

On PostgreSQL the worker reaches the database through a TCP proxy that the test cuts: connections
are dropped and new ones closed at once, as when the server restarts or the network fails. On
SQLite the test holds an exclusive lock on the database file, and the worker, told to wait only a
moment for a lock (PORTAL_TEST_SQLITE_TIMEOUT), gets "database is locked".
The outage lasts until the worker has started the task's first retry, so the first attempt
certainly failed, whatever the timing.

The worker runs the production pool (prefork, as in the Procfile). During the outage the worker
cannot store the task's RETRY state either; a prefork worker logs that and goes on, but a
`--pool=solo` worker stops on it ("Unrecoverable error: OperationalError"), so solo is not for
production.
When storing the RETRY state fails, Celery stores FAILURE instead once the database answers again,
while the retry it has already queued goes on; so a reader of the result may see FAILURE for a
moment before SUCCESS, and the test waits for the stored SUCCESS rather than the first ready state.
"""

import contextlib
import sqlite3
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django_celery_results.models import TaskResult

from reports.models import RollupRun
from reports.tasks import rollup
from tests.concurrency import wait_until
from tests.conftest import database_url_for_subprocess
from tests.reliability.conftest import (
    TcpProxy,
    WorkerStarter,
    assert_equals_a_clean_run,
    load_example_without_its_queued_runs,
)

pytestmark = pytest.mark.worker


class PostgresOutage:
    def __init__(self) -> None:
        params = connection.settings_dict
        self.proxy = TcpProxy((params["HOST"] or "127.0.0.1", int(params["PORT"] or 5432)))
        url = urlsplit(database_url_for_subprocess())
        self.worker_env = {
            "DATABASE_URL": urlunsplit(
                url._replace(netloc=f"{url.netloc.rsplit('@', 1)[0]}@127.0.0.1:{self.proxy.port}")
            )
        }

    def begin(self) -> None:
        self.proxy.cut()

    def end(self) -> None:
        self.proxy.restore()

    def assert_it_was_felt(self) -> None:
        assert self.proxy.refused >= 1, "the worker never tried to connect during the outage"

    def close(self) -> None:
        self.proxy.close()


class SqliteOutage:
    worker_env = {"PORTAL_TEST_SQLITE_TIMEOUT": "0.2"}

    def __init__(self) -> None:
        self.lock: sqlite3.Connection | None = None

    def begin(self) -> None:
        self.lock = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        self.lock.execute("BEGIN EXCLUSIVE")  # no other connection reads or writes until ROLLBACK

    def end(self) -> None:
        if self.lock is not None:
            self.lock.execute("ROLLBACK")
            self.lock.close()
            self.lock = None

    def assert_it_was_felt(self) -> None:
        pass  # the retry itself (attempts.log) is the proof; SQLite counts no refusals

    def close(self) -> None:
        self.end()


@pytest.fixture
def outage(transactional_db: None) -> Iterator[PostgresOutage | SqliteOutage]:
    made = PostgresOutage() if connection.vendor == "postgresql" else SqliteOutage()
    try:
        yield made
    finally:
        with contextlib.suppress(Exception):
            made.close()


def test_a_task_retries_through_a_database_outage_and_then_succeeds(
    start_worker: WorkerStarter, outage: PostgresOutage | SqliteOutage
) -> None:
    load_example_without_its_queued_runs()
    start_worker(pool="prefork", **outage.worker_env)

    outage.begin()
    sent = rollup.apply_async(kwargs={"year": 2024, "trigger": "through an outage"})

    def retried() -> bool:
        return any(task_id == sent.id and retries >= 1 for _name, task_id, retries in start_worker.attempts())

    try:
        wait_until(retried, timeout=60, message="the task was not retried during the outage")
    finally:
        outage.end()
    outage.assert_it_was_felt()

    wait_until(
        lambda: TaskResult.objects.filter(task_id=sent.id, status="SUCCESS").exists(),
        timeout=90,
        message="the task did not succeed after the outage",
        interval=0.5,
    )
    stored = TaskResult.objects.get(task_id=sent.id)
    run = RollupRun.objects.get(pk=int(stored.result))
    assert run.task_id == sent.id
    attempts = [retries for _name, task_id, retries in start_worker.attempts() if task_id == sent.id]
    assert attempts == list(range(len(attempts))) and len(attempts) >= 2, "tried, then retried in order"
    assert f'"retries": {attempts[-1]}' in stored.meta, "the stored result says how often it was retried"
    assert_equals_a_clean_run(run)
