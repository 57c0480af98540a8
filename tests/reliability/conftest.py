"""Fixtures of the fault tests: Celery worker processes a test starts, kills and starts again, a
Redis server of the test's own, and a TCP proxy that stands in for a database that goes away."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings

from reports.models import RollupFlag, RollupRun, RollupSiteResult, RollupSupplierResult
from reports.tasks import rollup
from tests.concurrency import wait_until
from tests.conftest import database_url_for_subprocess, free_port
from tests.reports.test_worked_example import EXAMPLES, _differences, _load_example

HOOKS_MODULE = "tests.reliability.worker_hooks"


# --- The worked example's data, and a run computed afresh to compare with ------------------------


def stored_rows(run: RollupRun | None = None) -> dict[str, int]:
    """How many runs, supplier rows, site rows and flags are stored (of `run` only, if given)."""
    of_run = {"run": run} if run is not None else {}
    return {
        "runs": RollupRun.objects.filter(**({"pk": run.pk} if run is not None else {})).count(),
        "supplier rows": RollupSupplierResult.objects.filter(**of_run).count(),
        "site rows": RollupSiteResult.objects.filter(**of_run).count(),
        "flags": RollupFlag.objects.filter(**of_run).count(),
    }


def load_example_without_its_queued_runs() -> None:
    from portal.celery import app

    _load_example()
    app.control.purge()  # the imports' approvals queued roll-ups: this test sends its own


def assert_equals_a_clean_run(run: RollupRun) -> None:
    """The run equals one computed afresh in this process, rows and all, and the worked example."""
    stored = run.result, stored_rows(run)
    RollupRun.objects.all().delete()
    clean = RollupRun.objects.get(pk=rollup.apply(kwargs={"year": 2024, "trigger": "clean"}, throw=True).get())
    assert stored == (clean.result, stored_rows(clean))
    expected = json.loads((EXAMPLES / "expected-rollup-2024.json").read_text())
    assert _differences(expected, clean.result) == []


class Worker:
    """One `celery worker` process on the test database, with the test-only hooks imported."""

    def __init__(self, env: dict[str, str], pool: str, command: tuple[str, ...] = ()) -> None:
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115 - read at teardown
        pool_args = ["--pool=solo"] if pool == "solo" else ["--pool=prefork", "--concurrency=1"]
        command = command or (
            "worker", *pool_args, "--loglevel=INFO", "--without-mingle", "--without-gossip",
            "--hostname=reliability-worker@%h",
        )  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", *command],
            cwd=settings.BASE_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self) -> None:
        from reports.tasks import ping

        assert ping.delay("ready?").get(timeout=60).startswith("ready?"), "the worker did not answer"

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, no clean-up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def close(self) -> None:
        self.stop()
        sys.stderr.write("---- worker log (tail) ----\n" + "\n".join(self.log_text().splitlines()[-60:]) + "\n")
        self.log.close()
        os.unlink(self.log.name)


class WorkerStarter:
    def __init__(self, hook_dir: Path) -> None:
        self.hook_dir = hook_dir
        self.started: list[Worker] = []

    def _env(self, extra_env: dict[str, str]) -> dict[str, str]:
        return (
            dict(
                os.environ,
                DJANGO_SETTINGS_MODULE="portal.settings.test",
                DATABASE_URL=database_url_for_subprocess(),
                PORTAL_TEST_TASK_MODULES=HOOKS_MODULE,
                PORTAL_TEST_HOOK_DIR=str(self.hook_dir),
            )
            | extra_env
        )

    def __call__(self, *, pool: str = "solo", ready: bool = True, **extra_env: str) -> Worker:
        worker = Worker(self._env(extra_env), pool)
        self.started.append(worker)
        if ready:
            worker.wait_ready()
        return worker

    def beat(self, **extra_env: str) -> Worker:
        """`celery beat` on the schedule in the test database (django-celery-beat's scheduler)."""
        schedule_file = self.hook_dir / "celerybeat-schedule"
        command = ("beat", "--loglevel=INFO", f"--schedule={schedule_file}", "--max-interval=1")
        beat = Worker(self._env(extra_env), "solo", command)
        self.started.append(beat)
        return beat

    def attempts(self) -> list[tuple[str, str, int]]:
        """(task name, task id, retries) of every task attempt the workers started, in order."""
        log = self.hook_dir / "attempts.log"
        lines = log.read_text().splitlines() if log.exists() else []
        return [(name, task_id, int(retries)) for name, task_id, retries in (line.split() for line in lines)]


@pytest.fixture
def hook_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "hooks"
    folder.mkdir()
    return folder


@pytest.fixture
def start_worker(transactional_db: None, hook_dir: Path) -> Iterator[WorkerStarter]:
    """Starts real worker processes (data must be committed for them to see it, hence
    transactional_db); every one still running is stopped at the end, its log printed."""
    from portal.celery import app

    app.control.purge()  # jobs queued by earlier tests, or by this test's set-up, are not its business
    starter = WorkerStarter(hook_dir)
    try:
        yield starter
    finally:
        for worker in starter.started:
            worker.close()


# --- A Redis server of the test's own ------------------------------------------------------------


class RedisServer:
    """`redis-server` on a free port, without persistence: a restart loses everything it held,
    as a crashed or restarted production Redis without AOF would. Never the shared 6379."""

    BINARY = "/usr/bin/redis-server"

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.BINARY, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")],
        )  # fmt: skip
        wait_until(self._answers, timeout=20, message=f"redis-server did not answer on port {self.port}")

    def kill(self) -> None:
        """SIGKILL: gone at once, with every queued message."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=20)
        wait_until(lambda: not self._answers(), timeout=10, message="redis-server still answers")

    def restart(self) -> None:
        self.kill()
        self.start()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def _answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
        return False


@contextlib.contextmanager
def celery_app_on(broker_url: str) -> Iterator[None]:
    """This process's Celery app publishes to `broker_url` through connection pools of its own;
    afterwards the suite's broker and pools are put back as they were (never closed: kombu keeps
    pools per URL, and a closed one would be handed out again)."""
    from portal.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport_options, app._pool, app.amqp._producer_pool
    app._pool = app.amqp._producer_pool = None
    app.conf.broker_url, app.conf.broker_transport_options = broker_url, {}
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options, app._pool, app.amqp._producer_pool = saved


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if not Path(RedisServer.BINARY).exists():
        pytest.skip(f"{RedisServer.BINARY} is not installed (CI installs it): no Redis of the test's own to restart")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        if server.process is not None and server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=20)


# --- A database connection that can be cut ---------------------------------------------------------


class TcpProxy:
    """Forwards 127.0.0.1:`port` to the database server. While `cut`, it takes each new connection
    and closes it at once (counting them) and has closed the ones it carried: to a client the
    database has gone away. `restore` forwards again."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.refused = 0
        self._cut = threading.Event()
        self._closing = threading.Event()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def cut(self) -> None:
        self._cut.set()
        with self._lock:
            for conn in self._open:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self._cut.clear()

    def close(self) -> None:
        self._closing.set()
        self.cut()
        self.listener.close()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if self._cut.is_set():
                self.refused += 1
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for conn in (source, target):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            with self._lock:
                self._open.discard(source)
                self._open.discard(target)
