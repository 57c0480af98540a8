"""The supplier's dashboard: periods and their status, sites, figures over the years, in a
fixed number of queries."""

import re
import types
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone

import suppliers.urls
from reports.calculation import METHOD_VERSION
from reports.models import RollupRun, RollupSupplierResult
from reports.selectors.runs import supplier_figures_by_year
from reports.views import dashboard
from reports.views.dashboard import YearFigures
from suppliers.models import Commitment, ReportingPeriod, Site, Submission, Supplier, User
from tests.factories import ReportingPeriodFactory, SiteFactory, SubmissionFactory, SupplierFactory

# Session, the user with its supplier, the periods to report with their submissions, the newest
# reported submissions with their periods, sites, figures, commitment.
DASHBOARD_QUERIES = 7


def _run(year: int, *, minutes_ago: int = 0, **fields: object) -> RollupRun:
    finished = timezone.now() - timedelta(minutes=minutes_ago)
    values = {
        "year": year,
        "baseline_year": settings.BASELINE_YEAR,
        "method_version": METHOD_VERSION,
        "input_fingerprint": f"{year}-{minutes_ago}",
        "started_at": finished,
        "finished_at": finished,
    }
    return RollupRun.objects.create(**(values | fields))


def _result(run: RollupRun, supplier: Supplier, electricity: str, green: str, avoided: str) -> RollupSupplierResult:
    zero = Decimal(0)
    return RollupSupplierResult.objects.create(
        run=run,
        supplier=supplier,
        has_baseline=True,
        attributable_electricity_mwh=Decimal(electricity),
        attributable_green_mwh=Decimal(green),
        location_based_tco2e=zero,
        market_based_tco2e=zero,
        avoided_tco2e=Decimal(avoided),
        baseline_avoided_tco2e=zero,
        green_reduction_tco2e=zero,
    )


def _figures_table(page: str) -> list[list[str]]:
    table = re.search(r'<table[^>]*id="figures".*?<tbody>(.*?)</tbody>', page, re.S)
    assert table, "no figures table"
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)]


def _urlconf(urlpatterns: list) -> types.ModuleType:
    module = types.ModuleType("dashboard_test_urls")
    module.urlpatterns = urlpatterns
    return module


@pytest.fixture
def alice_client(alice: User, client: Client) -> Client:
    client.force_login(alice)
    return client


# --- periods and sites ---------------------------------------------------------------------------


def test_dashboard_shows_each_open_period_with_its_due_date_and_own_status(
    alice: User, bob: User, alice_client: Client
) -> None:
    statuses = ["draft", "submitted", "returned", "approved"]
    for month, status in enumerate(statuses, start=1):
        period = ReportingPeriodFactory(year=2025, kind="month", number=month, due_date=date(2025, month + 1, 15))
        SubmissionFactory(
            supplier=alice.supplier, period=period, status=status, review_comment="Meter photo is unreadable"
        )
    not_started = ReportingPeriodFactory(year=2025, kind="month", number=5, due_date=date(2025, 6, 15))
    # Bob's submission for the not-started period says nothing about Alice's.
    SubmissionFactory(supplier=bob.supplier, period=not_started, status="returned", review_comment="Bob's secret")

    page = alice_client.get(reverse("dashboard")).content.decode()

    rows = re.findall(r'<tr id="period-\d+">(.*?)</tr>', page, re.S)
    assert len(rows) == 5
    by_code = {re.search(r"2025-\d\d", row).group(0): row for row in rows}
    assert "Draft" in by_code["2025-01"] and "Submitted" in by_code["2025-02"]
    assert "Returned" in by_code["2025-03"] and "Approved" in by_code["2025-04"]
    assert "Not started" in by_code["2025-05"]
    assert "Meter photo is unreadable" in by_code["2025-03"]
    # The comment of a returned submission only: an approved one's old comment is not news.
    assert page.count("Meter photo is unreadable") == 1
    assert "Bob&#x27;s secret" not in page and "Bob's secret" not in page
    assert "Feb. 15, 2025" in by_code["2025-01"]


