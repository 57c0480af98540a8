"""Evidence tied to what it proves (#16, item 2): a file belongs to a line (or to a site for the
period) and has a document type; the same file twice on one period is refused in the user's
language; the period page and the review queue show which lines carry no evidence."""

import csv
import io
import zipfile
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from suppliers.models import EvidenceFile, Line, ReportingPeriod, Site, Submission, User
from suppliers.services.evidence import evidence_add
from suppliers.services.submissions import submission_save_draft
from tests.factories import LineFactory, ReportingPeriodFactory, SiteFactory, SubmissionFactory
from tests.files import pdf_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

PDF = pdf_file()
OTHER_PDF = PDF + b"% the meter reading\n"


@pytest.fixture
def period(db: None) -> ReportingPeriod:
    return ReportingPeriodFactory(year=2024, kind="year", number=0)


@pytest.fixture
def draft(alice: User, period: ReportingPeriod) -> Submission:
    """Alice's draft with a line for A1; her second site A2 has no line yet."""
    submission = SubmissionFactory(supplier=alice.supplier, period=period, status=Submission.Status.DRAFT)
    LineFactory(submission=submission, site=alice.supplier.sites.get(code="A1"))
    SiteFactory(supplier=alice.supplier, code="A2", name="Wuxi plant")
    return submission


@pytest.fixture
def alice_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def _site(alice: User, code: str) -> Site:
    return alice.supplier.sites.get(code=code)


def _upload(client: Client, period: ReportingPeriod, **fields: object):
    data = {"file": SimpleUploadedFile("bill.pdf", PDF), **fields}
    return client.post(reverse("evidence_upload", args=[period.pk]), data, **{"HTTP_ACCEPT_LANGUAGE": "en"})


