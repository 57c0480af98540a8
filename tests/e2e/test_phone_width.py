"""Issue 17, item 1: every supplier page fits a phone (390 px) and a desktop (1366 px), in both
languages: nothing scrolls sideways, the navigation collapses behind a button on a phone, and
wide tables scroll inside their own box."""

from collections.abc import Callable

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from suppliers.models import Site
from tests.e2e.conftest import Screenshots, supplier_log_in
from tests.factories import (
    LineFactory,
    ReportingPeriodFactory,
    SiteFactory,
    SubmissionFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
WIDTHS = {"phone": 390, "desktop": 1366}
LOCALES = {"en": "en-GB", "zh-hans": "zh-CN"}


def _supplier_with_a_period(language: str) -> tuple[str, int]:
    supplier = SupplierFactory(
        code="CN-W001",
        name_zh="广东佛山长名称新能源汽车零部件制造有限公司",
        name_en="Foshan Long-Named New Energy Vehicle Parts Manufacturing Co., Ltd.",
    )
    for number in range(1, 4):
        SiteFactory(
            supplier=supplier, code=f"FS{number}", name=f"佛山第{number}工厂（南海区狮山镇）", province="440000"
        )
    period = ReportingPeriodFactory(year=2025, kind="year", number=0)
    submission = SubmissionFactory(supplier=supplier, period=period)
    for site in Site.objects.filter(supplier=supplier):
        LineFactory(submission=submission, site=site, total_electricity_mwh="123456.789", gec_mwh="1000")
    ReportingPeriodFactory(year=2026, kind="year", number=0)
    user = UserFactory(email="wei@foshan-parts.example", supplier=supplier, language=language)
    return user.email, period.pk


def _fits(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px"


def _navigation_fits(page: Page, width: int) -> None:
    toggler = page.locator("#nav-toggler")
    if width < 992:
        expect(toggler).to_be_visible()
        expect(page.locator("#portal-nav")).to_be_hidden()
        toggler.click()
        expect(page.locator("#portal-nav")).to_be_visible()
        # Every item of the open menu is inside the screen and no label wraps one character a line.
        for item in page.locator("#portal-nav .nav-link, #portal-nav button").all():
            box = item.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, item.inner_text()
            assert box["width"] > 30, f"'{item.inner_text()}' is squeezed to {box['width']} px"
        _fits(page)
        toggler.click()
    else:
        expect(toggler).to_be_hidden()
        expect(page.locator("#portal-nav")).to_be_visible()


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize("size", WIDTHS)
def test_every_supplier_page_fits_the_screen_with_a_collapsing_navigation(
    browser: Browser, live_server: LiveServer, screenshots: Screenshots, size: str, language: str
) -> None:
    width = WIDTHS[size]
    email, period_id = _supplier_with_a_period(language)
    context = browser.new_context(
        locale=LOCALES[language], base_url=live_server.url, viewport={"width": width, "height": 844}
    )
    page = context.new_page()
    try:
        for path in ("/accounts/login/", "/accounts/password-reset/"):
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            _fits(page)
            _navigation_fits(page, width)
            screenshots.take(page, f"{size}-{language}-{path.strip('/').replace('/', '-')}")
        supplier_log_in(page, email, PASSWORD)
        for path in ("/", "/periods/", f"/periods/{period_id}/", "/upload/", "/api/tokens/", "/no-such-page/"):
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            _fits(page)
            _navigation_fits(page, width)
            screenshots.take(page, f"{size}-{language}-{path.strip('/').replace('/', '-') or 'dashboard'}")
        # The period's table is wider than a phone: it scrolls in its own box, the page does not.
        page.goto(f"/periods/{period_id}/")
        box = page.locator(".table-responsive").first
        inside = box.evaluate("element => element.scrollWidth - element.clientWidth")
        if width == WIDTHS["phone"]:
            assert inside > 0
        _fits(page)
    finally:
        context.close()


def test_the_not_found_page_is_the_portals_own_in_both_languages(page_for: Callable[[str], Page]) -> None:
    assert not settings.DEBUG
    for locale, title in (("en-GB", "Page not found"), ("zh-CN", "页面不存在")):
        page = page_for(locale)
        response = page.goto("/no-such-page/")
        assert response is not None and response.status == 404
        expect(page.locator("#error-title")).to_have_text(title)
        expect(page.locator("#nav-toggler")).to_be_attached()
