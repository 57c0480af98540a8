"""Property-based tests of every input a supplier or staff member types or uploads: the period
page's rows, the upload form, the review forms, the file reader and the import. Whatever the
input, the answer is a value that keeps the rules or the documented refusal (a form error, or
FileRefused naming row and column): never another exception, never a 500, never a partial write,
never a number silently rounded or clamped."""

import contextlib
import csv
import datetime
import io
import os
import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from suppliers.forms.review import ReturnForm, SubmissionFileForm
from suppliers.forms.submissions import LineForm, LineFormSet
from suppliers.forms.uploads import SubmissionUploadForm
from suppliers.line_rules import MAX_LINE_MWH, MWH_QUANTUM, QUANTITY_FIELDS, quantity_parse
from suppliers.models import Line, ReportingPeriod, Site, Submission, Supplier, User
from suppliers.services.imports import COLUMNS, submission_file_parse, submissions_import
from suppliers.services.spreadsheets import FileRefused, table_read
from suppliers.units import MWH_PER_UNIT, EnergyUnit
from tests.reliability.snapshots import database_snapshot as _snapshot

PURE = settings(max_examples=150, deadline=None)
# The examples that touch the database share the test's transaction: each rolls back its own writes.
WITH_DB = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
USCC_A = "91320500MA0000101M"
USCC_NEW = "91320500MA00003037"
_BATCH_ID = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,99}$")
_PLAIN_NUMBER = re.compile(r"^\+?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


# --- What people type ----------------------------------------------------------------------------

numbers_as_typed = st.one_of(
    st.decimals(min_value=0, max_value=Decimal("1e9"), places=3).map(str),
    st.decimals(min_value=0, max_value=Decimal("1e6"), places=2).map(lambda d: f"{d:,}"),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(
        [
            "",
            "0",
            "NaN",
            "nan",
            "inf",
            "-Infinity",
            "Infinity",
            "1e5",
            "1E-3",
            "%",
            "50%",
            "1,000",
            "1,00",
            "１２３",
            "١٢٣",
            "0x10",
            "9" * 60,
            "0." + "0" * 40 + "1",
            "1000." + "0" * 30 + "1",
            " 5 ",
            "+5",
            "--5",
            "5.",
            ".5",
            "1 000",
            "1_000",
            "٫5",
            "＋7",
            "−3",
            "=1+1",
            "@SUM(A1)",
            "\u00a05",
        ]
    ),
    st.from_regex(r"[-+]?[0-9０-９,.]{1,14}%?", fullmatch=True),
    st.text(max_size=45),
)
units_as_typed = st.one_of(
    st.sampled_from(["", "kWh", "MWh", "GWh", "万kWh", "kwh ", "度", "兆瓦时"]), st.text(max_size=8)
)
certificates_as_typed = st.one_of(
    st.just(""),
    st.lists(st.from_regex(r"[A-Za-z0-9 ._/\-!]{1,16}", fullmatch=True), max_size=4).map(";".join),
    st.lists(st.sampled_from(["GEC-1", "gec-1", "IREC-2", "I-REC 3", "GEC-1；GEC-2"]), max_size=3).map("; ".join),
    st.text(max_size=40),
)


def mostly(valid: st.SearchStrategy, junk: st.SearchStrategy) -> st.SearchStrategy:
    """`valid` nine times in ten: rows then pass their checks often enough to test the saving too."""
    return st.integers(0, 9).flatmap(lambda i: junk if i == 0 else valid)


def _typed(value: Decimal, separators: bool) -> str:
    return f"{value:,f}" if separators else f"{value:f}"


totals = mostly(
    st.builds(_typed, st.decimals(min_value=500, max_value=100_000, places=3), st.booleans()), numbers_as_typed
)
greens = mostly(
    st.one_of(st.just(""), st.just(""), st.decimals(min_value=0, max_value=100, places=2).map(str)), numbers_as_typed
)
shares = mostly(
    st.one_of(
        st.decimals(min_value=0, max_value=100, places=4).map(str),
        st.integers(0, 100).map(lambda n: f"{n}%"),
    ),
    numbers_as_typed,
)
units = mostly(st.sampled_from(["kWh", "MWh", "GWh", "万kWh", "kwh ", "度", "兆瓦时"]), units_as_typed)
certificates = mostly(st.sampled_from(["", "GEC-2024-1", "GEC-1; IREC-2", "I-REC.3；GEC/4"]), certificates_as_typed)


def exact_mwh(text: str, unit: str) -> Decimal:
    """The exact value, in MWh, of a number as typed: the independent reference for "no rounding"."""
    plain = unicodedata.normalize("NFKC", text).strip().removesuffix("%").replace(",", "").replace(" ", "")
    with localcontext(prec=200):
        return Decimal(plain) * MWH_PER_UNIT[unit]


# --- The period page's row ------------------------------------------------------------------------

SITES = {7: Site(pk=7, code="A1", name="Plant A1", province="320000")}


@st.composite
def line_rows(draw: st.DrawFn) -> dict[str, str]:
    row = {
        "site_id": draw(mostly(st.just("7"), st.one_of(st.text(max_size=5), st.integers().map(str)))),
        "unit": draw(units),
        "bmw_share_percent": draw(shares),
        "certificate_ids": draw(certificates),
        "total_electricity": draw(totals),
    }
    for column in ("onsite_renewable", "green_power_trading", "gec", "irec"):
        row[column] = draw(greens)
    return row


@PURE
@given(line_rows())
def test_a_row_of_the_period_page_is_either_refused_or_exactly_what_was_typed(row: dict[str, str]) -> None:
    form = LineForm(row, sites=SITES)
    event("row valid" if form.is_valid() else "row refused")
    if not form.is_valid():
        assert form.errors and all(isinstance(m, str) for ms in form.errors.values() for m in ms)
        return
    if form.is_blank:
        return
    data = form.cleaned_data
    unit = data["unit"]
    assert unit in EnergyUnit.values
    quantities = {column: data[column] or Decimal(0) for column in QUANTITY_FIELDS}
    for column, value in quantities.items():
        assert isinstance(value, Decimal)
        assert 0 <= value <= MAX_LINE_MWH and value == value.quantize(MWH_QUANTUM)
        if row[column]:
            assert value == exact_mwh(row[column], unit), f"{column}: {row[column]!r} was rounded or clamped"
    assert data["total_electricity"] is not None
    green = quantities["onsite_renewable"] + quantities["green_power_trading"] + quantities["gec"] + quantities["irec"]
    assert green <= quantities["total_electricity"]
    share = data["bmw_share_percent"]
    assert 0 <= share <= 100 and share == share.quantize(Decimal("0.0001"))
    assert share == exact_mwh(row["bmw_share_percent"], EnergyUnit.MWH)
    ids = data["certificate_ids"]
    assert all(_BATCH_ID.match(batch_id) for batch_id in ids) and len(ids) == len(set(ids))
    if quantities["gec"] or quantities["irec"]:
        assert ids


@PURE
@given(
    st.decimals(min_value=0, max_value=MAX_LINE_MWH, places=6),
    st.sampled_from([(EnergyUnit.MWH, 0), (EnergyUnit.GWH, 3), (EnergyUnit.WAN_KWH, 1)]),
    st.booleans(),
)
def test_a_plausible_figure_is_kept_to_the_last_digit(mwh: Decimal, unit_shift: tuple, separators: bool) -> None:
    unit, shift = unit_shift
    typed = mwh.scaleb(-shift)
    text = f"{typed:,f}" if separators else f"{typed:f}"
    assert quantity_parse(text, unit) == mwh


# --- The period page, through the web ------------------------------------------------------------


@pytest.fixture
def alice(db: None) -> User:
    supplier = Supplier.objects.create(code="CN-A001", name_en="Alpha Castings", uscc=USCC_A)
    Site.objects.create(supplier=supplier, code="A1", name="Plant A1", province="320000")
    Site.objects.create(supplier=supplier, code="A2", name="Plant A2", province="210000")
    ReportingPeriod.objects.create(year=2024, kind="year", number=0, is_open=True)
    ReportingPeriod.objects.create(year=2024, kind="quarter", number=1, is_open=True)
    return User.objects.create_user(email="alice@supplier-a.example", password="x" * 20, supplier=supplier)


@pytest.fixture
def staff(db: None) -> User:
    return User.objects.create_superuser("staff@carmaker.example", "a long staff password")


@pytest.fixture(autouse=True)
def uploads_dir(settings: object, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    return tmp_path / "uploads"


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """One example's writes, undone when it ends, so that the next starts from the same data."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


GOOD_ROW = {
    "site_id": "7",
    "unit": "kWh",
    "total_electricity": "1,250,000.5",
    "onsite_renewable": "",
    "green_power_trading": "100",
    "gec": "20",
    "irec": "",
    "bmw_share_percent": "35.5%",
    "certificate_ids": "GEC-1; gec-2",
}
GOOD_FILE = (
    ",".join(COLUMNS)
    + '\nCN-A001,,,A1,,,2024,MWh,"1,000.25",,,10,,50,GEC-9\n'
    "CN-Z999,泽塔有限公司,{USCC_NEW},A9,九号车间,辽宁,2024-Q1,万kWh,3,,,,,100,\n".replace("{USCC_NEW}", USCC_NEW)
).encode()


GOOD_OWN_FILE = (
    ",".join(COLUMNS) + '\nCN-A001,,,A1,,,2024,MWh,"1,000.25",,,10,,50,GEC-9\n'
    "CN-A001,,,A2,Plant A2,辽宁,2024-Q1,万kWh,3,,,,,100,\n"  # a supplier's upload: its sites on record only
).encode()


def test_the_explicit_examples_take_the_saving_paths(alice: User, staff: User) -> None:
    """The @example inputs below are good ones, so every run of the properties saves at least once."""
    assert LineForm(GOOD_ROW, sites=SITES).is_valid()
    client = Client()
    client.force_login(alice)
    assert "preview" in client.post(reverse("upload"), {"file": SimpleUploadedFile("f.csv", GOOD_OWN_FILE)}).context
    assert submissions_import(content=GOOD_FILE, filename="f.csv").lines_created == 2


@WITH_DB
@given(rows=st.lists(line_rows(), min_size=2, max_size=2), action=st.sampled_from(["save_draft", "submit"]))
@example(rows=[GOOD_ROW, dict.fromkeys(GOOD_ROW, "") | {"site_id": "7"}], action="submit")  # saved, one row blank
def test_the_period_page_saves_every_row_exactly_or_nothing(alice: User, rows: list, action: str) -> None:
    client = Client(raise_request_exception=True)  # an exception in the view fails the test
    client.force_login(alice)
    sites = list(Site.objects.filter(supplier=alice.supplier).order_by("code"))
    period = ReportingPeriod.objects.get(year=2024, kind="year")
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2", "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000", "version": "0", "action": action, "declaration": "on"}  # fmt: skip
    for index, (site, row) in enumerate(zip(sites, rows, strict=True)):
        data.update({f"form-{index}-{name}": value for name, value in row.items()})
        data[f"form-{index}-site_id"] = str(site.pk)
    with rolled_back():
        before = _snapshot()
        response = client.post(reverse("period_submit", args=[period.pk]), data)
        event(f"period page answered {response.status_code}")
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert _snapshot() == before
            return
        formset = LineFormSet(data, sites=sites)
        assert formset.is_valid()
        saved = {line.site_id: line for line in Line.objects.filter(submission__period=period)}
        typed = [
            (site, row) for site, row in zip(sites, rows, strict=True) if not formset.forms[sites.index(site)].is_blank
        ]
        assert set(saved) == {site.pk for site, _row in typed}
        for site, row in typed:
            line = saved[site.pk]
            for column, field_name in QUANTITY_FIELDS.items():
                expected = exact_mwh(row[column], line.entered_unit) if row[column] else Decimal(0)
                assert getattr(line, field_name) == expected


# --- The upload forms and pages ------------------------------------------------------------------

file_names = st.one_of(
    st.sampled_from(["f.csv", "F.CSV", "f.xlsx", "f.XLSX", "f.xls", "f.txt", "f.csv.exe", "f", ".csv", "f.xlsm"]),
    st.text(min_size=1, max_size=20).map(lambda s: s + ".csv"),
    st.text(min_size=1, max_size=20),
).filter(lambda name: os.path.basename(name) not in ("", ".", ".."))  # Django answers those with a 400


@st.composite
def submission_files(draw: st.DrawFn) -> bytes:
    """A submission file drawn from a grammar: each cell valid or not, rows of known and unknown
    suppliers and sites, in one of the encodings people send."""
    rows = draw(st.lists(file_rows(), min_size=0, max_size=3))
    header = list(COLUMNS) if draw(st.integers(0, 9)) else draw(st.permutations(COLUMNS))[: draw(st.integers(1, 15))]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows([[row.get(column, "") for column in header] for row in rows])
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return text.encode(encoding, errors="replace")


@st.composite
def file_rows(draw: st.DrawFn) -> dict[str, str]:
    """A row of CN-A001's known sites, or of a new site or a new supplier, each cell mostly valid."""
    kind = draw(st.sampled_from(["known site", "known site", "new site", "new supplier"]))
    row = {
        "supplier_code": "CN-Z999" if kind == "new supplier" else "CN-A001",
        "supplier_name": "泽塔有限公司" if kind == "new supplier" else "",
        "uscc": USCC_NEW if kind == "new supplier" else draw(st.sampled_from(["", USCC_A])),
        "site_code": draw(st.sampled_from(["A1", "A2"])) if kind == "known site" else "A9",
        "site_name": "" if kind == "known site" else "九号车间",
        "province": "" if kind == "known site" else draw(st.sampled_from(["Jiangsu", "辽宁", "210000"])),
        "period": draw(st.sampled_from(["2024", "2024-Q1"])),
        "unit": draw(units),
        "bmw_share_percent": draw(shares),
        "certificate_ids": draw(certificates),
        "total_electricity": draw(totals),
    }
    for column in ("onsite_renewable", "green_power_trading", "gec", "irec"):
        row[column] = draw(greens)
    junk = {
        "supplier_code": st.one_of(st.sampled_from(["", "CN-B001", "cn-a001", "=1+1"]), st.text(max_size=8)),
        "supplier_name": st.one_of(st.sampled_from(["=cmd", "@SUM(A1)", "A" * 201]), st.text(max_size=10)),
        "uscc": st.sampled_from(["91320500MA0000101X", "123", USCC_NEW, "91320500MAOI00101M"]),
        "site_code": st.one_of(st.sampled_from(["", "A9", "A" * 21]), st.text(max_size=6)),
        "site_name": st.one_of(st.sampled_from(["", "+x", "-1"]), st.text(max_size=10)),
        "province": st.one_of(st.sampled_from(["", "香港", "Mars", "320000"]), st.text(max_size=6)),
        "period": st.one_of(st.sampled_from(["2023", "2024-03", "2024-Q5", "", "1999"]), st.text(max_size=7)),
    }
    for column, strategy in junk.items():
        if draw(st.integers(0, 14)) == 0:
            row[column] = draw(strategy)
    return row


@PURE
@given(name=file_names, content=st.binary(max_size=300))
def test_the_upload_form_accepts_exactly_csv_and_xlsx_names(name: str, content: bytes) -> None:
    form = SubmissionUploadForm(files={"file": SimpleUploadedFile(name, content)})
    valid = form.is_valid()
    stored_name = os.path.basename(name)  # as Django keeps an uploaded file's name
    assert valid == (bool(stored_name) and stored_name.lower().endswith((".csv", ".xlsx")))


@PURE
@given(comment=st.text(max_size=4100))
def test_the_return_form_keeps_a_comment_a_database_can_store(comment: str) -> None:
    form = ReturnForm({"review_comment": comment})
    if form.is_valid():
        kept = form.cleaned_data["review_comment"]
        assert kept == comment.strip() and 0 < len(kept) <= 4000 and "\x00" not in kept
    else:
        assert "review_comment" in form.errors


@PURE
@given(name=file_names, content=st.binary(max_size=300), approve=st.sampled_from(["", "on", "yes", "false", "0"]))
def test_the_admin_file_form_never_raises(name: str, content: bytes, approve: str) -> None:
    form = SubmissionFileForm({"approve": approve}, {"file": SimpleUploadedFile(name, content)})
    if form.is_valid():
        assert isinstance(form.cleaned_data["approve"], bool)


def _problems_are_located(problems: list, content_rows: int) -> None:
    assert problems
    for problem in problems:
        assert problem.row is None or 1 <= problem.row <= content_rows + 1
        assert problem.column is None or isinstance(problem.column, str)
        assert problem.message and "Traceback" not in problem.message


@WITH_DB
@given(content=st.one_of(submission_files(), st.binary(max_size=400)), name=st.sampled_from(["f.csv", "f.xlsx"]))
@example(content=GOOD_OWN_FILE, name="f.csv")  # a preview
def test_the_bulk_upload_page_answers_any_file_with_problems_or_a_preview_and_writes_nothing(
    alice: User, content: bytes, name: str
) -> None:
    client = Client(raise_request_exception=True)
    client.force_login(alice)
    with rolled_back():
        before = _snapshot()
        response = client.post(reverse("upload"), {"file": SimpleUploadedFile(name, content)})
        assert response.status_code == 200
        event("preview" if "preview" in response.context else "problems")
        assert response.context.get("problems") or "preview" in response.context
        if response.context.get("problems"):
            _problems_are_located(response.context["problems"], content.count(b"\n") + 1)
        assert _snapshot() == before


@WITH_DB
@given(content=st.one_of(submission_files(), submission_files(), st.binary(max_size=400)), approve=st.booleans())
@example(content=GOOD_FILE, approve=True)  # imported
def test_the_admin_import_page_imports_a_file_whole_or_not_at_all(staff: User, content: bytes, approve: bool) -> None:
    client = Client(raise_request_exception=True)
    client.force_login(staff)
    with rolled_back():
        before = _snapshot()
        response = client.post(
            reverse("admin:suppliers_submission_import"),
            {"file": SimpleUploadedFile("f.csv", content), **({"approve": "on"} if approve else {})},
        )
        event(f"admin import answered {response.status_code}")
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            _problems_are_located(response.context["problems"], content.count(b"\n") + 1)
            assert _snapshot() == before


# --- The file reader and the import --------------------------------------------------------------


@PURE
@given(content=st.one_of(st.binary(max_size=600), submission_files()), name=file_names)
def test_the_reader_returns_rows_of_text_or_refuses_the_file(content: bytes, name: str) -> None:
    try:
        table = table_read(content=content, filename=name)
    except FileRefused as refused:
        _problems_are_located(refused.problems, content.count(b"\n") + content.count(b"\r") + 1)
        return
    assert all(isinstance(cell, str) and cell == cell.lower() for cell in table.header)
    numbers = [number for number, _cells in table.rows]
    assert numbers == sorted(set(numbers)) and all(number >= 2 for number in numbers)
    assert all(isinstance(cell, str) and cell == cell.strip() for _n, cells in table.rows for cell in cells)


excel_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2200, 1, 1)),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2200, 1, 1)),
    # Text an XML file can hold (no control characters but tab and newline).
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    st.sampled_from(["CN-A001", "A1", "2024", "MWh", "1000", "50", "=1+1"]),
)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.lists(excel_values, max_size=16), max_size=6), percent=st.booleans())
def test_the_reader_turns_any_workbook_cell_into_text_or_refuses_the_file(rows: list, percent: bool) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for values in [list(COLUMNS), *rows]:
        sheet.append(values)
    if percent:
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                cell.number_format = "0.00%"
    out = io.BytesIO()
    workbook.save(out)
    try:
        table = table_read(content=out.getvalue(), filename="f.xlsx")
    except FileRefused as refused:
        _problems_are_located(refused.problems, len(rows) + 1)
        return
    # A row longer than the header widens the sheet: the header gets nameless columns.
    assert table.header[: len(COLUMNS)] == list(COLUMNS) and not any(table.header[len(COLUMNS) :])
    for _number, cells in table.rows:
        for cell in cells:
            assert isinstance(cell, str)
            if _PLAIN_NUMBER.match(cell):
                Decimal(cell)  # a number cell is written out plainly, never as 1e-07


