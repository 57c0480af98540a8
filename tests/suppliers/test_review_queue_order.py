"""The review queue as a queue (#item 9): submitted submissions by default, the oldest first, counts
by state above the list, flags in words with their effect in the reviewer's language, and on a
submission's page last year's figures beside this year's with the change, and the lines no file
proves named; a fixed number of queries whatever the number of submissions or lines."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from suppliers.models import Submission, User
from tests.factories import LineFactory, ReportingPeriodFactory, SiteFactory, SubmissionFactory, SupplierFactory

pytestmark = pytest.mark.django_db
Status = Submission.Status
QUEUE = "admin:suppliers_submission_changelist"

# The Chinese of the sentences, as put in /work/hB-translations.json (merged into the catalogue).
NO_BASELINE_ZH = (
    "无基准年数据：该供应商在基准年 2019 年没有已批准的填报行；其避免的排放全部计入总减排量，不计入绝对减排量。"
)
YOY_ZH = "同比异常值：某工厂的用电量超过其最近一个已批准年度的 5 倍或不足 1/5（是否把 kWh 填成了 MWh？）；汇总按填报数值计入，请在批准前核查。"


@pytest.fixture
def reviewer(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("reviewer@carmaker.example", "a long reviewer password"))
    return client


def _submission(code: str, status: str, *, submitted_days_ago: int | None, year: int = 2025) -> Submission:
    submitted_at = None if submitted_days_ago is None else timezone.now() - datetime.timedelta(days=submitted_days_ago)
    submission = SubmissionFactory(
        supplier=SupplierFactory(code=code), period=ReportingPeriodFactory(year=year), status=status,
        submitted_at=submitted_at,
    )  # fmt: skip
    LineFactory(submission=submission)
    return submission


@pytest.fixture
def queue() -> dict[str, Submission]:
    return {
        "newer": _submission("CN-Q002", Status.SUBMITTED, submitted_days_ago=1),
        "older": _submission("CN-Q001", Status.SUBMITTED, submitted_days_ago=9),
        "oldest": _submission("CN-Q003", Status.SUBMITTED, submitted_days_ago=20),
        "returned": _submission("CN-Q004", Status.RETURNED, submitted_days_ago=30),
        "approved": _submission("CN-Q005", Status.APPROVED, submitted_days_ago=40),
        "draft": _submission("CN-Q006", Status.DRAFT, submitted_days_ago=None),
    }


def _listed(page: str) -> list[str]:
    """The supplier codes of the list's rows, in order."""
    return re.findall(r'<th class="field-supplier[^"]*"><a href="[^"]+">(CN-Q\d+)', page)


def test_the_queue_opens_on_the_submitted_ones_oldest_first(reviewer: Client, queue: dict[str, Submission]) -> None:
    page = reviewer.get(reverse(QUEUE)).content.decode()
    assert _listed(page) == ["CN-Q003", "CN-Q001", "CN-Q002"]


def test_all_states_are_one_click_away_still_oldest_submitted_first(
    reviewer: Client, queue: dict[str, Submission]
) -> None:
    page = reviewer.get(reverse(QUEUE)).content.decode()
    assert 'href="?status__exact=all"' in page  # the filter's "All"
    every = reviewer.get(reverse(QUEUE), {"status__exact": "all"}).content.decode()
    # Submitted longest ago first; the draft, never submitted, last.
    assert _listed(every) == ["CN-Q005", "CN-Q004", "CN-Q003", "CN-Q001", "CN-Q002", "CN-Q006"]
    returned = reviewer.get(reverse(QUEUE), {"status__exact": "returned"}).content.decode()
    assert _listed(returned) == ["CN-Q004"]


