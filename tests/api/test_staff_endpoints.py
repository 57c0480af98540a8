"""What the company's reporting tools read: runs, per-supplier results and flags, paged, in a
fixed number of queries whatever the number of suppliers."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from reports.models import RollupFlag, RollupRun, RollupSupplierResult
from reports.services.rollups import rollup_run_create
from tests.reports.test_rollup_runs import make_portfolio

pytestmark = pytest.mark.django_db


def test_runs_are_listed_newest_first_and_filtered_by_year(staff_api: APIClient) -> None:
    make_portfolio(2)
    rollup_run_create(year=2019)
    run = rollup_run_create(year=2024)
    body = staff_api.get("/api/v1/runs/").json()
    assert [row["year"] for row in body["results"]] == [2024, 2019] and body["count"] == 2
    assert [row["id"] for row in staff_api.get("/api/v1/runs/", {"year": 2024}).json()["results"]] == [run.pk]
    assert staff_api.get("/api/v1/runs/", {"status": "failed"}).json()["count"] == 0
    refused = staff_api.get("/api/v1/runs/", {"yaer": 2024})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "yaer"
    assert staff_api.get("/api/v1/runs/", {"year": "twenty"}).status_code == 400


def test_a_run_with_its_result_suppliers_and_flags(staff_api: APIClient) -> None:
    make_portfolio(3)
    run = rollup_run_create(year=2024)
    detail = staff_api.get(f"/api/v1/runs/{run.pk}/").json()
    assert detail["result"] == run.result and detail["input_fingerprint"] == run.input_fingerprint
    suppliers = staff_api.get(f"/api/v1/runs/{run.pk}/suppliers/").json()
    stored = RollupSupplierResult.objects.filter(run=run).order_by("supplier__code")
    assert [row["supplier_code"] for row in suppliers["results"]] == [row.supplier.code for row in stored]
    assert [Decimal(row["avoided_tco2e"]) for row in suppliers["results"]] == [row.avoided_tco2e for row in stored]
    flags = staff_api.get(f"/api/v1/runs/{run.pk}/flags/").json()
    assert flags["count"] == RollupFlag.objects.filter(run=run).count()
    page = staff_api.get(f"/api/v1/runs/{run.pk}/suppliers/", {"page_size": 2, "page": 2}).json()
    assert len(page["results"]) == 1 and page["previous"]
    assert staff_api.get(f"/api/v1/runs/{run.pk}/suppliers/", {"page_size": 1001}).status_code == 400
    assert staff_api.get(f"/api/v1/runs/{RollupRun.objects.count() + 99}/").status_code == 404


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_lists_take_the_same_queries_for_1_and_50_suppliers(staff_api: APIClient) -> None:
    make_portfolio(1)
    small = rollup_run_create(year=2024)

    def urls(run: RollupRun) -> list[str]:
        return ["/api/v1/runs/", f"/api/v1/runs/{run.pk}/suppliers/", f"/api/v1/runs/{run.pk}/flags/"]

    staff_api.get("/api/v1/runs/")  # the token's first use is recorded (one UPDATE): not counted below
    few = [_queries(staff_api, url) for url in urls(small)]
    make_portfolio(49)
    large = rollup_run_create(year=2024)
    many = [_queries(staff_api, url) for url in urls(large)]
    assert few == many
    assert max(many) <= 6  # the token with its user, two for permissions, the run, the count, the page
