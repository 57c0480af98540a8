"""Issue 17, items 3 and 12 in a browser: an upload shows its progress, then every problem of the
file at once, in the supplier's language, at desktop and phone width."""

import csv
import io

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from suppliers.services.imports import COLUMNS
from tests.e2e.conftest import Screenshots, supplier_log_in
from tests.factories import ReportingPeriodFactory, SiteFactory, SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


def _file_with_three_problems() -> bytes:
    rows = [
        {"supplier_code": "CN-U001", "site_code": "U1", "period": "2026", "unit": "kWh", "total_electricity": "1000",
         "gec": "", "bmw_share_percent": "abc"},
        {"supplier_code": "CN-U001", "site_code": "U1", "period": "2026Q9", "unit": "kWh", "total_electricity": "1000",
         "bmw_share_percent": "20"},
        {"supplier_code": "CN-U001", "site_code": "U2", "period": "2026", "unit": "litres", "total_electricity": "1000",
         "bmw_share_percent": "20"},
    ]  # fmt: skip
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.mark.parametrize(("language", "width"), [("en", 1366), ("zh-hans", 390)])
def test_an_upload_shows_its_progress_then_every_problem_at_once(
    browser: Browser, live_server: LiveServer, screenshots: Screenshots, language: str, width: int
) -> None:
    supplier = SupplierFactory(code="CN-U001")
    SiteFactory(supplier=supplier, code="U1", province="310000")
    SiteFactory(supplier=supplier, code="U2", province="320000")
    ReportingPeriodFactory(year=2026, kind="year", number=0)
    UserFactory(email="upload@supplier.example", supplier=supplier, language=language)
    locale = "zh-CN" if language == "zh-hans" else "en-GB"
    context = browser.new_context(locale=locale, base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    supplier_log_in(page, "upload@supplier.example", PASSWORD)
    page.goto("/upload/")
    page.evaluate("window.notReloaded = true")

    page.set_input_files(
        "#upload-form input[type='file']",
        files=[{"name": "figures.csv", "mimeType": "text/csv", "buffer": _file_with_three_problems()}],
    )
    page.locator("#upload-form button[type='submit']").click()
    expect(page.locator("#upload-refused")).to_be_visible()
    screenshots.take(page, f"{language}-{width}-refused")
    # The answer replaced the page in place (sent by portal.js, no navigation), with the three
    # problems in one list.
    assert page.evaluate("window.notReloaded") is True
    rows = page.locator("#problems tbody tr")
    expect(rows).to_have_count(3)
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(3)] == ["2", "3", "4"]
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    expect(page.locator("html")).to_have_attribute("lang", language)
    context.close()


def test_the_progress_box_is_there_and_hidden_until_a_file_is_sent(client, alice) -> None:
    client.force_login(alice)
    page = client.get("/upload/").content.decode()
    assert 'id="upload-progress"' in page and 'class="mt-3 d-none"' in page
