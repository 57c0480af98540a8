"""Issue #17, items 1, 4, 13 and 14 in a browser: every supplier page at desktop (1366 px) and phone
(390 px) width, in English and in Chinese. No page scrolls sideways, the navigation collapses behind
its toggler on a phone, no item of it wraps (a Chinese one would go one character per line), and the
period page keeps what was typed when a file is attached, with its live preview.

Screenshots: test-artifacts/screenshots/<test name>/, one per page, language and width.
"""

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from suppliers.models import Line, Submission, User
from suppliers.services.evidence import evidence_add
from tests.e2e.conftest import Screenshots
from tests.e2e.test_supplier_journey import minimal_pdf
from tests.factories import ReportingPeriodFactory, SiteFactory, SubmissionFactory, SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Green power for 2025!"
LOCALES = {"en": "en-GB", "zh-hans": "zh-CN"}
WIDTHS = {"desktop": 1366, "phone": 390}
BAD_LINK = "/accounts/reset/MTIzNDU/c0ffee-0123456789abcdef0123456789abcdef/"


def translated(message: str, language: str) -> str:
    with translation.override(language):
        return gettext(message)


class Portfolio:
    """A supplier with a long name in both languages, three sites, an open period with a draft and
    evidence, and a submitted period (the read-only table)."""

    def __init__(self) -> None:
        self.supplier = SupplierFactory(
            code="CN-W001",
            name_zh="上海绿能新能源汽车零部件制造有限公司",
            name_en="Shanghai Green Energy Automotive Components Manufacturing Co., Ltd.",
        )
        self.sites = [
            SiteFactory(supplier=self.supplier, code="SH1", name="浦东新区张江高科技园区第一工厂", province="310000"),
            SiteFactory(supplier=self.supplier, code="GD1", name="佛山市南海区狮山镇工厂", province="440000"),
            SiteFactory(supplier=self.supplier, code="SC1", name="Chengdu Longquanyi Plant", province="510000"),
        ]
        self.user = UserFactory(email="wang.fang@green-energy-parts.example", supplier=self.supplier)
        self.user.set_password(PASSWORD)
        self.user.save()
        today = timezone.localdate()
        self.open_period = ReportingPeriodFactory(
            year=today.year - 1, kind="year", number=0, due_date=today + timedelta(days=30)
        )
        self.draft = SubmissionFactory(supplier=self.supplier, period=self.open_period, status=Submission.Status.DRAFT)
        self.evidence = evidence_add(
            submission=self.draft,
            upload=SimpleUploadedFile("电费账单-浦东新区张江高科技园区第一工厂-全年.pdf", minimal_pdf()),
            user=self.user,
        )
        self.submitted_period = ReportingPeriodFactory(year=today.year - 2, kind="year", number=0)
        submitted = SubmissionFactory(
            supplier=self.supplier, period=self.submitted_period, status=Submission.Status.SUBMITTED
        )
        Line.objects.create(
            submission=submitted, site=self.sites[0], entered_unit="万kWh",
            entered_values={"total_electricity": "1234567.8", "onsite_renewable": "12345.6"},
            total_electricity_mwh=Decimal("12345678"), onsite_renewable_mwh=Decimal("123456"),
            bmw_share_percent=Decimal("37.5"),
        )  # fmt: skip


@pytest.fixture
def portfolio(private_storage: Path) -> Portfolio:
    return Portfolio()


def assert_no_sideways_scroll(page: Page, what: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{what} is {widths[0]} px wide in a {widths[1]} px window"


def wrapped_items(page: Page, selector: str) -> list[str]:
    """The visible items that take more than one line (a Chinese item wraps character by character)."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].filter((el) => {
            if (!el.offsetParent) return false;
            const style = getComputedStyle(el);
            const content = el.getBoundingClientRect().height - parseFloat(style.paddingTop)
                - parseFloat(style.paddingBottom) - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
            return content > parseFloat(style.lineHeight) * 1.5;
        }).map((el) => el.textContent.trim())""",
        selector,
    )


