"""Evidence is checked beyond its first bytes (#18, item 5): a PDF with JavaScript, an action run
on opening, additional actions or embedded files, a workbook holding parts no workbook has, and a
polyglot (a PDF or image that is also a zip, a web page, or has data after a PNG's end) are refused
with a message saying what was found; ordinary bills, scans and workbooks are taken."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from suppliers.models import EvidenceFile, ReportingPeriod, Submission, User
from suppliers.services.evidence import evidence_add
from tests.factories import ReportingPeriodFactory, SubmissionFactory
from tests.files import pdf_file, pdf_of_objects, png_file

pytestmark = pytest.mark.usefixtures("private_storage")


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def pdf_with_javascript() -> bytes:
    """Document-level JavaScript, run when the file opens (the catalog's /Names /JavaScript)."""
    writer = _writer()
    script = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("a"), writer._add_object(script)])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    return _written(writer)


def pdf_with_an_open_action() -> bytes:
    writer = _writer()
    action = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _written(writer)


def pdf_with_page_actions() -> bytes:
    writer = _writer()
    script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")})
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(script)})
    return _written(writer)


def pdf_with_an_attachment() -> bytes:
    writer = _writer()
    writer.add_attachment("invoice.exe", b"MZ\x90\x00")
    return _written(writer)


def pdf_with_a_link_that_submits_a_form() -> bytes:
    writer = _writer()
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/SubmitForm"), NameObject("/F"): TextStringObject("https://x.example")}
    )
    link = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(10), NumberObject(10)]),
        NameObject("/A"): action,
    })  # fmt: skip
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _written(writer)


def pdf_by_hand(catalog_extra: bytes) -> bytes:
    """A PDF written byte by byte, so that names can be written as an attacker writes them."""
    return pdf_of_objects([
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
        b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
    ])  # fmt: skip


def encrypted_pdf() -> bytes:
    writer = _writer()
    writer.encrypt("secret", algorithm="RC4-128")
    return _written(writer)


def pdf_opening_at_page_one() -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, NameObject("/Fit")]
    )
    return _written(writer)


def workbook(extra: dict[str, bytes] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["site", "kWh"])
    buffer = io.BytesIO()
    book.save(buffer)
    if not extra:
        return buffer.getvalue()
    with zipfile.ZipFile(buffer, "a") as archive:
        for name, content in extra.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def a_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "what the file also is")
    return buffer.getvalue()


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40 + b"\xff\xd9"

REFUSED = [
    ("bill.pdf", pdf_with_javascript, "The PDF contains JavaScript, which evidence must not carry."),
    ("bill.pdf", pdf_with_an_open_action, "The PDF contains an action run when the file is opened"),
    ("bill.pdf", pdf_with_page_actions, "The PDF contains actions run on viewing or on clicks"),
    ("bill.pdf", pdf_with_an_attachment, "The PDF contains embedded files"),
    ("bill.pdf", pdf_with_a_link_that_submits_a_form, "The PDF contains a form that sends data elsewhere"),
    ("bill.pdf", lambda: pdf_by_hand(b"/Names << /J#61vaScript << /Names [(a) 4 0 R] >> >>"), "The PDF contains JavaScript"),
    ("bill.pdf", lambda: pdf_by_hand(b"/OpenAction 4 0 R"), "The PDF contains an action run when the file is opened"),
    ("bill.pdf", encrypted_pdf, "The PDF is password-protected"),
    ("bill.pdf", lambda: b"%PDF-1.7\n" + b"\x00" * 64, "The PDF is damaged and cannot be opened."),
    ("bill.pdf", lambda: pdf_file() + a_zip(), "The file is a PDF but also holds a zip archive"),
    ("bill.pdf", lambda: b"%PDF-1.4\n%<html><script>alert(1)</script>\n" + pdf_file()[9:], "The file is a PDF but also holds a web page or script"),
    ("meter.png", lambda: png_file() + a_zip(), "The file is a PNG but also holds a zip archive"),
    ("meter.png", lambda: png_file() + b"\x00 something else", "The file is a PNG but also holds data after the end of the image"),
    ("meter.jpg", lambda: JPEG[:20] + b"<svg onload=alert(1)>" + JPEG[20:], "The file is a JPEG but also holds a web page or script"),
    ("meter.jpg", lambda: JPEG + a_zip(), "The file is a JPEG but also holds a zip archive"),
    ("data.xlsx", lambda: workbook({"xl/evil.html": b"<html></html>"}), "The workbook contains “xl/evil.html”, which is not part of an Excel workbook"),
    ("data.xlsx", lambda: workbook({"run.js": b"alert(1)"}), "The workbook contains “run.js”"),
    ("data.xlsx", lambda: workbook({"xl/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}), "The workbook contains embedded documents (xl/embeddings/oleObject1.bin)"),
    ("data.xlsx", lambda: workbook({"xl/activeX/activeX1.xml": b"<ax/>"}), "The workbook contains ActiveX controls"),
]  # fmt: skip

ACCEPTED = [
    ("bill.pdf", pdf_file),
    ("bill.pdf", pdf_opening_at_page_one),
    ("meter.png", png_file),
    ("meter.jpg", lambda: JPEG),
    ("data.xlsx", workbook),
    (
        "data.xlsx",
        lambda: workbook({"xl/media/image1.png": png_file(), "xl/printerSettings/printerSettings1.bin": b"\x00" * 8}),
    ),
]


@pytest.fixture
def draft(alice: User) -> Submission:
    return SubmissionFactory(supplier=alice.supplier, period=ReportingPeriodFactory(year=2024), status="draft")


@pytest.mark.parametrize(
    ("name", "make", "message"),
    REFUSED,
    ids=[f"{n}-{m.__name__ if hasattr(m, '__name__') else i}-{i}" for i, (n, m, _) in enumerate(REFUSED)],
)
def test_a_file_carrying_what_evidence_must_not_is_refused_saying_what(
    alice: User, draft: Submission, name: str, make: object, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        evidence_add(submission=draft, upload=SimpleUploadedFile(name, make()), user=alice)
    assert message in " ".join(refused.value.messages)
    assert EvidenceFile.objects.count() == 0


@pytest.mark.parametrize(("name", "make"), ACCEPTED)
def test_ordinary_bills_scans_and_workbooks_are_taken(alice: User, draft: Submission, name: str, make: object) -> None:
    evidence = evidence_add(submission=draft, upload=SimpleUploadedFile(name, make()), user=alice)
    assert evidence.pk is not None


def test_the_period_page_says_what_was_found_in_the_suppliers_language(
    alice: User, draft: Submission, private_storage: object
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(alice)
    period: ReportingPeriod = draft.period
    response = client.post(
        reverse("evidence_upload", args=[period.pk]),
        {"file": SimpleUploadedFile("bill.pdf", pdf_with_javascript()), "proves": "period", "document_type": "electricity_bill"},
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "PDF 含有JavaScript 脚本，证明材料不得包含此类内容。" in page
    assert EvidenceFile.objects.count() == 0
