"""schemathesis against the OpenAPI schema, through the WSGI application: no 500, no response
that breaks the schema, on every operation, with a bounded number of generated requests."""

import os
from collections.abc import Callable

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from reports.services.rollups import rollup_run_create
from suppliers.models import ReportingPeriod, User
from tests.api.conftest import raw_token
from tests.factories import EmissionFactorFactory, LineFactory, SiteFactory, SubmissionFactory

pytestmark = pytest.mark.django_db
# Generated requests per operation and phase: bounded for `make test`; API_FUZZ_EXAMPLES=500 digs deeper.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "15"))


class InTestTransaction:
    """The project's WSGI application, minus the hooks at a request's start and end that close the database
    connection (as Django's test client does), so that requests run inside the test's transaction."""

    def __init__(self) -> None:
        self.application = get_wsgi_application()

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.application(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


# Loaded as the tests are collected (the schema view reads no data); one test per operation.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", InTestTransaction())


@pytest.fixture
def world(alice: User, staff_reader: User, period: ReportingPeriod) -> dict:
    """Real objects for the generated requests to reach: alice's period with a draft, a stored run."""
    SiteFactory(supplier=alice.supplier, code="A2")
    draft = SubmissionFactory(supplier=alice.supplier, period=period, status="draft")
    LineFactory(submission=draft, site=alice.supplier.sites.get(code="A1"))
    approved = SubmissionFactory(supplier=alice.supplier, period__year=2023, status="approved")
    LineFactory(submission=approved, site=alice.supplier.sites.get(code="A2"))
    EmissionFactorFactory(region="EAST", year=2023)
    run = rollup_run_create(year=2023)
    return {
        "supplier": raw_token(alice),
        "staff": raw_token(staff_reader),
        "ids": {"period_id": period.pk, "run_id": run.pk},
    }


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case, world: dict) -> None:
    if case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE:
        # Valid requests reach the real period and run; invalid ones keep their generated path.
        for name, value in world["ids"].items():
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = value
    token = world["staff"] if case.path.startswith("/api/v1/runs") else world["supplier"]
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=[positive_data_acceptance])