@WITH_DB
@given(content=submission_files(), own_upload=st.booleans())
@example(content=GOOD_FILE, own_upload=False)  # saved
def test_an_import_writes_every_row_exactly_or_nothing(alice: User, content: bytes, own_upload: bool) -> None:
    options = {"restrict_to_supplier": alice.supplier, "as_draft": True} if own_upload else {}
    with rolled_back():
        before = _snapshot()
        try:
            result = submissions_import(content=content, filename="f.csv", user=alice, **options)
        except FileRefused as refused:
            event("import refused")
            _problems_are_located(refused.problems, content.count(b"\n") + 1)
            assert _snapshot() == before
            return
        event("import saved")
        # The file's lines as read (an import keeps them only for a dry run: it writes a chunk at a time).
        lines = submission_file_parse(table=table_read(content=content, filename="f.csv"))
        assert lines
        saved = {
            (line.site.supplier.code, line.site.code, line.submission.period.code): line
            for line in Line.objects.select_related("site__supplier", "submission__period")
        }
        assert Line.objects.count() == before["suppliers_line"] + result.lines_created
        for parsed in lines:
            line = saved[(parsed.supplier_code, parsed.site_code, parsed.period.code)]
            for column, field_name in QUANTITY_FIELDS.items():
                typed = parsed.entered.get(column, "")
                expected = exact_mwh(typed, parsed.unit) if typed else Decimal(0)
                assert getattr(line, field_name) == expected
            assert line.bmw_share_percent == parsed.bmw_share_percent
            assert sorted(c.batch_id for c in line.certificate_claims.all()) == sorted(parsed.certificate_ids)
        if own_upload:
            assert set(Submission.objects.exclude(status="draft").values_list("pk", flat=True)) == set()


