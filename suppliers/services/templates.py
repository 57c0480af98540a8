"""The Excel template a supplier downloads, fills in and uploads again.

The first sheet is the submission file of interfaces.md (the importer reads the sheet shown when the
file was saved, never the instructions), with
the supplier's code, name, USCC and sites filled in for each period they can report now; the
second sheet explains every column in English and Simplified Chinese, since the workbook is
passed around in the supplier's company, whatever language the portal was shown in.
"""

import io

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from suppliers.models import ReportingPeriod, Site, Submission, Supplier
from suppliers.provinces import PROVINCES_BY_CODE
from suppliers.services.imports import COLUMNS, FIRST_SIGHT_COLUMNS, GREEN_COLUMNS, REQUIRED_COLUMNS
from suppliers.services.spreadsheets import INSTRUCTIONS_SHEET_TITLE
from suppliers.units import EnergyUnit

DATA_SHEET_TITLE = "Data 数据"
# Validation lists, formats and widths reach this far below the pre-filled rows.
EMPTY_ROWS = 500

# Kept as text: Excel must not turn a code into a number or 2024-03 into a date.
TEXT_COLUMNS = ("supplier_code", "uscc", "site_code", "period", "certificate_ids", "gec_serials", "irec_serials")
QUANTITY_COLUMNS = ("total_electricity", *GREEN_COLUMNS)
QUANTITY_FORMAT = "#,##0.00"
SHARE_FORMAT = "0.00"
WIDTHS = {
    "supplier_name": 28,
    "uscc": 22,
    "site_name": 24,
    "certificate_ids": 36,
    "gec_serials": 44,
    "irec_serials": 44,
}

# (column, English, Chinese): what each column holds, in both languages.
COLUMN_HELP: tuple[tuple[str, str, str], ...] = (
    ("supplier_code", "Your supplier code. Filled in; do not change it.", "供应商代码。已预先填写，请勿修改。"),
    (
        "supplier_name",
        "Your company's name, in Chinese or English. Filled in.",
        "公司名称，中文或英文均可。已预先填写。",
    ),
    (
        "uscc",
        "Your 18-character Unified Social Credit Code. Filled in; it must match the code on record.",
        "18 位统一社会信用代码。已预先填写，须与系统记录一致。",
    ),
    ("site_code", "The site's code, unique within your company.", "厂区代码，在贵公司内唯一。"),
    ("site_name", "The site's name, as on record. Filled in.", "厂区名称，与系统记录一致。已预先填写。"),
    (
        "province",
        "The site's province: English or Chinese name, or GB/T 2260 code (e.g. 320000). Filled in; it must match "
        "the record.",
        "厂区所在省份：中文或英文名称，或 GB/T 2260 行政区划代码（如 320000）。已预先填写，须与系统记录一致。",
    ),
    (
        "period",
        "The period: a year 2024, a quarter 2024-Q2 or a month 2024-03.",
        "报告期：年度 2024、季度 2024-Q2 或月度 2024-03。",
    ),
    (
        "unit",
        "kWh, MWh, GWh or 万kWh (10,000 kWh = 10 MWh). Applies to every quantity in the row.",
        "kWh、MWh、GWh 或 万kWh（1 万kWh = 10 MWh）。适用于本行的所有电量。",
    ),
    ("total_electricity", "All the electricity the site used in the period.", "该厂区在报告期内的总用电量。"),
    (
        "onsite_renewable",
        "Renewable electricity generated on site (e.g. rooftop solar) and used there. Blank = 0.",
        "厂区自建可再生能源（如屋顶光伏）发电并自用的电量。留空按 0 计。",
    ),
    (
        "green_power_trading",
        "Green electricity bought through green power trading or a PPA. Blank = 0.",
        "通过绿电交易或购电协议（PPA）购买的绿色电力。留空按 0 计。",
    ),
    (
        "gec",
        "Electricity covered by China Green Electricity Certificates (GEC, 1 certificate = 1 MWh). Blank = 0.",
        "中国绿色电力证书（绿证，GEC，1 张 = 1 MWh）对应的电量。留空按 0 计。",
    ),
    ("irec", "Electricity covered by I-REC certificates. Blank = 0.", "I-REC 证书对应的电量。留空按 0 计。"),
    (
        "bmw_share_percent",
        "The share of the site's output that goes to BMW, from 0 to 100 (write 35 for 35 %).",
        "该厂区产出中供应宝马（BMW）的比例，0 至 100（35% 请填写 35）。",
    ),
    (
        "certificate_ids",
        "The batch IDs of the GEC or I-REC certificates behind the row, separated by ; "
        "(e.g. GEC-2024-LN-000117;GEC-2024-LN-000118). Required when gec or irec is above 0.",
        "本行所用绿证（GEC）或 I-REC 证书的批次编号，以分号 ; 分隔"
        "（例如 GEC-2024-LN-000117;GEC-2024-LN-000118）。gec 或 irec 大于 0 时必填。",
    ),
    (
        "gec_serials",
        "The serials of the GECs behind gec, as in the GEC platform's transfer record: single serials and "
        "ranges FIRST~LAST separated by ; (e.g. GEC-0210-2025-001001~GEC-0210-2025-004000 is 3,000 MWh). "
        "Their count must equal gec in MWh. Give serials or certificate_ids, not both.",
        "gec 对应绿证的编号，按绿证交易平台的划转记录填写：单个编号或编号区间 起始~结束，以分号 ; 分隔"
        "（例如 GEC-0210-2025-001001~GEC-0210-2025-004000 为 3,000 MWh）。张数须等于 gec 的兆瓦时数。"
        "编号与 certificate_ids 二选一。",
    ),
    (
        "irec_serials",
        "The serials of the I-RECs behind irec, as on the redemption statement (same form as gec_serials). "
        "I-RECs count only up to the 2024 consumption year; from 2025 only GECs count in China.",
        "irec 对应 I-REC 证书的编号，按注销声明填写（格式同 gec_serials）。I-REC 仅计入 2024 年及以前的用电；"
        "自 2025 年起，在中国只计绿证（GEC）。",
    ),
)

