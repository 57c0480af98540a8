"""Tokens for the three named people, and API clients that send them."""

import pytest
from django.contrib.auth.models import Permission
from pytest_django.fixtures import Settings as SettingsWrapper
from rest_framework.test import APIClient

from api.services import api_token_create
from suppliers.models import ReportingPeriod, User
from tests.factories import ReportingPeriodFactory

GENEROUS_RATES = {"supplier_write": "100000/hour", "staff_read": "100000/hour", "anon": "100000/hour"}


@pytest.fixture(autouse=True)
def _generous_rates(settings: SettingsWrapper) -> None:
    """Tests other than the throttling one are never slowed down by a rate limit."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": GENEROUS_RATES}


def raw_token(user: User) -> str:
    """A new token of `user`, as shown once on the token page."""
    _token, raw = api_token_create(user=user, name=f"{user.email} system", lifetime_days=90)
    return raw


def token_client(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_token(user)}")
    return client


@pytest.fixture
def staff_reader(charlie: User) -> User:
    """Charlie, allowed to see roll-up runs (the viewer role's permission)."""
    charlie.user_permissions.add(Permission.objects.get(codename="view_rolluprun"))
    return User.objects.get(pk=charlie.pk)  # a fresh instance: permissions are cached per instance


@pytest.fixture
def alice_api(alice: User) -> APIClient:
    return token_client(alice)


@pytest.fixture
def bob_api(bob: User) -> APIClient:
    return token_client(bob)


@pytest.fixture
def staff_api(staff_reader: User) -> APIClient:
    return token_client(staff_reader)


@pytest.fixture
def period(db: None) -> ReportingPeriod:
    return ReportingPeriodFactory(year=2024, kind="year", number=0)


def line(site: str = "A1", **overrides: object) -> dict:
    """One line as a supplier's system sends it."""
    return {
        "site": site, "unit": "kWh", "total_electricity": "1,200,000", "onsite_renewable": "200000",
        "bmw_share_percent": "25", **overrides,
    }  # fmt: skip