def test_dashboard_hides_closed_periods_without_a_submission_and_keeps_those_with_one(
    alice: User, alice_client: Client
) -> None:
    ReportingPeriodFactory(year=2019, kind="year", number=0, is_open=False)
    reported = ReportingPeriodFactory(year=2020, kind="year", number=0, is_open=False)
    SubmissionFactory(supplier=alice.supplier, period=reported, status="approved")
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert "2020" in page
    assert "2019</" not in page


def test_dashboard_puts_periods_still_to_report_above_submitted_and_past_ones(
    alice: User, alice_client: Client
) -> None:
    draft = ReportingPeriodFactory(year=2025, kind="quarter", number=1)
    SubmissionFactory(supplier=alice.supplier, period=draft, status="draft")
    returned = ReportingPeriodFactory(year=2025, kind="quarter", number=2)
    SubmissionFactory(supplier=alice.supplier, period=returned, status="returned", review_comment="Add the bill")
    blank = ReportingPeriodFactory(year=2025, kind="quarter", number=3)
    submitted = ReportingPeriodFactory(year=2025, kind="quarter", number=4)
    SubmissionFactory(supplier=alice.supplier, period=submitted, status="submitted")
    closed = ReportingPeriodFactory(year=2024, kind="year", number=0, is_open=False)
    SubmissionFactory(supplier=alice.supplier, period=closed, status="draft")

    page = alice_client.get(reverse("dashboard")).content.decode()

    def ids(table: str) -> set[int]:
        body = re.search(rf'<table[^>]*id="{table}".*?</table>', page, re.S).group(0)
        return {int(pk) for pk in re.findall(r'<tr id="period-(\d+)">', body)}

    assert ids("to-report") == {draft.pk, returned.pk, blank.pk}
    assert ids("reported") == {submitted.pk, closed.pk}


def test_dashboard_says_so_when_nothing_is_left_to_report(alice: User, alice_client: Client) -> None:
    period = ReportingPeriodFactory(year=2025, kind="year", number=0)
    SubmissionFactory(supplier=alice.supplier, period=period, status="approved")
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert "Nothing to report: every open period has been submitted." in page
    assert f'id="period-{period.pk}"' in re.search(r'<table[^>]*id="reported".*?</table>', page, re.S).group(0)


def test_dashboard_marks_an_open_period_past_its_due_date_as_overdue(alice: User, alice_client: Client) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    late = ReportingPeriodFactory(year=2024, kind="quarter", number=1, due_date=yesterday)
    done = ReportingPeriodFactory(year=2024, kind="quarter", number=2, due_date=yesterday)
    SubmissionFactory(supplier=alice.supplier, period=done, status="submitted")
    page = alice_client.get(reverse("dashboard")).content.decode()
    rows = dict(re.findall(r'<tr id="period-(\d+)">(.*?)</tr>', page, re.S))
    assert "Overdue" in rows[str(late.pk)]
    assert "Overdue" not in rows[str(done.pk)]


def test_dashboard_links_each_period_to_its_page(alice: User, alice_client: Client) -> None:
    period = ReportingPeriodFactory(year=2025, kind="quarter", number=1)
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("period_detail", kwargs={"period_id": period.pk})}"' in page


def test_dashboard_renders_without_links_when_there_is_no_period_page(
    alice: User, alice_client: Client, settings
) -> None:
    """The link is guarded: a build without the period page still renders the dashboard."""
    without_period_page = [p for p in suppliers.urls.urlpatterns if getattr(p, "name", None) != "period_detail"]
    settings.ROOT_URLCONF = _urlconf(
        [
            path("i18n/", include("django.conf.urls.i18n")),
            path("admin/", admin.site.urls),
            path("", dashboard.dashboard, name="dashboard"),
            *without_period_page,
        ]
    )
    ReportingPeriodFactory(year=2025, kind="quarter", number=1)
    response = alice_client.get("/")
    assert response.status_code == 200
    assert "2025-Q1" in response.content.decode()
    assert "/periods/" not in response.content.decode()


