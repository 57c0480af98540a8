"""A report Document written as PDF (reportlab, charts drawn by reportlab.graphics).

The PDF and the XLSX writer (reports.documents.xlsx) draw the same blocks, so both formats carry
the same figures. The PDF is A4 for a reader: a title, key figures, bar charts with labelled axes,
tables that fit the page width (long ones cut short, the XLSX holding every row).

Every font is embedded (as a subset of the glyphs used), so a viewer without Asian font packs
shows the Chinese report: Latin text in Bitstream Vera, which reportlab ships, and runs of
Chinese characters in WenQuanYi Micro Hei, the Debian package fonts-wqy-microhei
(reportlab embeds TrueType outlines only: Noto CJK's are CFF). reportlab's built-in CID font
STSong-Light is never used: it is named, not embedded, and a plain poppler shows it blank.
"""

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from reports.documents.charts import axis_for
from reports.documents.document import CJK_RUN, Block, Chart, Column, Document, Heading, KeyFigures, Table, Text, Value
from reports.documents.document import NUMERIC_KINDS as NUMERIC
from reports.documents.numbers import figure_text

LATIN_FONT, LATIN_BOLD_FONT = "PortalSans", "PortalSans-Bold"
LATIN_FONT_FILES = {LATIN_FONT: "Vera.ttf", LATIN_BOLD_FONT: "VeraBd.ttf"}  # in reportlab's fonts/
CJK_FONT = "PortalCJK"
CJK_FONT_PACKAGE = "fonts-wqy-microhei"
CJK_FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # where Debian's package puts it
GREEN = colors.HexColor("#198754")
DARK_GREEN = colors.HexColor("#0f5132")
LIGHT_GREEN = colors.HexColor("#e8f3ec")
GREY = colors.HexColor("#6c757d")
RULE = colors.HexColor("#dee2e6")
# Approved, awaiting review, in progress, not started; or computed, published.
PALETTE = [GREEN, colors.HexColor("#0d6efd"), colors.HexColor("#ffc107"), colors.HexColor("#adb5bd")]
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN


class ReportFontMissing(ImproperlyConfigured):
    """The CJK font the PDF reports embed is not installed."""


@cache
def _register_fonts() -> None:
    fonts_folder = Path(reportlab.__file__).parent / "fonts"
    for name, filename in LATIN_FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(fonts_folder / filename)))
    if not CJK_FONT_PATH.is_file():
        raise ReportFontMissing(
            f"The PDF reports embed the Chinese font {CJK_FONT_PATH}, which is missing: "
            f"install the Debian package {CJK_FONT_PACKAGE} (apt-get install {CJK_FONT_PACKAGE})."
        )
    pdfmetrics.registerFont(TTFont(CJK_FONT, str(CJK_FONT_PATH), subfontIndex=0))
    # <b> in Paragraph markup looks a font up in its family: Vera has a bold face, Micro Hei none.
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(LATIN_FONT, bold, italic, LATIN_BOLD_FONT if bold else LATIN_FONT)
            addMapping(CJK_FONT, bold, italic, CJK_FONT)


