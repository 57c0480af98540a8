"""The period page: a supplier's figures per site, saved as a draft, submitted with a declaration."""

import html
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from suppliers.models import CertificateClaim, EvidenceFile, Line, ReportingPeriod, Site, Submission, User
from suppliers.services.submissions import LineInput, submission_save_draft
from tests.factories import LineFactory, ReportingPeriodFactory, SiteFactory, SubmissionFactory, UserFactory

FIELDS = (
    "unit", "total_electricity", "onsite_renewable", "green_power_trading", "gec", "irec", "bmw_share_percent",
    "certificate_ids",
)  # fmt: skip


@pytest.fixture
def period(db) -> ReportingPeriod:
    return ReportingPeriodFactory(year=2024, kind="year", number=0)


@pytest.fixture
def site_a1(alice: User) -> Site:
    return Site.objects.get(supplier=alice.supplier, code="A1")


@pytest.fixture
def site_a2(alice: User) -> Site:
    return SiteFactory(supplier=alice.supplier, code="A2")


@pytest.fixture
def alice_client(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def _page_url(period: ReportingPeriod) -> str:
    return reverse("period_detail", args=[period.pk])


def _submit_url(period: ReportingPeriod) -> str:
    return reverse("period_submit", args=[period.pk])


def _data(
    sites: list[Site], rows: list[dict[str, str]], *, action: str = "save_draft", version: int = 0,
    declaration: bool = False,
) -> dict[str, str]:  # fmt: skip
    """The POST the page sends: one row per site (a missing row is blank)."""
    data = {
        "form-TOTAL_FORMS": str(len(sites)),
        "form-INITIAL_FORMS": str(len(sites)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "version": str(version),
        "action": action,
    }
    for index, site in enumerate(sites):
        row = rows[index] if index < len(rows) else {}
        assert set(row) <= set(FIELDS), set(row) - set(FIELDS)
        data[f"form-{index}-site_id"] = str(site.pk)
        for name in FIELDS:
            data[f"form-{index}-{name}"] = row.get(name, "")
    if declaration:
        data["declaration"] = "on"
    return data


def _cell(page: str, field_id: str) -> str:
    """The table cell holding a field: its input and the errors shown beside it."""
    match = re.search(rf'<td id="div_{re.escape(field_id)}"[^>]*>(.*?)</td>', page, re.S)
    assert match, f"no cell for {field_id}"
    return match[1]


def _input_value(cell: str) -> str:
    tag = re.search(r"<input[^>]*>", cell)
    assert tag, "no input in the cell"
    value = re.search(r'\bvalue="([^"]*)"', tag[0])
    return html.unescape(value[1]) if value else ""


def _errors(cell: str) -> list[str]:
    return [html.unescape(e) for e in re.findall(r'<p id="error_\d+_[^"]+"><strong>(.*?)</strong></p>', cell)]


def _text(response) -> str:
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- saving a draft --------------------------------------------------------------------------


def test_draft_is_saved_and_reloaded_with_the_figures_as_typed(
    alice_client: Client, period: ReportingPeriod, site_a1: Site, site_a2: Site
) -> None:
    rows = [
        {"unit": "GWh", "total_electricity": "1.5", "onsite_renewable": "0.2", "gec": "0.3",
         "bmw_share_percent": "40%", "certificate_ids": "gec-2024-001; GEC-2024-002"},
        {"unit": "万kWh", "total_electricity": "80", "irec": "5", "bmw_share_percent": "12.5",
         "certificate_ids": "IREC-CN-7"},
    ]  # fmt: skip
    response = alice_client.post(_submit_url(period), _data([site_a1, site_a2], rows))

    assert response.status_code == 302
    submission = Submission.objects.get(supplier=site_a1.supplier, period=period)
    assert submission.status == Submission.Status.DRAFT
    assert submission.submitted_at is None
    first = Line.objects.get(submission=submission, site=site_a1)
    assert first.entered_unit == "GWh"
    assert first.entered_values == {"total_electricity": "1.5", "onsite_renewable": "0.2", "gec": "0.3"}
    assert first.total_electricity_mwh == Decimal("1500")
    assert first.onsite_renewable_mwh == Decimal("200")
    assert first.gec_mwh == Decimal("300")
    assert first.green_power_trading_mwh == first.irec_mwh == 0
    assert first.bmw_share_percent == Decimal("40")
    assert {(c.batch_id, c.instrument) for c in first.certificate_claims.all()} == {
        ("GEC-2024-001", "gec"),
        ("GEC-2024-002", "gec"),
    }
    second = Line.objects.get(submission=submission, site=site_a2)
    assert second.entered_unit == "万kWh"
    assert second.total_electricity_mwh == Decimal("800")
    assert second.irec_mwh == Decimal("50")
    assert [(c.batch_id, c.instrument) for c in second.certificate_claims.all()] == [("IREC-CN-7", "irec")]

    page = _text(alice_client.get(_page_url(period)))
    assert _input_value(_cell(page, "id_form-0-total_electricity")) == "1.5"
    assert _input_value(_cell(page, "id_form-0-onsite_renewable")) == "0.2"
    assert _input_value(_cell(page, "id_form-0-green_power_trading")) == ""
    assert _input_value(_cell(page, "id_form-0-bmw_share_percent")) == "40"
    assert _input_value(_cell(page, "id_form-0-certificate_ids")) == "GEC-2024-001; GEC-2024-002"
    assert re.search(r'<option value="GWh" selected>', _cell(page, "id_form-0-unit"))
    assert re.search(r'<option value="万kWh" selected>', _cell(page, "id_form-1-unit"))
    assert _input_value(_cell(page, "id_form-1-total_electricity")) == "80"
    assert f'name="version" value="{submission.version}"' in page


def test_thousands_separators_and_full_width_digits_are_read_as_the_import_reads_them(
    alice_client: Client, period: ReportingPeriod, site_a1: Site, site_a2: Site
) -> None:
    rows = [
        {
            "unit": "kWh",
            "total_electricity": "1,234,567.5",
            "green_power_trading": "１２３４",
            "bmw_share_percent": "５０",
        },
        {"unit": "MWh", "total_electricity": "１,２００", "bmw_share_percent": "100"},
    ]
    response = alice_client.post(_submit_url(period), _data([site_a1, site_a2], rows))

    assert response.status_code == 302
    first, second = Line.objects.order_by("site__code")
    assert first.total_electricity_mwh == Decimal("1234.5675")
    assert first.green_power_trading_mwh == Decimal("1.234")
    assert first.bmw_share_percent == Decimal("50")
    assert first.entered_values == {"total_electricity": "1,234,567.5", "green_power_trading": "１２３４"}
    assert second.total_electricity_mwh == Decimal("1200")


def test_a_blank_row_means_no_line_and_blanking_a_row_removes_its_line(
    alice_client: Client, period: ReportingPeriod, site_a1: Site, site_a2: Site
) -> None:
    both = [
        {"unit": "MWh", "total_electricity": "100", "gec": "10", "bmw_share_percent": "50", "certificate_ids": "G-1"},
        {"unit": "MWh", "total_electricity": "200", "bmw_share_percent": "50"},
    ]
    alice_client.post(_submit_url(period), _data([site_a1, site_a2], both))
    version = Submission.objects.get().version
    assert Line.objects.count() == 2

    # Only the unit left on the first row: still "nothing typed" for that site.
    rows = [{"unit": "MWh"}, both[1]]
    response = alice_client.post(_submit_url(period), _data([site_a1, site_a2], rows, version=version))

    assert response.status_code == 302
    assert [line.site.code for line in Line.objects.all()] == ["A2"]
    assert CertificateClaim.objects.count() == 0
    assert Submission.objects.get().version == version + 1


def test_an_empty_draft_can_be_saved_to_attach_evidence_first(
    alice_client: Client, period: ReportingPeriod, site_a1: Site
) -> None:
    response = alice_client.post(_submit_url(period), _data([site_a1], []))

    assert response.status_code == 302
    assert Submission.objects.get().status == Submission.Status.DRAFT
    assert Line.objects.count() == 0


def test_changing_a_row_keeps_its_line_and_replaces_its_certificates(
    alice_client: Client, period: ReportingPeriod, site_a1: Site
) -> None:
    row = {
        "unit": "MWh",
        "total_electricity": "100",
        "gec": "10",
        "bmw_share_percent": "50",
        "certificate_ids": "G-1;G-2",
    }
    alice_client.post(_submit_url(period), _data([site_a1], [row]))
    line_pk = Line.objects.get().pk
    version = Submission.objects.get().version

    changed = row | {
        "unit": "kWh",
        "total_electricity": "100000",
        "gec": "",
        "irec": "10000",
        "certificate_ids": "G-2;I-9",
    }
    alice_client.post(_submit_url(period), _data([site_a1], [changed], version=version))

    line = Line.objects.get()
    assert line.pk == line_pk
    assert (line.entered_unit, line.total_electricity_mwh, line.gec_mwh, line.irec_mwh) == ("kWh", 100, 0, 10)
    assert {(c.batch_id, c.instrument) for c in line.certificate_claims.all()} == {("G-2", "irec"), ("I-9", "irec")}


# --- validation: every problem beside its field, nothing typed lost ----------------------------

GOOD = {"unit": "MWh", "total_electricity": "100", "bmw_share_percent": "50"}


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (GOOD | {"onsite_renewable": "80", "green_power_trading": "30"}, "total_electricity",
         "The green quantities add up to 110 MWh, more than the total of 100 MWh"),
        (GOOD | {"bmw_share_percent": "150"}, "bmw_share_percent", "Must be between 0 and 100"),
        (GOOD | {"bmw_share_percent": "33.33333"}, "bmw_share_percent", "Has more than 4 decimal places"),
        (GOOD | {"gec": "10"}, "certificate_ids", "Are required when GEC or I-REC quantities are reported"),
        (GOOD | {"irec": "10"}, "certificate_ids", "Are required when GEC or I-REC quantities are reported"),
        (GOOD | {"total_electricity": "-5"}, "total_electricity", "Must not be negative"),
        (GOOD | {"gec": "-1", "certificate_ids": "G-1"}, "gec", "Must not be negative"),
        (GOOD | {"total_electricity": "12abc"}, "total_electricity",
         "“12abc” is not a number: write it in digits, such as 1250000, 1,250,000.5 or 1.25E+06"),
        (GOOD | {"onsite_renewable": "1.2.3"}, "onsite_renewable",
         "“1.2.3” is not a number: write it in digits, such as 1250000, 1,250,000.5 or 1.25E+06"),
        (GOOD | {"unit": "kWh", "total_electricity": "0.0001"}, "total_electricity",
         "Has more decimal places than 0.000001 MWh (1 Wh)"),
        (GOOD | {"total_electricity": "200000000"}, "total_electricity",
         "200,000,000 MWh is implausibly large for one site; check the unit"),
        (GOOD | {"certificate_ids": "G-1; bad id!"}, "certificate_ids", "“bad id!” is not a certificate batch ID"),
        (GOOD | {"certificate_ids": "G-1; g-1"}, "certificate_ids", "“G-1” is listed twice"),
        (GOOD | {"unit": ""}, "unit", "This field is required."),
        (GOOD | {"total_electricity": ""}, "total_electricity", "This field is required."),
        (GOOD | {"bmw_share_percent": ""}, "bmw_share_percent", "This field is required."),
        (GOOD | {"bmw_share_percent": "%"}, "bmw_share_percent", "This field is required."),
        ({"onsite_renewable": "5"}, "total_electricity", "This field is required."),
    ],
)  # fmt: skip
def test_a_bad_value_is_shown_beside_its_field_with_the_typed_values_kept(
    alice_client: Client, period: ReportingPeriod, site_a1: Site, row: dict, field: str, message: str
) -> None:
    response = alice_client.post(_submit_url(period), _data([site_a1], [row]))

    assert response.status_code == 200
    page = _text(response)
    assert _errors(_cell(page, f"id_form-0-{field}")) == [message]
    for name, typed in row.items():
        if name != "unit":
            assert _input_value(_cell(page, f"id_form-0-{name}")) == typed
    assert Submission.objects.count() == 0
    assert Line.objects.count() == 0


