"""Issue 5 in a browser: staff review the worked example's 2024 submissions, the supplier sees a
returned one, and the comparison page follows the real worker's roll-up after an approval."""

import re
import subprocess
import time
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from reports.models import RollupRun
from suppliers.models import Submission, Supplier, User
from tests.e2e.conftest import Screenshots
from tests.factories import UserFactory
from tests.reports.test_worked_example import EXAMPLES

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

STAFF_PASSWORD = "a long reviewer password"
SUPPLIER_PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
COMMENT = "TJ1: 5000 MWh is eight times 2019's figure. Was the bill in kWh? Correct the unit and submit again."
WAIT_FOR_WORKER_SECONDS = 60


def _load_example_waiting_for_review() -> None:
    """2019 approved, 2024 submitted and waiting for review, a 2024 run before any review."""
    call_command("import_factors", str(EXAMPLES / "factors.csv"), "--replace", stdout=StringIO())
    call_command("import_submissions", str(EXAMPLES / "submissions-2019.csv"), "--approve", stdout=StringIO())
    call_command("import_submissions", str(EXAMPLES / "submissions-2024-gbk.csv"), stdout=StringIO())
    call_command("reported_figure", "2024", "10000", "--source", "worked example", stdout=StringIO())
    call_command("rollup", "--year", "2024", "--inline", stdout=StringIO())


def _newest_run(year: int) -> RollupRun:
    return (
        RollupRun.objects.filter(year=year, status=RollupRun.Status.SUCCEEDED).order_by("-finished_at", "-id").first()
    )


def _tco2e_shown(page: Page) -> Decimal:
    """The computed reduction as the page shows it ("5,278.550 tCO2e" in English)."""
    text = page.locator("#computed").inner_text()
    return Decimal(text.removesuffix("tCO2e").strip().replace(",", ""))


def _open_submission(page: Page, supplier_code: str) -> None:
    page.locator("#result_list tbody tr", has_text=supplier_code).locator("th a, td a").first.click()
    expect(page.locator("#review")).to_be_visible()