class _Fonts:
    """Vera for Latin text, Micro Hei for runs of Chinese characters, whatever the language: Vera
    has no Chinese, and Latin text keeps one look in both languages."""

    regular = LATIN_FONT
    bold = LATIN_BOLD_FONT

    def __init__(self) -> None:
        _register_fonts()

    def markup(self, text: str) -> str:
        """Escaped Paragraph markup, with the Chinese runs in the CJK font."""
        return CJK_RUN.sub(lambda run: f'<font name="{CJK_FONT}">{run.group(0)}</font>', escape(text))

    def runs(self, text: str, *, bold: bool = False) -> list[tuple[str, str]]:
        """(text, font) pieces of a line, for drawing it on a canvas or in a chart."""
        pieces, position = [], 0
        latin = self.bold if bold else self.regular
        for run in CJK_RUN.finditer(text):
            if run.start() > position:
                pieces.append((text[position : run.start()], latin))
            pieces.append((run.group(0), CJK_FONT))
            position = run.end()
        if position < len(text):
            pieces.append((text[position:], latin))
        return pieces

    def width(self, text: str, size: float, *, bold: bool = False) -> float:
        return sum(pdfmetrics.stringWidth(piece, font, size) for piece, font in self.runs(text, bold=bold))

    def for_labels(self, labels: list[str]) -> str:
        """One font for labels reportlab draws itself (axis ticks, legend): CJK if any needs it."""
        return CJK_FONT if any(CJK_RUN.search(label) for label in labels) else self.regular

    def string(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        *,
        anchor: str = "start",
        bold: bool = False,
        colour: colors.Color = GREY,
    ) -> Group:
        """A line of mixed Latin and Chinese text for a drawing, anchored at its start, middle or end."""
        total = self.width(text, size, bold=bold)
        left = x - {"start": 0, "middle": total / 2, "end": total}[anchor]
        group = Group()
        for piece, font in self.runs(text, bold=bold):
            group.add(String(left, y, piece, fontName=font, fontSize=size, fillColor=colour))
            left += pdfmetrics.stringWidth(piece, font, size)
        return group

    def draw(self, canvas: Canvas, x: float, y: float, text: str, size: float, *, anchor: str = "start") -> None:
        """The same on a page's canvas (running head and foot)."""
        total = self.width(text, size)
        left = x - {"start": 0, "middle": total / 2, "end": total}[anchor]
        for piece, font in self.runs(text):
            canvas.setFont(font, size)
            canvas.drawString(left, y, piece)
            left += pdfmetrics.stringWidth(piece, font, size)


def cell_text(value: Value, column: Column) -> str:
    """A value as the PDF shows it, in the active language's number format."""
    if value is None:
        return "—"
    if isinstance(value, date):
        return value.isoformat()
    if column.kind == "year":
        return str(value)
    if column.kind == "integer" and isinstance(value, int | Decimal):
        return figure_text(value, 0)
    if column.kind in ("number", "percent") and isinstance(value, int | Decimal):
        text = figure_text(value, column.decimals)
        return f"{text} %" if column.kind == "percent" else text
    return str(value)


# --- PDF ----------------------------------------------------------------------------------------


class _Styles:
    def __init__(self, fonts: _Fonts) -> None:
        leading = 1.35
        self.title = ParagraphStyle("title", fontName=fonts.bold, fontSize=19, leading=24, textColor=DARK_GREEN)
        self.subtitle = ParagraphStyle(
            "subtitle", fontName=fonts.regular, fontSize=10, leading=14, textColor=GREY, spaceAfter=10
        )
        self.heading = ParagraphStyle(
            "heading",
            fontName=fonts.bold,
            fontSize=13,
            leading=17,
            textColor=DARK_GREEN,
            spaceBefore=12,
            spaceAfter=5,
            keepWithNext=1,
        )
        self.body = ParagraphStyle("body", fontName=fonts.regular, fontSize=9.5, leading=9.5 * leading, spaceAfter=6)
        self.note = ParagraphStyle(
            "note", fontName=fonts.regular, fontSize=8, leading=8 * leading, textColor=GREY, spaceAfter=6
        )
        self.cell = ParagraphStyle("cell", fontName=fonts.regular, fontSize=8, leading=10)
        self.cell_number = ParagraphStyle("cell_number", parent=self.cell, alignment=TA_RIGHT)
        self.header = ParagraphStyle("header", fontName=fonts.bold, fontSize=8, leading=10, textColor=colors.white)
        self.header_number = ParagraphStyle("header_number", parent=self.header, alignment=TA_RIGHT)
        self.figure_label = ParagraphStyle("figure_label", fontName=fonts.regular, fontSize=9.5, leading=12)
        self.figure_value = ParagraphStyle(
            "figure_value", fontName=fonts.bold, fontSize=11, leading=13, alignment=TA_RIGHT, textColor=DARK_GREEN
        )
        self.figure_note = ParagraphStyle(
            "figure_note", fontName=fonts.regular, fontSize=7.5, leading=9.5, textColor=GREY
        )