def test_every_problem_of_every_row_is_shown_at_once(
    alice_client: Client, period: ReportingPeriod, site_a1: Site, site_a2: Site
) -> None:
    rows = [
        {"unit": "MWh", "total_electricity": "abc", "gec": "-3", "bmw_share_percent": "101"},
        {"unit": "", "total_electricity": "7", "bmw_share_percent": "50", "certificate_ids": "ok-1;no way"},
    ]
    page = _text(alice_client.post(_submit_url(period), _data([site_a1, site_a2], rows)))

    assert _errors(_cell(page, "id_form-0-total_electricity")) == [
        "“abc” is not a number: write it in digits, such as 1250000, 1,250,000.5 or 1.25E+06"
    ]
    assert _errors(_cell(page, "id_form-0-gec")) == ["Must not be negative"]
    assert _errors(_cell(page, "id_form-0-bmw_share_percent")) == ["Must be between 0 and 100"]
    assert _errors(_cell(page, "id_form-1-unit")) == ["This field is required."]
    assert _errors(_cell(page, "id_form-1-certificate_ids")) == ["“no way” is not a certificate batch ID"]
    assert _errors(_cell(page, "id_form-1-total_electricity")) == []
    assert _input_value(_cell(page, "id_form-1-certificate_ids")) == "ok-1;no way"
    assert _input_value(_cell(page, "id_form-1-total_electricity")) == "7"
    assert Line.objects.count() == 0


