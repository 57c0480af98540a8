"""Settings of the benchmark: production's, on the bench database, with nothing shared.

`python -m bench` sets DATABASE_URL (from BENCH_DATABASE_URL) and a throw-away SECRET_KEY before
Django reads this module, so the developer's database, `.env` values, Redis and var/ are not used:
the cache is in memory, the broker is kombu's in-memory transport (a roll-up queued by an import
goes nowhere; the bench runs roll-ups itself), mail stays in memory, files go to a temporary folder.
"""

import os
import tempfile

from portal.settings.production import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "bench.urls"
# wrk speaks plain HTTP to gunicorn: no redirect to HTTPS, cookies not marked secure-only.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The load test logs staff in by session cookie; the second factor is proven in tests/security.
STAFF_OTP_REQUIRED = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://localhost/"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_RESULT_BACKEND = "django-db"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("BENCH_PRIVATE_DIR", tempfile.gettempdir()), "base_url": None},
    },
}
# Static files as on a deploy: `python -m bench` runs collectstatic into a folder of its own, so
# the manifest's hashed names are there and nothing is written into the repository.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", os.path.join(tempfile.gettempdir(), "portal-bench-static"))
# Only warnings: gunicorn under load would otherwise log every request's roll-up chatter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
