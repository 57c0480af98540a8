"""The annual report explains its figure as the comparison page does: the bridge, what was left
out, the range, who is in the figure, the method statement, and the verifier's exceptions."""

import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from assurance.models import SampledLine
from assurance.services import sample_draw
from reports.services.rollups import rollup_run_create
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db(transaction=True)


def _sheets(tmp_path: Path, year: int) -> dict:
    call_command("make_report", "annual", str(year), "--language", "en", "--out", str(tmp_path), stdout=StringIO())
    workbook = load_workbook(tmp_path / f"annual-{year}-en.xlsx")
    return {sheet.title: [[cell.value for cell in row] for row in sheet.iter_rows()] for sheet in workbook}


def test_the_annual_report_carries_bridge_exclusions_range_coverage_and_exceptions(tmp_path: Path) -> None:
    _load_example()
    run = rollup_run_create(year=2025)
    sample = sample_draw(run=run, size=2, seed=3, user=None)
    first = sample.lines.order_by("position").first()
    first.result, first.comment = SampledLine.Result.EXCEPTION, "Bill missing for this line."
    first.save()
    sheets = _sheets(tmp_path, 2025)
    bridge = {row[0]: row[1] for row in sheets["Bridge"][1:]}
    assert round(bridge["Green-power reduction"], 3) == 6250.925
    assert round(bridge["Baseline valued at this year's factors"], 3) == 10.0
    exclusions = sheets["Exclusions"][1:]
    assert [round(row[1], 3) for row in exclusions] == [200.0, 250.0]
    sensitivity = {row[0]: row[1] for row in sheets["Sensitivity"][1:]}
    assert len(sensitivity) == 4 and round(sensitivity["This run"], 3) == 6250.925
    coverage = {row[0]: row[1] for row in sheets["Coverage"][1:]}
    assert coverage["Baseline suppliers not reporting this year"] == 1
    exceptions = sheets["Assurance exceptions"][1:]
    assert [row[-1] for row in exceptions] == ["Bill missing for this line."]


def test_the_annual_report_carries_the_commitments_and_names_who_is_behind(tmp_path: Path) -> None:
    from suppliers.services.commitments import commitments_import
    from tests.suppliers.test_commitments import EXAMPLE_COMMITMENTS

    _load_example()
    commitments_import(content=EXAMPLE_COMMITMENTS.encode(), filename="c.csv")
    rollup_run_create(year=2019)
    rollup_run_create(year=2024)
    commitments = {row[0]: row[1] for row in _sheets(tmp_path, 2024)["Commitments"][1:]}
    assert commitments["Suppliers with a recorded commitment"] == 5
    assert (commitments["Target met"], commitments["On track"], commitments["Behind"]) == (1, 1, 2)
    pdf_text = subprocess.run(
        ["pdftotext", str(tmp_path / "annual-2024-en.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    behind = " ".join(pdf_text[pdf_text.index("Behind their commitment") :].split())
    assert "CN-0002" in behind and "CN-0005" in behind