def test_green_above_total_and_missing_certificates_are_shown_beside_a_wrong_share(
    alice_client: Client, period: ReportingPeriod, site_a1: Site
) -> None:
    row = {"unit": "GWh", "total_electricity": "1.5", "onsite_renewable": "2", "gec": "0.1", "bmw_share_percent": "150"}
    page = _text(alice_client.post(_submit_url(period), _data([site_a1], [row])))

    assert _errors(_cell(page, "id_form-0-bmw_share_percent")) == ["Must be between 0 and 100"]
    assert _errors(_cell(page, "id_form-0-total_electricity")) == [
        "The green quantities add up to 2,100 MWh, more than the total of 1,500 MWh"
    ]
    assert _errors(_cell(page, "id_form-0-certificate_ids")) == [
        "Are required when GEC or I-REC quantities are reported"
    ]


def test_a_site_of_another_supplier_cannot_be_slipped_into_the_post(
    alice_client: Client, bob: User, period: ReportingPeriod, site_a1: Site
) -> None:
    bobs_site = Site.objects.get(supplier=bob.supplier)
    data = _data([site_a1], [GOOD])
    data["form-0-site_id"] = str(bobs_site.pk)

    response = alice_client.post(_submit_url(period), data)

    assert response.status_code == 200
    assert "This site is not one of your sites" in _text(response)
    assert Submission.objects.count() == Line.objects.count() == 0


