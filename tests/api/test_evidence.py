"""Evidence through the API: the same checks by content as the period page, stored privately."""

import hashlib
import io
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from suppliers.models import EvidenceFile, ReportingPeriod, Submission, User
from tests.api.conftest import line
from tests.files import pdf_file

# Files go to a temporary private folder (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

PDF = pdf_file()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def _upload(client: APIClient, period: ReportingPeriod, content: bytes, name: str):
    handle = io.BytesIO(content)
    handle.name = name
    return client.post(f"/api/v1/periods/{period.pk}/evidence/", {"file": handle}, format="multipart")


@pytest.fixture
def draft(alice_api: APIClient, period: ReportingPeriod) -> Submission:
    assert alice_api.put(f"/api/v1/periods/{period.pk}/lines/", {"version": 0, "lines": [line()]}).status_code == 200
    return Submission.objects.get()


def test_a_pdf_is_stored_privately_under_a_generated_name(
    alice_api: APIClient, period: ReportingPeriod, draft: Submission, private_storage: Path, alice: User
) -> None:
    response = _upload(alice_api, period, PDF, "电费单 2024.pdf")
    assert response.status_code == 201
    body = response.json()
    evidence = EvidenceFile.objects.get()
    assert body == {
        "id": evidence.pk, "name": "电费单 2024.pdf", "content_type": "application/pdf", "size_bytes": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(), "uploaded_at": body["uploaded_at"],
        # Sent without a site or a type: a file of every site of the period, of type "other".
        "site": None, "attached_to": "period", "document_type": "other",
    }  # fmt: skip
    assert evidence.uploaded_by == alice and evidence.submission == draft
    stored = private_storage / evidence.file.name
    assert stored.read_bytes() == PDF and "电费单" not in evidence.file.name
    listed = alice_api.get(f"/api/v1/periods/{period.pk}/").json()["submission"]["evidence"]
    assert [item["id"] for item in listed] == [evidence.pk]


def test_a_file_whose_name_disagrees_with_its_content_is_refused_in_the_users_language(
    alice_api: APIClient, period: ReportingPeriod, draft: Submission
) -> None:
    response = _upload(alice_api, period, PNG, "bill.pdf")
    assert response.status_code == 400
    [problem] = response.json()["errors"]
    assert problem["field"] == "file"
    assert problem["message"] == "文件内容为 PNG，但文件名以“.pdf”结尾；文件名须以 .png 结尾。"  # alice reads Chinese
    assert not EvidenceFile.objects.exists()


def test_evidence_needs_a_saved_draft_first(alice_api: APIClient, period: ReportingPeriod) -> None:
    response = _upload(alice_api, period, PDF, "bill.pdf")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "请先保存草稿，再上传证明文件。"


def test_a_submitted_submissions_evidence_cannot_change(
    alice_api: APIClient, period: ReportingPeriod, draft: Submission, private_storage: Path
) -> None:
    evidence_id = _upload(alice_api, period, PDF, "bill.pdf").json()["id"]
    submitted = alice_api.post(f"/api/v1/periods/{period.pk}/submit/", {"version": draft.version, "declaration": True})
    assert submitted.status_code == 200
    assert _upload(alice_api, period, PDF, "more.pdf").status_code == 400
    assert alice_api.delete(f"/api/v1/evidence/{evidence_id}/").status_code == 400
    assert EvidenceFile.objects.count() == 1


def test_deleting_removes_the_row_and_the_stored_bytes(
    alice_api: APIClient,
    period: ReportingPeriod,
    draft: Submission,
    private_storage: Path,
    django_capture_on_commit_callbacks,
) -> None:
    evidence_id = _upload(alice_api, period, PDF, "bill.pdf").json()["id"]
    stored = private_storage / EvidenceFile.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert alice_api.delete(f"/api/v1/evidence/{evidence_id}/").status_code == 204
    assert not EvidenceFile.objects.exists() and not stored.exists()
