"""Submission files as suppliers send them: the worked example in every encoding and as a workbook,
all-or-nothing refusal, re-import, files that are not submission files, and the commands."""

import csv
import datetime
import io
import os
import random
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from reports.models import EmissionFactor
from suppliers.models import CertificateClaim, CertificateRange, Line, ReportingPeriod, Site, Submission, Supplier
from suppliers.services.imports import COLUMNS, submissions_import
from suppliers.services.spreadsheets import FileRefused
from tests.conftest import WORKED_EXAMPLE
from tests.factories import valid_uscc

EXAMPLES = WORKED_EXAMPLE
FILE_2019 = EXAMPLES / "submissions-2019.csv"
FILE_2024 = EXAMPLES / "submissions-2024-gbk.csv"

# What the two files hold, in MWh: (supplier, site, period) → (E, onsite, trading, GEC, I-REC, share %).
EXPECTED_2019 = {
    ("CN-0001", "SY1", "2019"): ("10000", "0", "0", "0", "0", "60"),  # "10,000" MWh
    ("CN-0002", "SZ1", "2019-Q1"): ("2500", "0", "0", "0", "0", "30"),  # 2500000 kWh
    ("CN-0002", "SZ1", "2019-Q2"): ("2500", "0", "0", "0", "0", "30"),
    ("CN-0002", "SZ1", "2019-Q3"): ("2500", "0", "0", "0", "0", "30"),
    ("CN-0002", "SZ1", "2019-Q4"): ("2500", "0", "0", "0", "0", "30"),
    ("CN-0003", "FS1", "2019"): ("3000", "0", "0", "0", "500", "100"),  # 300 万kWh, I-REC 50 万kWh
    ("CN-0005", "TJ1", "2019"): ("800", "0", "0", "0", "0", "40"),
}
EXPECTED_2024 = {
    ("CN-0001", "SY1", "2024"): ("12000", "1500", "6000", "2000", "0", "55"),
    ("CN-0001", "SY2", "2024"): ("3000", "0", "0", "3000", "0", "100"),
    ("CN-0002", "SZ1", "2024"): ("9500", "0", "4000", "2000", "0", "35"),  # 9.5 GWh
    ("CN-0003", "FS1", "2024-Q1"): ("800", "0", "0", "0", "200", "100"),  # 80 万kWh
    ("CN-0003", "FS1", "2024-Q2"): ("850", "0", "0", "0", "200", "100"),
    ("CN-0003", "FS1", "2024-Q3"): ("900", "0", "0", "0", "250", "100"),
    ("CN-0003", "FS1", "2024-Q4"): ("850", "0", "0", "0", "250", "100"),
    ("CN-0004", "CD1", "2024"): ("5000", "500", "0", "0", "0", "20"),
    ("CN-0005", "TJ1", "2024"): ("5000", "0", "1000", "0", "0", "40"),
}
EXPECTED_CLAIMS = {
    ("CN-0003", "FS1", "2019", "IREC-CN-2019-0001", "irec"),
    ("CN-0001", "SY1", "2024", "GEC-2024-LN-000117", "gec"),
    ("CN-0001", "SY1", "2024", "GEC-2024-LN-000118", "gec"),
    ("CN-0001", "SY2", "2024", "GEC-2024-JL-000301", "gec"),
    ("CN-0002", "SZ1", "2024", "GEC-2024-LN-000118", "gec"),
    ("CN-0003", "FS1", "2024-Q1", "IREC-CN-2024-0101", "irec"),
    ("CN-0003", "FS1", "2024-Q2", "IREC-CN-2024-0102", "irec"),
    ("CN-0003", "FS1", "2024-Q3", "IREC-CN-2024-0103", "irec"),
    ("CN-0003", "FS1", "2024-Q4", "IREC-CN-2024-0104", "irec"),
}


def _decimals(expected: dict) -> dict:
    return {key: tuple(Decimal(v) for v in values) for key, values in expected.items()}


def _lines() -> dict[tuple[str, str, str], tuple[Decimal, ...]]:
    return {
        (line.site.supplier.code, line.site.code, line.submission.period.code): (
            line.total_electricity_mwh,
            line.onsite_renewable_mwh,
            line.green_power_trading_mwh,
            line.gec_mwh,
            line.irec_mwh,
            line.bmw_share_percent,
        )
        for line in Line.objects.select_related("site__supplier", "submission__period")
    }


def _claims() -> list[tuple[str, str, str, str, str]]:
    return sorted(
        (c.line.site.supplier.code, c.line.site.code, c.line.submission.period.code, c.batch_id, c.instrument)
        for c in CertificateClaim.objects.select_related("line__site__supplier", "line__submission__period")
    )