def test_the_same_site_twice_is_refused(
    alice_client: Client, period: ReportingPeriod, site_a1: Site, site_a2: Site
) -> None:
    data = _data([site_a1, site_a2], [GOOD, GOOD])
    data["form-1-site_id"] = str(site_a1.pk)

    response = alice_client.post(_submit_url(period), data)

    assert "A site appears twice" in _text(response)
    assert Line.objects.count() == 0


def test_a_period_overlapping_a_stored_period_of_the_site_is_refused(
    alice_client: Client, period: ReportingPeriod, site_a1: Site
) -> None:
    LineFactory(submission=SubmissionFactory(supplier=site_a1.supplier, period=period), site=site_a1)
    quarter = ReportingPeriodFactory(year=2024, kind="quarter", number=1)

    response = alice_client.post(_submit_url(quarter), _data([site_a1], [GOOD]))

    assert response.status_code == 200
    page = _text(response)
    assert "2024-Q1 overlaps the stored period 2024 of site A1" in page
    assert _input_value(_cell(page, "id_form-0-total_electricity")) == "100"
    assert not Submission.objects.filter(period=quarter).exists()


def test_a_period_of_another_year_does_not_overlap(alice_client: Client, site_a1: Site) -> None:
    LineFactory(
        submission=SubmissionFactory(supplier=site_a1.supplier, period=ReportingPeriodFactory(year=2023)), site=site_a1
    )
    quarter = ReportingPeriodFactory(year=2024, kind="quarter", number=1)

    response = alice_client.post(_submit_url(quarter), _data([site_a1], [GOOD]))

    assert response.status_code == 302
    assert Line.objects.filter(submission__period=quarter, site=site_a1).exists()


