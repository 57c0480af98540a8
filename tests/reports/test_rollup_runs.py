"""Stored roll-up runs: reproducible, never overwritten, a fixed number of queries."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from reports.models import RollupFlag, RollupRequest, RollupRun, RollupSupplierResult
from reports.services.rollup_requests import rollup_request
from reports.services.rollups import rollup_run_create
from suppliers.models import Submission
from suppliers.services.submissions import submission_return
from tests.factories import EmissionFactorFactory, LineFactory, SiteFactory, SubmissionFactory, SupplierFactory
from tests.reports.test_worked_example import EXAMPLES, _load_example

pytestmark = pytest.mark.django_db


def make_portfolio(suppliers: int, sites: int = 2) -> None:
    EmissionFactorFactory(region="EAST", year=2022, tco2_per_mwh=Decimal("0.5617"))
    for _ in range(suppliers):
        supplier = SupplierFactory()
        for year in (2019, 2024):
            submission = SubmissionFactory(supplier=supplier, period__year=year)
            for s in range(sites):
                site = (
                    SiteFactory(supplier=supplier, code=f"P{s}") if year == 2019 else supplier.sites.get(code=f"P{s}")
                )
                LineFactory(submission=submission, site=site, onsite_renewable_mwh=Decimal(100 * (year - 2018)))


def test_running_twice_with_the_same_inputs_stores_one_run() -> None:
    make_portfolio(3)
    first = rollup_run_create(year=2024)
    second = rollup_run_create(year=2024)
    assert first.pk == second.pk
    assert RollupRun.objects.count() == 1
    assert RollupSupplierResult.objects.filter(run=first).count() == 3


def test_a_changed_input_is_a_new_run_beside_the_old_one() -> None:
    make_portfolio(2)
    old = rollup_run_create(year=2024)
    old_result = old.result
    submission = Submission.objects.filter(period__year=2024).first()
    line = submission.lines.first()
    line.onsite_renewable_mwh += 1
    line.save()
    new = rollup_run_create(year=2024)
    assert new.pk != old.pk
    assert new.input_fingerprint != old.input_fingerprint
    old.refresh_from_db()
    assert old.result == old_result  # the published run still reads as it was
    assert new.result["green_mwh"] == old_result["green_mwh"] + 1


def test_a_factor_change_gives_a_new_run_and_an_unrelated_factor_does_not() -> None:
    make_portfolio(1)
    first = rollup_run_create(year=2024)
    EmissionFactorFactory(region="SOUTH", year=2023, tco2_per_mwh=Decimal("0.4"))  # no site in SOUTH
    assert rollup_run_create(year=2024).pk == first.pk
    EmissionFactorFactory(region="EAST", year=2024, tco2_per_mwh=Decimal("0.5"))
    second = rollup_run_create(year=2024)
    assert second.pk != first.pk
    assert {(f["region"], f["year"], f["from_year"]) for f in second.factors_used} >= {("EAST", 2024, 2024)}


def _rollup_queries() -> tuple[dict[str, int], RollupRun]:
    with CaptureQueriesContext(connection) as queries:
        run = rollup_run_create(year=2024)
    kinds = [q["sql"].split()[0] for q in queries.captured_queries]
    # Writes are INSERTs, or COPYs on PostgreSQL (portal/copying.py logs them as queries).
    return {"SELECT": kinds.count("SELECT"), "WRITE": kinds.count("INSERT") + kinds.count("COPY")}, run


def test_rollup_query_count_does_not_grow_with_suppliers_or_lines() -> None:
    RollupRequest.objects.create(year=2024)  # made once per year, on its first run ever
    make_portfolio(1, sites=1)
    small, run = _rollup_queries()
    assert run.result["suppliers_reporting"] == 1
    make_portfolio(49, sites=3)
    large, run = _rollup_queries()
    assert run.result["suppliers_reporting"] == 50
    assert large["SELECT"] == small["SELECT"], "a roll-up's reads must not depend on the number of suppliers or lines"
    # Writes are bulk inserts: run, its sensitivity variants, supplier rows, site rows, flags; only
    # batching (SQLite's parameter limit splits a few hundred rows) may add an insert for the larger portfolio.
    assert small["WRITE"] == 5
    assert large["WRITE"] <= small["WRITE"] + 3


def test_a_certificate_claimed_by_a_submitted_line_of_another_supplier_is_a_double_claim() -> None:
    make_portfolio(1)
    approved = Submission.objects.get(period__year=2024).lines.first()
    approved.gec_mwh = Decimal(50)
    approved.save()
    approved.certificate_claims.create(batch_id="GEC-2024-X-1", instrument="gec")
    before = rollup_run_create(year=2024).result
    other = LineFactory(submission__status=Submission.Status.SUBMITTED, gec_mwh=Decimal(10))
    other.certificate_claims.create(batch_id="GEC-2024-X-1", instrument="gec")
    during = rollup_run_create(year=2024).result
    assert during["green_mwh"] == before["green_mwh"] - 50
    assert {f["code"] for f in during["flags"]} >= {"duplicate_certificate"}
    # Staff return the other claim: the conflict ends and the certificates count again.
    submission_return(submission=other.submission, user=None, comment="That batch belongs to another supplier.")
    after = rollup_run_create(year=2024).result
    assert after["green_mwh"] == before["green_mwh"]
    assert "duplicate_certificate" not in {f["code"] for f in after["flags"]}


def test_lines_waiting_for_review_do_not_count() -> None:
    make_portfolio(1)
    before = rollup_run_create(year=2024).result
    LineFactory(submission__status=Submission.Status.SUBMITTED, total_electricity_mwh=Decimal(5000))
    assert rollup_run_create(year=2024).result["electricity_mwh"] == before["electricity_mwh"]


@pytest.mark.django_db(transaction=True)
def test_the_order_of_imports_never_changes_a_result() -> None:
    _load_example()
    expected = {year: RollupRun.objects.none() for year in (2019, 2024)}
    for year in expected:
        expected[year] = rollup_run_create(year=year).result
    call_command("flush", "--noinput")
    call_command("import_submissions", str(EXAMPLES / "submissions-2024-gbk.csv"), "--approve", stdout=StringIO())
    call_command("reported_figure", "2024", "10000", "--source", "worked example", stdout=StringIO())
    call_command("import_submissions", str(EXAMPLES / "submissions-2019.csv"), "--approve", stdout=StringIO())
    call_command("import_factors", str(EXAMPLES / "factors.csv"), "--replace", stdout=StringIO())
    for year, result in expected.items():
        assert json.dumps(rollup_run_create(year=year).result, sort_keys=True) == json.dumps(result, sort_keys=True)


def test_flags_are_stored_with_their_supplier_and_site() -> None:
    _load_example()
    run = rollup_run_create(year=2024)
    stored = {
        (f.code, f.supplier.code, f.site.code if f.site else None, f.year) for f in RollupFlag.objects.filter(run=run)
    }
    assert ("duplicate_certificate", "CN-0002", "SZ1", 2024) in stored
    assert ("no_baseline", "CN-0004", None, 2024) in stored
    assert len(stored) == len(run.result["flags"])


def test_twenty_triggers_in_a_row_send_one_task() -> None:
    sent = [rollup_request(year=2031, trigger=f"approval {n}") for n in range(20)]
    assert sent.count(True) == 1
    assert RollupRequest.objects.get(year=2031).pending_since is not None


def test_a_year_without_approved_lines_is_an_empty_run_not_an_error() -> None:
    run = rollup_run_create(year=2030)
    assert run.result["suppliers_reporting"] == 0
    assert run.result["green_reduction_tco2e"] == 0
    assert run.factors_used == []


def test_a_rollup_without_any_factor_is_recorded_as_failed_with_the_reason() -> None:
    from reports.calculation.factors import MissingFactor

    LineFactory()  # an approved line in EAST 2024, and no factor at all
    with pytest.raises(MissingFactor):
        rollup_run_create(year=2024)
    failed = RollupRun.objects.get()
    assert failed.status == RollupRun.Status.FAILED
    assert "province 320000, region EAST or NATIONAL in 2024" in failed.error
    EmissionFactorFactory(region="EAST", year=2024)
    succeeded = rollup_run_create(year=2024)
    assert succeeded.status == RollupRun.Status.SUCCEEDED and succeeded.pk != failed.pk


def _site_lines(supplier, site, electricity_by_year: dict[int, str]) -> None:
    for year, electricity in electricity_by_year.items():
        submission = SubmissionFactory(supplier=supplier, period__year=year)
        LineFactory(submission=submission, site=site, total_electricity_mwh=Decimal(electricity))


def test_the_outlier_rule_looks_back_to_a_sites_newest_earlier_year_however_far() -> None:
    """The history is read for the year before and, for a site without lines in it, every year
    before that: the rule still compares with the newest earlier year the site reported."""
    EmissionFactorFactory(region="EAST", year=2022, tco2_per_mwh=Decimal("0.5617"))
    gap = SupplierFactory(code="GAP")
    _site_lines(gap, SiteFactory(supplier=gap, code="G1"), {2019: "100", 2021: "1000", 2024: "100"})
    steady = SupplierFactory(code="STEADY")
    _site_lines(steady, SiteFactory(supplier=steady, code="S1"), {2019: "100", 2021: "1000", 2023: "90", 2024: "100"})
    flags = {
        (f["supplier_code"], f["year"]): f["detail"]
        for f in rollup_run_create(year=2024).result["flags"]
        if f["code"] == "yoy_outlier"
    }
    # GAP: 100 in 2024 against 1,000 in 2021 (no line in 2022 or 2023); STEADY: against 90 in 2023.
    assert flags == {
        ("GAP", 2024): "100 MWh in 2024 against 1000 MWh in 2021 (more than 5 times or under 1/5: a kWh typed as MWh?)"
    }


@pytest.mark.django_db(transaction=True)
def test_a_change_of_approved_lines_asks_for_a_rollup_of_each_year_through_the_signal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reports.services import rollup_requests
    from suppliers.signals import approved_lines_changed_after_commit

    asked = []
    monkeypatch.setattr(rollup_requests, "rollup_request", lambda *, year, trigger: asked.append((year, trigger)))
    with transaction.atomic():
        approved_lines_changed_after_commit(years={2025, 2024}, trigger="import")
        assert asked == []  # nothing before the commit
    assert asked == [(2024, "import"), (2025, "import")]