def _counts() -> dict[str, int]:
    models = (Supplier, Site, ReportingPeriod, Submission, Line, CertificateClaim)
    counts = {model.__name__: model.objects.count() for model in models}
    counts["line history"] = Line.history.count()
    counts["supplier history"] = Supplier.history.count()
    return counts


def _import(path: Path, **kwargs: object) -> object:
    return submissions_import(content=path.read_bytes(), filename=path.name, **kwargs)


def _text(path: Path) -> str:
    return path.read_bytes().decode("gb18030" if "gbk" in path.name else "utf-8")


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _as_excel_cell(text: str) -> object:
    """What Excel keeps of a typed cell: numbers become numbers, the rest stays text."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", text):
        return int(text.replace(",", ""))
    if re.fullmatch(r"\d+\.\d+", text):
        return float(text)
    return text or None


def _variant(path: Path, variant: str) -> tuple[bytes, str]:
    if variant == "as published":
        return path.read_bytes(), path.name
    if variant == "utf-8 with BOM":
        return _text(path).encode("utf-8-sig"), path.name
    if variant == "utf-8":
        return _text(path).encode(), path.name
    assert variant == "xlsx"
    rows = [[_as_excel_cell(cell) for cell in row] for row in csv.reader(io.StringIO(_text(path)))]
    return _xlsx(rows), path.with_suffix(".xlsx").name


# --- the worked example ------------------------------------------------------------------------


@pytest.mark.django_db
def test_worked_example_imports_exactly_its_lines_in_mwh_from_utf8_and_gb18030() -> None:
    first, second = _import(FILE_2019), _import(FILE_2024)
    assert (first.lines_created, first.suppliers_created, first.sites_created) == (7, 4, 4)
    assert (second.lines_created, second.suppliers_created, second.sites_created) == (9, 1, 2)
    assert _lines() == _decimals(EXPECTED_2019 | EXPECTED_2024)
    assert _claims() == sorted(EXPECTED_CLAIMS)


@pytest.mark.django_db
def test_worked_example_keeps_english_names_in_name_en_and_chinese_in_name_zh() -> None:
    _import(FILE_2019)
    _import(FILE_2024)
    names = {s.code: (s.name_en, s.name_zh) for s in Supplier.objects.all()}
    assert names == {
        "CN-0001": ("Shenyang Cell Works", "沈阳电芯制造有限公司"),
        "CN-0002": ("Suzhou Aluminium Castings", "苏州铝铸件有限公司"),
        "CN-0003": ("Foshan Power Electronics", "佛山电力电子有限公司"),
        "CN-0004": ("", "成都特钢有限公司"),
        "CN-0005": ("Tianjin Polymer Parts", "天津聚合物部件有限公司"),
    }
    assert Supplier.objects.get(code="CN-0002").uscc == "91320500MA1P3Q0029"
    sites = {(s.supplier.code, s.code): (s.name, s.province, s.region) for s in Site.objects.select_related("supplier")}
    assert sites == {
        ("CN-0001", "SY1"): ("铁西工厂", "210000", "NORTHEAST"),
        ("CN-0001", "SY2"): ("长春新工厂", "220000", "NORTHEAST"),
        ("CN-0002", "SZ1"): ("吴中铸造厂", "320000", "EAST"),
        ("CN-0003", "FS1"): ("顺德工厂", "440000", "SOUTH"),
        ("CN-0004", "CD1"): ("青白江厂", "510000", "SOUTHWEST"),
        ("CN-0005", "TJ1"): ("滨海工厂", "120000", "NORTH"),
    }


@pytest.mark.django_db
def test_worked_example_keeps_the_unit_and_the_figures_as_entered() -> None:
    _import(FILE_2019)
    _import(FILE_2024)
    entered = {
        (line.site.supplier.code, line.site.code, line.submission.period.code): (line.entered_unit, line.entered_values)
        for line in Line.objects.select_related("site__supplier", "submission__period")
    }
    assert entered[("CN-0001", "SY1", "2019")] == ("MWh", {"total_electricity": "10,000"})
    assert entered[("CN-0002", "SZ1", "2019-Q1")] == ("kWh", {"total_electricity": "2500000"})
    assert entered[("CN-0003", "FS1", "2019")] == ("万kWh", {"total_electricity": "300", "irec": "50"})
    assert entered[("CN-0002", "SZ1", "2024")] == (
        "GWh",
        {"total_electricity": "9.5", "green_power_trading": "4", "gec": "2"},
    )


@pytest.mark.django_db
@pytest.mark.parametrize("variant", ["as published", "utf-8 with BOM", "utf-8", "xlsx"])
def test_worked_example_imports_identically_in_every_encoding_and_as_a_workbook(variant: str) -> None:
    for path in (FILE_2019, FILE_2024):
        content, filename = _variant(path, variant)
        submissions_import(content=content, filename=filename)
    assert _lines() == _decimals(EXPECTED_2019 | EXPECTED_2024)
    assert _claims() == sorted(EXPECTED_CLAIMS)
    assert Supplier.objects.get(code="CN-0001").name_zh == "沈阳电芯制造有限公司"
    assert Site.objects.get(code="CD1").region == "SOUTHWEST"


@pytest.mark.django_db
def test_workbook_numeric_cells_and_a_period_excel_turned_into_a_date_are_read_as_typed() -> None:
    uscc = valid_uscc(77)
    header = list(COLUMNS)
    values = {
        "supplier_code": "CN-0077",
        "supplier_name": "Ningbo Glass",
        "uscc": uscc,
        "site_code": "NB1",
        "site_name": "Beilun plant",
        "province": 330000,
        "period": datetime.datetime(2024, 3, 1),  # "2024-03" typed into Excel
        "unit": "MWh",
        "total_electricity": 1234.5,
        "onsite_renewable": 0.1,
        "gec": 100,
        "bmw_share_percent": 12.25,
        "certificate_ids": "GEC-2024-ZJ-1",
    }
    april = values | {"period": datetime.date(2024, 4, 1), "total_electricity": 2500000, "unit": "kWh", "gec": None}
    april |= {"certificate_ids": None, "onsite_renewable": None}
    tiny = values | {"site_code": "NB2", "period": 2024, "unit": "GWh", "total_electricity": 1e-7, "gec": None}
    tiny |= {"certificate_ids": None, "onsite_renewable": None}
    workbook = Workbook()
    for row in [header, *([row.get(c) for c in header] for row in (values, april, tiny))]:
        workbook.active.append(row)
    # As Excel formats a typed month: "Mar-24" in English, "2024年4月" in Chinese (read as shown).
    workbook.active.cell(row=2, column=header.index("period") + 1).number_format = "mmm-yy"
    workbook.active.cell(row=3, column=header.index("period") + 1).number_format = 'yyyy"年"m"月"'
    out = io.BytesIO()
    workbook.save(out)
    result = submissions_import(content=out.getvalue(), filename="submission.xlsx")
    assert result.lines_created == 3
    assert _lines() == _decimals(
        {
            ("CN-0077", "NB1", "2024-03"): ("1234.5", "0.1", "0", "100", "0", "12.25"),
            ("CN-0077", "NB1", "2024-04"): ("2500", "0", "0", "0", "0", "12.25"),
            ("CN-0077", "NB2", "2024"): ("0.0001", "0", "0", "0", "0", "12.25"),  # 1e-07 GWh, not "1E-7"
        }
    )
    assert ReportingPeriod.objects.get(number=3).kind == "month"
    assert Site.objects.get(code="NB1").province == "330000"


@pytest.mark.django_db
def test_a_workbook_named_csv_is_read_as_a_workbook() -> None:
    content, _name = _variant(FILE_2019, "xlsx")
    submissions_import(content=content, filename="submissions-2019.csv")
    assert _lines() == _decimals(EXPECTED_2019)


# --- all or nothing --------------------------------------------------------------------------


def _many_rows(count: int, *, total: int = 1_000_000) -> list[list[str]]:
    """`count` valid rows: 10 sites for each of count/10 suppliers, in kWh, one with an I-REC."""
    rows = []
    for i in range(count):
        supplier = i // 10
        rows.append(
            [
                f"CN-{1000 + supplier}",
                f"Supplier {supplier}",
                valid_uscc(1000 + supplier),
                f"S{i % 10}",
                f"Plant {i}",
                ["Jiangsu", "广东", "510000"][i % 3],
                "2024",
                "kWh",
                f"{total + i:,}",
                "",
                "",
                "",
                "1000" if i % 10 == 0 else "",
                "50",
                f"IREC-{i}" if i % 10 == 0 else "",
            ]
        )
    return rows


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.mark.django_db
def test_one_bad_row_among_hundreds_refuses_the_whole_file() -> None:
    submissions_import(content=_csv(_many_rows(300)), filename="first.csv")
    before, lines_before, claims_before = _counts(), _lines(), _claims()
    assert before["Line"] == 300

    # Every figure changed and ten new suppliers, but row 187 (data row 186) has a share of 120.
    rows = _many_rows(400, total=2_000_000)
    rows[185][COLUMNS.index("bmw_share_percent")] = "120"
    with pytest.raises(FileRefused) as raised:
        submissions_import(content=_csv(rows), filename="second.csv")

    assert [(p.row, p.column) for p in raised.value.problems] == [(187, "bmw_share_percent")]
    assert "row 187, column bmw_share_percent: must be between 0 and 100" in str(raised.value)
    assert _counts() == before
    assert _lines() == lines_before
    assert _claims() == claims_before


@pytest.mark.django_db
def test_a_row_refused_against_the_database_also_leaves_it_unchanged() -> None:
    submissions_import(content=_csv(_many_rows(300)), filename="first.csv")
    before, lines_before = _counts(), _lines()
    rows = _many_rows(300, total=2_000_000)
    rows[248][COLUMNS.index("uscc")] = valid_uscc(9999)  # row 250: not the USCC of CN-1024 on record
    with pytest.raises(FileRefused) as raised:
        submissions_import(content=_csv(rows), filename="second.csv")
    assert {(p.row, p.column) for p in raised.value.problems} == {(250, "uscc")}
    assert "differs from the USCC on record for CN-1024" in str(raised.value)
    assert _counts() == before
    assert _lines() == lines_before


@pytest.mark.django_db
def test_a_failure_while_writing_rolls_back_everything_written_before_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import IntegrityError

    _import(FILE_2019)
    before, lines_before = _counts(), _lines()

    from suppliers.services.imports import writing

    written = writing.insert_values

    def fail(model: type, rows: list[dict]) -> None:
        if model is CertificateRange:
            raise IntegrityError("simulated: another import got there first")
        written(model, rows)

    # The last write of an import: suppliers, sites, submissions, lines and claims are written by then.
    monkeypatch.setattr(writing, "insert_values", fail)
    with pytest.raises(FileRefused, match="nothing was saved"):
        _import(FILE_2024)
    assert _counts() == before
    assert _lines() == lines_before


@pytest.mark.django_db
def test_several_bad_rows_are_each_named_with_row_column_and_reason() -> None:
    rows = _many_rows(50)
    rows[3][COLUMNS.index("bmw_share_percent")] = "120"
    rows[10][COLUMNS.index("total_electricity")] = "lots"
    rows[20][COLUMNS.index("period")] = "2024-13"
    rows[20][COLUMNS.index("unit")] = "kW"
    rows[30][COLUMNS.index("province")] = "Hong Kong"
    rows[40][COLUMNS.index("irec")] = "1,000"
    rows[40][COLUMNS.index("certificate_ids")] = ""
    with pytest.raises(FileRefused) as raised:
        submissions_import(content=_csv(rows), filename="bad.csv")
    found = {(p.row, p.column): p.message for p in raised.value.problems}
    assert set(found) == {
        (5, "bmw_share_percent"),
        (12, "total_electricity"),
        (22, "period"),
        (22, "unit"),
        (32, "province"),
        (42, "certificate_ids"),
    }
    assert "between 0 and 100" in found[(5, "bmw_share_percent")]
    assert "“lots” is not a number" in found[(12, "total_electricity")]
    assert "no month 13" in found[(22, "period")]
    assert "is not a unit" in found[(22, "unit")]
    assert "outside mainland China" in found[(32, "province")]
    assert "required when GEC or I-REC" in found[(42, "certificate_ids")]
    assert Line.objects.count() == 0


# --- importing again -------------------------------------------------------------------------


@pytest.mark.django_db
def test_importing_the_same_files_twice_leaves_the_same_data() -> None:
    _import(FILE_2019)
    _import(FILE_2024)
    counts, lines, claims = _counts(), _lines(), _claims()
    pks = set(Line.objects.values_list("pk", flat=True))

    again_2019, again_2024 = _import(FILE_2019), _import(FILE_2024)

    assert (again_2019.lines_created, again_2019.lines_replaced) == (0, 7)
    assert (again_2024.lines_created, again_2024.lines_replaced) == (0, 9)
    assert (again_2019.suppliers_created, again_2024.sites_created) == (0, 0)
    assert _lines() == lines == _decimals(EXPECTED_2019 | EXPECTED_2024)
    assert _claims() == claims == sorted(EXPECTED_CLAIMS)
    assert {k: v for k, v in _counts().items() if "history" not in k} == {
        k: v for k, v in counts.items() if "history" not in k
    }
    assert set(Line.objects.values_list("pk", flat=True)) == pks


@pytest.mark.django_db
def test_reimporting_a_changed_row_replaces_that_line_and_its_certificate_claims() -> None:
    _import(FILE_2024)
    text = _text(FILE_2024)
    text = text.replace(
        ",2024-Q1,万kWh,80,,,,20,100,IREC-CN-2024-0101", ",2024-Q1,MWh,810,,,,210,100,irec-cn-2024-0999"
    )
    text = text.replace(",2024,GWh,9.5,,4,2,,35,GEC-2024-LN-000118", ",2024,GWh,9.5,,4,,,35,")
    result = submissions_import(content=text.encode("gb18030"), filename="corrected.csv")

    assert (result.lines_created, result.lines_replaced) == (0, 9)
    expected = EXPECTED_2024 | {
        ("CN-0003", "FS1", "2024-Q1"): ("810", "0", "0", "0", "210", "100"),
        ("CN-0002", "SZ1", "2024"): ("9500", "0", "4000", "0", "0", "35"),
    }
    assert _lines() == _decimals(expected)
    claims_2024 = {claim for claim in EXPECTED_CLAIMS if claim[2].startswith("2024")}
    replaced = {
        ("CN-0003", "FS1", "2024-Q1", "IREC-CN-2024-0101", "irec"),
        ("CN-0002", "SZ1", "2024", "GEC-2024-LN-000118", "gec"),
    }
    assert replaced <= claims_2024
    assert set(_claims()) == claims_2024 - replaced | {("CN-0003", "FS1", "2024-Q1", "IREC-CN-2024-0999", "irec")}
    line = Line.objects.get(site__code="FS1", submission__period__number=1)
    assert (line.entered_unit, line.entered_values) == ("MWh", {"total_electricity": "810", "irec": "210"})


@pytest.mark.django_db
def test_reimporting_a_row_marks_its_line_as_updated() -> None:
    _import(FILE_2019)
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    Line.objects.update(updated_at=long_ago)
    _import(FILE_2019)
    assert not Line.objects.filter(updated_at=long_ago).exists()


@pytest.mark.django_db
def test_reimporting_one_row_leaves_the_other_lines_of_the_submission_alone() -> None:
    _import(FILE_2024)
    header, *rows = _text(FILE_2024).splitlines()
    q2 = next(row for row in rows if ",2024-Q2," in row)
    submissions_import(content=f"{header}\n{q2.replace(',85,', ',86,')}\n".encode(), filename="q2.csv")
    expected = EXPECTED_2024 | {("CN-0003", "FS1", "2024-Q2"): ("860", "0", "0", "0", "200", "100")}
    assert _lines() == _decimals(expected)


# --- files that are not submission files -----------------------------------------------------


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 20_000_000)
    return out.getvalue()


def _damaged_workbook() -> bytes:
    good = zipfile.ZipFile(io.BytesIO(_xlsx([list(COLUMNS), ["CN-0001"] * len(COLUMNS)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in good.infolist():
            data = good.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut off in the middle of the sheet's XML
            archive.writestr(info.filename, data)
    return out.getvalue()


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return out.getvalue()


def _garbage_without_nul() -> bytes:
    return random.Random(2024).randbytes(4096).replace(b"\x00", b"\x01")


_HEADER = ",".join(COLUMNS)
# "Café" in latin-1: 0xE9 followed by "," is invalid in UTF-8 and in GB18030 alike.
_LATIN1 = f"{_HEADER}\nCN-0001,Café,91210100MA0Y7K001D,SY1,Tiexi,Liaoning,2024,MWh,1,,,,,5,\n".encode("latin-1")
_ROW = "CN-0001,沈阳电芯,91210100MA0Y7K001D,SY1,Tiexi,Liaoning,2024,MWh,1,,,,,5,"

NOT_SUBMISSION_FILES = [
    ("empty", b"", "s.csv", "The file is empty."),
    ("blank lines", b" \r\n\r\n  \n", "s.csv", "The file is empty."),
    ("only commas", b",,,\n,,,\n", "s.csv", "The file is empty."),
    ("header only", f"{_HEADER}\n".encode(), "s.csv", "The file has a header but no rows."),
    ("utf-16 with BOM", f"{_HEADER}\n{_ROW}\n".encode("utf-16"), "s.csv", "The file is UTF-16"),
    ("utf-16 without BOM", f"{_HEADER}\n{_ROW}\n".encode("utf-16-le"), "s.csv", "not a text CSV file"),
    ("latin-1", _LATIN1, "s.csv", "encoding is not recognised"),
    (
        "BOM before GB18030",
        b"\xef\xbb\xbf" + f"{_HEADER}\n{_ROW}\n".encode("gb18030"),
        "s.csv",
        "encoding is not recognised",
    ),
    ("binary garbage", bytes(range(256)) * 16, "s.csv", "not a text CSV file"),
    ("garbage without NUL", _garbage_without_nul(), "s.csv", "encoding is not recognised"),
    ("xls (OLE2)", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "s.xls", "not a text CSV file"),
    ("CSV named .xlsx", f"{_HEADER}\n{_ROW}\n".encode(), "s.xlsx", "named .xlsx but is not an Excel workbook"),
    ("zip bomb", _zip_bomb(), "s.xlsx", "unpacks to an implausible size"),
    ("damaged zip", b"PK\x03\x04" + random.Random(1).randbytes(300), "s.xlsx", "damaged"),
    ("damaged sheet", _damaged_workbook(), "s.xlsx", "not an Excel workbook (.xlsx) that can be read"),
    ("zip that is no workbook", _plain_zip(), "s.xlsx", "not an Excel workbook (.xlsx) that can be read"),
    # A CSV syntax error is a problem of its row: tests/reliability/corpus (files 11 and 12).
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "filename", "words"),
    [case[1:] for case in NOT_SUBMISSION_FILES],
    ids=[case[0] for case in NOT_SUBMISSION_FILES],
)
def test_a_file_that_is_not_a_submission_file_is_refused_with_a_clear_message(
    content: bytes, filename: str, words: str
) -> None:
    _import(FILE_2019)
    before = _counts()
    with pytest.raises(FileRefused) as raised:
        submissions_import(content=content, filename=filename)
    assert [(p.row, p.column) for p in raised.value.problems] == [(None, None)]
    assert words in raised.value.problems[0].message
    assert _counts() == before


def test_the_zip_bomb_of_the_test_is_small_on_disk_and_huge_unpacked() -> None:
    bomb = _zip_bomb()
    unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(bomb)).infolist())
    assert len(bomb) < 100_000
    assert unpacked > 200 * len(bomb)


def test_the_latin1_file_of_the_test_is_invalid_in_utf8_and_gb18030() -> None:
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            _LATIN1.decode(encoding)


# --- the commands ----------------------------------------------------------------------------


def _bad_file(tmp_path: Path) -> Path:
    rows = _many_rows(300)
    rows[185][COLUMNS.index("bmw_share_percent")] = "120"
    rows[199][COLUMNS.index("period")] = "2024-Q5"
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv(rows))
    return path


def test_import_submissions_command_exits_non_zero_with_rows_and_columns_on_stderr(tmp_path: Path) -> None:
    # The refusal names the database's problems with the file's, so the command gets a database of its own.
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'command.sqlite3'}",
    }
    run = {"cwd": settings.BASE_DIR, "env": env, "capture_output": True, "text": True, "timeout": 300}
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input"], check=True, **run)
    completed = subprocess.run([sys.executable, "manage.py", "import_submissions", str(_bad_file(tmp_path))], **run)
    assert completed.returncode != 0
    assert "bad.csv was refused; nothing was imported. 2 problem(s):" in completed.stderr
    assert "row 187, column bmw_share_percent: must be between 0 and 100" in completed.stderr
    assert "row 201, column period: “2024-Q5” is not a period" in completed.stderr
    assert completed.stdout == ""


@pytest.mark.django_db
def test_import_submissions_command_refusal_raises_command_error_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="row 187, column bmw_share_percent"):
        call_command("import_submissions", str(_bad_file(tmp_path)), "--approve", stdout=io.StringIO())
    assert Line.objects.count() == Submission.objects.count() == Supplier.objects.count() == 0


@pytest.mark.django_db
def test_import_submissions_command_with_approve_marks_the_submissions_approved() -> None:
    out = io.StringIO()
    call_command("import_submissions", str(FILE_2019), "--approve", stdout=out)
    assert "Imported 7 line(s) from submissions-2019.csv: 7 new, 0 replaced" in out.getvalue()
    assert "approved" in out.getvalue()
    submissions = Submission.objects.all()
    assert len(submissions) == 7  # one per (supplier, period): CN-0002 has four quarters
    assert {s.status for s in submissions} == {Submission.Status.APPROVED}
    assert all(s.reviewed_at is not None and s.submitted_at is not None for s in submissions)


@pytest.mark.django_db
def test_import_submissions_command_without_approve_leaves_the_lines_waiting_for_review() -> None:
    out = io.StringIO()
    call_command("import_submissions", str(FILE_2024), stdout=out)
    assert "waiting for review" in out.getvalue()
    assert set(Submission.objects.values_list("status", flat=True)) == {Submission.Status.SUBMITTED}
    assert not Submission.objects.filter(reviewed_at__isnull=False).exists()


@pytest.mark.django_db
def test_import_submissions_command_names_a_file_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_submissions", str(tmp_path / "missing.csv"))


def _factors() -> list[tuple[str, int, Decimal, str]]:
    return list(
        EmissionFactor.objects.order_by("region", "year").values_list("region", "year", "tco2_per_mwh", "source")
    )


FACTOR_HEADER = "region,year,tco2_per_mwh,source\n"
BAD_FACTOR_FILES = [
    # A valid first row that would change a stored factor, then the bad one.
    ("bad region", "EAST,2022,0.9,changed\nMARS,2022,0.5,x\n", "row 3, column region"),
    (
        "duplicate region-year",
        "EAST,2023,0.6,a\nEAST,2023,0.7,b\n",
        "row 3, column year: EAST 2023 (average) is already in row 2",
    ),
    ("non-number", "EAST,2022,0.9,changed\nSOUTH,2023,abc,x\n", "row 3, column tco2_per_mwh: “abc” is not a number"),
    ("NaN factor", "EAST,2022,0.9,changed\nSOUTH,2023,NaN,x\n", "row 3, column tco2_per_mwh"),
    ("year not a number", "EAST,2022,0.9,changed\nSOUTH,twenty,0.5,x\n", "row 3, column year"),
    ("factor above 2", "EAST,2022,0.9,changed\nSOUTH,2023,5,x\n", "row 3, column tco2_per_mwh"),
    # Method version 2: kinds and provinces as places.
    (
        "unknown kind",
        "region,year,kind,tco2_per_mwh,source\nEAST,2022,average,0.9,changed\nEAST,2022,marginal,0.5,x\n",
        "row 3, column kind: “marginal” is not a kind of factor: average or residual",
    ),
    (
        "unknown place",
        "region,year,kind,tco2_per_mwh,source\nEAST,2022,average,0.9,changed\n999999,2022,average,0.5,x\n",
        "row 3, column region: “999999” is not the GB/T 2260 code of a province in the seven grids",
    ),
    (
        "province outside the grids",
        "region,year,kind,tco2_per_mwh,source\nEAST,2022,,0.9,changed\n810000,2022,average,0.5,x\n",
        "row 3, column region: “810000” is not the GB/T 2260 code of a province in the seven grids",
    ),
    (
        "same place, year and kind twice",
        "region,year,kind,tco2_per_mwh,source\n530000,2022,residual,0.5,a\n530000,2022,Residual,0.6,b\n",
        "row 3, column year: 530000 2022 (residual) is already in row 2",
    ),
    ("a column the format has not", "region,year,tco2_per_mwh,source,note\nEAST,2022,0.9,x,y\n", "row 1"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("replace", [False, True], ids=["update", "replace"])
@pytest.mark.parametrize(("rows", "words"), [c[1:] for c in BAD_FACTOR_FILES], ids=[c[0] for c in BAD_FACTOR_FILES])
def test_a_refused_factor_file_leaves_the_factor_table_unchanged(
    tmp_path: Path, rows: str, words: str, replace: bool
) -> None:
    call_command("import_factors", str(EXAMPLES / "factors.csv"), "--replace", stdout=io.StringIO())
    before, history = _factors(), EmissionFactor.history.count()
    assert len(before) == 16
    path = tmp_path / "factors.csv"
    path.write_text(rows if rows.startswith("region,") else FACTOR_HEADER + rows)
    with pytest.raises(CommandError) as raised:
        call_command("import_factors", str(path), *(["--replace"] if replace else []), stdout=io.StringIO())
    assert "factors.csv was refused; nothing was loaded" in str(raised.value)
    assert words in str(raised.value)
    assert _factors() == before
    assert EmissionFactor.history.count() == history


def test_xlsx_share_formatted_as_percent_and_float_noise_read_as_excel_shows_them() -> None:
    """30% in a percent-formatted cell is stored as 0.3; 0.1+0.2 is 0.30000000000000004."""
    from openpyxl import Workbook

    from suppliers.services.spreadsheets import table_read

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["supplier_code", "total_electricity", "bmw_share_percent"])
    sheet.append(["CN-1", 0.1 + 0.2, 0.3])
    sheet["C2"].number_format = "0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = table_read(content=buffer.getvalue(), filename="shares.xlsx")
    assert table.rows[0][1] == ["CN-1", "0.3", "30"]


@pytest.mark.django_db
def test_a_factor_file_with_kinds_and_provinces_loads_each_place_year_and_kind(tmp_path: Path) -> None:
    path = tmp_path / "factors.csv"
    path.write_text(
        "region,year,kind,tco2_per_mwh,source\n"
        "national,2023,average,0.5306,MEE/NBS 2023\n"
        "NATIONAL,2023,RESIDUAL,0.6096,MEE/NBS 2023 excluding market-traded non-fossil\n"
        "530000,2023,,0.1073,MEE/NBS 2023 Yunnan\n"
    )
    call_command("import_factors", str(path), "--replace", stdout=io.StringIO())
    assert set(EmissionFactor.objects.values_list("region", "year", "kind", "tco2_per_mwh")) == {
        ("NATIONAL", 2023, "average", Decimal("0.5306")),
        ("NATIONAL", 2023, "residual", Decimal("0.6096")),
        ("530000", 2023, "average", Decimal("0.1073")),
    }


@pytest.mark.django_db
def test_the_portals_default_factor_table_loads_and_names_a_source_on_every_row() -> None:
    from django.conf import settings

    default = Path(settings.BASE_DIR) / "reports" / "data" / "emission_factors.csv"
    call_command("import_factors", str(default), "--replace", stdout=io.StringIO())
    kinds = set(EmissionFactor.objects.values_list("kind", flat=True))
    assert kinds == {"average", "residual"}
    assert EmissionFactor.objects.filter(region__regex=r"^[0-9]{6}$").count() >= 90  # 30 provinces × 2021–2023
    assert set(EmissionFactor.objects.filter(kind="residual").values_list("year", "tco2_per_mwh")) == {
        (2021, Decimal("0.5942")),
        (2022, Decimal("0.5856")),
        (2023, Decimal("0.6096")),
    }
    assert not EmissionFactor.objects.filter(source="").exists()


@pytest.mark.django_db
def test_each_imported_line_has_its_history_as_stored_with_who_imported_it() -> None:
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    submissions_import(content=_csv(_many_rows(20)), filename="first.csv", approve=True, user=staff)
    rows = _many_rows(20, total=3_000_000)[:5]  # five lines again, with other figures
    submissions_import(content=_csv(rows), filename="second.csv", approve=True, user=staff)

    history = Line.history.model.objects.order_by("history_id")
    assert history.count() == 25
    assert sorted(history.values_list("history_type", flat=True)) == ["+"] * 20 + ["~"] * 5
    assert set(history.values_list("history_user_id", flat=True)) == {staff.pk}
    for line in Line.objects.all():
        newest = history.filter(id=line.pk).last()
        # The newest history row holds the line as stored, every field of it.
        assert (newest.submission_id, newest.site_id, newest.entered_values) == (
            line.submission_id, line.site_id, line.entered_values,
        )  # fmt: skip
        assert newest.total_electricity_mwh == line.total_electricity_mwh
        assert newest.irec_mwh == line.irec_mwh
        assert newest.updated_at == line.updated_at
    replaced = Line.objects.get(site__code="S0", submission__supplier__code="CN-1000")
    assert replaced.total_electricity_mwh == Decimal("3000")  # 3,000,000 kWh
    assert history.filter(id=replaced.pk).count() == 2


@pytest.mark.django_db
def test_a_file_longer_than_a_write_chunk_is_written_whole_chunk_by_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    from suppliers.services.imports import writing

    monkeypatch.setattr(writing, "WRITE_CHUNK", 7)  # 50 rows: seven full chunks and one of one row
    submissions_import(content=_csv(_many_rows(50)), filename="first.csv", approve=True)
    again = _many_rows(50, total=2_000_000)[10:40]  # 30 lines replaced, across five chunks
    result = submissions_import(content=_csv(again), filename="second.csv", approve=True)

    assert (result.lines_created, result.lines_replaced) == (0, 30)
    assert Line.objects.count() == 50
    assert Line.history.count() == 80
    totals = {(line.site.supplier.code, line.site.code): line.total_electricity_mwh for line in Line.objects.all()}
    for i in range(50):
        expected = Decimal(2_000_000 + i) / 1000 if 10 <= i < 40 else Decimal(1_000_000 + i) / 1000
        assert totals[(f"CN-{1000 + i // 10}", f"S{i % 10}")] == expected, i
    # Each tenth row claims an I-REC batch: every line keeps exactly its own claim, replaced or not.
    claims = sorted(CertificateClaim.objects.values_list("line__site__supplier__code", "line__site__code", "batch_id"))
    assert claims == [(f"CN-{1000 + i // 10}", "S0", f"IREC-{i}") for i in range(0, 50, 10)]


def test_the_claims_and_ranges_of_replaced_lines_are_deleted_in_one_statement() -> None:
    """No receiver of a claim's or a range's delete signals: Django would otherwise load and delete,
    one by one, what an import that replaces lines deletes with one statement."""
    from django.db.models.deletion import Collector

    collector = Collector(using="default")
    assert collector.can_fast_delete(CertificateClaim.objects.none())
    assert collector.can_fast_delete(CertificateRange.objects.none())
