"""API tokens: made on the portal page and shown once, stored as a digest only, expiring,
revocable, scoped (a supplier's token writes figures, a staff token reads runs)."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from suppliers.models import ReportingPeriod, User
from tests.api.conftest import line, raw_token, token_client

pytestmark = pytest.mark.django_db


def _make_on_page(client: Client, name: str = "Energy management system") -> str:
    response = client.post(reverse("api_tokens"), {"name": name, "lifetime_days": 90})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = re.search(r'<code[^>]*id="new-token-value">([^<]+)</code>', response.content.decode())
    assert match, "the new token is shown on the page"
    return match[1]


def _bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_token_made_on_the_page_is_shown_once_and_stored_only_as_its_sha256(client: Client, alice: User) -> None:
    client.force_login(alice)
    raw = _make_on_page(client)
    token = ApiToken.objects.get()
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix) and len(raw) > 40 and token.scope == ApiToken.Scope.SUPPLIER_WRITE
    # Not in any column of the token's row, nor in the session the page used.
    assert raw not in str(list(ApiToken.objects.values_list()))
    assert all(raw not in str(session.get_decoded()) for session in Session.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        assert raw not in str(cursor.fetchall())
    listing = client.get(reverse("api_tokens")).content.decode()
    assert raw not in listing and token.prefix in listing and "Energy management system" in listing
    assert _bearer(raw).get("/api/v1/sites/").status_code == 200


def test_the_page_refuses_a_lifetime_it_does_not_offer(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(reverse("api_tokens"), {"name": "x", "lifetime_days": 3650})
    assert response.status_code == 200 and not ApiToken.objects.exists()
    assert 'id="new-token-value"' not in response.content.decode()


def test_an_expired_token_is_refused(alice: User) -> None:
    raw = raw_token(alice)
    token = ApiToken.objects.get()
    assert _bearer(raw).get("/api/v1/sites/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - timedelta(days=91), expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = _bearer(raw).get("/api/v1/sites/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_token_is_refused_at_once(client: Client, alice: User) -> None:
    client.force_login(alice)
    raw = _make_on_page(client)
    token = ApiToken.objects.get()
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.is_active
    assert _bearer(raw).get("/api/v1/sites/").status_code == 401


def test_another_suppliers_token_cannot_be_revoked_and_is_404(client: Client, alice: User, bob: User) -> None:
    raw = raw_token(alice)
    token = ApiToken.objects.get()
    client.force_login(bob)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and _bearer(raw).get("/api/v1/sites/").status_code == 200


def test_an_unknown_or_malformed_token_is_401(alice: User) -> None:
    raw = raw_token(alice)
    assert _bearer(raw + "x").get("/api/v1/sites/").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer").get("/api/v1/sites/").status_code == 401
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw} extra").get("/api/v1/sites/").status_code == 401
    assert Client().get("/api/v1/sites/").status_code == 401


def test_a_supplier_token_cannot_read_runs(alice_api) -> None:
    response = alice_api.get("/api/v1/runs/")
    assert response.status_code == 403


def test_a_staff_token_cannot_write(staff_api, alice: User, period: ReportingPeriod) -> None:
    response = staff_api.put(f"/api/v1/periods/{period.pk}/lines/", {"version": 0, "lines": [line()]})
    assert response.status_code == 403
    assert staff_api.get("/api/v1/sites/").status_code == 403
    assert not alice.supplier.submissions.exists()


def test_a_staff_token_needs_permission_to_see_runs(charlie: User) -> None:
    assert token_client(charlie).get("/api/v1/runs/").status_code == 403


def test_a_deactivated_user_or_a_changed_role_stops_the_token(alice: User) -> None:
    raw = raw_token(alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert _bearer(raw).get("/api/v1/sites/").status_code == 401
    User.objects.filter(pk=alice.pk).update(is_active=True, supplier=None)
    assert _bearer(raw).get("/api/v1/sites/").status_code == 401


def test_use_is_recorded_at_most_once_a_minute(alice: User, django_assert_num_queries) -> None:
    raw = raw_token(alice)
    _bearer(raw).get("/api/v1/sites/")
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    _bearer(raw).get("/api/v1/sites/")
    assert ApiToken.objects.get().last_used_at == first
    # The token with its user and supplier in one query, then the sites: no write on a repeat call.
    with django_assert_num_queries(2):
        assert _bearer(raw).get("/api/v1/sites/").status_code == 200


def test_staff_make_their_tokens_after_the_second_factor(client: Client, staff_reader: User, settings) -> None:
    settings.STAFF_OTP_REQUIRED = True
    client.force_login(staff_reader)
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert client.post(reverse("api_tokens"), {"name": "BI", "lifetime_days": 30}).status_code == 302
    assert not ApiToken.objects.exists()
    settings.STAFF_OTP_REQUIRED = False
    raw = _make_on_page(client, "BI tool")
    assert ApiToken.objects.get().scope == ApiToken.Scope.STAFF_READ
    assert _bearer(raw).get("/api/v1/runs/").status_code == 200


def test_a_user_of_no_supplier_who_is_not_staff_has_no_token_page(client: Client, db: None) -> None:
    client.force_login(User.objects.create_user("nobody@example.com", "a long enough password"))
    assert client.get(reverse("api_tokens")).status_code == 404


def test_the_supplier_pages_link_to_the_token_page(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert reverse("api_tokens") in client.get(reverse("dashboard")).content.decode()


def test_the_admin_lists_tokens_without_digests_and_revokes_them(client: Client, alice: User) -> None:
    raw_token(alice)
    token = ApiToken.objects.get()
    client.force_login(User.objects.create_superuser("admin@carmaker.example", "a long admin password"))
    listing = client.get(reverse("admin:api_apitoken_changelist")).content.decode()
    assert token.prefix in listing and token.digest not in listing
    page = client.get(reverse("admin:api_apitoken_change", args=[token.pk])).content.decode()
    assert token.digest not in page
    client.post(reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
