"""The period page as people use it (issue #17, items 4, 13, 14, 15): figures typed and not saved
survive attaching a file, the help and the live preview, a label on every input, a confirmation
before removing evidence, the portal's own error pages, the favicon, the chart's axis titles."""

import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from reports.charts import Axis, axis_margin, bar_line_chart_svg
from suppliers.models import EvidenceFile, Line, ReportingPeriod, Submission, User
from suppliers.services.evidence import evidence_add
from tests.factories import ReportingPeriodFactory, SiteFactory, SubmissionFactory

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + bytes(range(256))


@pytest.fixture
def period(db: None) -> ReportingPeriod:
    return ReportingPeriodFactory(year=2024)


@pytest.fixture
def draft(alice: User, period: ReportingPeriod) -> Submission:
    return SubmissionFactory(supplier=alice.supplier, period=period, status=Submission.Status.DRAFT)


@pytest.fixture
def alice_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def _site_id(alice: User) -> int:
    return alice.supplier.sites.get(code="A1").pk


def _typed_grid(alice: User, draft: Submission) -> dict[str, str]:
    """The grid as period.js carries it along with the evidence form: every field under grid-."""
    return {
        "grid-form-TOTAL_FORMS": "1",
        "grid-form-INITIAL_FORMS": "1",
        "grid-version": str(draft.version),
        "grid-form-0-site_id": str(_site_id(alice)),
        "grid-form-0-unit": "万kWh",
        "grid-form-0-total_electricity": "1,234.5",
        "grid-form-0-onsite_renewable": "20",
        "grid-form-0-bmw_share_percent": "40",
        "grid-form-0-certificate_ids": "not checked yet;;",
    }


def _input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    if not match:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


# --- item 4: nothing typed is lost ------------------------------------------------------------------


def test_attaching_a_file_keeps_the_figures_typed_in_the_grid_unsaved(
    alice: User, alice_client: Client, period: ReportingPeriod, draft: Submission, private_storage: Path
) -> None:
    response = alice_client.post(
        reverse("evidence_upload", args=[period.pk]),
        {"file": SimpleUploadedFile("bill.pdf", PDF), "document_type": "other", **_typed_grid(alice, draft)},
    )
    assert response.status_code == 302
    assert EvidenceFile.objects.count() == 1

    page = alice_client.get(response.url).content.decode()
    assert _input_value(page, "form-0-total_electricity") == "1,234.5"
    assert _input_value(page, "form-0-onsite_renewable") == "20"
    assert _input_value(page, "form-0-certificate_ids") == "not checked yet;;"  # as typed, not yet checked
    assert re.search(r'<option value="万kWh" selected>', page)
    assert 'id="unsaved-figures"' in page and 'data-unsaved="true"' in page
    assert "bill.pdf" in page
    # Shown again, not saved: the supplier saves them deliberately.
    assert not Line.objects.exists()

    # Once shown, they are gone from the session: the next visit shows the saved figures.
    again = alice_client.get(response.url).content.decode()
    assert _input_value(again, "form-0-total_electricity") == ""
    assert 'id="unsaved-figures"' not in again


