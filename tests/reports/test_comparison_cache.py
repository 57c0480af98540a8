"""The comparison page keeps what it draws of a run between requests (a stored run never changes);
what changes without a new run (evidence files, approved lines, commitments) is drawn again on the
first request after the change."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.services.rollups import rollup_run_create
from suppliers.models import Commitment, EvidenceFile, Submission, Supplier
from suppliers.services.submissions import submission_return
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db

# Session, user, the trend of runs, the years with a published figure, the assurance exceptions.
KEPT_PAGE_QUERIES = 5


def _page(client: Client) -> str:
    response = client.get(reverse("reports_comparison"), {"year": 2024})
    assert response.status_code == 200
    return response.content.decode()


def _cell(page: str, cell_id: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(rf'id="{cell_id}">(.*?)</td>', page, re.S).group(1)).strip()


@pytest.fixture
def example() -> None:
    _load_example()
    rollup_run_create(year=2019)
    rollup_run_create(year=2024)


def test_a_second_request_for_the_same_run_reads_only_what_is_not_kept(example: None, staff_client: Client) -> None:
    with CaptureQueriesContext(connection) as first:
        page = _page(staff_client)
    with CaptureQueriesContext(connection) as second:
        again = _page(staff_client)
    assert len(second) == KEPT_PAGE_QUERIES < len(first)
    unmasked = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # masked anew on every page
    assert unmasked.sub("", again) == unmasked.sub("", page)


def test_evidence_attached_after_a_view_counts_on_the_next(
    example: None, staff_client: Client, django_capture_on_commit_callbacks
) -> None:
    before = _cell(_page(staff_client), "evidenced")
    assert before.startswith("0 of ")
    submission = Submission.objects.filter(status="approved", period__year=2024).order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):  # the generation ends once the change is committed
        EvidenceFile.objects.create(
            submission=submission, file="evidence/x/bill.pdf", original_name="bill.pdf",
            content_type="application/pdf", size_bytes=10, sha256="0" * 64, document_type="electricity_bill",
        )  # fmt: skip
    after = _cell(_page(staff_client), "evidenced")
    assert after != before and not after.startswith("0 of ")
    with django_capture_on_commit_callbacks(execute=True):
        EvidenceFile.objects.filter(submission=submission).delete()
    assert _cell(_page(staff_client), "evidenced") == before


def test_a_submission_returned_after_a_view_leaves_the_coverage_on_the_next(
    example: None, staff_client: Client, charlie, django_capture_on_commit_callbacks
) -> None:
    before = _cell(_page(staff_client), "evidenced")
    submission = Submission.objects.filter(status="approved", period__year=2024).order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(
            submission=submission, user=charlie, comment="Check the unit.", expected_version=submission.version
        )
    assert _cell(_page(staff_client), "evidenced") != before  # fewer attributable MWh, same run


def test_a_commitment_recorded_after_a_view_counts_on_the_next(
    example: None, staff_client: Client, django_capture_on_commit_callbacks
) -> None:
    assert _cell(_page(staff_client), "commitments-committed") == "0"
    with django_capture_on_commit_callbacks(execute=True):
        Commitment.objects.create(
            supplier=Supplier.objects.get(code="CN-0001"), committed_on="2021-06-30", target_year=2030,
            target_green_share_percent=70, source="https://example.com/pledge",
        )  # fmt: skip
    assert _cell(_page(staff_client), "commitments-committed") == "1"