def test_dashboard_links_to_whatever_url_the_period_page_has(alice: User, alice_client: Client, settings) -> None:
    def elsewhere(request: HttpRequest, period_id: int) -> HttpResponse:
        return HttpResponse()

    others = [p for p in suppliers.urls.urlpatterns if getattr(p, "name", None) != "period_detail"]
    settings.ROOT_URLCONF = _urlconf(
        [
            path("i18n/", include("django.conf.urls.i18n")),
            path("admin/", admin.site.urls),
            path("elsewhere/<int:period_id>/", elsewhere, name="period_detail"),
            path("", dashboard.dashboard, name="dashboard"),
            *others,
        ]
    )
    period = ReportingPeriodFactory(year=2025, kind="quarter", number=1)
    assert f'href="/elsewhere/{period.pk}/"' in alice_client.get("/").content.decode()


def test_dashboard_lists_only_the_users_own_sites(alice: User, bob: User, alice_client: Client) -> None:
    SiteFactory(supplier=alice.supplier, code="A2", name="Changzhou plant")
    page = alice_client.get(reverse("dashboard")).content.decode()
    sites = re.search(r'<table[^>]*id="sites".*?</table>', page, re.S).group(0)
    assert "A1" in sites and "Changzhou plant" in sites
    assert "B1" not in sites


def test_staff_are_sent_from_the_dashboard_to_the_admin(charlie: User, client: Client) -> None:
    client.force_login(charlie)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_a_user_without_a_supplier_gets_404_not_an_error(client: Client, db) -> None:
    client.force_login(User.objects.create_user("orphan@example.com", "correct horse battery staple"))
    assert client.get(reverse("dashboard")).status_code == 404


# --- figures over the years ----------------------------------------------------------------------


def test_figures_come_from_the_newest_succeeded_run_of_each_year(alice: User, bob: User) -> None:
    supplier = alice.supplier
    _result(_run(2022, minutes_ago=90), supplier, "1000", "100", "50")
    _result(_run(2023, minutes_ago=90), supplier, "1100", "110", "55")  # superseded
    _result(_run(2023, minutes_ago=30), supplier, "1200", "600", "300")  # newest succeeded
    _run(2023, minutes_ago=10, status=RollupRun.Status.FAILED)  # failed: ignored
    _result(_run(2023, minutes_ago=5, baseline_year=settings.BASELINE_YEAR + 1), supplier, "9", "9", "9")
    _result(_run(2023, minutes_ago=5, method_version="0-old"), supplier, "8", "8", "8")
    _result(RollupRun.objects.get(year=2022), bob.supplier, "7", "7", "7")  # bob's row in the same run

    rows = list(supplier_figures_by_year(supplier))

    assert rows == [
        {"year": 2022, "attributable_electricity_mwh": Decimal(1000), "attributable_green_mwh": Decimal(100),
         "avoided_tco2e": Decimal(50)},
        {"year": 2023, "attributable_electricity_mwh": Decimal(1200), "attributable_green_mwh": Decimal(600),
         "avoided_tco2e": Decimal(300)},
    ]  # fmt: skip


def test_a_year_whose_newest_run_lacks_the_supplier_shows_nothing_for_that_year(alice: User, bob: User) -> None:
    _result(_run(2023, minutes_ago=60), alice.supplier, "1000", "100", "50")
    _result(_run(2023, minutes_ago=1), bob.supplier, "1", "1", "1")  # Alice's submission was returned since
    assert list(supplier_figures_by_year(alice.supplier)) == []


def test_green_share_is_green_over_electricity_and_unknown_without_electricity() -> None:
    assert YearFigures(2024, Decimal(200), Decimal(50), Decimal(0)).green_share_percent == 25
    assert YearFigures(2024, Decimal(0), Decimal(0), Decimal(0)).green_share_percent is None


