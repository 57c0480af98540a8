"""The same figures sent through the API and typed on the period page give the same lines (as
entered and in MWh, with their certificates and history) and the same roll-up."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from reports.models import RollupSupplierResult
from reports.services.rollups import rollup_run_create
from suppliers.models import CertificateClaim, Line, ReportingPeriod, Submission, User
from suppliers.services.submissions import submission_approve
from tests.api.conftest import token_client
from tests.factories import EmissionFactorFactory, LineFactory, SiteFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

ROWS = {
    "A1": {
        "unit": "kWh", "total_electricity": "1,250,000", "onsite_renewable": "180000",
        "green_power_trading": "300000", "bmw_share_percent": "35",
    },
    "A2": {
        "unit": "万kWh", "total_electricity": "88.5", "gec": "10", "bmw_share_percent": "12.5",
        "certificate_ids": "GEC-2024-XY-1; gec-2024-xy-2",
    },
}  # fmt: skip
FORM_FIELDS = (
    "unit", "total_electricity", "onsite_renewable", "green_power_trading", "gec", "irec", "bmw_share_percent",
    "certificate_ids",
)  # fmt: skip


class Rollback(Exception):
    """Carries a result out of a savepoint that is then undone."""


def _submit_on_the_page(alice: User, period: ReportingPeriod) -> None:
    sites = list(alice.supplier.sites.order_by("code"))
    data = {
        "form-TOTAL_FORMS": str(len(sites)), "form-INITIAL_FORMS": str(len(sites)), "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000", "version": "0", "action": "submit", "declaration": "on",
    }  # fmt: skip
    for index, site in enumerate(sites):
        data[f"form-{index}-site_id"] = str(site.pk)
        for name in FORM_FIELDS:
            data[f"form-{index}-{name}"] = ROWS[site.code].get(name, "")
    client = Client()
    client.force_login(alice)
    response = client.post(reverse("period_submit", args=[period.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def _submit_through_the_api(alice: User, period: ReportingPeriod) -> None:
    lines = []
    for code, row in ROWS.items():
        certificate_ids = [part.strip() for part in row.get("certificate_ids", "").split(";") if part.strip()]
        lines.append(
            {
                "site": code,
                **{k: v for k, v in row.items() if k != "certificate_ids"},
                "certificate_ids": certificate_ids,
            }
        )
    response = token_client(alice).post(
        f"/api/v1/periods/{period.pk}/submit/", {"version": 0, "declaration": True, "lines": lines}
    )
    assert response.status_code == 200, response.json()


def _outcome(submit, alice: User, staff: User, period: ReportingPeriod) -> dict:
    """Submits, approves and rolls up 2024 in a savepoint; returns what came of it, then undoes it."""
    try:
        with transaction.atomic():
            submit(alice, period)
            submission = Submission.objects.get(supplier=alice.supplier, period=period)
            assert submission.status == "submitted" and submission.submitted_by == alice
            submission_approve(submission=submission, user=staff)
            run = rollup_run_create(year=2024)
            lines = Line.objects.filter(submission=submission).order_by("site__code")
            raise Rollback(
                {
                    "lines": list(
                        lines.values_list(
                            "site__code", "entered_unit", "entered_values", "total_electricity_mwh",
                            "onsite_renewable_mwh", "green_power_trading_mwh", "gec_mwh", "irec_mwh",
                            "bmw_share_percent",
                        )
                    ),
                    "claims": sorted(
                        CertificateClaim.objects.filter(line__submission=submission).values_list(
                            "line__site__code", "batch_id", "instrument"
                        )
                    ),
                    "history": sorted(
                        Line.history.filter(submission_id=submission.pk).values_list(
                            "site_id", "history_type", "history_user_id", "total_electricity_mwh"
                        )
                    ),
                    "fingerprint": run.input_fingerprint,
                    "result": run.result,
                    "suppliers": list(
                        RollupSupplierResult.objects.filter(run=run)
                        .order_by("supplier__code")
                        .values_list("supplier__code", "attributable_green_mwh", "avoided_tco2e", "green_reduction_tco2e")
                    ),
                }
            )  # fmt: skip
    except Rollback as carried:
        return carried.args[0]
    raise AssertionError("unreachable")


def test_an_api_submission_and_a_web_submission_give_the_same_lines_and_roll_up(
    alice: User, staff_reader: User, period: ReportingPeriod
) -> None:
    SiteFactory(supplier=alice.supplier, code="A2", province="440000")
    for year in (2019, 2024):
        for region in ("EAST", "SOUTH"):
            EmissionFactorFactory(region=region, year=year, tco2_per_mwh=Decimal("0.58"))
    baseline = SubmissionFactory(supplier=alice.supplier, period__year=2019, status="approved")
    LineFactory(submission=baseline, site=alice.supplier.sites.get(code="A1"))

    on_the_page = _outcome(_submit_on_the_page, alice, staff_reader, period)
    through_the_api = _outcome(_submit_through_the_api, alice, staff_reader, period)

    assert on_the_page == through_the_api
    assert [row[0] for row in on_the_page["lines"]] == ["A1", "A2"]
    assert on_the_page["lines"][1][3] == Decimal("885")  # 88.5 万kWh in MWh
    assert on_the_page["claims"] == [("A2", "GEC-2024-XY-1", "gec"), ("A2", "GEC-2024-XY-2", "gec")]
    assert on_the_page["suppliers"][0][1] > 0  # the roll-up counted the green electricity
    assert not Submission.objects.filter(period=period).exists()  # both were undone
