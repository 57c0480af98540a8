"""The report files every viewer reads alike: one number format (half-even, as the JSON), every font
embedded (a plain poppler shows the Chinese report), Chinese headers and flag details in the Chinese
report, years as numbers and units once in the XLSX, and `make_report` writing both files from the
stored run without emailing them."""

import io
import re
import shutil
import subprocess
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from reports.documents import content, pdf
from reports.documents.content import flag_detail
from reports.documents.document import Column, Document, KeyFigure, KeyFigures, Table
from reports.documents.numbers import figure_rounded, figure_text
from reports.documents.pdf import ReportFontMissing, cell_text, pdf_bytes
from reports.documents.xlsx import xlsx_bytes
from reports.models import Report
from tests.reports.test_worked_example import _load_example, _rollup_json

pytestmark = pytest.mark.django_db
POPPLER = pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils (pdffonts, pdftotext) is needed")


# --- One number format -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (Decimal("28992.8775"), 3, "28,992.878"),  # half-even: Django's number_format cut it to .877
        (Decimal("1081.2725"), 3, "1,081.272"),
        (Decimal("0.0005"), 3, "0.000"),
        (Decimal("-0.0004"), 3, "0.000"),
        (Decimal("2.5"), 0, "2"),
        (Decimal("3.5"), 0, "4"),
        (1234567, 0, "1,234,567"),
        (None, 3, "—"),
    ],
)
def test_a_figure_is_rounded_half_even_and_grouped(value: object, decimals: int, text: str) -> None:
    assert figure_text(value, decimals) == text


def test_a_float_is_refused_as_a_figure() -> None:
    with pytest.raises(TypeError, match=r"not the float 28992\.878"):
        figure_text(28992.878, 3)


def test_the_figure_filter_and_the_pdf_cells_write_what_figure_text_writes() -> None:
    from django.template import Context, Template

    value = Decimal("28992.8775")
    rendered = Template("{% load figures %}{{ value|figure:3 }}").render(Context({"value": value}))
    assert rendered == cell_text(value, Column("", "number", 3)) == "28,992.878"
    assert cell_text(2024, Column("", "year")) == "2024"


def test_figures_are_grouped_by_three_in_chinese_too() -> None:
    with translation.override("zh-hans"):
        assert figure_text(Decimal("1234567.8915"), 3) == "1,234,567.892"


# --- Fonts ---------------------------------------------------------------------------------------


def _tiny_document(title: str) -> Document:
    return Document(
        title=title,
        subtitle="副标题 subtitle",
        language="zh-hans",
        footer="页脚",
        blocks=[
            Table(
                sheet="表",
                columns=(Column("年份", "year"), Column("数值 (tCO2e)", "number", 3)),
                rows=[[2024, Decimal("28992.8775")]],
            )
        ],
    )


@POPPLER
def test_every_font_of_the_pdf_is_embedded_and_poppler_reads_the_chinese(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes(_tiny_document("年度绿色电力报告 2024")))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    for row in rows:
        assert re.search(r"\byes\s+yes\s+(yes|no)\s+\d+\s+\d+$", row), f"not embedded and subset: {row}"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "年度绿色电力报告 2024" in text and "年份" in text and "28,992.878" in text


def test_a_missing_cjk_font_names_the_package_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pdf._register_fonts.cache_clear()
    monkeypatch.setattr(pdf, "CJK_FONT_PATH", tmp_path / "missing.ttc")
    try:
        with pytest.raises(ReportFontMissing, match="fonts-wqy-microhei"):
            pdf_bytes(_tiny_document("x"))
    finally:
        pdf._register_fonts.cache_clear()


# --- XLSX ----------------------------------------------------------------------------------------


def test_the_workbook_has_years_as_numbers_and_each_unit_once() -> None:
    document = Document(
        title="t",
        subtitle="",
        language="en",
        footer="",
        about=[("Baseline year", 2019)],
        blocks=[
            KeyFigures(sheet="Summary", figures=(KeyFigure("Variance", Decimal("2.9375"), "%", 3, kind="percent"),)),
            Table(
                sheet="Trend",
                columns=(Column("Year", "year"), Column("Variance (%)", "percent", 3)),
                rows=[[2024, Decimal("2.9375")]],
            ),
        ],
    )
    workbook = load_workbook(io.BytesIO(xlsx_bytes(document)))
    baseline = workbook["About"]["B3"]
    assert baseline.value == 2019 and baseline.data_type == "n" and baseline.number_format == "0"
    year = workbook["Trend"]["A2"]
    assert year.value == 2024 and year.data_type == "n" and year.number_format == "0"
    for cell in (workbook["Summary"]["B2"], workbook["Trend"]["B2"]):
        assert cell.data_type == "n" and "%" not in cell.number_format, cell.number_format
    assert workbook["Summary"]["C2"].value == "%"  # the unit, once, in its own column


