"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Screenshots of each step go to test-artifacts/screenshots/<test name>/.
"""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """Chromium, for one test. Not for the session: Playwright's sync API runs an event loop in
    this thread for as long as it is started, and Django refuses ORM calls while a loop runs."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium package")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI installs and runs these tests")
    from playwright.sync_api import sync_playwright

    # The test's own ORM calls (not the live server's) are plain synchronous calls made while the
    # loop runs. Only while it runs: set for the whole session, the variable would switch Django's
    # async-safety checks off for every later test, and leak into the processes they start
    # (`check --deploy` warns about it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> "Screenshots":
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Screenshots(folder)


class Screenshots:
    def __init__(self, folder: Path) -> None:
        self.folder, self.count = folder, 0

    def take(self, page: Page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page_for(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[str], Page]]:
    """page_for(locale) opens a page in a browser context speaking that language."""
    contexts = []

    def open_page(locale: str = "en-GB") -> Page:
        context = browser.new_context(locale=locale, base_url=live_server.url, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def supplier_log_in(page: Page, email: str, password: str = "correct horse battery staple") -> None:
    """A supplier user's login (the password is tests.factories.UserFactory's unless given)."""
    page.goto("/accounts/login/")
    page.fill("input[name='username']", email)
    page.fill("input[name='password']", password)
    page.locator("main button[type='submit']").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def admin_log_in(page: Page, email: str, password: str, backup_code: str) -> None:
    """The staff login with the second factor on (portal.staff_login): the password on the first step,
    then one backup code on the next, as README's demo instructions say."""
    page.goto("/admin/login/")
    page.fill("[name='auth-username']", email)
    page.fill("[name='auth-password']", password)
    page.locator("#login-form .submit-row [type=submit]").click()
    page.locator("[name='backup-otp_token']").fill(backup_code)
    page.locator("#login-form .submit-row [type=submit]").click()
