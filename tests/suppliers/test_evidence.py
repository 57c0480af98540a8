"""Evidence files: accepted for what their bytes are, kept private, served only to who may see them."""

import hashlib
import html
import io
import re
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from suppliers.models import EvidenceFile, ReportingPeriod, Submission, User
from suppliers.services.evidence import evidence_add
from tests.factories import ReportingPeriodFactory, SubmissionFactory
from tests.files import pdf_file, png_file

# Files go to a temporary private folder (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("private_storage")

PDF = pdf_file()
PNG = png_file()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 40


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["site", "kWh"])
    workbook.active.append(["A1", 123456])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WORKBOOK_PARTS = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


@pytest.fixture
def period(db) -> ReportingPeriod:
    return ReportingPeriodFactory(year=2024)


@pytest.fixture
def draft(alice: User, period: ReportingPeriod) -> Submission:
    return SubmissionFactory(supplier=alice.supplier, period=period, status=Submission.Status.DRAFT)


@pytest.fixture
def alice_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def _upload(client: Client, period: ReportingPeriod, name: str, content: bytes):
    return client.post(
        reverse("evidence_upload", args=[period.pk]),
        {"file": SimpleUploadedFile(name, content), "proves": "period", "document_type": "electricity_bill"},
    )


def _stored_files(location: Path) -> list[Path]:
    return [path for path in location.rglob("*") if path.is_file()] if location.exists() else []


def _file_errors(response) -> list[str]:
    """The errors shown beside the upload field."""
    page = response.content.decode()
    return [html.unescape(e) for e in re.findall(r'<p id="error_\d+_id_file"[^>]*><strong>(.*?)</strong></p>', page)]


def _download(client: Client, evidence: EvidenceFile):
    return client.get(reverse("evidence_download", args=[evidence.pk]))


# --- accepted --------------------------------------------------------------------------------


def test_a_pdf_is_stored_privately_under_a_generated_name_and_downloaded_back_identical(
    alice_client: Client, alice: User, charlie: User, period: ReportingPeriod, draft: Submission,
    private_storage: Path,
) -> None:  # fmt: skip
    response = _upload(alice_client, period, "电费单 2024-03.pdf", PDF)

    assert response.status_code == 302
    evidence = EvidenceFile.objects.get()
    assert evidence.submission == draft
    assert evidence.original_name == "电费单 2024-03.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size_bytes == len(PDF)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.uploaded_by == alice
    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(private_storage.resolve())
    assert stored.read_bytes() == PDF
    assert "电费单" not in evidence.file.name and not evidence.file.name.endswith(".pdf")
    for public in (settings.STATIC_ROOT, Path(settings.BASE_DIR) / "static"):
        assert not stored.is_relative_to(Path(public).resolve())
    assert alice_client.get("/" + evidence.file.name).status_code == 404

    call_command("setup_roles", stdout=StringIO())
    charlie.groups.add(Group.objects.get(name="viewer"))  # staff whose role reads evidence
    for user in (alice, charlie):
        client = Client()
        client.force_login(user)
        download = _download(client, evidence)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''%E7%94%B5%E8%B4%B9%E5%8D%95%202024-03.pdf" in download["Content-Disposition"]
        assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("meter.png", PNG, "image/png"),
        ("meter.JPG", JPEG, "image/jpeg"),
        ("meter.jpeg", JPEG, "image/jpeg"),
        ("certificates.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_images_and_workbooks_are_accepted_for_their_content(
    alice_client: Client, period: ReportingPeriod, draft: Submission, name: str, content: bytes, content_type: str
) -> None:
    assert _upload(alice_client, period, name, content).status_code == 302
    evidence = EvidenceFile.objects.get()
    assert evidence.content_type == content_type
    assert b"".join(_download(alice_client, evidence).streaming_content) == content


def test_a_returned_submission_takes_evidence(alice_client: Client, period: ReportingPeriod, draft: Submission) -> None:
    Submission.objects.filter(pk=draft.pk).update(status=Submission.Status.RETURNED)
    assert _upload(alice_client, period, "bill.pdf", PDF).status_code == 302
    assert EvidenceFile.objects.count() == 1


