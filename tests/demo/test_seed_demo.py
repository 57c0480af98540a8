"""`seed_demo` and `demo_logins`: an invented, deterministic portfolio, imported like a supplier's file."""

from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice

from demo import portfolio as demo
from reports.models import PublishedFigure, RollupRun
from suppliers.models import CertificateClaim, Line, ReportingPeriod, Site, Submission, Supplier, User
from suppliers.uscc import validate_uscc
from tests.factories import SupplierFactory


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _snapshot() -> tuple[list, list, float]:
    lines = Line.objects.values_list(
        "site__supplier__code", "site__supplier__uscc", "site__supplier__name_zh", "site__supplier__name_en",
        "site__supplier__category", "site__code", "site__name", "site__province", "submission__period__year",
        "submission__period__kind", "submission__period__number", "submission__status", "entered_unit",
        "total_electricity_mwh", "onsite_renewable_mwh", "green_power_trading_mwh", "gec_mwh", "irec_mwh",
        "bmw_share_percent",
    )  # fmt: skip
    claims = CertificateClaim.objects.values_list(
        "line__site__supplier__code", "line__site__code", "line__submission__period__year",
        "line__submission__period__number", "batch_id", "instrument",
    )  # fmt: skip
    run = RollupRun.objects.filter(year=2024).latest()
    return sorted(lines), sorted(claims), run.result["green_reduction_tco2e"]


def _latest_run(year: int) -> dict:
    return RollupRun.objects.filter(year=year).latest().result


@pytest.mark.django_db
def test_seeding_twice_from_an_empty_database_gives_identical_data() -> None:
    with transaction.atomic():
        _seed("--suppliers", "30")
        first = _snapshot()
        transaction.set_rollback(True)
    assert not Supplier.objects.exists()

    _seed("--suppliers", "30")

    assert len(first[0]) > 300
    assert _snapshot() == first


@pytest.mark.django_db
def test_every_demo_uscc_is_valid_and_carries_a_division_of_one_of_its_provinces() -> None:
    _seed("--suppliers", "30", "--years", "2024")

    suppliers = Supplier.objects.prefetch_related("sites")
    assert suppliers.count() == 30
    for supplier in suppliers:
        validate_uscc(supplier.uscc)
        assert supplier.uscc[:2] == "91"
        assert supplier.uscc[2:4] + "0000" in {site.province for site in supplier.sites.all()}


@pytest.mark.django_db
def test_the_full_demo_lands_within_ten_percent_of_the_published_million_tonnes_in_2024() -> None:
    output = _seed()

    result = _latest_run(2024)
    assert Supplier.objects.count() == 200
    assert not Supplier.objects.filter(name_zh="").exists()
    assert not Supplier.objects.filter(name_en="").exists()
    assert abs(Decimal(str(result["green_reduction_tco2e"])) - Decimal(1_000_000)) <= Decimal(100_000)
    assert result["reported"]["tco2e"] == 1_000_000
    assert "BMW Group statement (2025)" in result["reported"]["source"]
    assert abs(result["variance_pct"]) <= 10
    # Green shares rise, so the reduction grows year on year towards 2024.
    reductions = [_latest_run(year)["green_reduction_tco2e"] for year in range(2019, 2025)]
    assert reductions == sorted(reductions)
    assert "invented" in output


@pytest.mark.django_db
def test_the_2024_run_flags_the_demos_built_in_data_problems() -> None:
    _seed("--suppliers", "30")

    flags = _latest_run(2024)["flags"]
    codes = Counter(flag["code"] for flag in flags)
    assert codes["no_baseline"] >= 1
    assert codes["yoy_outlier"] >= 1
    duplicates = [flag for flag in flags if flag["code"] == "duplicate_certificate"]
    roles = {supplier.role: supplier.code for supplier in demo.demo_portfolio(30) if supplier.role}
    # A GEC batch claimed by two suppliers, and serials that a second supplier lists beside its own.
    assert {flag["supplier_code"] for flag in duplicates} == {
        roles["batch_owner"],
        roles["claims_twice"],
        roles["serial_owner"],
        roles["claims_serials_twice"],
    }
    serial_flags = [
        flag for flag in duplicates if flag["supplier_code"] in {roles["serial_owner"], roles["claims_serials_twice"]}
    ]
    # Exactly the shared certificates (a tenth of the claimer's 1,009) are excluded, on both sides.
    assert [flag["detail"].split(" MWh")[0] for flag in serial_flags] == ["100", "100"]
    slipped = next(flag for flag in flags if flag["code"] == "yoy_outlier")
    line = Line.objects.get(
        site__supplier__code=slipped["supplier_code"], site__code=slipped["site_code"], submission__period__year=2024
    )
    assert line.entered_unit == "万kWh"


@pytest.mark.django_db
def test_some_2025_submissions_wait_for_review_and_earlier_years_are_approved() -> None:
    _seed("--suppliers", "30")

    statuses = Counter(Submission.objects.values_list("period__year", "status"))
    assert statuses[(2025, Submission.Status.SUBMITTED)] >= 1
    assert not Submission.objects.filter(period__year__lt=2025).exclude(status=Submission.Status.APPROVED).exists()
    due = dict(ReportingPeriod.objects.filter(kind="year").values_list("year", "due_date"))
    assert due[2024].isoformat() == "2025-03-31"
    assert sorted(due) == list(range(2019, 2027))
    # Past years are closed; only the year after the data is open for reporting.
    assert list(ReportingPeriod.objects.filter(is_open=True).values_list("year", "kind")) == [(2026, "year")]


