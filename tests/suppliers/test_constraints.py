"""The database itself refuses what the rules forbid, for writes that skip full_clean()."""

from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from suppliers.models import CertificateClaim, Line, ReportingPeriod, Site, Submission, Supplier
from tests.factories import ReportingPeriodFactory, SiteFactory, SubmissionFactory, SupplierFactory, valid_uscc


@pytest.fixture
def submission(db):
    return SubmissionFactory(supplier=SupplierFactory(code="CN-0042"), period=ReportingPeriodFactory(year=2024))


@pytest.fixture
def site(submission):
    return SiteFactory(supplier=submission.supplier, code="WX1")


def _line(submission: Submission, site: Site, **fields: object) -> Line:
    values = {"entered_unit": "MWh", "total_electricity_mwh": Decimal(100), "bmw_share_percent": Decimal(50)}
    return Line.objects.create(submission=submission, site=site, **(values | fields))


def _refused_by_database(create: object) -> None:
    # A constraint violation is an IntegrityError; PostgreSQL refuses a value longer than its
    # column even before the constraints, with a DataError (SQLite does not check lengths).
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        create()


# --- lines -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "green",
    [
        {"onsite_renewable_mwh": Decimal("100.000001")},
        {"green_power_trading_mwh": Decimal(60), "gec_mwh": Decimal(41)},
        {"onsite_renewable_mwh": 30, "green_power_trading_mwh": 30, "gec_mwh": 30, "irec_mwh": Decimal("10.5")},
    ],
)
def test_database_refuses_a_line_with_green_above_total(submission: Submission, site: Site, green: dict) -> None:
    _refused_by_database(lambda: _line(submission, site, **green))
    assert Line.objects.count() == 0


@pytest.mark.django_db
def test_database_accepts_a_line_whose_green_equals_its_total(submission: Submission, site: Site) -> None:
    line = _line(submission, site, onsite_renewable_mwh=25, green_power_trading_mwh=25, gec_mwh=25, irec_mwh=25)
    assert line.green_mwh == line.total_electricity_mwh


@pytest.mark.django_db
@pytest.mark.parametrize("share", [Decimal(101), Decimal("100.0001"), Decimal(-1)])
def test_database_refuses_a_share_outside_0_to_100(submission: Submission, site: Site, share: Decimal) -> None:
    _refused_by_database(lambda: _line(submission, site, bmw_share_percent=share))
    assert Line.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("share", [Decimal(0), Decimal(100)])
def test_database_accepts_a_share_of_0_and_of_100(submission: Submission, site: Site, share: Decimal) -> None:
    assert _line(submission, site, bmw_share_percent=share).pk is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field", ["total_electricity_mwh", "onsite_renewable_mwh", "green_power_trading_mwh", "gec_mwh", "irec_mwh"]
)
def test_database_refuses_a_negative_quantity(submission: Submission, site: Site, field: str) -> None:
    _refused_by_database(lambda: _line(submission, site, **{field: Decimal("-0.000001")}))
    assert Line.objects.count() == 0


@pytest.mark.django_db
def test_database_refuses_a_second_line_for_the_same_site_and_period(submission: Submission, site: Site) -> None:
    _line(submission, site)
    _refused_by_database(lambda: _line(submission, site))
    assert Line.objects.count() == 1


@pytest.mark.django_db
def test_saving_an_existing_line_with_green_above_total_is_refused_too(submission: Submission, site: Site) -> None:
    line = _line(submission, site)
    line.gec_mwh = Decimal(150)

    _refused_by_database(line.save)
    assert Line.objects.get().gec_mwh == 0


# --- suppliers and sites ---------------------------------------------------------------------


@pytest.mark.django_db
def test_database_refuses_a_duplicate_site_code_within_a_supplier(site: Site) -> None:
    _refused_by_database(
        lambda: Site.objects.create(supplier=site.supplier, code="WX1", name="Copy", province="320000")
    )
    assert Site.objects.filter(code="WX1").count() == 1


@pytest.mark.django_db
def test_database_accepts_the_same_site_code_for_another_supplier(site: Site) -> None:
    other = SupplierFactory(code="CN-0043")
    Site.objects.create(supplier=other, code="WX1", name="Other plant", province="440000")
    assert Site.objects.filter(code="WX1").count() == 2


@pytest.mark.django_db
def test_database_refuses_a_site_outside_the_seven_grids(site: Site) -> None:
    _refused_by_database(lambda: Site.objects.filter(pk=site.pk).update(region="NATIONAL"))
    assert Site.objects.get().region == "EAST"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "uscc",
    [
        "91320500MA1P3Q00I9",  # I is not in the alphabet
        "91320500MA1P3Q00O9",  # nor O
        "91320500MA1P3Q00S9",  # nor S
        "91320500ma1p3q0029",  # lower case
        "91320500MA1P3Q002",  # 17 characters
        "91320500MA1P3Q0029-",
    ],
)
def test_database_refuses_a_uscc_outside_its_alphabet(uscc: str) -> None:
    _refused_by_database(lambda: Supplier.objects.create(code="CN-0042", name_en="Wuxi Cells", uscc=uscc))
    assert not Supplier.objects.exists()


@pytest.mark.django_db
def test_database_refuses_a_supplier_without_any_name() -> None:
    _refused_by_database(lambda: Supplier.objects.create(code="CN-0042", uscc=valid_uscc(42)))
    assert not Supplier.objects.exists()


@pytest.mark.django_db
def test_database_refuses_two_suppliers_with_one_uscc() -> None:
    Supplier.objects.create(code="CN-0042", name_en="Wuxi Cells", uscc=valid_uscc(42))
    _refused_by_database(lambda: Supplier.objects.create(code="CN-0043", name_en="Copy", uscc=valid_uscc(42)))
    assert Supplier.objects.count() == 1


# --- periods, submissions, certificates ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "number"), [("quarter", 5), ("quarter", 0), ("month", 13), ("year", 1)])
def test_database_refuses_a_period_that_does_not_exist(kind: str, number: int) -> None:
    _refused_by_database(lambda: ReportingPeriod.objects.create(year=2024, kind=kind, number=number))
    assert not ReportingPeriod.objects.exists()


@pytest.mark.django_db
def test_database_refuses_a_second_submission_for_the_same_supplier_and_period(submission: Submission) -> None:
    _refused_by_database(lambda: Submission.objects.create(supplier=submission.supplier, period=submission.period))
    assert Submission.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("batch_id", ["gec-2024-1", "GEC 2024 1", "-GEC", ""])
def test_database_refuses_a_certificate_batch_id_not_normalised(
    submission: Submission, site: Site, batch_id: str
) -> None:
    line = _line(submission, site, gec_mwh=10)
    _refused_by_database(lambda: CertificateClaim.objects.create(line=line, batch_id=batch_id, instrument="gec"))
    assert not CertificateClaim.objects.exists()


@pytest.mark.django_db
def test_database_refuses_the_same_batch_twice_on_one_line(submission: Submission, site: Site) -> None:
    line = _line(submission, site, gec_mwh=10)
    CertificateClaim.objects.create(line=line, batch_id="GEC-2024-1", instrument="gec")
    _refused_by_database(lambda: CertificateClaim.objects.create(line=line, batch_id="GEC-2024-1", instrument="gec"))
    assert CertificateClaim.objects.count() == 1