# --- The Chinese report --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("detail", "english"),
    [
        (
            "1200 MWh in 2024 against 100.5 MWh in 2023 (more than 5 times or under 1/5: a kWh typed as MWh?)",
            "1,200.000 MWh in 2024 against 100.500 MWh in 2023 (more than 5 times or under 1/5: a kWh typed as MWh?)",
        ),
        (
            "12.5 MWh of certificates also claimed by another line, counted as grid electricity: GEC-2024-A",
            "12.500 MWh of certificates also claimed by another line, counted as grid electricity: GEC-2024-A",
        ),
        (
            "3 MWh of I-RECs after 2024, the last year for which I-RECs count in China (from then on only GECs), "
            "counted as grid electricity",
            "3.000 MWh of I-RECs after 2024, the last year for which I-RECs count in China (from then on only GECs), "
            "counted as grid electricity",
        ),
        ("no approved line in the baseline year 2019", "no approved line in the baseline year 2019"),
        (
            "no residual factor is loaded: market-based figures use the average factor",
            "no residual factor is loaded: market-based figures use the average factor",
        ),
    ],
)
def test_flag_details_are_said_in_the_readers_language_with_their_figures(
    monkeypatch: pytest.MonkeyPatch, detail: str, english: str
) -> None:
    assert flag_detail("", detail) == english
    # Each known detail goes through the catalogue (tests/test_translations.py holds it to a translation).
    monkeypatch.setattr(content, "gettext", lambda message: "译 " + message)
    assert flag_detail("", detail) == "译 " + english
    assert flag_detail("", "a detail of a kind not known here") == "a detail of a kind not known here"


# --- make_report -------------------------------------------------------------------------------


@POPPLER
def test_make_report_writes_the_stored_runs_pdf_and_xlsx_without_emailing(tmp_path: Path) -> None:
    _load_example()
    result = _rollup_json(2024, decimals=True)  # the stored run
    out = StringIO()
    call_command("make_report", "annual", "2024", "--language", "zh-hans", "--out", str(tmp_path), stdout=out)
    pdf, xlsx = tmp_path / "annual-2024-zh-hans.pdf", tmp_path / "annual-2024-zh-hans.xlsx"
    assert pdf.is_file() and xlsx.is_file(), out.getvalue()
    assert mail.outbox == [] and not Report.objects.exists()  # nothing sent, nothing issued
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert all(" yes " in row for row in fonts.splitlines()[2:]), fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "年度绿色电力报告" in text and "供应商" in text, text[:400]
    assert figure_text(result["green_reduction_tco2e"], 3) in text
    for supplier in result["suppliers"][:5]:
        if supplier["green_reduction_tco2e"] is not None:
            assert figure_text(supplier["green_reduction_tco2e"], 3) in text, supplier["supplier_code"]
    sheet = load_workbook(xlsx)["趋势"] if "趋势" in load_workbook(xlsx).sheetnames else None
    if sheet is not None:
        assert isinstance(sheet["A2"].value, int)
    summary = load_workbook(xlsx).worksheets[1]
    assert figure_rounded(Decimal(str(summary["B2"].value)), 3) == figure_rounded(result["green_reduction_tco2e"])


def test_make_report_without_a_stored_run_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="rollup --year 2024"):
        call_command("make_report", "annual", "2024", "--out", str(tmp_path), stdout=StringIO())
    with pytest.raises(CommandError, match="is not a period"):
        call_command("make_report", "monthly", "2024", "--out", str(tmp_path), stdout=StringIO())


# --- The monthly report ----------------------------------------------------------------------------


def test_the_monthly_report_counts_submissions_awaiting_review_in_closed_periods_too(alice, bob) -> None:
    from django.utils import timezone

    from reports.documents.monthly import monthly_document
    from reports.services.rollups import rollup_run_create
    from suppliers.models import Submission
    from tests.factories import ReportingPeriodFactory, SubmissionFactory

    _load_example(with_2025=False)
    closed = ReportingPeriodFactory(year=2023, kind="year", number=0, is_open=False)
    still_open = ReportingPeriodFactory(year=2025, kind="year", number=0, is_open=True)
    SubmissionFactory(supplier=alice.supplier, period=closed, status=Submission.Status.SUBMITTED)
    SubmissionFactory(supplier=bob.supplier, period=still_open, status=Submission.Status.SUBMITTED)
    report = Report(kind="monthly", period_key="2024-11", run=rollup_run_create(year=2024))
    with translation.override("en"):
        document = monthly_document(report, timezone.now())
    summary = {figure.label: figure.value for figure in document.blocks[0].figures}
    assert summary["Submissions awaiting review"] == 2
