"""The period page warns when a supplier reports I-RECs for a year after the I-REC cut-off."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from suppliers.models import ReportingPeriod, Site, User
from tests.factories import LineFactory, ReportingPeriodFactory, SubmissionFactory


@pytest.fixture
def alice_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def _period_with_irecs(alice: User, year: int, irec_mwh: str) -> ReportingPeriod:
    period = ReportingPeriodFactory(year=year, kind="year", number=0)
    site = Site.objects.get(supplier=alice.supplier, code="A1")
    submission = SubmissionFactory(supplier=alice.supplier, period=period)
    LineFactory(submission=submission, site=site, total_electricity_mwh="1000", irec_mwh=irec_mwh)
    return period


def _page(client: Client, period: ReportingPeriod, language: str = "en") -> str:
    return client.get(reverse("period_detail", args=[period.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()


@override_settings(IREC_LAST_YEAR=2024)
def test_irecs_reported_for_a_year_after_the_cut_off_are_warned_about(alice_client: Client, alice: User) -> None:
    page = _page(alice_client, _period_with_irecs(alice, 2025, "200"))
    assert 'id="irec-not-eligible"' in page
    assert "I-RECs for 2025" in page and "only up to 2024" in page


@override_settings(IREC_LAST_YEAR=2024)
def test_the_warning_is_in_chinese_on_a_chinese_page(alice_client: Client, alice: User) -> None:
    period = _period_with_irecs(alice, 2025, "200")
    with translation.override("zh-hans"):
        page = _page(alice_client, period, "zh-hans")
    assert 'id="irec-not-eligible"' in page
    assert "I-REC" in page and "2024" in page and "绿证" in page


@override_settings(IREC_LAST_YEAR=2024)
def test_irecs_up_to_the_cut_off_year_get_no_warning(alice_client: Client, alice: User) -> None:
    assert 'id="irec-not-eligible"' not in _page(alice_client, _period_with_irecs(alice, 2024, "200"))


@override_settings(IREC_LAST_YEAR=2024)
def test_a_later_period_without_irecs_gets_no_warning(alice_client: Client, alice: User) -> None:
    assert 'id="irec-not-eligible"' not in _page(alice_client, _period_with_irecs(alice, 2025, "0"))


@override_settings(IREC_LAST_YEAR=2025)
def test_the_cut_off_follows_the_setting(alice_client: Client, alice: User) -> None:
    assert 'id="irec-not-eligible"' not in _page(alice_client, _period_with_irecs(alice, 2025, "200"))
