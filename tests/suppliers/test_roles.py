"""Staff roles: only a reviewer (or administrator) changes a submission's state, by any URL."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from suppliers.models import Submission, User
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def roles() -> None:
    call_command("setup_roles", stdout=StringIO())


def staff_with(role: str) -> User:
    user = User.objects.create_user(f"{role}@carmaker.example", "a long staff password", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def submitted() -> Submission:
    return LineFactory(submission__status=Submission.Status.SUBMITTED).submission


def approve_through_admin_action(client: Client, submission: Submission) -> None:
    client.post(
        reverse("admin:suppliers_submission_changelist"),
        {"action": "approve_selected", "_selected_action": [submission.pk], "listed_at": timezone.now().isoformat()},
    )


def test_a_viewer_can_read_the_queue_and_the_comparison(client: Client, submitted: Submission) -> None:
    client.force_login(staff_with("viewer"))
    assert client.get(reverse("admin:suppliers_submission_changelist")).status_code == 200
    assert client.get(reverse("admin:suppliers_submission_change", args=[submitted.pk])).status_code == 200
    assert client.get(reverse("reports_comparison")).status_code == 200


def test_a_viewer_cannot_approve_through_the_admin_action(client: Client, submitted: Submission) -> None:
    client.force_login(staff_with("viewer"))
    approve_through_admin_action(client, submitted)
    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.SUBMITTED


def test_a_viewer_cannot_return_through_the_double_claim_page(client: Client, submitted: Submission) -> None:
    client.force_login(staff_with("viewer"))
    response = client.post(
        reverse("reports_double_claim_reject", args=[submitted.pk]),
        {"version": submitted.version, "review_comment": "x"},
    )
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.SUBMITTED


def test_staff_without_any_role_sees_nothing(client: Client, submitted: Submission) -> None:
    client.force_login(User.objects.create_user("nobody@carmaker.example", "a long staff password", is_staff=True))
    assert client.get(reverse("admin:suppliers_submission_changelist")).status_code == 403
    assert client.get(reverse("reports_comparison")).status_code == 403


def approve_on_its_page(client: Client, submission: Submission) -> None:
    client.post(
        reverse("admin:suppliers_submission_review", args=[submission.pk]),
        {"version": submission.version, "decision": "approve"},
    )


def test_a_reviewer_approves_on_the_submissions_page(client: Client, submitted: Submission) -> None:
    client.force_login(staff_with("reviewer"))
    approve_on_its_page(client, submitted)
    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.APPROVED


def test_a_viewer_cannot_approve_on_the_submissions_page(client: Client, submitted: Submission) -> None:
    client.force_login(staff_with("viewer"))
    approve_on_its_page(client, submitted)
    submitted.refresh_from_db()
    assert submitted.status == Submission.Status.SUBMITTED


def test_a_reviewer_cannot_edit_emission_factors(client: Client) -> None:
    client.force_login(staff_with("reviewer"))
    assert client.get(reverse("admin:reports_emissionfactor_add")).status_code == 403
    client.force_login(staff_with("administrator"))
    assert client.get(reverse("admin:reports_emissionfactor_add")).status_code == 200
