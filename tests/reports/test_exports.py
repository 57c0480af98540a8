"""Exports of a run: numbers are numbers, and no cell is one a spreadsheet would evaluate."""

import csv
import io
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from reports.documents.exports import defuse
from reports.services.rollups import rollup_run_create
from suppliers.models import Supplier, User
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db


def half_even(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def run_with_formula_names(client: Client):
    _load_example()
    Supplier.objects.filter(code="CN-0001").update(name_en='=HYPERLINK("http://x.example","click")')
    Supplier.objects.filter(code="CN-0002").update(name_en="@SUM(A1:A9)", name_zh="+86 电话")
    client.force_login(User.objects.create_superuser("staff@carmaker.example", "a long staff password"))
    return rollup_run_create(year=2024)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_text_that_a_spreadsheet_would_evaluate_is_defused(value: str) -> None:
    assert defuse(value) == "'" + value
    assert defuse("ordinary") == "ordinary" and defuse(Decimal("-1")) == Decimal("-1")


@pytest.mark.parametrize("kind", ["suppliers", "sites", "regions"])
def test_xlsx_export_has_numeric_cells_and_no_formula(client: Client, run_with_formula_names, kind: str) -> None:
    response = client.get(reverse("reports_run_export", args=[run_with_formula_names.pk, kind, "xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    numeric = [i for i, name in enumerate(header) if name.endswith(("_mwh", "_tco2e"))]
    rows = list(sheet.iter_rows(min_row=2))
    assert rows
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula"
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                # Shown as typed: a text cell with the quote-prefix style, no apostrophe in the text.
                assert cell.data_type == "s" and cell.quotePrefix, cell.value
        for i in numeric:
            assert row[i].value is None or row[i].data_type == "n", (header[i], row[i].value)


def test_supplier_export_figures_equal_the_roll_up(client: Client, run_with_formula_names) -> None:
    run = run_with_formula_names
    response = client.get(reverse("reports_run_export", args=[run.pk, "suppliers", "xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in sheet[1]]
    exported = {row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    for supplier in run.result["suppliers"]:
        row = exported[supplier["supplier_code"]]
        for figure in ("green_reduction_tco2e", "market_based_tco2e", "avoided_tco2e"):
            # The JSON rounds half-even to 3 decimals (1081.2725 → 1081.272), as calculation.md says.
            assert float(half_even(row[figure])) == supplier[figure], figure
    assert exported["CN-0001"]["supplier_name_en"].startswith("=HYPERLINK")


def test_csv_export_is_streamed_and_defused(client: Client, run_with_formula_names) -> None:
    response = client.get(reverse("reports_run_export", args=[run_with_formula_names.pk, "suppliers", "csv"]))
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[0] == "supplier_code"
    for row in rows[1:]:
        for name, value in zip(header, row, strict=True):
            if name.endswith(("_mwh", "_tco2e")):
                assert value == "" or Decimal(value).is_finite()  # a plain number, negative ones too
            else:
                assert not value.startswith(FORMULA_STARTS), value
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["CN-0002"][1] == "'+86 电话"


def test_an_unknown_export_kind_is_404(client: Client, run_with_formula_names) -> None:
    assert (
        client.get(reverse("reports_run_export", args=[run_with_formula_names.pk, "passwords", "csv"])).status_code
        == 404
    )