def _staff_with_a_backup_code(email: str, language: str) -> str:
    user = User.objects.create_superuser(email, STAFF_PASSWORD, language=language)
    code = StaticToken.random_token()
    StaticDevice.objects.create(user=user, name="backup codes").token_set.create(token=code)
    return code


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize(("locale", "language"), [("en-GB", "en"), ("zh-CN", "zh-hans")])
def test_staff_log_in_with_the_password_then_a_backup_code_on_the_first_try(
    browser: Browser,
    live_server: LiveServer,
    screenshots: Screenshots,
    settings,
    width: int,
    locale: str,
    language: str,
) -> None:
    """#17, item 2: no "Please select a device", no second try; at desktop and phone width, in both languages."""
    settings.STAFF_OTP_REQUIRED = True
    code = _staff_with_a_backup_code("reviewer@carmaker.example", language)
    context = browser.new_context(locale=locale, base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    shot = lambda name: screenshots.take(page, f"{language}-{width}-{name}")  # noqa: E731

    def t(message: str) -> str:
        with translation.override(language):
            return gettext(message)

    def fits_the_width() -> bool:
        return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto("/admin/login/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("label[for='id_auth-password']")).to_contain_text(t("Password"))
    assert fits_the_width()
    page.fill("[name='auth-username']", "reviewer@carmaker.example")
    page.fill("[name='auth-password']", STAFF_PASSWORD)
    shot("password")
    page.locator("#login-form .submit-row [type=submit]").click()

    # The next step asks for one backup code, and for nothing else: no error, no device to pick.
    field = page.locator("[name='backup-otp_token']")
    expect(field).to_be_visible()
    expect(field).to_be_focused()
    expect(page.locator(".errornote")).to_have_count(0)
    expect(page.locator("[name=otp_device]")).to_have_count(0)
    expect(page.locator(".step-help")).to_have_text(t("Enter one of your backup codes. Each code works once."))
    expect(page.locator("#login-form .submit-row [type=submit]")).to_have_value(t("Log in"))
    assert fits_the_width()
    box = field.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    field.fill(code)
    shot("backup-code")
    page.locator("#login-form .submit-row [type=submit]").click()

    expect(page.locator("#site-name")).to_be_visible()
    assert page.url == f"{live_server.url}/admin/"
    expect(page.locator("#user-tools")).to_contain_text("reviewer@carmaker.example")
    shot("admin-index")
    assert not StaticToken.objects.filter(token=code).exists()  # a backup code works once
    context.close()


def test_staff_return_one_approve_another_and_the_comparison_follows_the_worker(
    celery_worker_process: subprocess.Popen, page_for: Callable[[str], Page], screenshots: Screenshots, settings
) -> None:
    settings.STAFF_OTP_REQUIRED = True  # the real login: password, then a backup code
    _load_example_waiting_for_review()
    waiting = Submission.objects.filter(period__year=2024, status=Submission.Status.SUBMITTED)
    assert waiting.count() == 8
    code = _staff_with_a_backup_code("reviewer@carmaker.example", "en")
    supplier_user = UserFactory(
        email="zhao.min@tianjin-polymer.example", supplier=Supplier.objects.get(code="CN-0005"), language="en"
    )
    before = _newest_run(2024)
    assert before.result["suppliers_reporting"] == 0

    staff = page_for("en-GB")
    # 1. Staff log in to the admin: the password, then one backup code on the next step.
    staff.goto("/admin/login/")
    staff.fill("[name='auth-username']", "reviewer@carmaker.example")
    staff.fill("[name='auth-password']", STAFF_PASSWORD)
    screenshots.take(staff, "staff-login")
    staff.locator("#login-form .submit-row [type=submit]").click()
    staff.locator("[name='backup-otp_token']").fill(code)
    screenshots.take(staff, "staff-login-backup-code")
    staff.locator("#login-form .submit-row [type=submit]").click()
    expect(staff.locator("#content h1")).to_be_visible()
    assert staff.url.endswith("/admin/")
    screenshots.take(staff, "admin-index")

    # 2. The comparison page before any review: nobody reports 2024 yet.
    staff.goto("/admin/comparison/?year=2024")
    expect(staff.locator("#computed")).to_be_visible()
    computed_before = _tco2e_shown(staff)
    coverage_before = staff.locator("#reporting").inner_text()
    assert coverage_before.startswith("0 ")
    screenshots.take(staff, "comparison-before")

    # 3. The review queue: the submissions changelist, filtered to those submitted.
    staff.goto("/admin/suppliers/submission/")
    staff.locator("#changelist-filter a[href*='status__exact=submitted']").click()
    expect(staff.locator("#result_list tbody tr")).to_have_count(8)
    screenshots.take(staff, "review-queue")

    # 4. Return CN-0005's 2024 submission with a comment, on its page.
    _open_submission(staff, "CN-0005")
    screenshots.take(staff, "submission-cn-0005")
    staff.locator("#review textarea[name=review_comment]").fill(COMMENT)
    staff.locator("#review button[name=decision][value=return]").click()
    expect(staff.locator(".messagelist")).to_contain_text("returned to its supplier")
    screenshots.take(staff, "submission-cn-0005-returned")
    returned = Submission.objects.get(supplier__code="CN-0005", period__year=2024)
    assert (returned.status, returned.review_comment) == (Submission.Status.RETURNED, COMMENT)

    # 5. The supplier, in a browser of their own, sees it returned with the comment.
    supplier = page_for("en-GB")
    supplier.goto("/accounts/login/")
    supplier.fill("[name=username]", supplier_user.email)
    supplier.fill("[name=password]", SUPPLIER_PASSWORD)
    supplier.locator("main form [type=submit]").click()
    # Wherever the dashboard lists it: the worked example's periods were recorded closed by the import.
    row = supplier.locator(f"#period-{returned.period_id}")
    expect(row.locator(".badge")).to_have_class(re.compile(r"\bstatus-returned\b"))
    expect(row.locator(".badge")).to_have_text("Returned")
    expect(row.locator(".review-comment")).to_contain_text(COMMENT)
    screenshots.take(supplier, "supplier-dashboard-returned")
    row.locator("a.btn").click()
    expect(supplier.locator("#review-comment")).to_contain_text(COMMENT)
    expect(supplier.locator("#period-form")).to_be_visible()
    screenshots.take(supplier, "supplier-period-returned")

    # 6. Approve CN-0002's 2024 submission on its page.
    staff.goto("/admin/suppliers/submission/?status__exact=submitted")
    expect(staff.locator("#result_list tbody tr")).to_have_count(7)
    _open_submission(staff, "CN-0002")
    staff.locator("#review button[name=decision][value=approve]").click()
    expect(staff.locator(".messagelist")).to_contain_text("approved")
    screenshots.take(staff, "submission-cn-0002-approved")
    assert Submission.objects.get(supplier__code="CN-0002", period__year=2024).status == Submission.Status.APPROVED

    # 7. The comparison page follows once the worker's run is stored.
    staff.goto("/admin/comparison/?year=2024")
    deadline = time.monotonic() + WAIT_FOR_WORKER_SECONDS
    while staff.locator("#reporting").inner_text() == coverage_before:
        assert time.monotonic() < deadline, f"the comparison page did not change within {WAIT_FOR_WORKER_SECONDS} s"
        time.sleep(1)
        staff.reload()
    expect(staff.locator("#reporting")).to_contain_text("1 ")
    screenshots.take(staff, "comparison-after")

    after = _newest_run(2024)
    assert after.pk != before.pk
    assert after.trigger.startswith(("approved", "returned"))
    assert after.result["suppliers_reporting"] == 1
    computed_after = _tco2e_shown(staff)
    stored = Decimal(str(after.result["green_reduction_tco2e"])).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    assert computed_after == stored
    assert computed_after != computed_before