def test_dashboard_shows_the_figures_as_a_table_and_two_inline_svg_charts(
    alice: User, bob: User, alice_client: Client
) -> None:
    _result(_run(2022), alice.supplier, "1234567.89", "617283.945", "350000.04")
    _result(_run(2023), alice.supplier, "0", "0", "0")
    _result(_run(2023, minutes_ago=1), bob.supplier, "424242", "1", "1")

    page = alice_client.get(reverse("dashboard")).content.decode()

    assert _figures_table(page) == [
        ["2022", "1,234,567.9", "617,283.9", "50.0", "350,000.0"],
        ["2023", "0.0", "0.0", "—", "0.0"],
    ]
    charts = re.search(
        r'<div class="row" id="figure-charts">(.*?)</div>\s*<div class="table-responsive"><table', page, re.S
    ).group(1)
    assert charts.count("<svg") == 2
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script (the CSP allows none)
    assert "Attributable electricity (MWh)" in charts and "Green share (%)" in charts
    assert "Avoided emissions (tCO2e)" in charts
    assert ">2022<" in charts and ">2023<" in charts and "2,022" not in page
    assert "424242" not in page and "424,242" not in page


def test_dashboard_without_figures_says_why(alice: User, alice_client: Client) -> None:
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert 'id="no-figures"' in page
    assert "<svg" not in page


@pytest.mark.parametrize(
    ("language", "number", "due"),
    [("en", "1,234,567.9", "March 31, 2025"), ("zh-hans", "1,234,567.9", "2025年3月31日")],
)
def test_numbers_and_dates_follow_the_readers_language(
    alice: User, alice_client: Client, language: str, number: str, due: str
) -> None:
    ReportingPeriodFactory(year=2024, kind="year", number=0, due_date=date(2025, 3, 31))
    _result(_run(2024), alice.supplier, "1234567.89", "1", "1")
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert f'<html lang="{language}">' in page
    assert number in _figures_table(page)[0]
    assert due in page


# --- query counts --------------------------------------------------------------------------------


def _supplier_with(*, sites: int, years: int, periods: int, other_suppliers: int, period_year: int = 2025) -> User:
    supplier = SupplierFactory()
    Site.objects.bulk_create(
        [
            Site(supplier=supplier, code=f"P{n}", name=f"Plant {n}", province="320000", region="EAST")
            for n in range(sites)
        ]
    )
    for month in range(1, periods + 1):
        period, _created = ReportingPeriod.objects.get_or_create(
            year=period_year, kind="month", number=month, defaults={"due_date": date(period_year, month, 28)}
        )
        Submission.objects.create(supplier=supplier, period=period, status=Submission.Status.SUBMITTED)
    others = [SupplierFactory() for _ in range(other_suppliers)]
    for year in range(2025 - years, 2025):
        for minutes_ago in (60, 1):
            run = _run(year, minutes_ago=minutes_ago)
            for who in [supplier, *others]:
                _result(run, who, "1000", "250", "120")
    return User.objects.create_user(f"user@{supplier.code.lower()}.example", "x", supplier=supplier)


SIZES = {
    "one site, one year": {"sites": 1, "years": 1, "periods": 1, "other_suppliers": 0},
    "fifty sites, seven years, fifty suppliers": {"sites": 50, "years": 7, "periods": 12, "other_suppliers": 49},
}


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_runs_a_fixed_number_of_queries(client: Client, django_assert_num_queries, db, size: str) -> None:
    user = _supplier_with(**SIZES[size])
    client.force_login(user)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert len(_figures_table(response.content.decode())) == SIZES[size]["years"]


def test_dashboard_queries_do_not_grow_with_sites_years_or_suppliers(client: Client, db) -> None:
    counts = []
    for size in SIZES.values():
        client.force_login(_supplier_with(**size))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dashboard")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_returned_submission_is_to_report_even_when_its_period_is_closed(client, alice) -> None:
    from suppliers.models import Submission
    from tests.factories import ReportingPeriodFactory, SubmissionFactory

    closed = ReportingPeriodFactory(year=2023, kind="year", number=0, is_open=False)
    SubmissionFactory(
        supplier=alice.supplier, period=closed, status=Submission.Status.RETURNED, review_comment="Fix the unit."
    )
    client.force_login(alice)
    response = client.get(reverse("dashboard"))
    assert [period.pk for period in response.context["to_report"]] == [closed.pk]
    assert "Fix the unit." in response.content.decode()