# --- The review forms, through the admin ---------------------------------------------------------


def _submitted(alice: User) -> Submission:
    period = ReportingPeriod.objects.get(year=2024, kind="year")
    return Submission.objects.create(supplier=alice.supplier, period=period, status=Submission.Status.SUBMITTED)


@WITH_DB
@given(comment=st.one_of(st.text(max_size=60), st.sampled_from(["", "   ", "bad\x00byte", "x" * 4001, "请更正 A1"])))
@example(comment="Please correct the total of A1.")  # returned
def test_returning_submissions_from_the_admin_list_keeps_a_valid_comment_or_changes_nothing(
    alice: User, staff: User, comment: str
) -> None:
    client = Client(raise_request_exception=True)
    client.force_login(staff)
    with rolled_back():
        submission = _submitted(alice)
        before = _snapshot()
        response = client.post(
            reverse("admin:suppliers_submission_changelist"),
            {"action": "return_selected", "_selected_action": [submission.pk], "review_comment": comment},
        )
        assert response.status_code in (200, 302)
        submission.refresh_from_db()
        if ReturnForm({"review_comment": comment}).is_valid():
            assert response.status_code == 302
            assert (submission.status, submission.review_comment) == ("returned", comment.strip())
        else:
            assert response.status_code == 200  # the form again, with its error
            assert _snapshot() == before