def _table_flowables(table: Table, fonts: _Fonts, styles: _Styles) -> list:
    rows = table.rows if table.pdf_rows is None else table.rows[: table.pdf_rows]
    if not table.rows:
        return [Paragraph(fonts.markup(table.empty_note), styles.body)] if table.empty_note else []
    total = sum(column.width for column in table.columns)
    widths = [FRAME_WIDTH * table.page_share * column.width / total for column in table.columns]
    data = [
        [
            Paragraph(fonts.markup(c.label), styles.header_number if c.kind in NUMERIC else styles.header)
            for c in table.columns
        ]
    ]
    for row in rows:
        data.append(
            [
                Paragraph(
                    fonts.markup(cell_text(value, column)),
                    styles.cell_number if column.kind in NUMERIC else styles.cell,
                )
                for value, column in zip(row, table.columns, strict=True)
            ]
        )
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.regular),  # a table's own default is Helvetica, never embedded
        ("BACKGROUND", (0, 0), (-1, 0), GREEN),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    commands += [("BACKGROUND", (0, i), (-1, i), LIGHT_GREEN) for i in range(2, len(data), 2)]
    flowables = [PdfTable(data, colWidths=widths, repeatRows=1, style=TableStyle(commands), hAlign="LEFT")]
    left_out = len(table.rows) - len(rows)
    if left_out and table.more_note:
        flowables.append(Paragraph(fonts.markup(table.more_note % {"count": left_out}), styles.note))
    flowables.append(Spacer(1, 6))
    return flowables


def _key_figures_flowable(block: KeyFigures, fonts: _Fonts, styles: _Styles) -> PdfTable:
    data = []
    for figure in block.figures:
        column = Column("", figure.kind, figure.decimals)
        value = cell_text(figure.value, column)
        if figure.value is not None and figure.unit and figure.kind != "percent":
            value = f"{value} {figure.unit}"
        data.append(
            [
                Paragraph(fonts.markup(figure.label), styles.figure_label),
                Paragraph(fonts.markup(value), styles.figure_value),
                Paragraph(fonts.markup(figure.note), styles.figure_note),
            ]
        )
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.regular),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LINEABOVE", (0, 0), (-1, 0), 1.2, GREEN),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    widths = [FRAME_WIDTH * 0.38, FRAME_WIDTH * 0.27, FRAME_WIDTH * 0.35]
    return PdfTable(data, colWidths=widths, style=TableStyle(commands), hAlign="LEFT")


def _axis_format(ticks: list[Decimal], values: list[Decimal]) -> Callable[[float], str]:
    """Numbers with as many decimals as the axis's ticks need (none for 0, 2, 4; one for 2.5).

    reportlab draws with floats and hands a label the float of a tick or a bar; the label is the
    Decimal that float was made from (the nearest of the ticks and values), never the float."""
    decimals = max((max(-tick.normalize().as_tuple().exponent, 0) for tick in ticks), default=0)
    known = [*ticks, *values]
    exact = {float(value): value for value in known}

    def formatted(value: float) -> str:
        drawn = exact.get(value)
        if drawn is None:
            drawn = min(known, key=lambda candidate: abs(float(candidate) - value))
        return figure_text(drawn, decimals)

    return formatted


def _rotated(group: Group, x: float, y: float) -> Group:
    """A label turned to read bottom to top (a vertical axis's title), centred on (x, y)."""
    turned = Group(group)
    turned.transform = (0, 1, -1, 0, x, y)
    return turned


