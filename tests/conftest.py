"""Shared fixtures: the three named people (a supplier's user, another supplier's user, staff),
and the services the suite runs against, named in pytest's header."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import SiteFactory, SupplierFactory, UserFactory

SHARED_SPEC = Path(settings.BASE_DIR).parent / "shared" / "spec"


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = settings.DATABASES["default"]
    return [
        f"portal database: {database['ENGINE'].rsplit('.', 1)[-1]} {database.get('HOST') or ''} {database['NAME']}",
        f"portal broker: {settings.CELERY_BROKER_URL.split('@')[-1]}",
    ]


@pytest.fixture
def alice(db):  # noqa: ANN001, ANN201
    """A user of supplier CN-A001, which has one site."""
    supplier = SupplierFactory(code="CN-A001")
    SiteFactory(supplier=supplier, code="A1")
    return UserFactory(email="alice@supplier-a.example", supplier=supplier)


@pytest.fixture
def bob(db):  # noqa: ANN001, ANN201
    """A user of another supplier, CN-B001."""
    supplier = SupplierFactory(code="CN-B001")
    SiteFactory(supplier=supplier, code="B1")
    return UserFactory(email="bob@supplier-b.example", supplier=supplier)


@pytest.fixture
def charlie(db):  # noqa: ANN001, ANN201
    """Staff."""
    return UserFactory(email="charlie@carmaker.example", is_staff=True)