def test_a_nul_in_the_comment_of_the_review_page_is_refused_not_saved_nor_a_500(alice: User, staff: User) -> None:
    submission = _submitted(alice)
    client = Client(raise_request_exception=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:suppliers_submission_review", args=[submission.pk]),
        {"version": submission.version, "decision": "return", "review_comment": "bad\x00byte"},
    )
    assert response.status_code == 302
    assert "Null characters are not allowed." in client.get(response.url).content.decode()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED and "\x00" not in submission.review_comment


@WITH_DB
@given(
    total=st.one_of(st.integers(-3, 10**12).map(str), st.text(max_size=6)),
    initial=st.one_of(st.integers(-3, 5).map(str), st.text(max_size=3)),
    version=st.one_of(st.integers(-(10**20), 10**20).map(str), st.text(max_size=6)),
    site_id=st.one_of(st.integers(-(10**30), 10**30).map(str), st.text(max_size=8), st.just("1" * 5000)),
)
def test_a_tampered_period_page_post_is_refused_not_a_500(
    alice: User, total: str, initial: str, version: str, site_id: str
) -> None:
    """The hidden fields a browser sends back unchanged, changed by hand: counts, version, site."""
    client = Client(raise_request_exception=True)
    client.force_login(alice)
    period = ReportingPeriod.objects.get(year=2024, kind="year")
    data = {"form-TOTAL_FORMS": total, "form-INITIAL_FORMS": initial, "version": version, "action": "save_draft"}
    data.update({f"form-0-{name}": value for name, value in GOOD_ROW.items()} | {"form-0-site_id": site_id})
    with rolled_back():
        before = _snapshot()
        response = client.post(reverse("period_submit", args=[period.pk]), data)
        assert response.status_code in (200, 302, 409)
        if response.status_code != 302:
            assert _snapshot() == before
        else:  # at most the one row sent, and only for one of alice's own sites
            assert set(Line.objects.values_list("site__supplier", flat=True)) <= {alice.supplier_id}
            assert Line.objects.count() <= 1