def _chart_drawing(chart: Chart, fonts: _Fonts) -> Drawing:
    """A bar chart with a title, a legend for more than one series, and both axes labelled."""
    categories = list(chart.categories)
    series = [list(s.values) for s in chart.series]
    if chart.horizontal:  # reportlab draws the first category at the bottom; a reader expects it on top
        categories.reverse()
        series = [list(reversed(values)) for values in series]
    if chart.stacked:
        axis = axis_for([sum(v for v in values if v is not None) for values in zip(*series, strict=True)])
    else:
        axis = axis_for([value for values in series for value in values if value is not None])
    label_size = 7.5
    label_font = fonts.for_labels(categories)
    bands = len(categories) * (1 if chart.stacked else len(series))
    width = FRAME_WIDTH
    legend_height = 16 if len(series) > 1 else 0
    if chart.horizontal:
        label_width = max(pdfmetrics.stringWidth(c, label_font, label_size) for c in categories)
        left = min(max(label_width + 26, 70), 190)
        height = max(130, 70 + legend_height + bands * 15 + len(categories) * 6)
        bar_chart = HorizontalBarChart()
        bar_chart.x, bar_chart.y = left, 40
        # Room on the right for the longest bar's value label.
        bar_chart.width, bar_chart.height = width - left - 40, height - 40 - 26 - legend_height
    else:
        height = 200 + legend_height
        bar_chart = VerticalBarChart()
        bar_chart.x, bar_chart.y = 62, 46
        bar_chart.width, bar_chart.height = width - 62 - 10, height - 46 - 28 - legend_height
    # Floats for drawing positions only; None leaves a gap (no published figure that year).
    bar_chart.data = [[None if v is None else float(v) for v in values] for values in series]
    category_axis = bar_chart.categoryAxis
    category_axis.categoryNames = categories
    category_axis.labels.fontName, category_axis.labels.fontSize = label_font, label_size
    category_axis.strokeColor = GREY
    # The category axis runs through zero; its labels stay at the low end, clear of negative bars.
    category_axis.joinAxisMode, category_axis.joinAxisPos, category_axis.labelAxisMode = "value", 0, "low"
    if chart.stacked:
        category_axis.style = "stacked"
    value_axis = bar_chart.valueAxis
    value_axis.valueMin, value_axis.valueMax = float(axis.low), float(axis.high)
    value_axis.valueSteps = [float(tick) for tick in axis.ticks]
    value_axis.labelTextFormat = _axis_format(list(axis.ticks), [])
    value_axis.labels.fontName, value_axis.labels.fontSize = fonts.regular, label_size
    value_axis.strokeColor = GREY
    value_axis.visibleGrid = 1
    value_axis.gridStrokeColor, value_axis.gridStrokeWidth = RULE, 0.5
    bar_chart.barSpacing, bar_chart.groupSpacing = 1, 8
    bar_chart.bars.strokeColor = None
    for index in range(len(series)):
        bar_chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
    if not chart.stacked and bands <= 10:  # few bars: each one says its value
        bar_chart.barLabelFormat = _axis_format(
            list(axis.ticks), [v for s in chart.series for v in s.values if v is not None]
        )
        bar_chart.barLabels.fontName, bar_chart.barLabels.fontSize = fonts.regular, 6.5
        bar_chart.barLabels.fillColor = GREY
        if chart.horizontal:
            bar_chart.barLabels.boxAnchor, bar_chart.barLabels.dx, bar_chart.barLabels.boxTarget = "w", 3, "hi"
        else:
            bar_chart.barLabels.nudge = 7
    drawing = Drawing(width, height)
    drawing.initialFontName = fonts.regular  # not reportlab's Helvetica, which is never embedded
    drawing.add(bar_chart)
    drawing.add(fonts.string(0, height - 13, chart.title, 9.5, bold=True, colour=DARK_GREEN))
    if len(series) > 1:
        legend = Legend()
        legend.x, legend.y = 0, height - 24
        legend.alignment = "right"
        legend.columnMaximum = 1  # one item per column: the legend is a row
        legend.deltax, legend.dxTextSpace, legend.dx, legend.dy = 10, 4, 7, 7
        legend.fontName = fonts.for_labels([s.label for s in chart.series])
        legend.fontSize = 7.5
        legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], s.label) for i, s in enumerate(chart.series)]
        drawing.add(legend)
    # Axis titles: the value axis's along it, the category axis's beside its labels.
    middle_y = bar_chart.y + bar_chart.height / 2
    middle_x = bar_chart.x + bar_chart.width / 2
    if chart.horizontal:
        drawing.add(fonts.string(middle_x, 6, chart.value_axis, 8, anchor="middle"))
        drawing.add(_rotated(fonts.string(0, 0, chart.category_axis, 8, anchor="middle"), 9, middle_y))
    else:
        drawing.add(_rotated(fonts.string(0, 0, chart.value_axis, 8, anchor="middle"), 9, middle_y))
        drawing.add(fonts.string(middle_x, 8, chart.category_axis, 8, anchor="middle"))
    return drawing


