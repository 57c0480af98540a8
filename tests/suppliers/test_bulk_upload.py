"""Bulk upload by a supplier: the Excel template, the problem report, the preview that saves
nothing, the confirmation that saves drafts, and who may confirm what."""

import csv
import io
import os
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from suppliers.models import CertificateClaim, Line, ReportingPeriod, Site, Submission
from suppliers.services.imports import COLUMNS, submissions_import
from suppliers.services.spreadsheets import FileRefused
from suppliers.services.templates import DATA_SHEET_TITLE, INSTRUCTIONS_SHEET_TITLE
from suppliers.services.uploads import PENDING_UPLOAD_MAX_AGE
from tests.factories import LineFactory, ReportingPeriodFactory, SiteFactory, SubmissionFactory


@pytest.fixture(autouse=True)
def uploads_dir(settings, tmp_path):
    """Files waiting for confirmation go under the test's own directory."""
    settings.VAR_DIR = tmp_path
    return tmp_path / "uploads"


@pytest.fixture
def period_2024(db) -> ReportingPeriod:
    return ReportingPeriodFactory(year=2024, kind="year", number=0, is_open=True)


def _row(**cells: str) -> dict[str, str]:
    """A valid row of alice's site A1 for 2024, with `cells` changed."""
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        supplier_code="CN-A001",
        site_code="A1",
        period="2024",
        unit="MWh",
        total_electricity="1000",
        bmw_share_percent="50",
    )
    return row | cells


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([[row[column] for column in COLUMNS] for row in rows])
    return out.getvalue().encode()


def _upload(client, content: bytes, name: str = "figures.csv"):
    return client.post(reverse("upload"), {"file": SimpleUploadedFile(name, content)})


def _problems(response) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in response.context["problems"]]


def _saved() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Submission, Line, CertificateClaim, Site, ReportingPeriod))


def _template(client) -> bytes:
    response = client.get(reverse("upload_template"))
    assert response.status_code == 200
    return response.content