# (English, Chinese): how to fill in the file.
GENERAL_HELP: tuple[tuple[str, str], ...] = (
    (
        f"Fill in one row per site and period on the first sheet, “{DATA_SHEET_TITLE}”. The portal reads the sheet "
        "shown when you save the file (never a hidden sheet, nor these instructions). Keep its header row as it "
        "is, add no rows above it and no columns, and do not merge cells.",
        f"请在第一个工作表“{DATA_SHEET_TITLE}”中为每个厂区的每个报告期填写一行。系统读取保存文件时显示的工作表"
        "（不读取隐藏的工作表，也不读取本说明）。表头行请勿修改，不要在表头上方插入行，不要增加列，也不要合并单元格。",
    ),
    (
        "Your supplier code, name, USCC and sites are filled in for each open period you have not yet submitted. "
        "Delete the rows of periods or sites you do not report now: a row without figures is an error.",
        "供应商代码、名称、统一社会信用代码和厂区已按尚未提交的开放报告期预先填写。"
        "请删除本次不报告的报告期或厂区所在的行：没有填写数据的行会被视为错误。",
    ),
    (
        "The upload changes your figures only. To report a site that is not listed, or to change a site's or your "
        "company's name, ask the portal's staff first (give them the site's code, name and province); a row of a "
        "new site or with another name is refused.",
        "上传文件只能修改填报数据。如需报告未列出的厂区，或修改厂区或公司名称，请先联系门户网站工作人员"
        "（提供厂区代码、名称和省份）；新厂区的行或名称不一致的行会被拒绝。",
    ),
    (
        "Periods: a year (2024), a quarter (2024-Q2) or a month (2024-03). The periods of one site must not "
        "overlap: the same site cannot have both 2024 and 2024-Q2.",
        "报告期：年度（2024）、季度（2024-Q2）或月度（2024-03）。同一厂区的报告期不得重叠："
        "同一厂区不能同时填写 2024 和 2024-Q2。",
    ),
    (
        "Units: kWh, MWh, GWh or 万kWh (10,000 kWh = 10 MWh). The unit applies to every quantity in its row.",
        "单位：kWh、MWh、GWh 或 万kWh（1 万kWh = 10 MWh）。所选单位适用于该行的所有电量。",
    ),
    (
        "Quantities are numbers of 0 or more; thousands separators (1,234.5) are accepted. A blank green "
        "quantity counts as 0. The green quantities together must not exceed total_electricity.",
        "电量须为不小于 0 的数字，可使用千位分隔符（如 1,234.5）。绿电各项留空按 0 计。"
        "各项绿电之和不得超过总用电量 total_electricity。",
    ),
    (
        "bmw_share_percent is a percentage from 0 to 100: write 35 for 35 %.",
        "bmw_share_percent 为 0 至 100 的百分数：35% 请填写 35。",
    ),
    (
        "certificate_ids: certificate batch IDs separated by ; (semicolon). Required when gec or irec is above 0.",
        "certificate_ids：证书批次编号，以分号 ; 分隔。gec 或 irec 大于 0 时必填。",
    ),
    (
        "The whole file is checked before anything is saved. If one value is wrong, the whole file is refused "
        "and the portal lists every row and column to correct. Nothing is saved until you confirm the preview.",
        "上传后系统会先检查整个文件。只要有一个数值有误，整个文件都会被拒绝，"
        "系统会列出所有需要更正的行和列。在您确认预览之前，不会保存任何数据。",
    ),
    (
        "Uploaded figures are saved as a draft: submit each period from its page in the portal. A period already "
        "submitted or approved cannot be changed by an upload; ask the staff to return it to you.",
        "上传的数据保存为草稿，请在门户网站中对应报告期的页面提交。已提交或已审核通过的报告期不能通过上传修改，"
        "如需修改请联系工作人员退回。",
    ),
    (
        "Save the file as an Excel workbook (.xlsx) or as CSV (UTF-8 or GBK).",
        "请将文件保存为 Excel 工作簿（.xlsx）或 CSV 文件（UTF-8 或 GBK 编码）。",
    ),
)