def _page_canvas(document: Document, fonts: _Fonts) -> type[Canvas]:
    """A canvas that writes the running head and "page n of m" once the page count is known."""
    heading = gettext("Green electricity portal")
    demo = gettext("Invented demo data") if settings.PORTAL_DEMO else ""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for page in self._pages:
                self.__dict__.update(page)
                self._decorate(len(self._pages))
                super().showPage()
            super().save()

        def _decorate(self, pages: int) -> None:
            self.saveState()
            self.setStrokeColor(RULE)
            self.setFillColor(GREY)
            top, bottom = PAGE_HEIGHT - MARGIN + 8, MARGIN - 16
            fonts.draw(self, MARGIN, top, heading, 7.5)
            fonts.draw(self, PAGE_WIDTH - MARGIN, top, document.title, 7.5, anchor="end")
            self.line(MARGIN, top - 4, PAGE_WIDTH - MARGIN, top - 4)
            self.line(MARGIN, bottom + 10, PAGE_WIDTH - MARGIN, bottom + 10)
            fonts.draw(self, MARGIN, bottom, document.footer, 7)
            page_label = gettext("Page %(page)d of %(pages)d") % {"page": self._pageNumber, "pages": pages}
            fonts.draw(self, PAGE_WIDTH - MARGIN, bottom, page_label, 7, anchor="end")
            if demo:
                self.setFillColor(colors.HexColor("#b02a37"))
                fonts.draw(self, PAGE_WIDTH / 2, top, demo, 7.5, anchor="middle")
            self.restoreState()

    return NumberedCanvas


def _flowables(block: Block, fonts: _Fonts, styles: _Styles) -> list:
    if isinstance(block, Heading):
        heading = Paragraph(fonts.markup(block.text), styles.heading)
        return [PageBreak(), heading] if block.new_page else [heading]
    if isinstance(block, Text):
        return [Paragraph(fonts.markup(block.text), styles.note if block.note else styles.body)]
    if isinstance(block, KeyFigures):
        return [_key_figures_flowable(block, fonts, styles), Spacer(1, 8)]
    if isinstance(block, Chart):
        return [_chart_drawing(block, fonts), Spacer(1, 8)]
    if isinstance(block, Table):
        return [] if block.pdf_rows == 0 else _table_flowables(block, fonts, styles)
    raise TypeError(block)


def pdf_bytes(document: Document) -> bytes:
    """The document as an A4 PDF."""
    fonts = _Fonts()
    styles = _Styles(fonts)
    story: list = [
        Paragraph(fonts.markup(document.title), styles.title),
        Paragraph(fonts.markup(document.subtitle), styles.subtitle),
    ]
    for block in document.blocks:
        story += _flowables(block, fonts, styles)
    output = io.BytesIO()
    pdf = SimpleDocTemplate(
        output,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 6,
        bottomMargin=MARGIN,
        title=document.title,
        author=gettext("Green electricity portal"),
        lang=document.language,
        # reportlab starts every page in Helvetica, which is never embedded: start in our own font.
        initialFontName=LATIN_FONT,
    )
    pdf.build(story, canvasmaker=_page_canvas(document, fonts))
    return output.getvalue()
