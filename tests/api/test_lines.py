"""Lines through the API: the period page's rules and messages, all or nothing, every problem
listed by line, site and field, in the token user's language."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from suppliers.models import CertificateClaim, Line, ReportingPeriod, Submission, User
from tests.api.conftest import line, token_client
from tests.factories import ReportingPeriodFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _lines_url(period: ReportingPeriod) -> str:
    return f"/api/v1/periods/{period.pk}/lines/"


def _saved(client: APIClient, period: ReportingPeriod, *lines: dict) -> dict:
    response = client.put(_lines_url(period), {"version": 0, "lines": list(lines)})
    assert response.status_code == 200, response.json()
    return response.json()


def _snapshot(submission: Submission) -> list[tuple]:
    return list(
        Line.objects.filter(submission=submission)
        .order_by("site__code")
        .values_list("site__code", "entered_unit", "entered_values", "total_electricity_mwh", "bmw_share_percent")
    )


BAD_LINES = [
    line("A1", total_electricity="-5"),
    line("A2", bmw_share_percent="150", gec="10"),
    line("ZZ9"),
]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                (0, "A1", "total_electricity", "Must not be negative"),
                (1, "A2", "bmw_share_percent", "Must be between 0 and 100"),
                (1, "A2", "certificate_ids", "Are required when GEC or I-REC quantities are reported"),
                (2, "ZZ9", "site", "Site ZZ9 is not one of your sites."),
            ],
        ),
        (
            "zh-hans",
            [
                (0, "A1", "total_electricity", "不得为负数"),
                (1, "A2", "bmw_share_percent", "必须介于 0 到 100 之间"),
                (1, "A2", "certificate_ids", "填报绿证（GEC）或国际绿证（I-REC）电量时为必填项"),
                (2, "ZZ9", "site", "工厂 ZZ9 不属于贵公司。"),
            ],
        ),
    ],
)
def test_one_bad_value_saves_nothing_and_every_problem_is_listed_in_the_users_language(
    alice: User, period: ReportingPeriod, language: str, expected: list[tuple]
) -> None:
    SiteFactory(supplier=alice.supplier, code="A2")
    alice.language = language
    alice.save()
    client = token_client(alice)
    before = _saved(client, period, line("A1", total_electricity="900000"))
    submission = Submission.objects.get()
    stored = _snapshot(submission)

    response = client.put(_lines_url(period), {"version": before["version"], "lines": [line("A2"), *BAD_LINES]})

    assert response.status_code == 400
    assert response["Content-Language"] == language
    problems = [
        (problem["line"] - 1, problem["site"], problem["field"], problem["message"])
        for problem in response.json()["errors"]
    ]
    assert sorted(problems) == sorted(expected)  # line 0 (A2, valid) has none; the others every one
    submission.refresh_from_db()
    assert submission.version == before["version"] and _snapshot(submission) == stored


def test_lines_are_stored_in_mwh_with_the_figures_as_sent_and_their_certificates(
    alice_api: APIClient, alice: User, period: ReportingPeriod
) -> None:
    body = _saved(
        alice_api, period,
        line("A1", unit="万kWh", total_electricity="１２.5", onsite_renewable="", gec="2",
             certificate_ids=["gec-2024-0001", "GEC-2024-0002"]),
    )  # fmt: skip
    stored = Line.objects.get()
    assert stored.total_electricity_mwh == Decimal("125") and stored.gec_mwh == Decimal("20")
    assert stored.entered_values == {"total_electricity": "１２.5", "gec": "2"}
    assert sorted(CertificateClaim.objects.values_list("batch_id", "instrument")) == [
        ("GEC-2024-0001", "gec"), ("GEC-2024-0002", "gec"),
    ]  # fmt: skip
    assert body["submission"]["status"] == "draft"
    assert body["submission"]["lines"][0]["certificate_ids"] == ["GEC-2024-0001", "GEC-2024-0002"]
    assert body["submission"]["lines"][0]["total_electricity_mwh"] == "125.000000"


def test_a_line_left_out_is_removed_as_on_the_page(alice_api: APIClient, alice: User, period: ReportingPeriod) -> None:
    SiteFactory(supplier=alice.supplier, code="A2")
    first = _saved(alice_api, period, line("A1"), line("A2"))
    response = alice_api.put(_lines_url(period), {"version": first["version"], "lines": [line("A2")]})
    assert response.status_code == 200
    assert list(Line.objects.values_list("site__code", flat=True)) == ["A2"]


def test_a_stale_version_is_409_and_writes_nothing(alice_api: APIClient, period: ReportingPeriod) -> None:
    first = _saved(alice_api, period, line("A1", total_electricity="1000000"))
    changed = {"version": first["version"], "lines": [line("A1", total_electricity="2000000")]}
    assert alice_api.put(_lines_url(period), changed).status_code == 200
    stale = {"version": first["version"], "lines": [line("A1", total_electricity="3000000")]}
    response = alice_api.put(_lines_url(period), stale)
    assert response.status_code == 409
    assert Line.objects.get().entered_values["total_electricity"] == "2000000"


def test_a_site_twice_and_an_overlapping_period_are_refused_by_the_service(
    alice_api: APIClient, alice: User, period: ReportingPeriod
) -> None:
    response = alice_api.put(_lines_url(period), {"version": 0, "lines": [line("A1"), line("A1")]})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"line": None, "site": None, "field": None, "message": "工厂 A1 有两行数据。"}]
    _saved(alice_api, period, line("A1"))
    quarter = ReportingPeriodFactory(year=2024, kind="quarter", number=1)
    response = alice_api.put(_lines_url(quarter), {"version": 0, "lines": [line("A1")]})
    assert response.status_code == 400
    assert "2024-Q1" in response.json()["errors"][0]["message"] and "A1" in response.json()["errors"][0]["message"]
    assert not Submission.objects.filter(period=quarter).exists()


def test_submitting_needs_the_declaration_and_then_locks_the_figures(
    alice_api: APIClient, period: ReportingPeriod
) -> None:
    saved = _saved(alice_api, period, line("A1"))
    url = f"/api/v1/periods/{period.pk}/submit/"
    refused = alice_api.post(url, {"version": saved["version"], "declaration": False})
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"line": None, "site": None, "field": "declaration", "message": "请勾选声明后再提交数据。"}
    ]
    assert Submission.objects.get().status == "draft"
    submitted = alice_api.post(url, {"version": saved["version"], "declaration": True})
    assert submitted.status_code == 200 and submitted.json()["submission"]["status"] == "submitted"
    again = alice_api.put(_lines_url(period), {"version": submitted.json()["version"], "lines": [line("A1")]})
    assert again.status_code == 400
    assert again.json()["errors"][0]["message"] == "状态为“已提交”的填报无法更改。"


def test_saving_and_submitting_in_one_call_is_both_or_neither(alice_api: APIClient, period: ReportingPeriod) -> None:
    url = f"/api/v1/periods/{period.pk}/submit/"
    bad = alice_api.post(url, {"version": 0, "declaration": True, "lines": [line("A1", total_electricity="x")]})
    assert bad.status_code == 400 and bad.json()["errors"][0]["line"] == 0
    assert not Submission.objects.exists()
    good = alice_api.post(url, {"version": 0, "declaration": True, "lines": [line("A1")]})
    assert good.status_code == 200
    assert Submission.objects.get().status == "submitted" and Line.objects.count() == 1


def test_submitting_with_nothing_saved_says_a_line_is_needed(alice_api: APIClient, period: ReportingPeriod) -> None:
    response = alice_api.post(f"/api/v1/periods/{period.pk}/submit/", {"version": 0, "declaration": True})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "填报至少需要包含一行数据。"


def test_a_body_that_is_not_json_is_400_in_the_same_shape(alice_api: APIClient, period: ReportingPeriod) -> None:
    response = alice_api.generic("PUT", _lines_url(period), b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] is None and response.json()["errors"][0]["message"]