def _required(column: str) -> str:
    if column in REQUIRED_COLUMNS:
        return "yes / 是"
    if column in FIRST_SIGHT_COLUMNS:
        return "filled in, as on record / 已预先填写，与记录一致"
    if column == "certificate_ids":
        return "with gec or irec / 有 gec 或 irec 时"
    if column in ("gec_serials", "irec_serials"):
        return "instead of certificate_ids / 可代替 certificate_ids"
    return "no, blank = 0 / 否，留空按 0 计"


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="C6E0B4")
_FILLED_IN_FILL = PatternFill("solid", fgColor="EDEDED")  # what the portal filled in, to tell it from input
_WRAP = Alignment(wrap_text=True, vertical="top")


def _template_periods(supplier: Supplier) -> list[str]:
    """The periods that still need a submission from the supplier: open ones, less those it has
    already submitted or that were approved. None when there is nothing to report now."""
    claimed = Submission.objects.filter(supplier=supplier, status__in=Submission.CLAIMING_STATUSES)
    periods = (
        ReportingPeriod.objects.filter(is_open=True)
        .exclude(pk__in=claimed.values("period_id"))
        .order_by("year", "first_month", "last_month")
    )
    return [period.code for period in periods]


def _text(cell: Cell, value: str) -> None:
    """A literal text cell: a name starting with "=" must not become a formula."""
    cell.value = value
    cell.data_type = "s"
    cell.number_format = "@"


