"""The staff endpoints and the site's forms parse their POSTs: a year or a version that is not a
number, empty, huge or missing is a 400 with a message, a year outside the reporting years is
refused before anything is queued, and no POST (hypothesis) gets a 500."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.models import RollupRequest
from suppliers.models import Submission, User
from tests.factories import ReportingPeriodFactory, SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def no_broker(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Roll-up requests recorded instead of sent to a broker."""
    sent: list[dict] = []
    monkeypatch.setattr("reports.tasks.rollup.apply_async", lambda **options: sent.append(options))
    return sent


@pytest.fixture
def viewer(client: Client) -> Client:
    call_command("setup_roles", stdout=StringIO())
    user = UserFactory(email="viewer@carmaker.example", is_staff=True, supplier=None)
    user.groups.add(Group.objects.get(name="viewer"))
    client.force_login(user)
    return client


@pytest.fixture
def reviewer_client(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("staff@carmaker.example", "a long staff password"))
    return client


BAD_YEARS = ["abc", "", " ", "9" * 400, "2024.5", "1e3", "٢٠٢٤x", "\x00"]


@pytest.mark.parametrize("year", BAD_YEARS)
def test_a_refresh_with_a_year_that_is_not_a_number_is_a_400_with_a_message(
    viewer: Client, no_broker: list, year: str
) -> None:
    response = viewer.post(reverse("reports_comparison_refresh"), {"year": year})
    assert response.status_code == 400
    assert response.content.decode().strip()
    assert no_broker == [] and not RollupRequest.objects.exists()


def test_a_refresh_without_a_year_is_a_400(viewer: Client, no_broker: list) -> None:
    response = viewer.post(reverse("reports_comparison_refresh"), {})
    assert response.status_code == 400 and b"year" in response.content
    assert no_broker == []


@pytest.mark.parametrize("year", [1, 2018, timezone.localdate().year + 1, 10**9, -2024])
def test_a_year_outside_the_reporting_years_is_refused_and_nothing_is_queued(
    viewer: Client, no_broker: list, year: int
) -> None:
    response = viewer.post(reverse("reports_comparison_refresh"), {"year": str(year)})
    assert response.status_code == 400
    assert "not a reporting year" in response.content.decode()
    assert no_broker == [] and not RollupRequest.objects.exists()


def test_a_reporting_year_is_still_sent_to_the_worker(viewer: Client, no_broker: list) -> None:
    response = viewer.post(reverse("reports_comparison_refresh"), {"year": "2024"})
    assert response.status_code == 302
    assert [options["kwargs"]["year"] for options in no_broker] == [2024]


@pytest.mark.parametrize("version", ["x", "1.5", "9" * 40, "-1", str(2**31)])
def test_a_rejection_with_a_version_that_is_not_a_number_is_a_400_and_changes_nothing(
    reviewer_client: Client, alice: User, version: str
) -> None:
    period = ReportingPeriodFactory(year=2024, kind="year", number=0, is_open=False)
    submission = SubmissionFactory(supplier=alice.supplier, period=period, status=Submission.Status.APPROVED)
    response = reviewer_client.post(
        reverse("reports_double_claim_reject", args=[submission.pk]),
        {"version": version, "review_comment": "belongs to another supplier"},
    )
    assert response.status_code == 400 and response.content.decode().strip()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED


# --- A fuzzer of the POST endpoints -------------------------------------------------------------

TEXT = st.one_of(
    st.text(max_size=40),
    st.integers().map(str),
    st.sampled_from(["", "0", "-1", "1e308", "NaN", "9" * 300, "2024", "on", "\x00", "=1+1", "万"]),
)
FIELDS = ["year", "version", "review_comment", "declaration", "username", "password", "email", "name",
          "lifetime_days", "language", "next", "site", "csrfmiddlewaretoken"]  # fmt: skip


def _endpoints(alice: User) -> list[tuple[str, str]]:
    """(URL, who posts) for the staff POST endpoints and the site's forms."""
    period = ReportingPeriodFactory(year=2025, kind="year", number=0, is_open=True)
    submission = SubmissionFactory(supplier=alice.supplier, period=period, status=Submission.Status.SUBMITTED)
    return [
        (reverse("reports_comparison_refresh"), "staff"),
        (reverse("reports_double_claim_reject", args=[submission.pk]), "staff"),
        (reverse("login"), "anonymous"),
        (reverse("password_reset"), "anonymous"),
        (reverse("set_language"), "anonymous"),
        (reverse("period_detail", args=[period.pk]), "supplier"),
        (reverse("period_submit", args=[period.pk]), "supplier"),
        (reverse("api_tokens"), "supplier"),
    ]


def test_no_post_to_a_staff_endpoint_or_a_form_is_a_500(alice: User, no_broker: list) -> None:
    endpoints = _endpoints(alice)
    staff = User.objects.create_superuser("fuzz-staff@carmaker.example", "a long staff password")
    clients = {"anonymous": Client(), "supplier": Client(), "staff": Client()}
    clients["supplier"].force_login(alice)
    clients["staff"].force_login(staff)

    @FUZZ
    @given(
        endpoint=st.sampled_from(endpoints),
        data=st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(min_size=1, max_size=10)), TEXT, max_size=6),
    )
    def post_anything(endpoint: tuple[str, str], data: dict[str, str]) -> None:
        url, who = endpoint
        # A NUL is refused by the test client's encoder for keys only; values carry it through.
        data = {key.replace("\x00", ""): value for key, value in data.items() if key.replace("\x00", "")}
        response = clients[who].post(url, data)
        assert response.status_code < 500, (url, data, response.status_code)

    post_anything()