# --- submitting ------------------------------------------------------------------------------


def test_submit_requires_the_declaration_and_saves_nothing_without_it(
    alice_client: Client, period: ReportingPeriod, site_a1: Site
) -> None:
    response = alice_client.post(_submit_url(period), _data([site_a1], [GOOD], action="submit"))

    assert response.status_code == 200
    page = _text(response)
    assert "Tick the declaration to submit the figures." in page
    assert 'id="id_declaration"' in page
    assert _input_value(_cell(page, "id_form-0-total_electricity")) == "100"
    assert Submission.objects.count() == 0


def test_submit_with_the_declaration_saves_and_submits(
    alice_client: Client, alice: User, period: ReportingPeriod, site_a1: Site
) -> None:
    response = alice_client.post(_submit_url(period), _data([site_a1], [GOOD], action="submit", declaration=True))

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.submitted_by == alice
    assert submission.submitted_at is not None
    assert Line.objects.get().total_electricity_mwh == 100
    page = alice_client.get(_page_url(period))
    assert "Submitted for review. Thank you." in _messages(page)


def test_save_draft_needs_no_declaration(alice_client: Client, period: ReportingPeriod, site_a1: Site) -> None:
    response = alice_client.post(_submit_url(period), _data([site_a1], [GOOD]))

    assert response.status_code == 302
    assert Submission.objects.get().status == Submission.Status.DRAFT


def test_submitting_no_figures_at_all_is_refused_and_nothing_is_stored(
    alice_client: Client, period: ReportingPeriod, site_a1: Site
) -> None:
    response = alice_client.post(_submit_url(period), _data([site_a1], [], action="submit", declaration=True))

    assert response.status_code == 200
    assert "A submission needs at least one line." in _text(response)
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("status", [Submission.Status.SUBMITTED, Submission.Status.APPROVED])
def test_a_submitted_or_approved_submission_is_read_only(
    alice_client: Client, period: ReportingPeriod, site_a1: Site, status: str
) -> None:
    submission = SubmissionFactory(supplier=site_a1.supplier, period=period, status=status, version=3)
    LineFactory(submission=submission, site=site_a1, entered_values={"total_electricity": "1000"})

    page = _text(alice_client.get(_page_url(period)))
    assert "id_form-0-total_electricity" not in page
    assert 'id="read-only-note"' in page
    assert ">1000<" in page

    response = alice_client.post(
        _submit_url(period), _data([site_a1], [GOOD], version=3, action="submit", declaration=True)
    )
    assert response.status_code == 302
    assert "These figures have been submitted and can no longer be changed here." in _messages(
        alice_client.get(response.url)
    )
    submission.refresh_from_db()
    assert (submission.status, submission.version) == (status, 3)
    assert Line.objects.get().total_electricity_mwh == 1000


