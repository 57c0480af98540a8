"""Certificate batches claimed twice: listed with every claimant, resolved by returning one."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.services.rollups import rollup_run_create
from suppliers.models import Submission, User
from suppliers.services.submissions import submission_return, submission_submit
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("staff@carmaker.example", "a long staff password"))
    return client


def test_the_double_claim_of_the_worked_example_is_listed_with_both_claimants(staff: Client) -> None:
    _load_example()
    page = staff.get(reverse("reports_double_claims")).content.decode()
    assert page.count("GEC-2024-LN-000118") == 1
    assert "CN-0001" in page and "CN-0002" in page


def test_rejecting_one_claim_returns_that_submission_and_ends_the_conflict(staff: Client) -> None:
    _load_example()
    before = rollup_run_create(year=2024).result
    wrong = Submission.objects.get(supplier__code="CN-0002", period__year=2024)
    response = staff.post(
        reverse("reports_double_claim_reject", args=[wrong.pk]),
        {"version": wrong.version, "review_comment": "Batch GEC-2024-LN-000118 belongs to CN-0001."},
        follow=True,
    )
    assert "returned to its supplier" in response.content.decode()
    wrong.refresh_from_db()
    assert wrong.status == Submission.Status.RETURNED
    assert "belongs to CN-0001" in wrong.review_comment
    assert "GEC-2024-LN-000118" not in staff.get(reverse("reports_double_claims")).content.decode()
    after = rollup_run_create(year=2024).result
    assert not any(f["code"] == "duplicate_certificate" for f in after["flags"])
    # CN-0002 leaves the year (its 4,000 MWh of trading counted before); CN-0001's 2,000 MWh of GEC count again.
    assert before["green_mwh"] == 16900.0
    assert after["green_mwh"] == 16900.0 - 4000 + 2000


def test_rejecting_with_a_stale_version_changes_nothing(staff: Client) -> None:
    _load_example()
    submission = Submission.objects.get(supplier__code="CN-0002", period__year=2024)
    response = staff.post(
        reverse("reports_double_claim_reject", args=[submission.pk]),
        {"version": submission.version - 1, "review_comment": "stale"},
        follow=True,
    )
    assert "changed by someone else" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED


def test_a_viewer_without_change_permission_cannot_reject(client: Client) -> None:
    _load_example()
    viewer = User.objects.create_user("viewer@carmaker.example", "a long viewer password", is_staff=True)
    client.force_login(viewer)
    submission = Submission.objects.get(supplier__code="CN-0002", period__year=2024)
    response = client.post(
        reverse("reports_double_claim_reject", args=[submission.pk]),
        {"version": submission.version, "review_comment": "x"},
    )
    assert response.status_code == 403
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED


def test_overlapping_serials_are_listed_with_the_shared_certificates_and_both_claimants(staff: Client) -> None:
    _load_example()
    page = staff.get(reverse("reports_double_claims")).content.decode()
    assert "GEC-0210-2025-003901~GEC-0210-2025-004000" in page
    assert "100 MWh at stake" in page
    section = page[page.index("GEC-0210-2025-003901~") :]
    assert "CN-0001" in section and "CN-0002" in section


def test_rejecting_one_serial_claim_ends_the_overlap_and_its_exclusion(staff: Client) -> None:
    _load_example()
    before = rollup_run_create(year=2025).result
    assert before["double_claimed_mwh"] == 200.0
    wrong = Submission.objects.get(supplier__code="CN-0002", period__year=2025)
    staff.post(
        reverse("reports_double_claim_reject", args=[wrong.pk]),
        {"version": wrong.version, "review_comment": "GEC-0210-2025-003901 to 004000 were transferred to CN-0001."},
    )
    page = staff.get(reverse("reports_double_claims")).content.decode()
    assert "GEC-0210-2025-003901~" not in page
    after = rollup_run_create(year=2025).result
    assert after["double_claimed_mwh"] == 0.0
    assert not any(f["code"] == "duplicate_certificate" for f in after["flags"])


def test_serial_overlaps_are_the_same_whether_the_candidates_are_listed_or_found_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from reports.selectors import claims as selectors

    _load_example()
    listed, of_2025 = selectors.serial_overlaps(), selectors.serial_overlaps(approved_in_years={2025})
    assert listed and of_2025, "the worked example shares 100 GEC serials between two lines of 2025"
    monkeypatch.setattr(selectors, "MAX_LISTED_CANDIDATES", 0)
    assert selectors.serial_overlaps() == listed
    assert selectors.serial_overlaps(approved_in_years={2025}) == of_2025


def test_a_range_that_overlaps_only_a_returned_line_is_no_double_claim() -> None:
    from reports.selectors.claims import batch_ids_claimed_twice, serial_overlaps

    _load_example()
    assert serial_overlaps() and batch_ids_claimed_twice() == ["GEC-2024-LN-000118"]
    # One side returned: its ranges and batches still repeat in the table (candidates), but the
    # other side's range now overlaps only a returned line's.
    returned_line = serial_overlaps()[0].other_line_id
    Submission.objects.filter(lines__id=returned_line).update(status=Submission.Status.RETURNED)
    Submission.objects.filter(supplier__code="CN-0002", period__year=2024).update(status=Submission.Status.RETURNED)
    assert serial_overlaps() == []
    assert batch_ids_claimed_twice() == [""]


# --- kept between requests (reports.views.double_claims.DOUBLE_CLAIMS) ---------------------------


def test_the_page_is_kept_until_a_claim_changes_and_drawn_anew_after(
    staff: Client, charlie: User, django_capture_on_commit_callbacks
) -> None:
    _load_example()
    url = reverse("reports_double_claims")
    with CaptureQueriesContext(connection) as first:
        assert "GEC-2024-LN-000118" in staff.get(url).content.decode()
    with CaptureQueriesContext(connection) as kept:
        assert "GEC-2024-LN-000118" in staff.get(url).content.decode()
    assert len(kept) == 2 < len(first)  # the session and the user

    claimant = Submission.objects.get(supplier__code="CN-0002", period__year=2024)
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(submission=claimant, user=charlie, comment="Whose batch is it?")
    assert "GEC-2024-LN-000118" not in staff.get(url).content.decode()  # returned: no longer a claim
    with django_capture_on_commit_callbacks(execute=True):
        submission_submit(submission=claimant, user=charlie)
    assert "GEC-2024-LN-000118" in staff.get(url).content.decode()  # submitted again: claimed twice again
