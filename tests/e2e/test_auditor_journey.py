"""Issue 16 in a browser: an external auditor logs in to the admin (password and a one-time backup
code), opens the run of the year assigned, draws a sample, downloads a sampled line's evidence and
records an exception with a comment; at desktop and phone width, in English and Chinese
(screenshots in test-artifacts/screenshots/)."""

import hashlib
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from assurance.models import AssuranceSample, AuditAssignment, SampledLine
from reports.models import RollupRun
from reports.services.rollups import rollup_run_create
from suppliers.models import EvidenceFile, Line, Submission, User
from suppliers.services.evidence import evidence_add
from tests.e2e.conftest import Screenshots
from tests.files import pdf_file
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long auditor password"
EXCEPTION = "The bill shows 11,800 MWh for the year, the line 12,500 MWh."


def _pdf(line: Line) -> bytes:
    return pdf_file(f"the electricity bill of {line}")


def _world(language: str) -> tuple[User, str, RollupRun, RollupRun]:
    """The worked example, each 2025 line with its bill attached, runs of 2024 and 2025, and an
    auditor assigned 2025 with one backup code."""
    call_command("setup_roles", stdout=StringIO())
    _load_example()
    for line in Line.objects.filter(submission__period__year=2025).select_related("site", "submission__supplier"):
        supplier = line.submission.supplier
        uploader, _ = User.objects.get_or_create(email=f"{supplier.code.lower()}@supplier.example", supplier=supplier)
        Submission.objects.filter(pk=line.submission_id).update(status=Submission.Status.DRAFT)  # evidence is a draft's
        evidence_add(
            submission=line.submission, upload=SimpleUploadedFile(f"bill-{line.site.code}.pdf", _pdf(line)),
            user=uploader, site=line.site, document_type="electricity_bill",
        )  # fmt: skip
        Submission.objects.filter(pk=line.submission_id).update(status=Submission.Status.APPROVED)
    runs = rollup_run_create(year=2024), rollup_run_create(year=2025)
    auditor = User.objects.create_user("verifier@audit-firm.example", PASSWORD, is_staff=True, language=language)
    auditor.groups.add(Group.objects.get(name="auditor"))
    AuditAssignment.objects.create(user=auditor, year=2025)
    code = StaticToken.random_token()
    StaticDevice.objects.create(user=auditor, name="backup codes").token_set.create(token=code)
    return auditor, code, *runs


@pytest.fixture
def page_at(browser: Browser, live_server: LiveServer) -> Iterator:
    contexts = []

    def open_page(locale: str, width: int) -> Page:
        context = browser.new_context(
            locale=locale, base_url=live_server.url, viewport={"width": width, "height": 900}, accept_downloads=True
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize(("locale", "language"), [("en-GB", "en"), ("zh-CN", "zh-hans")])
def test_an_auditor_draws_a_sample_opens_a_lines_evidence_and_records_a_result(
    page_at, screenshots: Screenshots, settings, width: int, locale: str, language: str
) -> None:
    settings.STAFF_OTP_REQUIRED = True  # the real login: password and a one-time code
    auditor, code, other_run, run = _world(language)

    def t(message: str) -> str:
        with translation.override(language):
            return gettext(message)

    page = page_at(locale, width)
    shot = lambda name: screenshots.take(page, f"{language}-{width}-{name}")  # noqa: E731

    # 1. Log in with the password, then a backup code on the next step (portal.staff_login).
    page.goto("/admin/login/")
    page.fill("[name='auth-username']", auditor.email)
    page.fill("[name='auth-password']", PASSWORD)
    page.locator("#login-form .submit-row [type=submit]").click()
    page.fill("[name='backup-otp_token']", code)
    shot("login")
    page.locator("#login-form .submit-row [type=submit]").click()
    module = page.locator("#audit-module")
    expect(module).to_be_visible()
    expect(module).to_contain_text("2025")
    shot("admin-index")
    assert not StaticToken.objects.filter(token=code).exists()  # a backup code works once

    # 2. The run of the year assigned: its samples page, and the draw.
    module.locator(f"a[href$='/runs/{run.pk}/samples/']").click()
    expect(page.locator("#draw")).to_be_visible()
    page.fill("#draw [name=size]", "3")
    page.fill("#draw [name=seed]", "20250331")
    shot("samples")
    page.locator("#draw [type=submit]").click()
    expect(page.locator("#sampled")).to_be_visible()
    sample = AssuranceSample.objects.get()
    assert (sample.run, sample.size, sample.seed, sample.drawn_by) == (run, 3, 20250331, auditor)
    expect(page.locator("#sampled tbody tr")).to_have_count(3)
    shot("sample")

    # 3. The first sampled line's evidence: its bill, of the line, downloaded as stored.
    first = SampledLine.objects.filter(sample=sample).order_by("position").first()
    row = page.locator(f"#line-{first.pk}")
    evidence = EvidenceFile.objects.get(line=first.line)
    expect(row.locator(".evidence-line")).to_contain_text(t("Electricity bill"))
    with page.expect_download() as download_info:
        row.locator(".evidence-line a").click()
    download = download_info.value
    assert download.suggested_filename == evidence.original_name
    assert hashlib.sha256(Path(download.path()).read_bytes()).hexdigest() == evidence.sha256

    # 4. An exception, with what the bill shows.
    row.locator("select[name=result]").select_option("exception")
    row.locator("input[name=comment]").fill(EXCEPTION)
    row.locator("[type=submit]").click()
    recorded = t("%(line)s: %(result)s recorded.") % {"line": first, "result": t("Exception")}
    expect(page.locator(".messagelist")).to_contain_text(recorded)
    row = page.locator(f"#line-{first.pk}")
    expect(row).to_contain_text(EXCEPTION)
    expect(row).to_contain_text(t("Exception"))
    row.locator("select[name=result]").scroll_into_view_if_needed()  # at phone width the table scrolls in its box
    shot("recorded")
    first.refresh_from_db()
    assert (first.result, first.comment, first.checked_by) == ("exception", EXCEPTION, auditor)

    # 5. Another year's run is not theirs to open.
    response = page.goto(f"/admin/assurance/runs/{other_run.pk}/samples/")
    assert response.status == 404
    shot("other-year")