def test_the_service_refuses_to_change_a_submitted_submission(
    alice: User, period: ReportingPeriod, site_a1: Site
) -> None:
    SubmissionFactory(supplier=alice.supplier, period=period, status=Submission.Status.SUBMITTED)
    row = LineInput(
        site=site_a1, unit="MWh", entered={"total_electricity": "1"},
        quantities_mwh={"total_electricity_mwh": Decimal(1), "onsite_renewable_mwh": Decimal(0),
                        "green_power_trading_mwh": Decimal(0), "gec_mwh": Decimal(0), "irec_mwh": Decimal(0)},
        bmw_share_percent=Decimal(1), certificate_ids=[],
    )  # fmt: skip
    with pytest.raises(ValidationError, match="submitted submission cannot be changed"):
        submission_save_draft(supplier=alice.supplier, period=period, rows=[row], user=alice)
    assert Line.objects.count() == 0


def test_a_returned_submission_shows_the_comment_and_can_be_corrected_and_resubmitted(
    alice_client: Client, period: ReportingPeriod, site_a1: Site
) -> None:
    submission = SubmissionFactory(
        supplier=site_a1.supplier, period=period, status=Submission.Status.RETURNED, version=4,
        review_comment="Site A1: the total is in kWh, not MWh.",
    )  # fmt: skip
    LineFactory(submission=submission, site=site_a1, total_electricity_mwh=Decimal(1_000_000))

    page = _text(alice_client.get(_page_url(period)))
    assert "Site A1: the total is in kWh, not MWh." in page
    assert "id_form-0-total_electricity" in page

    draft = _data([site_a1], [GOOD | {"unit": "kWh", "total_electricity": "1,000,000"}], version=4)
    assert alice_client.post(_submit_url(period), draft).status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED  # still with the reviewer's comment until submitted
    assert Line.objects.get().total_electricity_mwh == 1000

    resubmit = draft | {"action": "submit", "declaration": "on", "version": str(submission.version)}
    assert alice_client.post(_submit_url(period), resubmit).status_code == 302
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert Line.objects.get().total_electricity_mwh == 1000


# --- optimistic locking ----------------------------------------------------------------------


def test_saving_over_someone_elses_newer_save_shows_a_conflict_and_keeps_the_typed_values(
    alice_client: Client, alice: User, period: ReportingPeriod, site_a1: Site
) -> None:
    alice_client.post(_submit_url(period), _data([site_a1], [GOOD]))
    seen_version = Submission.objects.get().version
    # A colleague saves in the meantime.
    colleague = Client()
    colleague.force_login(UserFactory(email="colleague@supplier-a.example", supplier=alice.supplier))
    colleague.post(_submit_url(period), _data([site_a1], [GOOD | {"total_electricity": "222"}], version=seen_version))
    current = Submission.objects.get().version
    assert current == seen_version + 1

    mine = _data([site_a1], [GOOD | {"total_electricity": "333"}], version=seen_version)
    response = alice_client.post(_submit_url(period), mine)

    assert response.status_code == 409
    page = _text(response)
    assert "Someone else saved this period" in page
    assert _input_value(_cell(page, "id_form-0-total_electricity")) == "333"
    assert Line.objects.get().total_electricity_mwh == 222
    # Saving again, having been told, replaces the colleague's figures.
    assert f'name="version" value="{current}"' in page
    again = alice_client.post(_submit_url(period), mine | {"version": str(current)})
    assert again.status_code == 302
    assert Line.objects.get().total_electricity_mwh == 333


