"""Issue 17, items 4, 13, 14 and 15 in a browser: the period grid's live preview, typed figures that
survive attaching a file, labelled inputs, and a confirmation before removing evidence."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from suppliers.models import EvidenceFile, Line
from tests.e2e.conftest import Screenshots, supplier_log_in
from tests.e2e.test_supplier_journey import minimal_pdf
from tests.factories import ReportingPeriodFactory, SiteFactory, SubmissionFactory, SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


def _open_period(browser: Browser, live_server: LiveServer, language: str, width: int) -> tuple[Page, int]:
    supplier = SupplierFactory(code="CN-T001")
    SiteFactory(supplier=supplier, code="T1", name="一厂", province="310000")
    SiteFactory(supplier=supplier, code="T2", name="二厂", province="320000")
    period = ReportingPeriodFactory(year=2024, kind="year", number=0)
    SubmissionFactory(supplier=supplier, period=period, status="draft")  # evidence can be attached
    UserFactory(email="typing@supplier.example", supplier=supplier, language=language)
    locale = "zh-CN" if language == "zh-hans" else "en-GB"
    context = browser.new_context(locale=locale, base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    supplier_log_in(page, "typing@supplier.example", PASSWORD)
    page.goto(f"/periods/{period.pk}/")
    return page, period.pk


def _t(message: str, language: str) -> str:
    """The message as the page shows it: a template's {% translate %} looks up % as %%."""
    with translation.override(language):
        return gettext(message.replace("%", "%%")).replace("%%", "%")


@pytest.mark.parametrize(("language", "width"), [("en", 1366), ("zh-hans", 390)])
def test_typed_figures_show_a_preview_and_survive_attaching_evidence(
    browser: Browser, live_server: LiveServer, screenshots: Screenshots, language: str, width: int
) -> None:
    page, _ = _open_period(browser, live_server, language, width)
    total_label = f"{_t('Total electricity', language)} · T1"
    # Every input of the grid has a name a screen reader reads: its column and its site.
    expect(page.get_by_label(total_label, exact=True)).to_be_visible()
    page.get_by_label(f"{_t('Unit', language)} · T1", exact=True).select_option("kWh")
    page.get_by_label(total_label, exact=True).fill("1,200,000")
    page.get_by_label(f"{_t('On-site renewable', language)} · T1", exact=True).fill("１５００００")
    page.get_by_label(f"{_t('Green power trading', language)} · T1", exact=True).fill("300000")
    page.get_by_label(f"{_t('GEC', language)} · T1", exact=True).fill("2E+05")
    preview = page.locator("#row-0 .row-preview")
    expected = _t("TOTAL MWh, SHARE % green", language).replace("TOTAL", "1,200.000").replace("SHARE", "54.2")
    expect(preview).to_have_text(expected)
    page.get_by_label(f"{_t('GEC', language)} · T1", exact=True).fill("two hundred")
    expect(preview).to_have_text(_t("check the figures", language))
    page.get_by_label(f"{_t('GEC', language)} · T1", exact=True).fill("200000")
    page.get_by_label(f"{_t('BMW share (%)', language)} · T1", exact=True).fill("35％")
    page.get_by_label(f"{_t('GEC serials', language)} · T1", exact=True).fill("GEC-T1-2024-000001~GEC-T1-2024-000200")
    screenshots.take(page, f"{language}-{width}-typed")

    # Attaching a file reloads the page: the unsaved figures come back, and the page says so.
    page.set_input_files(
        "#evidence-form input[type='file']",
        files=[{"name": "bill.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf()}],
    )
    page.locator("#evidence-form select[name='proves']").select_option(index=1)  # site T1, no line saved yet
    page.locator("#evidence-form select[name='document_type']").select_option("electricity_bill")
    page.locator("#evidence-form button[type='submit']").click()
    page.wait_for_load_state()
    expect(page.locator("#evidence")).to_contain_text("bill.pdf")
    expect(page.locator("#restored-notice")).to_be_visible()
    expect(page.get_by_label(total_label, exact=True)).to_have_value("1,200,000")
    expect(preview).to_have_text(expected)
    screenshots.take(page, f"{language}-{width}-restored")
    assert not Line.objects.exists()  # put back on the page, not saved behind the supplier's back

    page.locator("#save-draft").click()
    page.wait_for_load_state()
    line = Line.objects.get(site__code="T1")
    assert (line.total_electricity_mwh, line.green_mwh, line.bmw_share_percent) == (1200, 650, 35)
    page.reload()
    expect(page.locator("#restored-notice")).to_be_hidden()

    # Removing evidence asks first; "cancel" keeps the file.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#evidence button[name='delete']").click()
    expect(page.locator("#evidence")).to_contain_text("bill.pdf")
    assert EvidenceFile.objects.count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#evidence button[name='delete']").click()
    page.wait_for_load_state()
    expect(page.locator("#evidence")).not_to_contain_text("bill.pdf")
    assert EvidenceFile.objects.count() == 0
    page.context.close()


def test_leaving_with_unsaved_figures_asks_first(browser: Browser, live_server: LiveServer) -> None:
    page, _ = _open_period(browser, live_server, "en", 1366)
    page.get_by_label("Total electricity · T2", exact=True).fill("500")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.locator("nav a.navbar-brand").click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    expect(page.get_by_label("Total electricity · T2", exact=True)).to_have_value("500")
    page.context.close()
