from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import Screenshots

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_renders_and_switches_to_chinese(page_for: Callable[[str], Page], screenshots: Screenshots) -> None:
    page = page_for("en-GB")
    page.goto("/accounts/login/")
    assert page.locator("h1").inner_text() == "Log in"
    screenshots.take(page, "login-en")
    page.click("button[lang='zh-hans']")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    screenshots.take(page, "login-zh")