def test_a_page_opened_before_the_first_save_conflicts_with_that_save(
    alice_client: Client, period: ReportingPeriod, site_a1: Site
) -> None:
    alice_client.post(_submit_url(period), _data([site_a1], [GOOD], version=0))

    response = alice_client.post(_submit_url(period), _data([site_a1], [GOOD | {"bmw_share_percent": "60"}], version=0))

    assert response.status_code == 409
    assert Line.objects.get().bmw_share_percent == 50


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["period_detail", "period_submit"])
def test_anonymous_is_sent_to_log_in(client: Client, period: ReportingPeriod, name: str) -> None:
    url = reverse(name, args=[period.pk])
    response = client.post(url) if name == "period_submit" else client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_other_suppliers_closed_period_is_404(client: Client, alice: User, bob: User, site_a1: Site) -> None:
    closed = ReportingPeriodFactory(year=2023, is_open=False)
    SubmissionFactory(supplier=alice.supplier, period=closed)

    client.force_login(bob)
    assert client.get(_page_url(closed)).status_code == 404
    assert client.post(_submit_url(closed), _data([site_a1], [GOOD])).status_code == 404
    client.force_login(alice)
    assert client.get(_page_url(closed)).status_code == 200


def test_an_open_period_shows_each_supplier_only_its_own_sites_and_figures(
    client: Client, alice: User, bob: User, period: ReportingPeriod, site_a1: Site
) -> None:
    LineFactory(
        submission=SubmissionFactory(supplier=alice.supplier, period=period, status="draft"), site=site_a1,
        entered_values={"total_electricity": "4321"},
    )  # fmt: skip
    client.force_login(bob)
    page = _text(client.get(_page_url(period)))
    assert "<strong>B1</strong>" in page
    assert "<strong>A1</strong>" not in page
    assert 'value="4321"' not in page


def test_staff_have_no_period_page(client: Client, charlie: User, period: ReportingPeriod) -> None:
    client.force_login(charlie)
    assert client.get(_page_url(period)).status_code == 404


def test_an_unknown_period_is_404(alice_client: Client) -> None:
    assert alice_client.get(reverse("period_detail", args=[999999])).status_code == 404


# --- query counts ----------------------------------------------------------------------------

# session, the user with its supplier, period (twice: the page and the submission's access check),
# submission, its lines with their sites, their certificate claims and serial ranges, its evidence
# files, the supplier's sites, and the conversation's timeline (the submission's history, its
# messages).
PAGE_QUERIES = 12


@pytest.mark.parametrize("status", [Submission.Status.DRAFT, Submission.Status.SUBMITTED])
@pytest.mark.parametrize("site_count", [1, 50])
def test_the_period_page_runs_the_same_queries_for_1_or_50_sites(
    client: Client, alice: User, period: ReportingPeriod, django_assert_num_queries, site_count: int, status: str
) -> None:
    submission = SubmissionFactory(supplier=alice.supplier, period=period, status=status)
    sites = [Site.objects.get(supplier=alice.supplier, code="A1")]
    sites += [SiteFactory(supplier=alice.supplier, code=f"S{n:02d}") for n in range(site_count - 1)]
    for site in sites:
        line = LineFactory(submission=submission, site=site, gec_mwh=10, entered_values={"total_electricity": "1000"})
        for number in range(2):
            CertificateClaim.objects.create(line=line, batch_id=f"G-{site.code}-{number}", instrument="gec")
    proven = [None, *sites[:2]]  # a file of the whole period, and one for each of (up to) two sites
    for number, site in enumerate(proven):
        EvidenceFile.objects.create(
            submission=submission, file=f"evidence/x/{number}", original_name=f"bill-{number}.pdf",
            content_type="application/pdf", size_bytes=10, sha256=f"{number:064d}", site=site,
            document_type="electricity_bill",
        )  # fmt: skip
    client.force_login(alice)

    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(_page_url(period))

    assert response.status_code == 200
    page = _text(response)
    assert page.count("G-S") == 2 * (site_count - 1)
    assert page.count(">bill-") == len(proven)  # each file's link
