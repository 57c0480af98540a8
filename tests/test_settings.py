"""Settings read the environment and refuse, at start-up and by name, a value they cannot use."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

BAD_VALUES = [
    ("CELERY_VISIBILITY_TIMEOUT", "0", "CELERY_VISIBILITY_TIMEOUT must be at least 1 second"),
    ("CELERY_VISIBILITY_TIMEOUT", "an hour", "CELERY_VISIBILITY_TIMEOUT has a value that cannot be read"),
    ("API_RATE_SUPPLIER", "lots", "API_RATE_SUPPLIER must look like 600/hour"),
    ("API_RATE_STAFF", "100/fortnight", "API_RATE_STAFF must look like 600/hour"),
    ("PORTAL_BASE_URL", "portal.example.com", "PORTAL_BASE_URL must look like https://portal.example.com"),
    ("PORTAL_BIND", "unix:/run/portal.sock", "PORTAL_BASE_URL is not set and PORTAL_BIND 'unix:/run/portal.sock'"),
    ("REPORT_RECIPIENTS", "ops@carmaker.example,not-an-address", "REPORT_RECIPIENTS holds 'not-an-address'"),
    ("AXES_FAILURE_LIMIT", "five", "AXES_FAILURE_LIMIT has a value that cannot be read"),
    ("STAFF_OTP_REQUIRED", "ture", "STAFF_OTP_REQUIRED must be true or false, not 'ture'"),
    ("DEBUG", "maybe", "DEBUG must be true or false"),
    ("DATABASE_URL", "", "DATABASE_URL must look like postgres://"),
    ("DATABASE_URL", "mysq://root@localhost/portal", "'mysq' isn't an available database backend"),
]


def _start(extra_env: dict[str, str], code: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.development", **extra_env}
    for variable in ("PORTAL_BASE_URL", "PORTAL_BIND"):  # the outer shell's, e.g. under `make run`
        if variable not in extra_env:
            env.pop(variable, None)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_the_settings_start_with_their_defaults() -> None:
    result = _start({})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("variable", "value", "message"), BAD_VALUES)
def test_a_value_the_settings_cannot_use_stops_start_up_naming_the_variable(
    variable: str, value: str, message: str
) -> None:
    result = _start({variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    ("extra_env", "base_url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORTAL_BIND": "127.0.0.1:9000"}, "http://127.0.0.1:9000"),
        ({"PORTAL_BIND": "127.0.0.1:9000", "PORTAL_BASE_URL": "https://green.carmaker.example/"}, "https://green.carmaker.example"),
    ],
    ids=["neither set: the default", "PORTAL_BIND when PORTAL_BASE_URL is unset", "PORTAL_BASE_URL wins"],
)  # fmt: skip
def test_links_in_emails_are_built_on_portal_base_url_or_else_on_the_address_gunicorn_binds(
    extra_env: dict[str, str], base_url: str
) -> None:
    code = "from django.conf import settings; print(settings.PORTAL_BASE_URL)"
    result = _start(extra_env, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == base_url


def test_the_filesystem_broker_starts_without_the_no_hostname_warning() -> None:
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    code = (
        "import django; django.setup()\n"
        "from portal.celery import app\n"
        "with app.connection_for_write() as connection:\n"
        "    print(connection.as_uri())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR, env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings.development"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("filesystem://")
    assert "No hostname was supplied" not in result.stderr + result.stdout
