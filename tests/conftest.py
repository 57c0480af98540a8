"""Shared fixtures: the three named people (a supplier's user, another supplier's user, staff),
and the services the suite runs against, named in pytest's header."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from suppliers.models import User
from tests.factories import SiteFactory, SupplierFactory, UserFactory

SHARED_SPEC = Path(settings.BASE_DIR).parent / "shared" / "spec"


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = settings.DATABASES["default"]
    return [
        f"portal database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''} {database['NAME']}",
        f"portal broker: {settings.CELERY_BROKER_URL.split('@')[-1]}",
    ]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import os
    import shutil

    if "PORTAL_TEST_BROKER_DIR" in os.environ:
        shutil.rmtree(os.environ["PORTAL_TEST_BROKER_DIR"], ignore_errors=True)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts and ends in the default language: LocaleMiddleware activates a request's
    language in the test's thread and nothing deactivates it, so one Chinese page would otherwise
    turn the next test's messages Chinese."""
    translation.deactivate()
    yield
    translation.deactivate()


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


def database_url_for_subprocess() -> str:
    """DATABASE_URL of the test database, for a worker process started by a test."""
    from django.db import connection

    params = connection.settings_dict
    if params["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{params['NAME']}"
    auth = params["USER"] + (f":{params['PASSWORD']}" if params.get("PASSWORD") else "")
    return f"postgres://{auth}@{params['HOST'] or 'localhost'}:{params['PORT'] or 5432}/{params['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db: None) -> Iterator[subprocess.Popen]:
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
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings.test", DATABASE_URL=database_url_for_subprocess())
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
