"""Issue 17, item 12 in a browser: after "ask for a fresh run", the comparison page shows the run
queued, running and done, with the new figure, without being reloaded."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import Page, expect

from reports.models import EmissionFactor, RollupRequest
from reports.services.rollups import rollup_request_started
from reports.tasks import rollup
from suppliers.models import User
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long reviewer password"


@pytest.mark.parametrize(("locale", "language", "queued", "done"), [
    ("en-GB", "en", "Queued", "Done: run"), ("zh-CN", "zh-hans", "排队中", "已完成"),
])  # fmt: skip
def test_the_comparison_page_follows_a_requested_run_to_its_new_figure(
    page_for: Callable[[str], Page], locale: str, language: str, queued: str, done: str
) -> None:
    _load_example()
    shown = rollup.run(year=2024, trigger="before")
    User.objects.create_superuser("reviewer@carmaker.example", PASSWORD, language=language)
    staff = page_for(locale)
    staff.goto("/admin/login/")
    staff.fill("[name=username]", "reviewer@carmaker.example")
    staff.fill("[name=password]", PASSWORD)
    staff.locator("#login-form [type=submit]").click()
    # Asked for, and the worker busy: the page opens on it after "ask for a fresh run" redirects.
    RollupRequest.objects.update_or_create(
        year=2024, defaults={"requested_at": timezone.now(), "pending_since": timezone.now()}
    )
    staff.goto("/admin/comparison/?year=2024")
    status = staff.locator("#rollup-status")
    staff.evaluate("window.notReloaded = true")
    expect(status).to_contain_text(queued)
    rollup_request_started(year=2024)
    expect(status).to_contain_text("Running" if language == "en" else "运行中", timeout=10_000)
    # New data since the shown run (a corrected factor), so the roll-up stores a new run.
    EmissionFactor.objects.filter(kind="average").update(tco2_per_mwh=F("tco2_per_mwh") + Decimal("0.01"))
    new_run = rollup.run(year=2024, trigger="after")
    expect(status).to_contain_text(done, timeout=10_000)
    assert staff.evaluate("window.notReloaded") is True
    assert new_run != shown
    expect(staff.locator("#rollup-status-reload")).to_be_visible()
    staff.locator("#rollup-status-reload").click()
    expect(staff.locator("#run-info")).to_contain_text(f"#{new_run}")
