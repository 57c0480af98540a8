"""Swagger UI at /api/v1/docs/ works in a real browser under the site's Content-Security-Policy
(no inline script, nothing from another host): every operation is shown, and the browser
reports no refused script, style or request."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import browser, page_for  # noqa: F401 - the browser fixtures of tests/e2e

pytestmark = pytest.mark.django_db(transaction=True)


def test_swagger_ui_shows_every_operation_without_a_csp_violation(page_for: Callable[[str], Page]) -> None:  # noqa: F811
    page = page_for("en-GB")
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    response = page.goto("/api/v1/docs/")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() == 11  # the operations of the schema
    assert page.locator(".info .title").inner_text().startswith("Green electricity reporting API")
    assert problems == []