def test_a_refused_file_keeps_the_figures_typed_in_the_grid(
    alice: User, alice_client: Client, period: ReportingPeriod, draft: Submission, private_storage: Path
) -> None:
    response = alice_client.post(
        reverse("evidence_upload", args=[period.pk]),
        {"file": SimpleUploadedFile("bill.pdf", b"not a pdf"), "document_type": "other", **_typed_grid(alice, draft)},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert _input_value(page, "form-0-total_electricity") == "1,234.5"
    assert 'id="unsaved-figures"' in page
    assert not EvidenceFile.objects.exists()


def test_the_typed_figures_are_saved_with_the_version_the_page_showed(
    alice: User, alice_client: Client, period: ReportingPeriod, draft: Submission, private_storage: Path
) -> None:
    typed = _typed_grid(alice, draft)
    alice_client.post(
        reverse("evidence_upload", args=[period.pk]),
        {"file": SimpleUploadedFile("bill.pdf", PDF), "document_type": "other", **typed},
    )
    page = alice_client.get(reverse("period_detail", args=[period.pk])).content.decode()
    assert _input_value(page, "version") == str(draft.version)


def test_fields_that_are_not_the_grids_are_not_carried(
    alice: User, alice_client: Client, period: ReportingPeriod, draft: Submission, private_storage: Path
) -> None:
    alice_client.post(
        reverse("evidence_upload", args=[period.pk]),
        {
            "file": SimpleUploadedFile("bill.pdf", PDF),
            "document_type": "other",
            "grid-form-0-site_id": str(_site_id(alice)),
            "grid-form-0-total_electricity": "5",
            "grid-form-0-is_staff": "1",
            "grid-sessionid": "x",
        },
    )
    typed = alice_client.session.get(f"period-{period.pk}-typed-grid")
    assert typed == {"form-0-site_id": str(_site_id(alice)), "form-0-total_electricity": "5"}


# --- item 15: a confirmation before removing evidence -----------------------------------------------


def test_removing_evidence_asks_for_confirmation_first(
    alice: User, alice_client: Client, period: ReportingPeriod, draft: Submission, private_storage: Path
) -> None:
    evidence = evidence_add(submission=draft, upload=SimpleUploadedFile("bill.pdf", PDF), user=alice)
    period_page = alice_client.get(reverse("period_detail", args=[period.pk])).content.decode()
    assert f'href="{reverse("evidence_delete", args=[evidence.pk])}"' in period_page

    confirmation = alice_client.get(reverse("evidence_delete", args=[evidence.pk]))
    assert confirmation.status_code == 200
    assert "bill.pdf" in confirmation.content.decode()
    assert 'id="confirm-remove"' in confirmation.content.decode()
    assert EvidenceFile.objects.count() == 1  # asking removes nothing

    assert alice_client.post(reverse("evidence_delete", args=[evidence.pk])).status_code == 302
    assert EvidenceFile.objects.count() == 0


def test_the_confirmation_of_a_submitted_files_removal_sends_back_to_the_period(
    alice: User, alice_client: Client, period: ReportingPeriod, draft: Submission, private_storage: Path
) -> None:
    evidence = evidence_add(submission=draft, upload=SimpleUploadedFile("bill.pdf", PDF), user=alice)
    Submission.objects.filter(pk=draft.pk).update(status=Submission.Status.SUBMITTED)
    response = alice_client.get(reverse("evidence_delete", args=[evidence.pk]))
    assert response.status_code == 302 and response.url == reverse("period_detail", args=[period.pk])


def test_another_suppliers_removal_confirmation_is_404(
    bob: User, client: Client, alice: User, draft: Submission, private_storage: Path
) -> None:
    evidence = evidence_add(submission=draft, upload=SimpleUploadedFile("bill.pdf", PDF), user=alice)
    client.force_login(bob)
    assert client.get(reverse("evidence_delete", args=[evidence.pk])).status_code == 404


# --- items 13 and 14: help, preview, labels -----------------------------------------------------------


def test_the_period_page_explains_each_column_and_loads_its_preview_script(
    alice_client: Client, period: ReportingPeriod
) -> None:
    page = alice_client.get(reverse("period_detail", args=[period.pk])).content.decode()
    help_text = re.search(r'<details[^>]*id="period-help">(.*?)</details>', page, re.S).group(1)
    for words in ("rooftop solar", "green power trading", "1 GEC = 1 MWh", "up to 2024", "from 2025", "output"):
        assert words in help_text
    assert "Green share: 700 of 3,000 MWh, 23.3 %" in html.unescape(help_text)
    assert re.search(r'<script src="/static/portal/period\.js" defer></script>', page)
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)  # no inline script (CSP)
    assert 'class="small line-preview"' in page
    assert 'data-preview-total="Total (MWh)"' in page


def test_the_help_example_adds_up() -> None:
    # 300 万kWh in all; 20 万kWh on site and 50 万kWh of GECs (200 MWh and 500 GECs).
    total, green = Decimal(300) * 10, (Decimal(20) + Decimal(50)) * 10
    assert (total, green) == (3000, 700)
    assert round(green / total * 100, 1) == Decimal("23.3")