@pytest.mark.django_db
def test_if_empty_does_nothing_on_a_second_call() -> None:
    _seed("--suppliers", "5", "--years", "2023-2024", "--if-empty")
    counts = (Supplier.objects.count(), Site.objects.count(), Line.objects.count(), RollupRun.objects.count())
    assert counts[0] == 5

    output = _seed("--suppliers", "5", "--years", "2023-2024", "--if-empty")

    assert "leaves the data as it is" in output
    assert (Supplier.objects.count(), Site.objects.count(), Line.objects.count(), RollupRun.objects.count()) == counts


@pytest.mark.django_db
def test_if_empty_leaves_a_portal_with_real_suppliers_alone() -> None:
    SupplierFactory()

    _seed("--if-empty")

    assert Supplier.objects.count() == 1
    assert not PublishedFigure.objects.exists()


@pytest.mark.django_db
def test_monthly_cuts_every_line_by_month() -> None:
    _seed("--suppliers", "3", "--years", "2024", "--monthly")

    kinds = set(Line.objects.values_list("submission__period__kind", flat=True))
    assert kinds == {"month"}
    assert Line.objects.count() == 12 * Site.objects.count()


@pytest.mark.django_db
def test_demo_logins_prints_the_two_logins_only_once_they_exist() -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert out.getvalue() == ""

    _seed("--suppliers", "2", "--years", "2024")
    out = StringIO()
    call_command("demo_logins", stdout=out)

    text = out.getvalue()
    assert f"{demo.STAFF_EMAIL} / {demo.STAFF_PASSWORD}" in text
    assert f"{demo.SUPPLIER_EMAIL} / {demo.SUPPLIER_PASSWORD}" in text
    staff, supplier_user = User.objects.get(email=demo.STAFF_EMAIL), User.objects.get(email=demo.SUPPLIER_EMAIL)
    assert staff.is_superuser and staff.supplier is None
    assert supplier_user.supplier.code == "CN-0001" and not supplier_user.is_staff


@pytest.mark.django_db
def test_demo_logins_does_not_print_a_password_that_was_changed() -> None:
    _seed("--suppliers", "2", "--years", "2024")
    staff = User.objects.get(email=demo.STAFF_EMAIL)
    staff.set_password("something else entirely")
    staff.save()

    out = StringIO()
    call_command("demo_logins", stdout=out)

    assert demo.STAFF_PASSWORD not in out.getvalue()
    assert "password changed" in out.getvalue()


def _make_run_output() -> str:
    """What `make run` prints before honcho starts: `seed_demo --if-empty`, then `demo_logins`."""
    out = StringIO()
    call_command("seed_demo", "--if-empty", "--suppliers", "2", "--years", "2024", stdout=out)
    call_command("demo_logins", stdout=out)
    return out.getvalue()


def _printed_codes(output: str) -> list[list[str]]:
    marker = "Staff second factor (one-time backup codes, each works once):"
    return [line.split(marker, 1)[1].split() for line in output.splitlines() if marker in line]


@pytest.mark.django_db
def test_make_run_prints_one_set_of_staff_backup_codes_and_they_verify(settings) -> None:
    settings.STAFF_OTP_REQUIRED = True

    first_run = _make_run_output()

    assert first_run.count(f"{demo.STAFF_EMAIL} / {demo.STAFF_PASSWORD}") == 1
    [codes] = _printed_codes(first_run)
    assert len(codes) == 5
    device = StaticDevice.objects.get(user__email=demo.STAFF_EMAIL)
    assert device.verify_token(codes[0])
    assert not device.verify_token(codes[0])  # each works once

    # The next `make run` finds the data and prints one new set; the old set stops working.
    device.throttle_reset()
    second_run = _make_run_output()
    assert "leaves the data as it is" in second_run
    [new_codes] = _printed_codes(second_run)
    device = StaticDevice.objects.get(user__email=demo.STAFF_EMAIL)
    assert not device.verify_token(codes[1])
    device.throttle_reset()
    assert device.verify_token(new_codes[1])


def test_a_suppliers_rows_do_not_depend_on_the_portfolio_size_or_the_years_asked_for() -> None:
    small = [row for row in demo.demo_rows(demo.demo_portfolio(20)) if row.cells["supplier_code"] == "CN-0017"]
    large = [row for row in demo.demo_rows(demo.demo_portfolio(60)) if row.cells["supplier_code"] == "CN-0017"]
    only_2022 = demo.demo_rows(demo.demo_portfolio(20)[16:17], years=range(2022, 2023))

    assert small == large
    assert only_2022 == [row for row in small if row.year == 2022]


def test_the_portfolio_mixes_units_periods_and_instruments() -> None:
    portfolio = demo.demo_portfolio(200)
    rows = demo.demo_rows(portfolio)

    assert {row.cells["unit"] for row in rows} == {"kWh", "MWh", "GWh", "万kWh"}
    kinds = Counter(supplier.period_kind for supplier in portfolio)
    assert kinds["year"] > kinds["quarter"] > 0 and kinds["month"] > 0
    for column in ("onsite_renewable", "green_power_trading", "gec", "irec"):
        assert any(row.cells[column] for row in rows if row.year == 2024), column
    assert any("," in row.cells["total_electricity"] for row in rows)
    assert len({supplier.category for supplier in portfolio}) == 12
    assert len({supplier.name_en for supplier in portfolio}) == 200
    assert len({supplier.uscc for supplier in portfolio}) == 200
    # Green power trading starts in China in September 2021.
    assert not any(row.cells["green_power_trading"] for row in rows if row.year < 2021)
