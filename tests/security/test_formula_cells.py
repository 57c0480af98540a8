"""No cell of any file the portal writes can be evaluated as a formula, whatever a supplier's or a
site's name is: every export of a run (CSV and XLSX, by supplier, site and region), both scheduled
reports' workbooks in both languages, and the supplier's upload template.

tests/reports/test_exports.py covers the supplier export's names and `defuse` itself, and
tests/reports/test_scheduled_reports.py the annual report's English workbook; this file plants
formula-like names everywhere a name is written and reads every cell of every file, the raw XML of
each workbook included (a formula is an <f> element, whatever a reading library makes of it).
"""

import csv
import io
import re
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from reports.documents.exports import FORMULA_STARTS
from reports.services.reports import report_files_ensure, report_get_or_create
from reports.services.rollups import rollup_run_create
from suppliers.models import ReportingPeriod, Site, Supplier, User
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db

# What a hostile name looks like: formulas, a DDE call, a link, and the other characters that start one.
PLANTED = {
    "name_en": ['=HYPERLINK("http://x.example","click")', "@SUM(A1:A9)", "=cmd|' /C calc'!A0"],
    "name_zh": ["+86 电话", "-2+3 有限公司", "\t=1+1"],
    "site": ["=1+1", "@A1", "+A1", "-A1", "\r=A1"],
}
FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[ >/]")


@pytest.fixture
def hostile_names(db: None, settings, tmp_path) -> list[Supplier]:
    """The worked example's data, with formula-like names on every supplier and site."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": str(tmp_path), "base_url": None}}}  # fmt: skip
    _load_example()
    suppliers = list(Supplier.objects.order_by("code"))
    for number, supplier in enumerate(suppliers):
        supplier.name_en = PLANTED["name_en"][number % 3]
        supplier.name_zh = PLANTED["name_zh"][number % 3]
        supplier.save(update_fields=["name_en", "name_zh"])
    for number, site in enumerate(Site.objects.order_by("pk")):
        Site.objects.filter(pk=site.pk).update(name=PLANTED["site"][number % len(PLANTED["site"])])
    return suppliers


def _planted_texts() -> set[str]:
    return {value for values in PLANTED.values() for value in values}


def assert_workbook_has_no_formula(content: bytes, label: str, *, quote_prefixed: bool = True) -> list[str]:
    """Every cell of every sheet: none a formula, and a text that would read as one is a text cell
    with the quote-prefix style (shown as typed, no apostrophe added). Returns the text cells."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not FORMULA_ELEMENT.search(archive.read(name)), f"{label}: {name} holds a formula"
    texts = []
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{label}: {sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if quote_prefixed and cell.value.startswith(FORMULA_STARTS):
                        assert cell.data_type == "s" and cell.quotePrefix, f"{label}: {sheet.title}!{cell.coordinate}"
    return texts


def _staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("staff@carmaker.example", "a long staff password"))
    return client


@pytest.mark.parametrize("kind", ["suppliers", "sites", "regions"])
def test_csv_exports_have_no_cell_a_spreadsheet_would_evaluate(hostile_names: list[Supplier], kind: str) -> None:
    run = rollup_run_create(year=2024)
    response = _staff_client().get(reverse("reports_run_export", args=[run.pk, kind, "csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert body
    for row in body:
        for name, value in zip(header, row, strict=True):
            if name.endswith(("_mwh", "_tco2e")):
                continue  # numbers, negative ones too (checked as numbers in test_exports.py)
            assert not value.startswith(FORMULA_STARTS), f"{kind}.{name}: {value!r}"
    cells = {value for row in body for value in row}
    if kind == "suppliers":
        assert "'" + PLANTED["name_en"][0] in cells and "'" + PLANTED["name_zh"][2] in cells
    if kind == "sites":
        assert "'=1+1" in cells and "'@A1" in cells and "'\r=A1" in cells


@pytest.mark.parametrize("kind", ["suppliers", "sites", "regions"])
def test_xlsx_exports_have_no_formula(hostile_names: list[Supplier], kind: str) -> None:
    run = rollup_run_create(year=2024)
    response = _staff_client().get(reverse("reports_run_export", args=[run.pk, kind, "xlsx"]))
    texts = assert_workbook_has_no_formula(b"".join(response.streaming_content), f"{kind}.xlsx")
    assert not any(text.startswith("'") for text in texts), "a name is shown as typed, without an apostrophe"
    if kind != "regions":
        assert _planted_texts() & set(texts)


@pytest.mark.parametrize(("kind", "period_key"), [("monthly", "2024-11"), ("annual", "2024")])
def test_scheduled_report_workbooks_have_no_formula_in_either_language(
    hostile_names: list[Supplier], kind: str, period_key: str
) -> None:
    report = report_get_or_create(kind=kind, period_key=period_key)
    files = [record for record in report_files_ensure(report=report, languages=["en", "zh-hans"])]
    workbooks = [record for record in files if record.format == "xlsx"]
    assert {record.language for record in workbooks} == {"en", "zh-hans"}
    for record in workbooks:
        with record.file.open("rb") as handle:
            texts = assert_workbook_has_no_formula(handle.read(), record.filename)
        assert not any(text.startswith("'") for text in texts), record.filename
        if kind == "annual":  # the annual report lists the suppliers by name, as typed
            assert _planted_texts() & set(texts), record.filename


def test_the_upload_template_writes_names_as_text_never_as_formulas(alice: User, client: Client) -> None:
    Supplier.objects.filter(pk=alice.supplier_id).update(name_zh='=HYPERLINK("http://x.example","click")')
    Site.objects.filter(supplier=alice.supplier).update(name="@SUM(A1:A9)")
    ReportingPeriod.objects.create(year=2025, kind="year", number=0, is_open=True)  # the template's rows
    client.force_login(alice)
    response = client.get(reverse("upload_template"))
    assert response.status_code == 200
    texts = assert_workbook_has_no_formula(response.content, "template", quote_prefixed=False)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = {cell.value: cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row if cell.value}
    # The names are kept as typed (the supplier sends the file back), stored as text cells.
    assert names['=HYPERLINK("http://x.example","click")'] == "s"
    assert names["@SUM(A1:A9)"] == "s"
    assert texts
