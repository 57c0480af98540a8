"""The test suite: fast hashers, in-memory email; database and broker from the environment."""

import os
from pathlib import Path

from portal.settings.base import *  # noqa: F403
from portal.settings.base import CACHES, DATABASES, REDIS_URL, VAR_DIR, filesystem_broker_options

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker process started by a test sends its mail to that test's SMTP server and writes its files
# where that test reads them (tests/conftest.py); never EMAIL_URL, which may name a real server.
if os.environ.get("PORTAL_TEST_EMAIL_URL"):
    vars().update(env.email_url("PORTAL_TEST_EMAIL_URL"))
if os.environ.get("PORTAL_TEST_PRIVATE_DIR"):
    STORAGES = {
        **STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": os.environ["PORTAL_TEST_PRIVATE_DIR"], "base_url": None},
        },
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that a real worker process started by a test sees the same data;
    # one per test process, so that two runs of the suite on one checkout never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
if os.environ.get("PORTAL_TEST_SQLITE_TIMEOUT") and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # tests/reliability: a worker that gives up on a locked database quickly, to show it retries.
    DATABASES["default"]["OPTIONS"]["timeout"] = env.float("PORTAL_TEST_SQLITE_TIMEOUT")
# Test-only task modules a worker started by a test imports (tests/reliability/worker_hooks.py: a
# poison task, a pause inside a roll-up's transaction); never set outside the suite.
CELERY_IMPORTS = tuple(env.list("PORTAL_TEST_TASK_MODULES", default=[]))
# Short, but long enough that a burst of approvals in a test is coalesced into one run.
ROLLUP_COALESCE_SECONDS = 2

if CELERY_BROKER_URL.startswith("filesystem://"):
    # The suite's own queue, so that a `make run` worker on the same checkout never takes test jobs;
    # one per suite run, handed to the worker processes a test starts through the environment.
    _queue = Path(os.environ.setdefault("PORTAL_TEST_BROKER_DIR", str(VAR_DIR / f"test-broker-{os.getpid()}")))
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(_queue)

# Static files straight from the apps, without `collectstatic`.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Tests of other features log staff in with force_login; tests/security prove the second factor.
STAFF_OTP_REQUIRED = False

# Each pytest-xdist process (gw0, gw1, …) has a queue of its own, on Redis as on the filesystem
# broker, so that the Celery worker one test starts never takes the jobs of a test running beside it
# (it would look for their data, and store their results, in the wrong test database).
if os.environ.get("PYTEST_XDIST_WORKER"):
    CELERY_TASK_DEFAULT_QUEUE = f"portal-test-{os.environ['PYTEST_XDIST_WORKER']}"

if not REDIS_URL:
    # The suite's own file cache, shared with the worker processes a test starts (like the queue
    # above) and never culled during a run: a cache that drops entries at random would make the
    # tests of what the pages keep (tests/reports/test_comparison_cache.py) pass or fail by chance.
    CACHES = {
        "default": {
            **CACHES["default"],
            "LOCATION": os.environ.setdefault("PORTAL_TEST_CACHE_DIR", str(VAR_DIR / f"test-cache-{os.getpid()}")),
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }
# Each pytest-xdist process keys the shared cache (Redis, or the folder above) on its own, as do
# the workers its tests start (they inherit its environment): a test starting a new epoch of the
# cache generations (tests/conftest.py) leaves the other process's running test alone.
CACHES["default"]["KEY_PREFIX"] = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