def test_the_counts_by_state_stand_above_the_list(reviewer: Client, queue: dict[str, Submission]) -> None:
    page = reviewer.get(reverse(QUEUE)).content.decode()
    counts = re.sub(r"<[^>]+>", "", page.split('id="state-counts"')[1].split("</p>")[0].split(">", 1)[1])
    assert counts == "Submitted 3 · Returned 1 · Approved · Draft 1"  # the archive is not counted
    assert page.index('id="state-counts"') < page.index('id="result_list"')
    chinese = reviewer.get(reverse(QUEUE), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    counts_zh = re.sub(r"<[^>]+>", "", chinese.split('id="state-counts"')[1].split("</p>")[0].split(">", 1)[1])
    assert counts_zh == "已提交 3 · 已退回 1 · 已批准 · 草稿 1"


@pytest.fixture
def outlier() -> Submission:
    """CN-F001's 2025 submission: its site used 1,000 MWh in 2024 (approved) and reports 8,000 now;
    the supplier has no 2019 line."""
    supplier = SupplierFactory(code="CN-F001")
    site = SiteFactory(supplier=supplier, code="F1", name="Suzhou plant")
    before = SubmissionFactory(supplier=supplier, period=ReportingPeriodFactory(year=2024), status=Status.APPROVED)
    LineFactory(submission=before, site=site, total_electricity_mwh=Decimal(1000), onsite_renewable_mwh=Decimal(200))
    now = SubmissionFactory(
        supplier=supplier, period=ReportingPeriodFactory(year=2025), status=Status.SUBMITTED,
        submitted_at=timezone.now(),
    )  # fmt: skip
    LineFactory(submission=now, site=site, total_electricity_mwh=Decimal(8000), onsite_renewable_mwh=Decimal(100))
    return now


YOY_EN = (
    "Year-on-year outlier: a site's electricity is more than 5 times, or under 1/5 of, its newest approved earlier "
    "year (a kWh typed as MWh?); the roll-up counts the figures as reported, so check them before approving."
)
NO_BASELINE_EN = (
    "No baseline: the supplier has no approved line in the baseline year 2019; its avoided emissions count whole "
    "in the headline and not in the absolute reduction."
)


def test_flags_are_sentences_with_their_effect_in_the_list_and_on_the_page(
    reviewer: Client, outlier: Submission
) -> None:
    import html

    listing = html.unescape(reviewer.get(reverse(QUEUE)).content.decode())
    row = listing.split("CN-F001", 1)[1].split("</tr>")[0]
    assert YOY_EN in row and NO_BASELINE_EN in row
    assert ">yoy_outlier<" not in row and ">no_baseline<" not in row  # words, not codes
    page = html.unescape(reviewer.get(reverse("admin:suppliers_submission_change", args=[outlier.pk])).content.decode())
    flags = page.split('id="flags"')[1].split("</div>")[0]
    assert YOY_EN in flags and NO_BASELINE_EN in flags


def test_flags_are_in_the_reviewers_language(reviewer: Client, outlier: Submission) -> None:
    import html

    listing = html.unescape(reviewer.get(reverse(QUEUE), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    row = listing.split("CN-F001", 1)[1].split("</tr>")[0]
    assert YOY_ZH in row and NO_BASELINE_ZH in row
    assert YOY_EN not in row
    page = html.unescape(
        reviewer.get(
            reverse("admin:suppliers_submission_change", args=[outlier.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    )
    assert YOY_ZH in page.split('id="flags"')[1].split("</div>")[0]


def _row_cells(page: str, row_id: str) -> list[str]:
    row = page.split(f'id="{row_id}"')[1].split("</tr>")[0]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]


def test_the_submissions_page_sets_last_years_figures_beside_this_years_with_the_change(
    reviewer: Client, outlier: Submission
) -> None:
    other_site = SiteFactory(supplier=outlier.supplier, code="F2", name="Wuxi plant")
    LineFactory(submission=outlier, site=other_site, total_electricity_mwh=Decimal("12.5"))
    page = reviewer.get(reverse("admin:suppliers_submission_change", args=[outlier.pk])).content.decode()
    assert "Beside last year (2024, approved)" in page
    # total this year, last year, change, %; green the same
    assert _row_cells(page, "yoy-F1") == [
        "F1 Suzhou plant",
        "8,000.000", "1,000.000", "+7,000.000", "+700.0 %",
        "100.000", "200.000", "-100.000", "-50.0 %",
    ]  # fmt: skip
    # A site without an approved line last year says so; no change is made up.
    assert _row_cells(page, "yoy-F2") == [
        "F2 Wuxi plant", "12.500", "none approved", "—", "—", "0.000", "none approved", "—", "—",
    ]  # fmt: skip


def test_last_year_is_the_same_period_and_approved_only(reviewer: Client) -> None:
    supplier = SupplierFactory(code="CN-P001")
    site = SiteFactory(supplier=supplier, code="P1", name="Plant P")
    q3 = {"kind": "quarter", "number": 3}
    for year, kind, number, status, mwh in (
        (2024, "quarter", 3, Status.APPROVED, 300),
        (2024, "quarter", 2, Status.APPROVED, 999),  # another quarter
        (2023, "quarter", 3, Status.APPROVED, 777),  # two years before
    ):
        old = SubmissionFactory(
            supplier=supplier, period=ReportingPeriodFactory(year=year, kind=kind, number=number), status=status
        )
        LineFactory(submission=old, site=site, total_electricity_mwh=Decimal(mwh))
    now = SubmissionFactory(
        supplier=supplier, period=ReportingPeriodFactory(year=2025, **q3), status=Status.SUBMITTED,
        submitted_at=timezone.now(),
    )  # fmt: skip
    LineFactory(submission=now, site=site, total_electricity_mwh=Decimal(330))
    page = reviewer.get(reverse("admin:suppliers_submission_change", args=[now.pk])).content.decode()
    assert "Beside last year (2024-Q3, approved)" in page
    assert _row_cells(page, "yoy-P1")[1:5] == ["330.000", "300.000", "+30.000", "+10.0 %"]
    # Returned, last year's figures are not approved ones: not shown as last year's.
    type(now).objects.filter(supplier=supplier, period__year=2024, period__number=3).update(status=Status.RETURNED)
    page = reviewer.get(reverse("admin:suppliers_submission_change", args=[now.pk])).content.decode()
    assert _row_cells(page, "yoy-P1")[1:5] == ["330.000", "none approved", "—", "—"]


def test_the_submissions_page_names_the_lines_without_evidence(reviewer: Client, outlier: Submission) -> None:
    page = reviewer.get(reverse("admin:suppliers_submission_change", args=[outlier.pk])).content.decode()
    named = re.sub(r"<[^>]+>", "", page.split('id="lines-without-evidence"')[1].split("</p>")[0])
    assert named.endswith("Suzhou plant F1")


def _queries(client: Client, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_the_queue_with_its_counts_and_sentences_runs_the_same_queries_for_6_and_66_submissions(
    reviewer: Client, queue: dict[str, Submission], outlier: Submission
) -> None:
    url = reverse(QUEUE)
    small = {params: _queries(reviewer, url, **dict(params)) for params in ((), (("status__exact", "all"),))}
    for n in range(60):
        status = (Status.SUBMITTED, Status.RETURNED, Status.APPROVED, Status.DRAFT)[n % 4]
        _submission(f"CN-M{n:03d}", status, submitted_days_ago=None if status == Status.DRAFT else n + 1)
    assert Submission.objects.count() == 6 + 2 + 60
    assert {params: _queries(reviewer, url, **dict(params)) for params in small} == small


def test_the_submissions_page_runs_the_same_queries_for_1_and_30_lines(reviewer: Client, outlier: Submission) -> None:
    url = reverse("admin:suppliers_submission_change", args=[outlier.pk])
    one = _queries(reviewer, url)
    before = Submission.objects.get(supplier=outlier.supplier, period__year=2024)
    for n in range(29):
        site = SiteFactory(supplier=outlier.supplier, code=f"G{n}")
        LineFactory(submission=before, site=site, total_electricity_mwh=Decimal(10))
        LineFactory(submission=outlier, site=site, total_electricity_mwh=Decimal(11))
    assert outlier.lines.count() == 30
    assert _queries(reviewer, url) == one
