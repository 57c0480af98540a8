"""Every page a supplier or staff opens runs as many queries at 2,000 suppliers as at one: the
pages' query counts are pinned at ten times today's portfolio (bench/ measures the time).

The portfolio is written with bulk_create (one supplier is made the slow way for its login), then
rolled up by the real service, so the runs, supplier and site rows and flags are the engine's own.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.generations import generations_reset
from reports.models import EmissionFactor, RollupRun
from reports.services.rollups import rollup_run_create
from suppliers.models import CertificateClaim, CertificateRange, Line, ReportingPeriod, Site, Submission, Supplier, User
from tests.factories import valid_uscc

pytestmark = pytest.mark.django_db
SCALE = 2000
YEARS = (2019, 2024)  # approved: the baseline and the year rolled up
WAITING_YEAR = 2025  # submitted: the review queue


def _periods() -> dict[int, ReportingPeriod]:
    return {
        year: ReportingPeriod.objects.get_or_create(
            year=year, kind="year", number=0, defaults={"due_date": date(year + 1, 3, 31), "is_open": year == 2025}
        )[0]
        for year in (*YEARS, WAITING_YEAR)
    }


def _add_suppliers(first: int, count: int) -> None:
    """Suppliers first..first+count-1, each with a site (in one grid or another), approved 2019 and 2024 lines (2024 with a
    GEC batch), and a 2025 submission waiting for review; in a few bulk writes."""
    periods = _periods()
    suppliers = Supplier.objects.bulk_create(
        [
            Supplier(code=f"CN-{n:05d}", name_zh=f"供应商{n}有限公司", name_en=f"Supplier {n}", uscc=valid_uscc(n))
            for n in range(first, first + count)
        ]
    )
    sites = Site.objects.bulk_create(
        [
            Site(supplier=supplier, code=f"P{s}", name=f"Plant {s}", province=province, region=region)
            for supplier in suppliers
            for s, (province, region) in enumerate(
                [("320000", "EAST")] if supplier.pk % 2 else [("210000", "NORTHEAST")]
            )
        ]
    )
    submissions = Submission.objects.bulk_create(
        [
            Submission(
                supplier=supplier,
                period=periods[year],
                status=Submission.Status.SUBMITTED if year == WAITING_YEAR else Submission.Status.APPROVED,
            )
            for supplier in suppliers
            for year in (*YEARS, WAITING_YEAR)
        ]
    )
    sites_of: dict[int, list[Site]] = {}
    for site in sites:
        sites_of.setdefault(site.supplier_id, []).append(site)
    lines = Line.objects.bulk_create(
        [
            Line(
                submission=submission,
                site=site,
                entered_unit="MWh",
                entered_values={"total_electricity": "1000"},
                total_electricity_mwh=Decimal(1000),
                onsite_renewable_mwh=Decimal(10 * (submission.period.year - 2018)),
                gec_mwh=Decimal(50) if submission.period.year == 2024 else Decimal(0),
                bmw_share_percent=Decimal(40),
            )
            for submission in submissions
            for site in sites_of[submission.supplier_id]
        ]
    )
    # Two suppliers in three name their GECs by batch ID, the third by serials, in ranges of 50
    # where each overlaps the next one's by 2 certificates (double claims the roll-up and the
    # double-claims page find in the database).
    certified = [line for line in lines if line.gec_mwh]
    CertificateClaim.objects.bulk_create(
        [
            CertificateClaim(
                line=line, batch_id=f"GEC-2024-{line.submission.supplier_id}-{line.site_id}", instrument="gec"
            )
            for line in certified
            if line.submission.supplier_id % 3
        ]
    )
    CertificateRange.objects.bulk_create(
        [
            CertificateRange(
                line=line,
                instrument="gec",
                stem="GEC-0320-2024-",
                width=9,
                first=f"{line.submission.supplier_id // 3 * 48:09d}",
                last=f"{line.submission.supplier_id // 3 * 48 + 49:09d}",
                count=50,
            )
            for line in certified
            if not line.submission.supplier_id % 3
        ]
    )


def _user(**fields: object) -> User:
    user = User(email=f"user{User.objects.count()}@example.com", **fields)
    user.set_password("a long password for tests")
    user.save()
    return user


@pytest.fixture
def portfolio() -> Callable[[int], None]:
    """Grows the portfolio to `total` suppliers and rolls up 2024 anew (2019, the baseline, once)."""
    EmissionFactor.objects.create(region="NATIONAL", year=2022, tco2_per_mwh=Decimal("0.5703"), source="test")

    def grow(total: int) -> None:
        first = Supplier.objects.count()
        _add_suppliers(first, total - first)
        for year in YEARS if first == 0 else YEARS[1:]:
            rollup_run_create(year=year, trigger="test")

    return grow


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries)


def _pages() -> dict[str, tuple[Client, str]]:
    supplier_user = User.objects.filter(supplier__code="CN-00000").first() or _user(
        supplier=Supplier.objects.get(code="CN-00000")
    )
    staff = User.objects.filter(is_superuser=True).first() or _user(is_staff=True, is_superuser=True)
    supplier_client, staff_client = Client(), Client()
    supplier_client.force_login(supplier_user)
    staff_client.force_login(staff)
    run = RollupRun.objects.filter(year=2024).latest("finished_at", "id")
    period = ReportingPeriod.objects.get(year=WAITING_YEAR)
    pages = {
        "dashboard": (supplier_client, reverse("dashboard")),
        "period page": (supplier_client, reverse("period_detail", args=[period.pk])),
        "review queue": (staff_client, reverse("admin:suppliers_submission_changelist")),
        "review queue, flagged only": (staff_client, reverse("admin:suppliers_submission_changelist") + "?flags=yes"),
        "comparison": (staff_client, reverse("reports_comparison") + "?year=2024"),
        "double claims": (staff_client, reverse("reports_double_claims")),
    }
    # Every kind as CSV; XLSX reads the same rows (the suppliers' file stands for it: writing
    # 2,000 sites' cells with openpyxl would take seconds and prove nothing more).
    for kind, file_format in (("suppliers", "csv"), ("sites", "csv"), ("regions", "csv"), ("suppliers", "xlsx")):
        pages[f"export {kind}.{file_format}"] = (
            staff_client,
            reverse("reports_run_export", args=[run.pk, kind, file_format]),
        )
    return pages


def _counts() -> dict[str, int]:
    """Each page's queries drawn anew, nothing of it kept from the page before (the queue keeps the
    flags of the submissions it lists, which the flagged-only page then reads: at one supplier those
    are all of them, at 2,000 a page of fifty)."""
    counts = {}
    for name, (client, url) in _pages().items():
        generations_reset()
        counts[name] = _queries(client, url)
    return counts


def test_every_page_runs_as_many_queries_at_2000_suppliers_as_at_one(portfolio: Callable[[int], None]) -> None:
    portfolio(1)
    at_one = _counts()
    portfolio(SCALE)
    assert Supplier.objects.count() == SCALE
    assert (
        RollupRun.objects.get(year=2024, pk=RollupRun.objects.filter(year=2024).latest("finished_at", "id").pk).result[
            "suppliers_reporting"
        ]
        == SCALE
    )
    assert _counts() == at_one


def test_a_roll_up_runs_as_many_queries_at_2000_suppliers_as_at_one(portfolio: Callable[[int], None]) -> None:
    """Whatever the number of suppliers, lines, batches and serial ranges (with overlaps)."""
    portfolio(1)

    def rollup_queries() -> int:
        """The roll-up's reads: its writes are batched (COPY on PostgreSQL, bulk inserts of at most
        999 values on SQLite), so that they grow with the rows written, never with a query per row."""
        RollupRun.objects.filter(year=2024).delete()
        with CaptureQueriesContext(connection) as queries:
            rollup_run_create(year=2024, trigger="test")
        return sum(1 for q in queries if q["sql"].lstrip().upper().startswith("SELECT"))

    at_one = rollup_queries()
    portfolio(SCALE)
    at_scale = rollup_queries()
    run = RollupRun.objects.get(year=2024)
    assert run.result["double_claimed_mwh"] > 0  # the serial overlaps were found
    assert at_scale == at_one