# --- the period history --------------------------------------------------------------------------


def _period_ids(page: str, table: str) -> list[int]:
    body = re.search(rf'<table[^>]*id="{table}".*?</table>', page, re.S).group(0)
    return [int(pk) for pk in re.findall(r'<tr id="period-(\d+)">', body)]


def test_dashboard_shows_the_newest_submitted_periods_and_links_to_all_of_them(
    alice: User, alice_client: Client
) -> None:
    from reports.views.dashboard import RECENT_PERIODS

    months = [ReportingPeriodFactory(year=2024, kind="month", number=n, is_open=False) for n in range(1, 13)]
    months += [ReportingPeriodFactory(year=2025, kind="month", number=n, is_open=False) for n in range(1, 4)]
    for period in months:
        SubmissionFactory(supplier=alice.supplier, period=period, status="approved")
    newest_first = [p.pk for p in sorted(months, key=lambda p: (p.year, p.number), reverse=True)]

    with CaptureQueriesContext(connection) as queries:
        page = alice_client.get(reverse("dashboard")).content.decode()
    assert len(queries) == DASHBOARD_QUERIES
    assert _period_ids(page, "reported") == newest_first[:RECENT_PERIODS]
    assert 'id="all-periods"' in page and "All submitted and past periods" in page

    history = alice_client.get(reverse("period_history")).content.decode()
    assert _period_ids(history, "reported") == newest_first
    assert reverse("dashboard") in history  # the way back


def test_dashboard_has_no_history_link_when_it_shows_every_period(alice: User, alice_client: Client) -> None:
    period = ReportingPeriodFactory(year=2024, kind="year", number=0, is_open=False)
    SubmissionFactory(supplier=alice.supplier, period=period, status="approved")
    page = alice_client.get(reverse("dashboard")).content.decode()
    assert _period_ids(page, "reported") == [period.pk]
    assert 'id="all-periods"' not in page


def test_the_period_history_shows_only_the_users_own_periods(alice: User, bob: User, client: Client) -> None:
    own = ReportingPeriodFactory(year=2023, kind="year", number=0, is_open=False)
    SubmissionFactory(supplier=alice.supplier, period=own, status="approved")
    others = ReportingPeriodFactory(year=2022, kind="year", number=0, is_open=False)
    SubmissionFactory(supplier=bob.supplier, period=others, status="approved")
    client.force_login(bob)
    page = client.get(reverse("period_history")).content.decode()
    assert _period_ids(page, "reported") == [others.pk]


# --- the figures kept between requests (reports.cache.RUNS_AND_COMMITMENTS) ----------------------


def test_the_figures_are_kept_until_a_run_or_a_commitment_changes(
    alice: User, alice_client: Client, django_capture_on_commit_callbacks
) -> None:
    _result(_run(2022), alice.supplier, "1000", "250", "120")
    with CaptureQueriesContext(connection) as first:
        page = alice_client.get(reverse("dashboard")).content.decode()
    with CaptureQueriesContext(connection) as kept:
        again = alice_client.get(reverse("dashboard")).content.decode()
    unmasked = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # masked anew on every page
    assert unmasked.sub("", again) == unmasked.sub("", page)
    assert (len(first), len(kept)) == (DASHBOARD_QUERIES, DASHBOARD_QUERIES - 2)  # no figures, no commitment
    assert [row[0] for row in _figures_table(page)] == ["2022"]

    with django_capture_on_commit_callbacks(execute=True):  # as a roll-up's transaction commits
        _result(_run(2023), alice.supplier, "2000", "1000", "300")
    assert [row[0] for row in _figures_table(alice_client.get(reverse("dashboard")).content.decode())] == [
        "2022", "2023",
    ]  # fmt: skip

    assert 'id="commitment"' not in alice_client.get(reverse("dashboard")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Commitment.objects.create(
            supplier=alice.supplier, committed_on="2021-06-30", target_year=2030, target_green_share_percent=70,
            source="https://example.com/pledge",
        )  # fmt: skip
    assert 'id="commitment"' in alice_client.get(reverse("dashboard")).content.decode()
