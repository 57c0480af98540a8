"""Every page carries the security headers; production settings add HSTS and secure cookies."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["login", "password_reset", "admin:login"])
def test_pages_carry_a_csp_without_inline_script_and_the_other_headers(client: Client, url_name: str) -> None:
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_no_template_contains_inline_script() -> None:
    offenders = []
    for folder, _dirs, files in os.walk(settings.BASE_DIR / "templates"):
        for name in files:
            text = open(os.path.join(folder, name), encoding="utf-8").read()  # noqa: SIM115
            for marker in ("<script>", "<script type", " onclick=", " onload=", " onsubmit=", "javascript:"):
                if marker in text:
                    offenders.append(f"{name}: {marker}")
    assert offenders == []


def _production_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy() -> None:
    result = _production_check({"SECRET_KEY": "x" * 20 + "a-long-random-production-key-for-the-test-only" + "y" * 10,
                                "ALLOWED_HOSTS": "portal.example.com", "DEBUG": "false"})  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [({"SECRET_KEY": ""}, "SECRET_KEY"), ({"SECRET_KEY": "z" * 60, "DEBUG": "true"}, "DEBUG must be off")],
)
def test_production_settings_refuse_a_default_key_or_debug(env: dict[str, str], message: str) -> None:
    result = _production_check(env)
    assert result.returncode != 0
    assert message in result.stderr