def test_the_preview_uses_the_same_unit_factors_as_the_server() -> None:
    from suppliers.units import MWH_PER_UNIT

    script = (Path(__file__).resolve().parents[2] / "static" / "portal" / "period.js").read_text()
    factors = re.search(r"MWH_PER_UNIT = \{(.*?)\}", script).group(1)
    parsed = {key.strip('" '): Decimal(value) for key, value in re.findall(r'("?[\w万]+"?): ([\d.]+)', factors)}
    assert parsed == {str(unit): factor for unit, factor in MWH_PER_UNIT.items()}


def test_every_input_of_the_grid_has_a_label(alice_client: Client, alice: User, period: ReportingPeriod) -> None:
    SiteFactory(supplier=alice.supplier, code="A2")
    page = alice_client.get(reverse("period_detail", args=[period.pk])).content.decode()
    grid = re.search(r'<table[^>]*id="lines".*?</table>', page, re.S).group(0)
    controls = re.findall(r"<(?:input|select)\b[^>]*>", grid)
    visible = [control for control in controls if 'type="hidden"' not in control]
    assert len(visible) == 2 * 10
    for control in visible:
        assert re.search(r'aria-label="[^"]+ – A[12]"', control), control
    assert 'aria-label="Total electricity – A2"' in grid


# --- item 15: numbers, error pages, favicon, charts ---------------------------------------------------


def test_a_submitted_periods_figures_have_thousands_separators(
    alice: User, alice_client: Client, period: ReportingPeriod
) -> None:
    submission = SubmissionFactory(supplier=alice.supplier, period=period, status=Submission.Status.SUBMITTED)
    Line.objects.create(
        submission=submission, site=alice.supplier.sites.get(code="A1"), entered_unit="万kWh",
        entered_values={"total_electricity": "123456.7"}, total_electricity_mwh=Decimal("1234567"),
        bmw_share_percent=Decimal(50),
    )  # fmt: skip
    page = alice_client.get(reverse("period_detail", args=[period.pk])).content.decode()
    assert ">1,234,567<" in page


@pytest.mark.parametrize(("language", "title"), [("en", "Page not found"), ("zh-hans", None)])
@override_settings(DEBUG=False)
def test_an_unknown_page_is_the_portals_own_404_in_the_readers_language(
    alice_client: Client, language: str, title: str | None
) -> None:
    from django.conf import settings

    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = alice_client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert f'<html lang="{language}">' in page and 'id="not-found"' in page
    assert 'rel="icon"' in page
    if title:
        assert title in page


def test_the_500_page_renders_without_a_request() -> None:
    from django.template import loader
    from django.utils import translation

    for language in ("en", "zh-hans"):
        with translation.override(language):
            page = loader.get_template("500.html").render()
        assert f'<html lang="{language}">' in page and 'id="server-error"' in page


def test_make_run_serves_without_debug() -> None:
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "DEBUG ?= false" in makefile
    assert re.search(r"DEBUG=\$\(DEBUG\)[^\n]*honcho start", makefile)


def test_the_favicon_is_a_static_svg() -> None:
    icon = Path(__file__).resolve().parents[2] / "static" / "portal" / "favicon.svg"
    assert icon.read_text().startswith("<svg")


def test_a_chart_axis_title_is_clear_of_its_widest_tick_value() -> None:
    axis = Axis(low=Decimal(0), high=Decimal(2_000_000), ticks=(Decimal(0), Decimal(1_000_000), Decimal(2_000_000)))
    grouped = lambda value: f"{value:,}"  # noqa: E731
    # The title's right edge sits about 18 units in; the widest tick ("2,000,000") ends 6 units before the axis.
    assert axis_margin(axis, grouped) - 6 - len("2,000,000") * 7 >= 24
    svg = bar_line_chart_svg(
        years=[2023, 2024], bars=[Decimal(1_500_000), Decimal(1_900_000)], bars_label="MWh", number_format=grouped
    )
    left = int(re.search(r'<line x1="(\d+)" y1="\d+" x2="\d+" y2="[\d.]+" stroke="#6c757d"/>', svg).group(1))
    assert left == axis_margin(axis, grouped) > 78
