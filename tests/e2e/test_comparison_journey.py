"""Issue 15 in a browser: staff open the admin, click through to the comparison, switch years and
read the same figures as `rollup --json`, in English and in Chinese (screenshots in test-artifacts/)."""

import json
from collections.abc import Callable
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from playwright.sync_api import Page, expect

from suppliers.models import User
from tests.e2e.conftest import Screenshots, admin_log_in
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long reviewer password"


def _rollup_json(year: int) -> dict:
    out = StringIO()
    call_command("rollup", "--year", str(year), "--json", "--sensitivity", "--inline", stdout=out)
    return json.loads(out.getvalue())


def _figure(page: Page, selector: str) -> Decimal:
    """A figure as the page shows it, in either language ("6,250.925 tCO2e")."""
    text = page.locator(selector).first.inner_text().split("tCO2e")[0]
    return Decimal(text.strip().replace(",", "").replace("\u00a0", ""))


@pytest.mark.parametrize(("locale", "language"), [("en-GB", "en"), ("zh-CN", "zh-hans")])
def test_staff_reach_the_comparison_from_the_admin_switch_years_and_read_the_rollups_figures(
    page_for: Callable[[str], Page], screenshots: Screenshots, settings, locale: str, language: str
) -> None:
    settings.STAFF_OTP_REQUIRED = True  # the real login: password, then a backup code
    _load_example()
    expected = {year: _rollup_json(year) for year in (2019, 2024, 2025)}
    staff_user = User.objects.create_superuser("reviewer@carmaker.example", PASSWORD, language=language)
    code = StaticToken.random_token()
    StaticDevice.objects.create(user=staff_user, name="backup codes").token_set.create(token=code)

    staff = page_for(locale)
    admin_log_in(staff, "reviewer@carmaker.example", PASSWORD, code)
    expect(staff.locator("#reports-module")).to_be_visible()
    screenshots.take(staff, f"admin-index-{language}")

    # From the admin's index to the comparison: it opens on 2024, the year with a published figure.
    staff.locator("#reports-module a").first.click()
    expect(staff.locator("#computed")).to_be_visible()
    assert staff.locator("#year").input_value() == "2024"
    assert _figure(staff, "#computed") == Decimal(str(expected[2024]["green_reduction_tco2e"]))
    assert _figure(staff, "#published") == Decimal("10000")
    screenshots.take(staff, f"comparison-2024-{language}")

    # Switch to 2025: the bridge, the exclusions, the leaver and the range.
    staff.select_option("#year", "2025")
    staff.locator(".year-picker [type=submit]").click()
    expect(staff.locator("#year")).to_have_value("2025")
    result = expected[2025]
    assert _figure(staff, "#computed") == Decimal(str(result["green_reduction_tco2e"]))
    bridge = [_figure(staff, f"#bridge tbody tr:nth-child({n}) td") for n in (1, 2, 3)]
    assert bridge == [
        Decimal(str(result[key]))
        for key in ("like_for_like_green_tco2e", "baseline_factor_change_tco2e", "new_entrants_avoided_tco2e")
    ]
    assert sum(bridge) == _figure(staff, "#bridge tr.total td")
    expect(staff.locator("#exclusions")).to_contain_text("200.000")
    expect(staff.locator("#exclusions")).to_contain_text("250.000")
    expect(staff.locator("#not-reporting")).to_contain_text("CN-0005")
    low, high = result["range_tco2e"]["low"], result["range_tco2e"]["high"]
    expect(staff.locator("#range")).to_contain_text(f"{low:,.3f}")
    expect(staff.locator("#range")).to_contain_text(f"{high:,.3f}")
    expect(staff.locator("svg.range")).to_be_visible()
    screenshots.take(staff, f"comparison-2025-{language}")

    # Every figure links to what it is made of: the supplier rows without a baseline.
    staff.locator("#bridge tbody tr:nth-child(3) a").click()
    expect(staff.locator("#run-suppliers")).to_contain_text("CN-0004")
    screenshots.take(staff, f"run-suppliers-2025-{language}")