def _data_sheet(sheet: Worksheet, supplier: Supplier, sites: list[Site], periods: list[str]) -> None:
    sheet.title = DATA_SHEET_TITLE
    help_by_column = {column: (english, chinese) for column, english, chinese in COLUMN_HELP}
    for number, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=number)
        _text(cell, column)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        english, chinese = help_by_column[column]
        cell.comment = Comment(f"{english}\n{chinese}\n({_required(column)})", "Portal", width=320, height=160)
        letter = get_column_letter(number)
        dimension = sheet.column_dimensions[letter]
        dimension.width = WIDTHS.get(column, max(14, len(column) + 4))
        # Column styles: what Excel applies to a cell the supplier types into.
        if column in TEXT_COLUMNS:
            dimension.number_format = "@"
        elif column in QUANTITY_COLUMNS:
            dimension.number_format = QUANTITY_FORMAT
        elif column == "bmw_share_percent":
            dimension.number_format = SHARE_FORMAT

    filled_in = {
        "supplier_code": supplier.code,
        "supplier_name": supplier.name_zh or supplier.name_en,
        "uscc": supplier.uscc,
    }
    # With no period to report, the sheet is the header alone: no row asks for figures nobody wants.
    rows = [
        filled_in
        | {
            "site_code": site.code,
            "site_name": site.name,
            "province": PROVINCES_BY_CODE[site.province].name_zh_official,
            "period": period,
        }
        for period in periods
        for site in sites
    ] or [filled_in | {"period": period} for period in periods]
    for row_number, values in enumerate(rows, start=2):
        for number, column in enumerate(COLUMNS, start=1):
            if values.get(column):
                cell = sheet.cell(row=row_number, column=number)
                _text(cell, values[column])
                cell.fill = _FILLED_IN_FILL

    last_row = len(rows) + 1 + EMPTY_ROWS
    letters = {column: get_column_letter(number) for number, column in enumerate(COLUMNS, start=1)}
    units = DataValidation(
        type="list",
        formula1='"' + ",".join(EnergyUnit.values) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Unit / 单位",
        error="Choose kWh, MWh, GWh or 万kWh. / 请选择 kWh、MWh、GWh 或 万kWh。",
    )
    units.add(f"{letters['unit']}2:{letters['unit']}{last_row}")
    quantities = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Quantity / 电量",
        error="A number of 0 or more. / 请填写不小于 0 的数字。",
    )
    for column in QUANTITY_COLUMNS:
        quantities.add(f"{letters[column]}2:{letters[column]}{last_row}")
    share = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Share / 比例",
        error="A percentage from 0 to 100 (35 for 35 %). / 请填写 0 至 100 的百分数（35% 填 35）。",
    )
    share.add(f"{letters['bmw_share_percent']}2:{letters['bmw_share_percent']}{last_row}")
    for validation in (units, quantities, share):
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"


def _instructions_sheet(sheet: Worksheet) -> None:
    sheet.title = INSTRUCTIONS_SHEET_TITLE
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["C"].width = 70
    sheet.column_dimensions["D"].width = 60
    sheet.append(["Instructions", "", "How to fill in the submission file", "填写说明：如何填写提交文件"])
    for cell in sheet[1]:
        cell.font = Font(bold=True, size=13)
    sheet.append([])
    for english, chinese in GENERAL_HELP:
        sheet.append(["", "", english, chinese])
    sheet.append([])
    sheet.append(["Column / 列", "Required / 必填", "Meaning", "说明"])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for column, english, chinese in COLUMN_HELP:
        sheet.append([column, _required(column), english, chinese])
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = _WRAP


def submission_template_build(*, supplier: Supplier) -> bytes:
    """The template as XLSX bytes: the data sheet first, then the bilingual instructions."""
    sites = list(Site.objects.filter(supplier=supplier).order_by("code"))
    workbook = Workbook()
    _data_sheet(workbook.active, supplier, sites, _template_periods(supplier))
    _instructions_sheet(workbook.create_sheet())
    workbook.active = 0
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