# --- refused ---------------------------------------------------------------------------------

NONE_OF_THEM = "Only PDF files, PNG or JPEG images and Excel workbooks (.xlsx) are accepted; this file is none of them."


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bill.pdf", PNG, "The file's content is PNG but its name ends in “.pdf”; it must end in .png."),
        ("photo.png", JPEG, "The file's content is JPEG but its name ends in “.png”; it must end in .jpg, .jpeg."),
        ("report.xlsx", PDF, "The file's content is PDF but its name ends in “.xlsx”; it must end in .pdf."),
        ("bill", PDF, "The file's content is PDF but its name has no extension; it must end in .pdf."),
        ("invoice.pdf", EXE, NONE_OF_THEM),
        ("invoice.exe", EXE, NONE_OF_THEM),
        ("figures.xlsx", b"site,kWh\nA1,123456\n", NONE_OF_THEM),
        ("archive.xlsx", _zip({"readme.txt": b"hello"}), NONE_OF_THEM),
        ("broken.xlsx", _xlsx()[:300], "The Excel file is damaged and cannot be opened."),
        ("macros.xlsx", _zip(WORKBOOK_PARTS | {"xl/vbaProject.bin": b"\x00" * 100}),
         "Workbooks with macros are not accepted; save it as an Excel workbook (.xlsx) without them."),
        ("bomb.xlsx", _zip(WORKBOOK_PARTS | {"xl/worksheets/sheet1.xml": b"\x00" * (8 * 1024 * 1024)}),
         "The Excel file unpacks to an implausible size and is refused."),
        ("empty.pdf", b"", "The submitted file is empty."),
    ],
)  # fmt: skip
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_stored(
    alice_client: Client, period: ReportingPeriod, draft: Submission, private_storage: Path,
    name: str, content: bytes, message: str,
) -> None:  # fmt: skip
    response = _upload(alice_client, period, name, content)

    assert response.status_code == 200
    assert _file_errors(response) == [message]
    assert EvidenceFile.objects.count() == 0
    assert _stored_files(private_storage) == []


def test_a_file_above_the_size_limit_is_refused_with_the_limit(
    alice_client: Client, period: ReportingPeriod, draft: Submission, private_storage: Path, settings
) -> None:
    settings.EVIDENCE_MAX_BYTES = 2048
    response = _upload(alice_client, period, "bill.pdf", PDF + b"\x00" * (3000 - len(PDF)))

    assert _file_errors(response) == ["The file is 2.9\xa0KB; files up to 2.0\xa0KB are accepted."]
    assert EvidenceFile.objects.count() == 0
    assert _stored_files(private_storage) == []
    # One byte less than the limit is fine.
    assert _upload(alice_client, period, "bill.pdf", PDF + b"\x00" * (2048 - len(PDF))).status_code == 302


@pytest.mark.parametrize("status", [Submission.Status.SUBMITTED, Submission.Status.APPROVED])
def test_a_submitted_submission_takes_no_evidence(
    alice_client: Client, period: ReportingPeriod, draft: Submission, private_storage: Path, status: str
) -> None:
    Submission.objects.filter(pk=draft.pk).update(status=status)

    response = _upload(alice_client, period, "bill.pdf", PDF)

    assert response.status_code == 302
    page = alice_client.get(response.url).content.decode()
    assert "These figures have been submitted; their evidence can no longer be changed." in page
    assert "id_file" not in page  # a read-only page has no upload form
    assert EvidenceFile.objects.count() == 0
    assert _stored_files(private_storage) == []


def test_the_service_refuses_evidence_for_a_submitted_submission(
    alice: User, draft: Submission, private_storage: Path
) -> None:
    from django.core.exceptions import ValidationError

    Submission.objects.filter(pk=draft.pk).update(status=Submission.Status.SUBMITTED)
    with pytest.raises(ValidationError, match="only while the submission is a draft or returned"):
        evidence_add(submission=draft, upload=SimpleUploadedFile("bill.pdf", PDF), user=alice)
    assert EvidenceFile.objects.count() == 0
    assert _stored_files(private_storage) == []


