"""Shared fixtures: the three named people (a supplier's user, another supplier's user, staff),
and the services the suite runs against, named in pytest's header."""

import email
import email.policy
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.test import Client
from django.utils import translation
from pytest_django.fixtures import Settings as SettingsWrapper

from portal.generations import generations_reset
from suppliers.models import User
from tests.factories import SiteFactory, SupplierFactory, UserFactory

# The worked example of the method (docs/method.md): the repository's own copy of its files.
WORKED_EXAMPLE = Path(__file__).parent / "data" / "worked-example"


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = settings.DATABASES["default"]
    return [
        f"portal database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''} {database['NAME']}",
        f"portal broker: {settings.CELERY_BROKER_URL.split('@')[-1]}",
    ]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import os
    import shutil

    # The suite's queue folder is shared by the pytest-xdist processes: the one that started them
    # removes it once they have all finished, never one of them while another still uses it.
    # So is the suite's cache folder (without Redis).
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        for folder in ("PORTAL_TEST_BROKER_DIR", "PORTAL_TEST_CACHE_DIR"):
            if folder in os.environ:
                shutil.rmtree(os.environ[folder], ignore_errors=True)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts and ends in the default language: LocaleMiddleware activates a request's
    language in the test's thread and nothing deactivates it, so one Chinese page would otherwise
    turn the next test's messages Chinese."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _new_cache_generations() -> None:
    """The cache outlives a test's database (Redis, or the file cache of make test): each test
    starts a new epoch of portal.generations, as the demo's seed does, since factories write
    around the services that signal a change."""
    generations_reset()


@pytest.fixture
def tasks_run_here() -> Iterator[None]:
    """Celery tasks the code under test queues run at once, in this process (eager), as a worker
    would run them, so a test reads the email a page queued. With the `db` fixture a task queued
    after commit never runs (the test's transaction never commits): use django_db(transaction=True)
    or django_capture_on_commit_callbacks(execute=True)."""
    from portal.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def alice(db: None) -> User:
    """A user of supplier CN-A001, which has one site."""
    supplier = SupplierFactory(code="CN-A001")
    SiteFactory(supplier=supplier, code="A1")
    return UserFactory(email="alice@supplier-a.example", supplier=supplier)


@pytest.fixture
def bob(db: None) -> User:
    """A user of another supplier, CN-B001."""
    supplier = SupplierFactory(code="CN-B001")
    SiteFactory(supplier=supplier, code="B1")
    return UserFactory(email="bob@supplier-b.example", supplier=supplier)


@pytest.fixture
def charlie(db: None) -> User:
    """Staff."""
    return UserFactory(email="charlie@carmaker.example", is_staff=True)


@pytest.fixture
def staff_client(client: Client) -> Client:
    """A client logged in as a superuser of the car maker."""
    client.force_login(User.objects.create_superuser("staff@carmaker.example", "a long staff password"))
    return client


@pytest.fixture
def private_storage(settings: SettingsWrapper, tmp_path: Path) -> Path:
    """Stored files (evidence, report files) go to a temporary private folder, as in production
    under var/private; returns the folder."""
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
    }
    return location


def database_url_for_subprocess() -> str:
    """DATABASE_URL of the test database, for a worker process started by a test."""
    from django.db import connection

    params = connection.settings_dict
    if params["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{params['NAME']}"
    auth = params["USER"] + (f":{params['PASSWORD']}" if params.get("PASSWORD") else "")
    return f"postgres://{auth}@{params['HOST'] or 'localhost'}:{params['PORT'] or 5432}/{params['NAME']}"


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    """Environment variables added to the worker process of `celery_worker_process`: none here; a
    test module overrides this fixture to point the worker at its own SMTP server or folder."""
    return {}


@pytest.fixture
def celery_worker_process(transactional_db: None, celery_worker_env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """A real `celery worker` process on the suite's broker and the test database.

    Data a test writes must be committed for the worker to see it, hence transactional_db.
    Yields the Popen; the worker is stopped (and its log printed on failure) afterwards.
    """
    import os
    import sys
    import tempfile

    from portal.celery import app
    from reports.tasks import ping

    app.control.purge()  # jobs queued by earlier tests are not this test's business
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115 - read at teardown
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=database_url_for_subprocess(),
        **celery_worker_env,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO",
         "--without-mingle", "--without-gossip", "--hostname=test-worker@%h"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert ping.delay("ready?").get(timeout=60).startswith("ready?"), "the worker did not answer"
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.seek(0)
        sys.stderr.write("---- worker log (tail) ----\n" + "".join(log.readlines()[-40:]))
        log.close()
        os.unlink(log.name)


# --- A real SMTP server --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage


class SmtpServer:
    """aiosmtpd on 127.0.0.1 in a thread, keeping every message it is given; it refuses the
    recipients in `refused` (550, as a server does for an unknown mailbox)."""

    def __init__(self) -> None:
        self.host, self.port = "127.0.0.1", free_port()
        self.received: list[ReceivedMail] = []
        self.refused: set[str] = set()
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname=self.host, port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    async def handle_RCPT(
        self, server: object, session: object, envelope: object, address: str, rcpt_options: list
    ) -> str:  # aiosmtpd calls it by this name
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(
        self, server: object, session: object, envelope: object
    ) -> str:  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self.received)

    def wait_for(self, count: int, *, timeout: float = 60) -> list[ReceivedMail]:
        """The messages, once at least `count` arrived (fails after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while len(self.messages()) < count:
            assert time.monotonic() < deadline, f"{len(self.messages())} of {count} messages arrived in {timeout} s"
            time.sleep(0.1)
        return self.messages()

    def to(self, address: str) -> list[EmailMessage]:
        return [mail.message for mail in self.messages() if address in mail.recipients]


def free_port() -> int:
    """A TCP port nothing listens on now (the OS's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_settings(settings: SettingsWrapper, port: int) -> None:
    """Django's SMTP backend, pointed at 127.0.0.1:`port` without TLS or login."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10


@pytest.fixture
def smtp_server(settings: SettingsWrapper) -> Iterator[SmtpServer]:
    """A real SMTP server on a free port, and Django sending to it over SMTP (not locmem)."""
    server = SmtpServer()
    server.start()
    smtp_settings(settings, server.port)
    try:
        yield server
    finally:
        server.stop()