def test_a_file_for_a_sites_line_is_stored_with_the_line_site_and_type_and_shown_so(
    alice_client: Client, alice: User, period: ReportingPeriod, draft: Submission
) -> None:
    a1 = _site(alice, "A1")
    response = _upload(alice_client, period, proves=a1.pk, document_type="electricity_bill")
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get()
    assert (evidence.line, evidence.site, evidence.document_type) == (draft.lines.get(), a1, "electricity_bill")
    assert evidence.attached_to == "line"
    page = alice_client.get(reverse("period_detail", args=[period.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    row = page.content.decode().split('class="evidence-line"')[1].split("</tr>")[0]
    assert "A1 的数据行" in row and "电费账单" in row
    assert 'id="lines-without-evidence"' not in page.content.decode()


def test_a_file_for_a_site_without_a_line_stays_with_the_site_and_then_proves_its_line(
    alice_client: Client, alice: User, period: ReportingPeriod, draft: Submission
) -> None:
    a2 = _site(alice, "A2")
    assert _upload(alice_client, period, proves=a2.pk, document_type="meter_reading").status_code == 302
    evidence = EvidenceFile.objects.get()
    assert (evidence.line, evidence.site, evidence.attached_to) == (None, a2, "site")
    LineFactory(submission=draft, site=a2)
    page = alice_client.get(reverse("period_detail", args=[period.pk])).content.decode()
    # A1's line has no file; A2's is proven by the file of its site for the period.
    notice = page.split('id="lines-without-evidence"')[1].split("</div>")[0]
    assert "A1" in notice and "A2" not in notice


def test_a_line_removed_leaves_its_file_with_the_site_for_the_period(
    alice: User, period: ReportingPeriod, draft: Submission
) -> None:
    a1 = _site(alice, "A1")
    evidence = evidence_add(
        submission=draft, upload=SimpleUploadedFile("bill.pdf", PDF), user=alice, site=a1,
        document_type="electricity_bill",
    )  # fmt: skip
    submission_save_draft(supplier=alice.supplier, period=period, rows=[], user=alice)
    evidence.refresh_from_db()
    assert (evidence.line, evidence.site, evidence.attached_to) == (None, a1, "site")


def test_the_upload_form_asks_what_the_file_proves_and_what_it_is_naming_both(
    alice_client: Client, period: ReportingPeriod, draft: Submission
) -> None:
    response = _upload(alice_client, period)
    assert response.status_code == 200 and not EvidenceFile.objects.exists()
    page = response.content.decode()
    assert "error_1_id_proves" in page and "error_1_id_document_type" in page


def test_another_suppliers_site_is_not_a_choice(
    alice_client: Client, bob: User, period: ReportingPeriod, draft: Submission
) -> None:
    response = _upload(alice_client, period, proves=bob.supplier.sites.get().pk, document_type="ppa")
    assert response.status_code == 200 and not EvidenceFile.objects.exists()
    with pytest.raises(Exception, match="not one of the supplier's sites"):
        evidence_add(submission=draft, upload=SimpleUploadedFile("b.pdf", PDF), user=bob, site=bob.supplier.sites.get())


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "This file is already attached to this period as “bill.pdf”; the same file is attached once."),
        ("zh-hans", "此文件已作为“bill.pdf”上传到本期间；同一文件只能上传一次。"),
    ],
)
def test_the_same_file_twice_on_one_period_is_refused_in_the_users_language(
    alice_client: Client, alice: User, period: ReportingPeriod, draft: Submission, language: str, message: str
) -> None:
    assert _upload(alice_client, period, proves="period", document_type="other").status_code == 302
    again = alice_client.post(
        reverse("evidence_upload", args=[period.pk]),
        {"file": SimpleUploadedFile("copy.pdf", PDF), "proves": _site(alice, "A1").pk, "document_type": "ppa"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert again.status_code == 200 and message in again.content.decode().replace("&ldquo;", "“")
    assert EvidenceFile.objects.count() == 1
    # Another file is welcome; the same bytes on another period are too.
    assert _upload(alice_client, period, proves="period", document_type="other").status_code == 200
    other = alice_client.post(
        reverse("evidence_upload", args=[period.pk]),
        {"file": SimpleUploadedFile("meter.pdf", OTHER_PDF), "proves": "period", "document_type": "meter_reading"},
    )
    assert other.status_code == 302 and EvidenceFile.objects.count() == 2


def test_the_database_refuses_the_same_file_twice_on_one_period_and_a_line_without_its_site(
    alice: User, draft: Submission
) -> None:
    first = EvidenceFile.objects.create(
        submission=draft, file="evidence/x/1", original_name="a.pdf", content_type="application/pdf",
        size_bytes=1, sha256="a" * 64,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceFile.objects.create(
            submission=draft, file="evidence/x/2", original_name="b.pdf", content_type="application/pdf",
            size_bytes=1, sha256=first.sha256,
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        EvidenceFile.objects.create(
            submission=draft, file="evidence/x/3", original_name="c.pdf", content_type="application/pdf",
            size_bytes=1, sha256="c" * 64, line=draft.lines.get(),
        )  # fmt: skip


def test_the_document_types_read_in_chinese() -> None:
    with translation.override("zh-hans"):
        labels = [str(label) for label in EvidenceFile.DocumentType.labels]
    assert labels == [
        "电费账单",
        "电表读数",
        "绿证（GEC）划转记录",
        "绿电交易结算单",
        "I-REC 注销声明",
        "购电协议（PPA）",
        "其他",
    ]


# --- The review queue ------------------------------------------------------------------------------


@pytest.fixture
def reviewer(client: Client) -> Client:
    call_command("setup_roles", stdout=StringIO())
    user = User.objects.create_user("reviewer@carmaker.example", "a long staff password", is_staff=True)
    user.groups.add(Group.objects.get(name="reviewer"))
    client.force_login(user)
    return client


def test_the_review_queue_and_the_submission_page_show_the_lines_without_evidence(
    reviewer: Client, alice: User, draft: Submission
) -> None:
    LineFactory(submission=draft, site=_site(alice, "A2"))
    evidence_add(
        submission=draft, upload=SimpleUploadedFile("bill.pdf", PDF), user=alice, site=_site(alice, "A1"),
        document_type="electricity_bill",
    )  # fmt: skip
    Submission.objects.filter(pk=draft.pk).update(status=Submission.Status.SUBMITTED)
    listing = reviewer.get(reverse("admin:suppliers_submission_changelist")).content.decode()
    assert '<td class="field-without_evidence"><strong class="no-evidence">1</strong></td>' in listing
    missing = reviewer.get(reverse("admin:suppliers_submission_changelist"), {"evidence": "missing"})
    assert reverse("admin:suppliers_submission_change", args=[draft.pk]) in missing.content.decode()
    complete = reviewer.get(reverse("admin:suppliers_submission_changelist"), {"evidence": "complete"})
    assert reverse("admin:suppliers_submission_change", args=[draft.pk]) not in complete.content.decode()
    page = reviewer.get(reverse("admin:suppliers_submission_change", args=[draft.pk])).content.decode()
    assert page.split('id="lines-without-evidence"')[1].split("</p>")[0].endswith("A2")
    assert "bill.pdf</a> (Electricity bill)" in page and 'class="no-evidence">none<' in page


# --- The API -----------------------------------------------------------------------------------


def _api_upload(client, period: ReportingPeriod, content: bytes = PDF, **fields: object):
    handle = io.BytesIO(content)
    handle.name = "bill.pdf"
    return client.post(f"/api/v1/periods/{period.pk}/evidence/", {"file": handle, **fields}, format="multipart")


def test_the_api_takes_the_site_and_the_document_type_and_refuses_what_the_page_refuses(
    alice: User, period: ReportingPeriod, draft: Submission
) -> None:
    from tests.api.conftest import token_client

    api = token_client(alice)
    created = _api_upload(api, period, site="A1", document_type="gec_transfer")
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("site", "attached_to", "document_type")} == {
        "site": "A1", "attached_to": "line", "document_type": "gec_transfer",
    }  # fmt: skip
    again = _api_upload(api, period, site="A2", document_type="ppa")
    assert again.status_code == 400
    assert again.json()["errors"] == [
        {
            "line": None,
            "site": None,
            "field": "file",
            "message": "此文件已作为“bill.pdf”上传到本期间；同一文件只能上传一次。",
        }
    ]
    bad = _api_upload(api, period, OTHER_PDF, site="B1", document_type="invoice")
    assert bad.status_code == 400
    assert {problem["field"] for problem in bad.json()["errors"]} == {"site", "document_type"}
    assert EvidenceFile.objects.count() == 1


# --- What the verifier sees ------------------------------------------------------------------------


def test_the_pack_index_and_the_sample_page_name_the_line_or_site_and_the_type(private_storage: object) -> None:
    from assurance.pack import pack_write
    from assurance.services import sample_draw
    from reports.services.rollups import rollup_run_create
    from tests.reports.test_worked_example import _load_example

    _load_example()
    line = Line.objects.filter(submission__period__year=2025, gec_mwh__gt=0).order_by("pk").first()
    submission = line.submission
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.DRAFT)
    alice = User.objects.create_user("alice@supplier.example", "a long password", supplier=submission.supplier)
    gec = evidence_add(
        submission=submission, upload=SimpleUploadedFile("gec.pdf", PDF), user=alice, site=line.site,
        document_type="gec_transfer",
    )  # fmt: skip
    evidence_add(submission=submission, upload=SimpleUploadedFile("ppa.pdf", OTHER_PDF), user=alice)
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.APPROVED)
    run = rollup_run_create(year=2025)
    out = io.BytesIO()
    pack_write(run, out)
    rows = list(csv.DictReader(io.StringIO(zipfile.ZipFile(out).read("evidence.csv").decode())))
    mine = [r for r in rows if r["site_code"] == line.site.code and r["period"] == "2025"]
    assert {(r["file_name"], r["attached_to"], r["document_type"]) for r in mine} == {
        ("gec.pdf", "line", "gec_transfer"), ("ppa.pdf", "period", "other"),
    }  # fmt: skip
    staff = Client()
    staff.force_login(User.objects.create_superuser("staff@carmaker.example", "a long staff password"))
    sample = sample_draw(run=run, size=30, seed=1, user=None)
    assert sample.lines.filter(line=line).exists()
    page = staff.get(reverse("assurance_sample", args=[sample.pk])).content.decode()
    shown = page.split(f'class="evidence-line"><a href="{reverse("evidence_download", args=[gec.pk])}')
    assert len(shown) == 2 and "GEC transfer record · The line of" in shown[1].split("</div></div>")[0]
    assert "Other · Every site of the period" in page