def test_evidence_needs_a_saved_draft_first(alice_client: Client, period: ReportingPeriod) -> None:
    response = _upload(alice_client, period, "bill.pdf", PDF)

    assert response.status_code == 302
    assert "Save a draft first" in alice_client.get(response.url).content.decode()
    assert EvidenceFile.objects.count() == 0
    assert Submission.objects.count() == 0


def test_a_file_name_with_a_path_and_control_characters_is_kept_as_a_plain_name(alice: User, draft: Submission) -> None:
    upload = SimpleUploadedFile("bill.pdf", PDF)
    upload.name = "C:\\Users\\wang\\bill\r\nSet-Cookie: x.pdf"
    evidence = evidence_add(submission=draft, upload=upload, user=alice)
    assert evidence.original_name == "billSet-Cookie: x.pdf"


# --- download and delete: who may ----------------------------------------------------------


@pytest.fixture
def alices_evidence(alice: User, draft: Submission) -> EvidenceFile:
    return evidence_add(submission=draft, upload=SimpleUploadedFile("bill.pdf", PDF), user=alice)


def test_anonymous_is_sent_to_log_in_for_evidence(client: Client, alices_evidence: EvidenceFile) -> None:
    for response in (
        _download(client, alices_evidence),
        client.post(reverse("evidence_delete", args=[alices_evidence.pk])),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_other_suppliers_evidence_is_404(client: Client, bob: User, alices_evidence: EvidenceFile) -> None:
    client.force_login(bob)
    assert _download(client, alices_evidence).status_code == 404
    assert client.post(reverse("evidence_delete", args=[alices_evidence.pk])).status_code == 404
    assert EvidenceFile.objects.count() == 1


@pytest.mark.parametrize("role", ["viewer", "reviewer", "administrator"])
def test_staff_whose_role_reads_evidence_download_it_but_cannot_delete_it(
    client: Client, charlie: User, alices_evidence: EvidenceFile, role: str
) -> None:
    call_command("setup_roles", stdout=StringIO())
    charlie.groups.add(Group.objects.get(name=role))
    client.force_login(charlie)

    response = _download(client, alices_evidence)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == alices_evidence.file.open("rb").read()
    assert client.post(reverse("evidence_delete", args=[alices_evidence.pk])).status_code == 404
    assert EvidenceFile.objects.count() == 1


def test_staff_without_a_role_cannot_download_evidence(
    client: Client, charlie: User, alices_evidence: EvidenceFile
) -> None:
    client.force_login(charlie)
    assert _download(client, alices_evidence).status_code == 404


def test_the_supplier_removes_evidence_from_a_draft_and_its_bytes_go(
    alice_client: Client, alices_evidence: EvidenceFile, private_storage: Path, django_capture_on_commit_callbacks
) -> None:
    stored = Path(alices_evidence.file.path)
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("evidence_delete", args=[alices_evidence.pk]))

    assert response.status_code == 302
    assert EvidenceFile.objects.count() == 0
    assert not stored.exists()


def test_evidence_of_a_submitted_submission_cannot_be_removed(
    alice_client: Client, alices_evidence: EvidenceFile, draft: Submission
) -> None:
    Submission.objects.filter(pk=draft.pk).update(status=Submission.Status.SUBMITTED)

    response = alice_client.post(reverse("evidence_delete", args=[alices_evidence.pk]))

    assert response.status_code == 302
    assert "only while the submission is a draft or returned" in alice_client.get(response.url).content.decode()
    assert EvidenceFile.objects.count() == 1
    assert Path(alices_evidence.file.path).exists()


def test_the_period_page_lists_the_evidence_with_a_download_link(
    alice_client: Client, period: ReportingPeriod, alices_evidence: EvidenceFile
) -> None:
    page = alice_client.get(reverse("period_detail", args=[period.pk])).content.decode()
    assert f'href="{reverse("evidence_download", args=[alices_evidence.pk])}"' in page
    assert "bill.pdf" in page
