"""Item 10 in a browser: a supplier writes to the reviewer on its period page, staff read it on the
admin's submission page and answer, and the supplier reads the answer; at 1366 and 390 px, in
English and Chinese, nothing scrolls sideways. Screenshots in test-artifacts/screenshots/."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from suppliers.models import Submission, SubmissionMessage, User
from tests.e2e.conftest import Screenshots
from tests.factories import (
    LineFactory,
    ReportingPeriodFactory,
    SiteFactory,
    SubmissionFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

SUPPLIER_PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
STAFF_PASSWORD = "a long reviewer password"
WIDTHS = {"phone": 390, "desktop": 1366}
LOCALES = {"en": "en-GB", "zh-hans": "zh-CN"}
QUESTION = {
    "en": "Our A1 bill for December is in 万kWh (88.5). Is 885 MWh what you expect to see?",
    "zh-hans": "A1 工厂十二月的电费单以万kWh计（88.5），请问按 885 MWh 填报是否正确？",
}
ANSWER = {
    "en": "Yes: 88.5 万kWh is 885 MWh. Please attach the December bill to A1's line.",
    "zh-hans": "正确：88.5 万kWh 即 885 MWh。请把十二月的电费单附在 A1 的填报行上。",
}


def _world(language: str) -> tuple[User, User, Submission]:
    call_command("setup_roles", verbosity=0)
    supplier = SupplierFactory(
        code="CN-T001", name_zh="天津长名称高分子新材料科技股份有限公司", name_en="Tianjin Long-Named Polymer Co., Ltd."
    )
    site = SiteFactory(supplier=supplier, code="A1", name="天津滨海新区第一工厂", province="120000")
    period = ReportingPeriodFactory(year=2025, kind="year", number=0, is_open=True)
    submission = SubmissionFactory(supplier=supplier, period=period, status=Submission.Status.SUBMITTED)
    LineFactory(submission=submission, site=site, total_electricity_mwh="885", onsite_renewable_mwh="120")
    supplier_user = UserFactory(email="zhao.min@tianjin-polymer.example", supplier=supplier, language=language)
    reviewer = User.objects.create_user(
        "reviewer@carmaker.example", STAFF_PASSWORD, is_staff=True, language=language, full_name="Wang Fang"
    )
    reviewer.groups.add(Group.objects.get(name="reviewer"))
    return supplier_user, reviewer, submission


def _fits(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px"


def _open(browser: Browser, live_server: LiveServer, locale: str, width: int) -> Page:
    context = browser.new_context(locale=locale, base_url=live_server.url, viewport={"width": width, "height": 900})
    return context.new_page()


@pytest.mark.parametrize("language", list(LOCALES))
@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_supplier_and_the_reviewer_write_to_each_other_on_a_submission(
    browser: Browser, live_server: LiveServer, screenshots: Screenshots, language: str, width: str
) -> None:
    supplier_user, reviewer, submission = _world(language)
    size = WIDTHS[width]
    html_lang = "zh-hans" if language == "zh-hans" else "en"

    # 1. The supplier writes on its period page.
    supplier = _open(browser, live_server, LOCALES[language], size)
    supplier.goto("/accounts/login/")
    supplier.fill("input[name='username']", supplier_user.email)
    supplier.fill("input[name='password']", SUPPLIER_PASSWORD)
    supplier.locator("main button[type='submit']").click()
    supplier.wait_for_url(lambda url: "/accounts/login/" not in url)
    supplier.goto(f"/periods/{submission.period_id}/")
    expect(supplier.locator("html")).to_have_attribute("lang", html_lang)
    expect(supplier.locator("#conversation")).to_be_visible()
    supplier.locator("#message-form textarea[name=body]").fill(QUESTION[language])
    screenshots.take(supplier, f"{width}-{language}-supplier-writes")
    supplier.locator("#message-form button[name=send]").click()
    expect(supplier.locator("#timeline .event-message.from-supplier")).to_contain_text(QUESTION[language])
    _fits(supplier)
    screenshots.take(supplier, f"{width}-{language}-supplier-sent")
    assert SubmissionMessage.objects.get().body == QUESTION[language]

    # 2. Staff read it on the admin's submission page, beside the submission's history, and answer.
    staff = _open(browser, live_server, LOCALES[language], size)
    staff.goto("/admin/login/")
    staff.fill("[name=username]", reviewer.email)
    staff.fill("[name=password]", STAFF_PASSWORD)
    staff.locator("#login-form [type=submit]").click()
    expect(staff.locator("#content h1")).to_be_visible()
    staff.goto(f"/admin/suppliers/submission/{submission.pk}/change/")
    expect(staff.locator("html")).to_have_attribute("lang", html_lang)
    expect(staff.locator("#timeline .event-message.from-supplier")).to_contain_text(QUESTION[language])
    _fits(staff)
    staff.locator("#message-form textarea[name=body]").fill(ANSWER[language])
    screenshots.take(staff, f"{width}-{language}-staff-reads")
    staff.locator("#message-form button[name=send]").click()
    expect(staff.locator(".messagelist")).to_be_visible()
    expect(staff.locator("#timeline .event-message.from-staff")).to_contain_text(ANSWER[language])
    _fits(staff)
    screenshots.take(staff, f"{width}-{language}-staff-answered")

    # 3. The supplier sees the answer, from "the reviewer", after its own question.
    supplier.reload()
    events = supplier.locator("#timeline .event-message")
    expect(events).to_have_count(2)
    expect(events.nth(0)).to_contain_text(QUESTION[language])
    expect(events.nth(1)).to_contain_text(ANSWER[language])
    expect(events.nth(1)).not_to_contain_text(reviewer.email)
    _fits(supplier)
    screenshots.take(supplier, f"{width}-{language}-supplier-reads-the-answer")
    assert list(SubmissionMessage.objects.values_list("from_staff", flat=True)) == [False, True]