def _fill(content: bytes, values_by_site: dict[str, dict[str, object]]) -> bytes:
    """The template with figures typed into the rows of the given sites, as a person would in Excel."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=False))
        site = cells["site_code"].value
        if site in values_by_site:
            for column, value in values_by_site[site].items():
                cells[column].value = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the template ------------------------------------------------------------------------------


def test_template_is_a_workbook_with_the_users_sites_and_bilingual_instructions(client, alice, bob, period_2024):
    SiteFactory(supplier=alice.supplier, code="A2", name="第二工厂", province="440000")
    ReportingPeriodFactory(year=2024, kind="quarter", number=3, is_open=False)  # closed: not in the template
    client.force_login(alice)

    response = client.get(reverse("upload_template"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="submission-template-CN-A001.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [DATA_SHEET_TITLE, INSTRUCTIONS_SHEET_TITLE]
    data = workbook.worksheets[0]
    rows = [[cell.value for cell in row] for row in data.iter_rows()]
    assert tuple(rows[0]) == COLUMNS
    supplier = alice.supplier
    by_site = {row[3]: row for row in rows[1:]}
    assert set(by_site) == {"A1", "A2"}  # bob's site B1 is not there
    assert by_site["A2"][:7] == ["CN-A001", supplier.name_zh, supplier.uscc, "A2", "第二工厂", "广东省", "2024"]
    assert by_site["A1"][7:] == [None] * 10  # the figures are the supplier's to fill in
    assert data.freeze_panes == "A2"
    unit_lists = [v.formula1 for v in data.data_validations.dataValidation if v.type == "list"]
    assert unit_lists == ['"kWh,MWh,GWh,万kWh"']
    quantity_column = data.column_dimensions["I"]  # total_electricity
    assert rows[0][8] == "total_electricity" and quantity_column.number_format == "#,##0.00"
    assert data.column_dimensions["G"].number_format == "@"  # period: Excel must not turn 2024-03 into a date

    instructions = "\n".join(
        str(cell.value) for row in workbook.worksheets[1].iter_rows() for cell in row if cell.value
    )
    for english, chinese in [
        ("2024-Q2", "季度"),
        ("万kWh", "单位"),
        ("from 0 to 100", "0 至 100"),
        ("separated by ;", "分号"),
        ("the whole file is refused", "整个文件都会被拒绝"),
    ]:
        assert english in instructions and chinese in instructions
    for column in COLUMNS:
        assert column in instructions


def _template_periods(client) -> list[str]:
    data = load_workbook(io.BytesIO(_template(client))).worksheets[0]
    return sorted({row[6].value for row in data.iter_rows(min_row=2)})


@pytest.mark.parametrize(
    ("status", "in_template"),
    [
        (None, True),
        (Submission.Status.DRAFT, True),
        (Submission.Status.RETURNED, True),
        (Submission.Status.SUBMITTED, False),
        (Submission.Status.APPROVED, False),
    ],
)
def test_template_prefills_only_open_periods_that_still_need_a_submission(client, alice, bob, status, in_template):
    period = ReportingPeriodFactory(year=2025, kind="year", number=0, is_open=True)
    ReportingPeriodFactory(year=2026, kind="quarter", number=1, is_open=True)
    if status is not None:
        SubmissionFactory(supplier=alice.supplier, period=period, status=status)
    # Another supplier's submission changes nothing in alice's template.
    SubmissionFactory(supplier=bob.supplier, period=period, status=Submission.Status.APPROVED)
    client.force_login(alice)

    assert _template_periods(client) == (["2025", "2026-Q1"] if in_template else ["2026-Q1"])


def test_template_leaves_out_closed_periods_even_with_a_returned_submission(client, alice):
    closed = ReportingPeriodFactory(year=2023, kind="year", number=0, is_open=False)
    SubmissionFactory(supplier=alice.supplier, period=closed, status=Submission.Status.RETURNED)
    ReportingPeriodFactory(year=2025, kind="year", number=0, is_open=True)
    client.force_login(alice)

    assert _template_periods(client) == ["2025"]


def test_template_with_nothing_to_report_is_the_header_alone(client, alice):
    period = ReportingPeriodFactory(year=2025, kind="year", number=0, is_open=True)
    SubmissionFactory(supplier=alice.supplier, period=period, status=Submission.Status.SUBMITTED)
    client.force_login(alice)

    data = load_workbook(io.BytesIO(_template(client))).worksheets[0]
    assert [tuple(cell.value for cell in row) for row in data.iter_rows()] == [COLUMNS]


def test_the_filled_in_template_previews_then_saves_draft_lines_on_confirmation(client, alice, period_2024):
    client.force_login(alice)
    filled = _fill(
        _template(client),
        {"A1": {"unit": "万kWh", "total_electricity": 120, "gec": 20, "bmw_share_percent": 55,
                "certificate_ids": "GEC-2024-A1-001;GEC-2024-A1-002"}},
    )  # fmt: skip
    before = _saved()

    preview = _upload(client, filled, "template.xlsx")

    assert preview.status_code == 200
    assert _saved() == before, "a preview saves nothing"
    [line] = preview.context["preview"].lines
    assert (line.site_code, line.period, line.unit, line.replaces) == ("A1", "2024", "万kWh", False)
    assert (line.total_mwh, line.gec_mwh, line.bmw_share_percent) == (Decimal(1200), Decimal(200), Decimal(55))
    assert line.certificate_ids == ["GEC-2024-A1-001", "GEC-2024-A1-002"]
    assert b"1,200" in preview.content and b"GEC-2024-A1-001; GEC-2024-A1-002" in preview.content

    token = preview.context["preview"].token
    confirmed = client.post(reverse("upload_confirm"), {"token": token})

    assert confirmed.status_code == 302 and confirmed["Location"] == reverse("dashboard")
    saved = Line.objects.select_related("submission").get()
    assert (saved.total_electricity_mwh, saved.gec_mwh, saved.entered_unit) == (Decimal(1200), Decimal(200), "万kWh")
    assert saved.entered_values == {"total_electricity": "120", "gec": "20"}
    assert saved.submission.status == Submission.Status.DRAFT
    assert saved.submission.submitted_at is None and saved.submission.submitted_by is None
    assert set(saved.certificate_claims.values_list("batch_id", flat=True)) == {"GEC-2024-A1-001", "GEC-2024-A1-002"}
    # The file is forgotten once saved: the same token cannot save it twice.
    assert client.post(reverse("upload_confirm"), {"token": token}).status_code == 404


@pytest.mark.parametrize("status", [Submission.Status.DRAFT, Submission.Status.RETURNED])
def test_an_upload_replaces_a_draft_or_returned_line_and_keeps_its_status(client, alice, period_2024, status):
    submission = SubmissionFactory(supplier=alice.supplier, period=period_2024, status=status, review_comment="x")
    LineFactory(submission=submission, site=Site.objects.get(code="A1"), total_electricity_mwh=Decimal(5))
    client.force_login(alice)

    preview = _upload(client, _csv([_row(total_electricity="700")]))
    [line] = preview.context["preview"].lines
    assert line.replaces and preview.context["preview"].lines_replaced == 1
    client.post(reverse("upload_confirm"), {"token": preview.context["preview"].token})

    submission.refresh_from_db()
    assert submission.lines.get().total_electricity_mwh == Decimal(700)
    assert submission.status == status
    assert submission.review_comment == "x"


def test_the_preview_names_the_sites_on_record_and_renders_in_chinese(client, alice, period_2024):
    SiteFactory(supplier=alice.supplier, code="A7", name="新厂", province="330000")
    client.force_login(alice)
    client.cookies["django_language"] = "zh-hans"
    rows = [_row(), _row(site_code="A7", unit="kWh", total_electricity="1,234,567")]

    response = _upload(client, _csv(rows))

    assert response.status_code == 200
    assert response.context["LANGUAGE_CODE"] == "zh-hans"
    assert response.context["preview"].sites_created == 0
    site_a7 = response.context["preview"].lines[1]
    assert (site_a7.site_name, site_a7.total_mwh, site_a7.replaces) == ("新厂", Decimal("1234.567"), False)
    assert "1,234.567" in response.content.decode()


# --- refusals ----------------------------------------------------------------------------------


def test_a_file_with_bad_cells_gets_a_row_and_column_report_and_saves_nothing(client, alice, period_2024, uploads_dir):
    for code, name in (("A9", "New plant"), ("A8", "Other plant"), ("A7", "Third plant")):
        SiteFactory(supplier=alice.supplier, code=code, name=name, province="320000")
    client.force_login(alice)
    rows = [
        _row(),
        _row(site_code="A9", site_name="New plant", province="Jiangsu", unit="kW", total_electricity="-5"),
        _row(site_code="A8", site_name="Other plant", province="Jiangsu", bmw_share_percent="150"),
        _row(site_code="A7", site_name="Third plant", province="Jiangsu", gec="10"),
    ]
    before = _saved()

    response = _upload(client, _csv(rows))

    assert response.status_code == 200
    assert _problems(response) == [
        (3, "unit"),
        (3, "total_electricity"),
        (4, "bmw_share_percent"),
        (5, "certificate_ids"),
    ]
    assert b'id="problems"' in response.content and b"must be between 0 and 100" in response.content
    assert _saved() == before
    assert not list(uploads_dir.glob("*/*")), "a refused file is not kept"


def test_a_row_for_another_supplier_is_refused_and_says_nothing_about_that_supplier(client, alice, bob, period_2024):
    client.force_login(alice)
    # Bob's site B1 is in Jiangsu: a row giving another province must not learn that.
    rows = [_row(), _row(supplier_code="CN-B001", site_code="B1", province="Guangdong", site_name="")]

    response = _upload(client, _csv(rows))

    assert _problems(response) == [(3, "supplier_code")]
    assert "your own supplier code CN-A001" in response.context["problems"][0].message
    assert not Line.objects.exists()


@pytest.mark.parametrize("status", [Submission.Status.SUBMITTED, Submission.Status.APPROVED])
def test_a_period_already_submitted_or_approved_cannot_be_changed_by_upload(client, alice, period_2024, status):
    submission = SubmissionFactory(supplier=alice.supplier, period=period_2024, status=status)
    line = LineFactory(submission=submission, site=Site.objects.get(code="A1"), total_electricity_mwh=Decimal(5))
    client.force_login(alice)

    response = _upload(client, _csv([_row(total_electricity="700")]))

    assert _problems(response) == [(2, "period")]
    assert response.context["problems"][0].message == (
        f"period 2024 is {status.label.lower()} and can no longer be changed; ask staff to return it"
    )
    line.refresh_from_db()
    submission.refresh_from_db()
    assert (line.total_electricity_mwh, submission.status) == (Decimal(5), status)


def test_a_period_that_is_not_open_is_refused_and_not_created(client, alice, period_2024):
    ReportingPeriodFactory(year=2023, kind="year", number=0, is_open=False)
    client.force_login(alice)

    response = _upload(client, _csv([_row(period="2023"), _row(site_code="A1", period="2025")]))

    assert _problems(response) == [(2, "period"), (3, "period")]
    assert "period 2023 is not open for reporting" in response.context["problems"][0].message
    assert not ReportingPeriod.objects.filter(year=2025).exists()


def test_the_confirmation_checks_the_file_again(client, alice, period_2024):
    client.force_login(alice)
    preview = _upload(client, _csv([_row()]))
    # Between the preview and the confirmation, someone submits the period from the period page.
    SubmissionFactory(supplier=alice.supplier, period=period_2024, status=Submission.Status.SUBMITTED)

    response = client.post(reverse("upload_confirm"), {"token": preview.context["preview"].token})

    assert response.status_code == 200
    assert _problems(response) == [(2, "period")]
    assert not Line.objects.exists()


def test_a_file_that_is_not_csv_or_xlsx_is_refused_by_the_form(client, alice):
    client.force_login(alice)
    response = _upload(client, b"%PDF-1.7", "bill.pdf")
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert "problems" not in response.context


# --- the token ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    ["", "../../portal.sqlite3", "A" * 43, "not a token", "x" * 500],
    ids=["empty", "path", "unknown", "malformed", "long"],
)
def test_confirming_an_unknown_or_tampered_token_is_404(client, alice, period_2024, token):
    client.force_login(alice)
    _upload(client, _csv([_row()]))
    response = client.post(reverse("upload_confirm"), {"token": token})
    assert response.status_code == 404
    assert not Line.objects.exists()


def test_confirming_a_token_with_one_character_changed_is_404(client, alice, period_2024):
    client.force_login(alice)
    token = _upload(client, _csv([_row()])).context["preview"].token
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.post(reverse("upload_confirm"), {"token": tampered}).status_code == 404
    assert not Line.objects.exists()


def test_another_supplier_cannot_confirm_my_upload(client, alice, bob, period_2024):
    client.force_login(alice)
    token = _upload(client, _csv([_row()])).context["preview"].token

    client.force_login(bob)
    assert client.post(reverse("upload_confirm"), {"token": token}).status_code == 404
    assert not Line.objects.exists()

    client.force_login(alice)
    assert client.post(reverse("upload_confirm"), {"token": token}).status_code == 302
    assert Line.objects.get().site.supplier == alice.supplier


def test_an_expired_upload_cannot_be_confirmed(client, alice, period_2024, uploads_dir):
    client.force_login(alice)
    token = _upload(client, _csv([_row()])).context["preview"].token
    long_ago = time.time() - PENDING_UPLOAD_MAX_AGE.total_seconds() - 60
    for path in uploads_dir.glob(f"*/{token}.*"):
        os.utime(path, (long_ago, long_ago))

    assert client.post(reverse("upload_confirm"), {"token": token}).status_code == 404
    assert not Line.objects.exists()


def test_a_new_upload_replaces_the_one_waiting(client, alice, period_2024, uploads_dir):
    client.force_login(alice)
    first = _upload(client, _csv([_row(total_electricity="1")])).context["preview"].token
    second = _upload(client, _csv([_row(total_electricity="2")])).context["preview"].token

    assert client.post(reverse("upload_confirm"), {"token": first}).status_code == 404
    assert client.post(reverse("upload_confirm"), {"token": second}).status_code == 302
    assert Line.objects.get().total_electricity_mwh == Decimal(2)
    assert not list(uploads_dir.glob("*/*"))


# --- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"), [("upload", "get"), ("upload", "post"), ("upload_template", "get"), ("upload_confirm", "post")]
)
def test_anonymous_is_sent_to_log_in(client, db, name, method):
    response = getattr(client, method)(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "method"), [("upload", "get"), ("upload_template", "get"), ("upload_confirm", "post")]
)
def test_staff_without_a_supplier_get_404(client, charlie, name, method):
    client.force_login(charlie)
    assert getattr(client, method)(reverse(name)).status_code == 404


def test_the_upload_page_links_the_template(client, alice):
    client.force_login(alice)
    response = client.get(reverse("upload"))
    assert response.status_code == 200
    assert reverse("upload_template").encode() in response.content


def test_confirmation_only_by_post(client, alice):
    client.force_login(alice)
    assert client.get(reverse("upload_confirm")).status_code == 405


# --- the importer's options --------------------------------------------------------------------


@pytest.mark.parametrize(("own_upload", "sites_created"), [(True, 0), (False, 1)])
def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(alice, period_2024, own_upload, sites_created):
    SiteFactory(supplier=alice.supplier, code="A2", name="Plant A2", province="330000")
    rows = [_row(), _row(site_code="A2")]
    if not own_upload:  # a staff import may add a site
        rows.append(_row(site_code="A7", site_name="New plant", province="浙江"))
    own = {"restrict_to_supplier": alice.supplier, "as_draft": True} if own_upload else {}
    before = _saved()

    result = submissions_import(content=_csv(rows), filename="f.csv", dry_run=True, **own)

    assert _saved() == before
    assert (result.lines_created, result.lines_replaced, result.sites_created) == (len(rows), 0, sites_created)
    assert [line.site_code for line in result.parsed] == ["A1", "A2", "A7"][: len(rows)]


def test_the_staff_import_still_submits_and_replaces_approved_lines(alice, period_2024):
    submission = SubmissionFactory(supplier=alice.supplier, period=period_2024, status=Submission.Status.APPROVED)
    LineFactory(submission=submission, site=Site.objects.get(code="A1"))

    result = submissions_import(content=_csv([_row(total_electricity="9")]), filename="f.csv")

    submission.refresh_from_db()
    assert result.lines_replaced == 1 and result.replacing_rows == {2}
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.lines.get().total_electricity_mwh == Decimal(9)


def test_a_file_is_not_imported_both_approved_and_as_draft(alice, period_2024):
    with pytest.raises(ValueError, match="not both"):
        submissions_import(content=_csv([_row()]), filename="f.csv", approve=True, as_draft=True)


def test_a_dry_run_still_refuses_a_bad_file(alice, period_2024):
    with pytest.raises(FileRefused):
        submissions_import(content=_csv([_row(unit="W")]), filename="f.csv", dry_run=True)
