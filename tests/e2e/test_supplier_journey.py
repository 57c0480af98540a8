"""Issue 4 in a browser: an invited supplier sets a password, logs in in Chinese and reports a period."""

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Locator, Page, expect

from suppliers.models import EvidenceFile, Line, Submission
from suppliers.services.accounts import supplier_user_invite
from tests.e2e.conftest import Screenshots
from tests.factories import ReportingPeriodFactory, SiteFactory, SupplierFactory
from tests.files import pdf_of_objects

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_run_here")]

PASSWORD = "Green power for 2025!"
CJK = re.compile(r"[\u4e00-\u9fff]")


def minimal_pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table, as a scanned bill would be (but tiny)."""
    return pdf_of_objects([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ])  # fmt: skip


def zh(message: str) -> str:
    """The message as the Chinese catalog has it (itself while a string is untranslated)."""
    with translation.override("zh-hans"):
        return gettext(message)


def expect_chinese_page(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def site_row(page: Page, site_code: str) -> Locator:
    return page.locator("#lines tbody tr", has_text=site_code)


def test_invited_supplier_reports_a_period_in_chinese(
    page_for: Callable[[str], Page], screenshots: Screenshots, mailoutbox: list[mail.EmailMessage]
) -> None:
    supplier = SupplierFactory(code="CN-E001", name_zh="上海绿能汽车零部件有限公司", name_en="Shanghai Green Parts Co.")
    shanghai = SiteFactory(supplier=supplier, code="SH1", name="浦东工厂", province="310000")
    guangdong = SiteFactory(supplier=supplier, code="GD1", name="佛山工厂", province="440000")
    today = timezone.localdate()
    period = ReportingPeriodFactory(year=today.year - 1, kind="year", number=0, due_date=today + timedelta(days=30))
    # Committed at once (transactional db): the task its on_commit callback queues runs here (eager).
    user = supplier_user_invite(
        supplier=supplier, email="li.wei@green-parts.example", language="zh-hans", invited_by=None
    )
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", mailoutbox[0].body).group(0)

    page = page_for("zh-CN")
    # 1. The invitation link: choose a password.
    url = urlsplit(link)
    page.goto(url.path)
    expect_chinese_page(page)
    expect(page.locator("h1")).to_have_text(zh("Welcome: choose your password"))
    page.fill("[name=new_password1]", PASSWORD)
    page.fill("[name=new_password2]", PASSWORD)
    screenshots.take(page, "invitation-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(zh("Password set"))
    screenshots.take(page, "password-set")

    # 2. Log in, in Chinese.
    page.goto("/accounts/login/")
    expect_chinese_page(page)
    expect(page.locator("h1")).to_have_text(zh("Log in"))
    page.fill("[name=username]", user.email)
    page.fill("[name=password]", PASSWORD)
    screenshots.take(page, "login")
    page.locator("main form button[type=submit]").click()

    # 3. The dashboard: the period waits to be reported.
    expect(page.locator("#to-report")).to_be_visible()
    expect_chinese_page(page)
    headings = " ".join(page.locator("h1, h2").all_inner_texts())
    assert CJK.search(headings), f"no Chinese in the headings: {headings!r}"
    expect(page.locator("h2").first).to_have_text(zh("To report"))
    period_row = page.locator(f"#period-{period.pk}")
    expect(period_row).to_contain_text(period.code)
    screenshots.take(page, "dashboard")
    period_row.locator("a.btn").click()

    # 4. The period page: one row per site, each in its bill's unit.
    expect(page.locator("#period-form")).to_be_visible()
    expect_chinese_page(page)
    expect(page.locator("h1")).to_contain_text(zh("Electricity for %(period)s") % {"period": period.code})
    screenshots.take(page, "period-empty")
    rows = {
        "SH1": {
            "unit": "GWh",
            "total_electricity": "1.5",
            "onsite_renewable": "0.2",
            "green_power_trading": "0.3",
            "gec": "0.1",
            "bmw_share_percent": "40",
            "certificate_ids": "GEC-2025-SH-000101; GEC-2025-SH-000102",
        },
        "GD1": {
            "unit": "万kWh",
            "total_electricity": "120",
            "irec": "30",
            "bmw_share_percent": "25",
            "certificate_ids": "IREC-CN-2025-0201",
        },
    }
    for site_code, values in rows.items():
        row = site_row(page, site_code)
        row.locator("[name$='-unit']").select_option(values["unit"])
        for name, value in values.items():
            if name != "unit":
                row.locator(f"[name$='-{name}']").fill(value)
    screenshots.take(page, "period-filled")
    page.click("#save-draft")
    expect(page.locator("[role=alert]", has_text=zh("Draft saved."))).to_be_visible()
    expect(page.locator("#submission-status")).to_have_class(re.compile(r"\bstatus-draft\b"))
    screenshots.take(page, "draft-saved")

    # 5. The evidence: a PDF bill.
    page.locator("#evidence-form input[type=file]").set_input_files(
        files=[{"name": "电费账单-2025.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf()}]
    )
    page.locator("#evidence-form select[name=proves]").select_option(index=1)  # the first site's line
    page.locator("#evidence-form select[name=document_type]").select_option("electricity_bill")
    page.locator("#evidence-form button[type=submit]").click()
    expect(page.locator("#evidence")).to_contain_text("电费账单-2025.pdf")
    expect(page.locator("#evidence tr.evidence-line")).to_contain_text(zh("Electricity bill"))
    screenshots.take(page, "evidence-attached")

    # 6. Leave for the dashboard, and come back: the draft is kept as typed.
    page.locator("nav a.nav-link[href='/']").click()
    expect(period_row.locator(".badge")).to_have_class(re.compile(r"\bstatus-draft\b"))
    screenshots.take(page, "dashboard-draft")
    period_row.locator("a.btn").click()
    expect(page.locator("#period-form")).to_be_visible()
    for site_code, values in rows.items():
        row = site_row(page, site_code)
        for name, value in values.items():
            expect(row.locator(f"[name$='-{name}']")).to_have_value(value)
    expect(page.locator("#evidence")).to_contain_text("电费账单-2025.pdf")
    screenshots.take(page, "draft-kept")

    # 7. Declare and submit: the page becomes read-only.
    page.check("[name=declaration]")
    screenshots.take(page, "declaration-ticked")
    page.click("#submit")
    expect(page.locator("[role=alert]", has_text=zh("Submitted for review. Thank you."))).to_be_visible()
    status = page.locator("#submission-status")
    expect(status).to_have_class(re.compile(r"\bstatus-submitted\b"))
    with translation.override("zh-hans"):
        expect(status).to_have_text(str(Submission.Status.SUBMITTED.label))
    expect(page.locator("#read-only-note")).to_be_visible()
    expect(page.locator("#period-form")).to_have_count(0)
    expect(page.locator("#evidence-form")).to_have_count(0)
    expect(page.locator("main input:not([type=hidden])")).to_have_count(0)
    expect(site_row(page, "SH1")).to_contain_text("1500")
    expect(site_row(page, "GD1")).to_contain_text("1200")
    screenshots.take(page, "submitted-read-only")
    page.locator("nav a.nav-link[href='/']").click()
    expect(page.locator(f"#reported #period-{period.pk} .badge")).to_have_class(re.compile(r"\bstatus-submitted\b"))
    screenshots.take(page, "dashboard-submitted")

    # What the database holds: MWh, whatever unit was typed.
    submission = Submission.objects.get(supplier=supplier, period=period)
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.submitted_by == user
    lines = {
        line.site_id: line for line in Line.objects.filter(submission=submission).prefetch_related("certificate_claims")
    }
    assert set(lines) == {shanghai.pk, guangdong.pk}
    sh, gd = lines[shanghai.pk], lines[guangdong.pk]
    assert (sh.entered_unit, sh.total_electricity_mwh, sh.onsite_renewable_mwh) == ("GWh", Decimal(1500), Decimal(200))
    assert (sh.green_power_trading_mwh, sh.gec_mwh, sh.irec_mwh) == (Decimal(300), Decimal(100), Decimal(0))
    assert sh.bmw_share_percent == Decimal(40)
    assert sorted(claim.batch_id for claim in sh.certificate_claims.all()) == [
        "GEC-2025-SH-000101",
        "GEC-2025-SH-000102",
    ]
    assert (gd.entered_unit, gd.total_electricity_mwh, gd.irec_mwh, gd.gec_mwh) == (
        "万kWh",
        Decimal(1200),
        Decimal(300),
        Decimal(0),
    )
    assert [(c.batch_id, c.instrument) for c in gd.certificate_claims.all()] == [("IREC-CN-2025-0201", "irec")]
    evidence = EvidenceFile.objects.get(submission=submission)
    assert (evidence.original_name, evidence.content_type) == ("电费账单-2025.pdf", "application/pdf")
    assert evidence.file.read() == minimal_pdf()