def log_in(page: Page, user: User, language: str) -> None:
    User.objects.filter(pk=user.pk).update(language=language)  # the portal speaks the user's language once logged in
    page.goto("/accounts/login/")
    page.fill("[name=username]", user.email)
    page.fill("[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#to-report")).to_be_visible()


@pytest.mark.parametrize("width_name", WIDTHS)
@pytest.mark.parametrize("language", LOCALES)
def test_every_supplier_page_fits_the_window_with_a_collapsing_navigation(
    page_for: Callable[..., Page], screenshots: Screenshots, portfolio: Portfolio, language: str, width_name: str
) -> None:
    width = WIDTHS[width_name]
    page = page_for(LOCALES[language], width=width)
    phone = width_name == "phone"

    def check(name: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_no_sideways_scroll(page, f"{name} ({language}, {width} px)")
        assert wrapped_items(page, "main .btn, main th") == [], name
        screenshots.take(page, f"{language}-{width}-{name}")

    # Before logging in: the login page and the password pages.
    for name, path in [
        ("login", "/accounts/login/"),
        ("password-reset", "/accounts/password-reset/"),
        ("password-reset-sent", "/accounts/password-reset/sent/"),
        ("password-reset-link", BAD_LINK),
        ("password-set", "/accounts/reset/done/"),
    ]:
        page.goto(path)
        check(name)

    log_in(page, portfolio.user, language)
    navigation = page.locator("#portal-nav")
    toggler = page.locator("nav .navbar-toggler")
    dashboard_link = navigation.locator("a.nav-link[href='/']")
    opened, closing = re.compile(r"\bshow\b"), re.compile(r"\bcollaps(e|ing)\b")

    def toggle(open_it: bool) -> None:
        # Bootstrap ignores a click while the menu is still sliding: wait for the end of each slide.
        toggler.click()
        if open_it:
            expect(navigation).to_have_class(opened)
            expect(dashboard_link).to_be_visible()
        else:
            expect(navigation).not_to_have_class(opened)
            expect(navigation).to_have_class(closing)
            expect(dashboard_link).to_be_hidden()

    if phone:
        # Collapsed behind the toggler, which opens it (Bootstrap's bundle, a static file, under the CSP).
        expect(toggler).to_be_visible()
        expect(dashboard_link).to_be_hidden()
        expect(toggler).to_have_attribute("aria-expanded", "false")
        toggle(open_it=True)
        expect(toggler).to_have_attribute("aria-expanded", "true")
        expect(navigation.locator("#language-form button").first).to_be_visible()
        expect(navigation.locator("#signed-in-as")).to_be_visible()
        screenshots.take(page, f"{language}-{width}-navigation-open")
    else:
        expect(toggler).to_be_hidden()
        expect(dashboard_link).to_be_visible()
    assert wrapped_items(page, "nav .nav-link, nav .btn") == []
    assert_no_sideways_scroll(page, "the open navigation")
    if phone:
        toggle(open_it=False)
        expect(toggler).to_have_attribute("aria-expanded", "false")

    check("dashboard")
    page.goto(f"/periods/{portfolio.open_period.pk}/")
    expect(page.locator("#period-form")).to_be_visible()
    # The wide grid scrolls inside its own box, not the page.
    grid_box = page.locator("#period-form .table-responsive")
    if phone:
        assert grid_box.evaluate("(el) => el.scrollWidth > el.clientWidth")
    check("period")
    page.locator("#period-help summary").click()
    expect(page.locator("#period-help-example")).to_be_visible()
    check("period-help")
    page.goto(f"/evidence/{portfolio.evidence.pk}/delete/")
    expect(page.locator("#confirm-remove")).to_be_visible()
    check("evidence-remove")
    page.goto(f"/periods/{portfolio.submitted_period.pk}/")
    expect(page.locator("#read-only-note")).to_be_visible()
    expect(page.locator("#lines")).to_contain_text("12,345,678")
    check("period-submitted")
    page.goto("/upload/")
    check("upload")
    page.locator("#upload-form input[type=file]").set_input_files(
        {"name": "figures.csv", "mimeType": "text/csv", "buffer": b"supplier_code,period\nCN-W001,2024-Q9\n"}
    )
    page.locator("#upload-form button[type=submit]").click()
    expect(page.locator("#upload-refused")).to_be_visible()
    check("upload-refused")
    page.goto("/api/tokens/")
    expect(page.locator("#tokens")).to_be_visible()
    check("api-tokens")
    page.goto("/no-such-page/")
    expect(page.locator("#not-found")).to_be_visible()
    check("not-found")


@pytest.mark.parametrize("language", LOCALES)
def test_attaching_a_file_keeps_what_was_typed_and_the_preview_shows_each_row_in_mwh(
    page_for: Callable[..., Page], screenshots: Screenshots, portfolio: Portfolio, language: str
) -> None:
    page = page_for(LOCALES[language], width=WIDTHS["phone"])
    log_in(page, portfolio.user, language)
    page.goto(f"/periods/{portfolio.open_period.pk}/")
    row = page.locator("#lines tbody tr", has_text="SH1")
    preview = row.locator(".line-preview")
    expect(preview).to_have_text("")

    # The help's example: 300 万kWh, 20 on site, 50 GECs (in the row's unit).
    row.locator("[name$='-unit']").select_option("万kWh")
    for name, value in {"total_electricity": "300", "onsite_renewable": "20", "gec": "50"}.items():
        row.locator(f"[name$='-{name}']").fill(value)
    row.locator("[name$='-bmw_share_percent']").fill("40")
    total_label = translated("Total (MWh)", language)
    share_label = translated("Green share (%)", language)
    expect(preview).to_have_text(f"{total_label}: 3,000 · {share_label}: 23.3")
    # Every input says what it is and for which site.
    expect(row.locator("[name$='-gec']")).to_have_attribute("aria-label", f"{translated('GEC', language)} – SH1")
    screenshots.take(page, f"{language}-typed")

    # Leaving the page with these figures unsaved asks first.
    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.locator("#evidence a.btn-outline-danger").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert re.search(rf"/periods/{portfolio.open_period.pk}/$", page.url)

    # Attaching a file reloads the page; the typed figures come back, not saved yet.
    page.locator("#evidence-form input[type=file]").set_input_files(
        {"name": "GEC-transfer.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf() + b"% another file\n"}
    )
    page.locator("#evidence-form button[type=submit]").click()
    expect(page.locator("#evidence")).to_contain_text("GEC-transfer.pdf")
    expect(page.locator("#unsaved-figures")).to_be_visible()
    row = page.locator("#lines tbody tr", has_text="SH1")
    expect(row.locator("[name$='-total_electricity']")).to_have_value("300")
    expect(row.locator("[name$='-gec']")).to_have_value("50")
    expect(row.locator("[name$='-unit']")).to_have_value("万kWh")
    expect(row.locator(".line-preview")).to_have_text(f"{total_label}: 3,000 · {share_label}: 23.3")
    assert not Line.objects.filter(submission=portfolio.draft).exists()
    assert_no_sideways_scroll(page, "the period page after attaching")
    screenshots.take(page, f"{language}-kept-after-attaching")

    # Saving them keeps them: the unsaved notice goes, the figures are stored as typed.
    row.locator("[name$='-gec']").fill("")
    page.click("#save-draft")
    expect(page.locator("#unsaved-figures")).to_have_count(0)
    line = Line.objects.get(submission=portfolio.draft, site=portfolio.sites[0])
    assert line.total_electricity_mwh == Decimal(3000) and line.onsite_renewable_mwh == Decimal(200)
