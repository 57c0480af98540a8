"""Uploads, beyond tests/suppliers/test_evidence.py (content against extension, size, zip bombs,
macros, private storage, downloads) and tests/reliability/test_malformed_files.py (every bad
submission file on every path): a page or script disguised as evidence, names that try to reach
outside the storage, files that no URL serves, and the bulk upload's size limit and waiting room.
"""

import io
import os
import re
import stat
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from suppliers.models import EvidenceFile, ReportingPeriod, Submission, User
from suppliers.services.uploads import PENDING_UPLOAD_MAX_BYTES
from tests.factories import ReportingPeriodFactory, SubmissionFactory
from tests.files import pdf_file
from tests.suppliers.test_bulk_upload import _csv, _row

pytestmark = pytest.mark.django_db

PDF = pdf_file()
HTML = b"<!doctype html><html><body><script>fetch('/evidence/1/')</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
GENERATED_NAME = re.compile(r"^evidence/\d+/[0-9a-f]{32}$")


@pytest.fixture
def private(settings, tmp_path: Path) -> Path:
    location = tmp_path / "private"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(location), "base_url": None}}}  # fmt: skip
    settings.VAR_DIR = tmp_path
    return location


@pytest.fixture
def period(db: None) -> ReportingPeriod:
    return ReportingPeriodFactory(year=2024, kind="year", number=0, is_open=True)


@pytest.fixture
def alice_client(alice: User, period: ReportingPeriod, private: Path) -> Client:
    SubmissionFactory(supplier=alice.supplier, period=period, status=Submission.Status.DRAFT)
    client = Client()
    client.force_login(alice)
    return client


def _stored(location: Path) -> list[Path]:
    return [path for path in location.rglob("*") if path.is_file()] if location.exists() else []


def upload_evidence(client: Client, period: ReportingPeriod, name: str, content: bytes):
    return client.post(
        reverse("evidence_upload", args=[period.pk]),
        {"file": SimpleUploadedFile(name, content), "proves": "period", "document_type": "electricity_bill"},
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bill.pdf", HTML),  # a web page that would run in the portal's origin if it were served inline
        ("bill.html", HTML),
        ("meter.png", SVG),
        ("meter.svg", SVG),
        ("bill.pdf.html", PDF),  # the content is PDF, the name ends otherwise
        ("bill.pdf.exe", PDF),
    ],
)
def test_a_page_or_script_disguised_as_evidence_is_refused_and_nothing_is_stored(
    alice_client: Client, period: ReportingPeriod, private: Path, name: str, content: bytes
) -> None:
    response = upload_evidence(alice_client, period, name, content)
    assert response.status_code == 200  # the page again, with the reason beside the field
    assert "is-invalid" in response.content.decode()
    assert EvidenceFile.objects.count() == 0
    assert _stored(private) == []


@pytest.mark.parametrize(
    "name", ["../../../etc/cron.d/bill.pdf", "..\\..\\windows\\bill.pdf", "/var/private/evidence/1/x.pdf"]
)
def test_a_name_that_points_elsewhere_is_stored_under_a_generated_name_inside_private_storage(
    alice_client: Client, period: ReportingPeriod, private: Path, name: str
) -> None:
    upload = SimpleUploadedFile("bill.pdf", PDF)
    upload.name = name  # as a hand-made request would send it (Django's parser would strip the path)
    from suppliers.services.evidence import evidence_add

    evidence = evidence_add(
        submission=Submission.objects.get(), upload=upload, user=Submission.objects.get().supplier.users.get()
    )
    assert GENERATED_NAME.match(evidence.file.name), evidence.file.name
    assert evidence.original_name == re.split(r"[\\/]", name)[-1]  # shown and downloaded as, never used on disk
    (stored,) = _stored(private)
    assert stored.resolve().is_relative_to(private.resolve())


def test_evidence_has_no_public_url_and_is_served_only_as_an_attachment(
    alice_client: Client, period: ReportingPeriod, private: Path
) -> None:
    assert upload_evidence(alice_client, period, "bill.pdf", PDF).status_code == 302
    evidence = EvidenceFile.objects.get()
    assert GENERATED_NAME.match(evidence.file.name)
    # No URL serves the storage: not its own name, nor under the usual media, static or var paths.
    for guess in (f"/{evidence.file.name}", f"/media/{evidence.file.name}", f"/static/{evidence.file.name}",
                  f"/var/private/{evidence.file.name}"):  # fmt: skip
        assert alice_client.get(guess).status_code == 404, guess
    download = alice_client.get(reverse("evidence_download", args=[evidence.pk]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"


# --- The bulk upload ---------------------------------------------------------------------------------


def test_a_bulk_upload_above_the_size_limit_is_refused_and_nothing_is_kept(
    alice: User, period: ReportingPeriod, private: Path
) -> None:
    client = Client()
    client.force_login(alice)
    content = _csv([_row()]) + b"#" * (PENDING_UPLOAD_MAX_BYTES + 1)
    response = client.post(reverse("upload"), {"file": SimpleUploadedFile("figures.csv", content)})
    assert response.status_code == 200
    assert f"The file is larger than {PENDING_UPLOAD_MAX_BYTES // 2**20} MB." in response.content.decode()
    assert _stored(private.parent / "uploads") == []


def _workbook_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["supplier_code"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("figures.xlsx", b"supplier_code,site_code\nCN-A001,A1\n", "The file is named .xlsx but is not an Excel workbook."),
        ("figures.pdf", PDF, "Upload a CSV file or an Excel workbook (.xlsx)."),
        ("figures.html", HTML, "Upload a CSV file or an Excel workbook (.xlsx)."),
    ],
)  # fmt: skip
def test_a_bulk_upload_whose_name_and_content_disagree_is_refused(
    alice: User, period: ReportingPeriod, private: Path, name: str, content: bytes, message: str
) -> None:
    client = Client()
    client.force_login(alice)
    response = client.post(reverse("upload"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _stored(private.parent / "uploads") == []


def test_a_bulk_upload_waits_under_a_random_name_readable_by_the_portal_only(
    alice: User, period: ReportingPeriod, private: Path
) -> None:
    client = Client()
    client.force_login(alice)
    response = client.post(reverse("upload"), {"file": SimpleUploadedFile("../../figures.csv", _csv([_row()]))})
    token = response.context["preview"].token
    stored = _stored(private.parent / "uploads")
    assert {path.name for path in stored} == {f"{token}.upload", f"{token}.json"}
    assert all(path.resolve().is_relative_to((private.parent / "uploads").resolve()) for path in stored)
    upload = next(path for path in stored if path.suffix == ".upload")
    assert stat.S_IMODE(os.stat(upload).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(upload.parent).st_mode) == 0o700
