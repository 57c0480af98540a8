"""Rate limits per token and per address; the schema validates; the documentation is served
from this site's own files, without inline script, under the site's Content-Security-Policy."""

import json
import re
import secrets

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from suppliers.models import User
from tests.api.conftest import GENEROUS_RATES, token_client

pytestmark = pytest.mark.django_db


def test_a_token_over_its_scopes_rate_gets_429_and_others_are_unaffected(
    settings: SettingsWrapper, alice: User, bob: User
) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**GENEROUS_RATES, "supplier_write": "3/minute"},
    }
    alice_api, bob_api = token_client(alice), token_client(bob)
    assert [alice_api.get("/api/v1/sites/").status_code for _ in range(3)] == [200, 200, 200]
    throttled = alice_api.get("/api/v1/sites/")
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert "detail" in throttled.json()
    assert bob_api.get("/api/v1/sites/").status_code == 200  # another token, another count
    assert token_client(alice).get("/api/v1/sites/").status_code == 200  # alice's second token too


def test_a_staff_token_has_its_own_rate(settings: SettingsWrapper, staff_reader: User) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**GENEROUS_RATES, "staff_read": "2/minute"},
    }
    staff_api = token_client(staff_reader)
    assert [staff_api.get("/api/v1/runs/").status_code for _ in range(3)] == [200, 200, 429]


def test_anonymous_callers_are_limited_by_address(settings: SettingsWrapper) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**GENEROUS_RATES, "anon": "2/minute"},
    }
    # A random address, so that the count is this run's alone (the cache may be a shared Redis).
    client = Client(REMOTE_ADDR=f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}")
    forged = {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    codes = [client.get("/api/v1/schema/", **forged).status_code for _ in range(3)]
    assert codes == [200, 200, 429]  # a forged X-Forwarded-For does not give a fresh count


def test_the_openapi_schema_validates_without_warnings(tmp_path) -> None:
    target = tmp_path / "schema.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(target))
    schema = json.loads(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http", "scheme": "bearer", "description": schema["components"]["securitySchemes"]["apiToken"]["description"],
    }  # fmt: skip
    assert "/api/v1/periods/{period_id}/lines/" in schema["paths"]


def test_the_docs_are_served_from_this_site_without_inline_script(client: Client) -> None:
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    page = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all('src="' in attributes and not body.strip() for attributes, body in scripts)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert all(source.startswith("/") for source in sources), sources  # nothing from another host
    for source in sources:
        assert client.get(source).status_code == 200, source  # the sidecar's files and the start-up script
    start_up = client.get("/api/v1/docs/?script=")
    assert (
        start_up["Content-Type"].startswith("application/javascript") and "/api/v1/schema/" in start_up.content.decode()
    )


def test_behind_a_proxy_anonymous_callers_are_limited_by_the_address_the_proxy_saw(settings: SettingsWrapper) -> None:
    """The same client address as the login lockout: the entry the proxy appended, not one the
    client wrote to its left, and not the proxy's own address, which every office shares."""
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**GENEROUS_RATES, "anon": "2/minute"},
    }
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    office, other_office = (f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}" for _ in range(2))
    codes = [
        proxy.get("/api/v1/schema/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, {office}").status_code for n in range(3)
    ]
    assert codes == [200, 200, 429]  # a different forged entry on the left each time changes nothing
    assert proxy.get("/api/v1/schema/", HTTP_X_FORWARDED_FOR=other_office).status_code == 200
