"""Every page carries the security headers; production settings add HSTS and secure cookies."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

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
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production"}, "SECRET_KEY"),
        ({"SECRET_KEY": "z" * 60, "DEBUG": "true"}, "DEBUG must be off"),
    ],
)
def test_production_settings_refuse_a_default_key_or_debug(env: dict[str, str], message: str) -> None:
    result = _production_check(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_check_deploy_fails_on_a_warning() -> None:
    """The check above can fail: the same command on settings without HSTS reports it and exits non-zero."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # SECURE_HSTS_SECONDS not set


# A process running on the production settings: the login page through the whole middleware stack,
# a session, a CSRF cookie and a language cookie as the portal sets them. It needs no database (the
# session is stored in a signed cookie here only so as to be written without one: its cookie's
# attributes come from the same SESSION_COOKIE_* settings).
PRODUCTION_PROBE = """
import json, django
from django.conf import settings
settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
django.setup()
from django.test import Client
from django.urls import reverse

def cookie(response, name):
    morsel = response.cookies[name]
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]), "samesite": morsel["samesite"]}

client = Client()
plain = client.get(reverse("login"))
forged = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
page = client.get(reverse("login"), secure=True)
from django.templatetags.static import static
from django.test import Client as StaticClient
css = static("portal/portal.css")
css_response = StaticClient().get(css, secure=True)
language = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"}, secure=True)
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
def view(request):
    request.session["seen"] = True
    return HttpResponse()
session = SessionMiddleware(view)(RequestFactory().get("/", secure=True))
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "forged": [forged.status_code, forged.get("Location")],
    "css": [css, css_response.status_code, css_response.get("Cache-Control")],
    "status": page.status_code,
    "headers": {name: page.get(name) for name in ("Strict-Transport-Security", "Content-Security-Policy",
        "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "Cross-Origin-Opener-Policy")},
    "csrf": cookie(page, settings.CSRF_COOKIE_NAME),
    "session": cookie(session, settings.SESSION_COOKIE_NAME),
    "language": cookie(language, settings.LANGUAGE_COOKIE_NAME),
}))
"""


def _production_env(static_root: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "p" * 64,
        "ALLOWED_HOSTS": "testserver",
        "DEBUG": "false",
        "STATIC_ROOT": str(static_root),
        **extra,
    }


@pytest.fixture(scope="module")
def production_static(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The static files as a production deploy collects them: hashed names and their manifest."""
    static_root = tmp_path_factory.mktemp("staticfiles")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR, env=_production_env(static_root), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return static_root


def _probe(static_root: Path, **extra: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=settings.BASE_DIR, env=_production_env(static_root, **extra), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production_response(production_static: Path) -> dict:
    return _probe(production_static)


def test_a_forged_x_forwarded_proto_does_not_skip_the_https_redirect(production_response: dict) -> None:
    status, location = production_response["forged"]
    assert status == 301 and location.startswith("https://")


def test_x_forwarded_proto_is_trusted_behind_the_configured_proxies(production_static: Path) -> None:
    behind_a_proxy = _probe(production_static, AXES_IPWARE_PROXY_COUNT="1")
    assert behind_a_proxy["forged"][0] == 200
    assert behind_a_proxy["plain"][0] == 301


def test_production_static_files_have_hashed_names_and_a_long_cache(
    production_response: dict, production_static: Path
) -> None:
    url, status, cache_control = production_response["css"]
    assert re.fullmatch(r"/static/portal/portal\.[0-9a-f]{12}\.css", url), url
    assert status == 200
    assert "max-age=315360000" in cache_control and "immutable" in cache_control
    assert (production_static / "staticfiles.json").is_file()


def test_production_redirects_plain_http_to_https(production_response: dict) -> None:
    status, location = production_response["plain"]
    assert status == 301 and location.startswith("https://")


def test_production_sends_hsts_for_a_year_with_subdomains(production_response: dict) -> None:
    assert production_response["status"] == 200
    hsts = production_response["headers"]["Strict-Transport-Security"]
    assert hsts == "max-age=31536000; includeSubDomains; preload"


def test_production_pages_carry_the_csp_and_the_other_headers(production_response: dict) -> None:
    headers = production_response["headers"]
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";") if part.strip())
    assert policy["script-src"] == "'self'" and "unsafe" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("name", ["session", "csrf", "language"])
def test_production_cookies_are_secure_httponly_and_same_site(production_response: dict, name: str) -> None:
    assert production_response[name] == {"secure": True, "httponly": True, "samesite": "Lax"}


def test_the_language_cookie_set_at_login_follows_the_cookie_settings(alice, client: Client, settings) -> None:
    settings.LANGUAGE_COOKIE_SECURE = True
    settings.LANGUAGE_COOKIE_HTTPONLY = True
    response = client.post(reverse("login"), {"username": alice.email, "password": "correct horse battery staple"})
    morsel = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Lax"


def test_the_test_settings_cookies_are_httponly_and_same_site(alice, client: Client) -> None:
    """Outside production (plain http) cookies cannot be Secure, but keep HttpOnly and SameSite."""
    response = client.post(reverse("login"), {"username": alice.email, "password": "correct horse battery staple"})
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
