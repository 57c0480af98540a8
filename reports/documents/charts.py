"""Charts drawn on the server as SVG markup: no JavaScript, nothing fetched by the browser.

Plain Python on plain values, like the calculation engine: the caller passes the numbers, the
translated labels and a function that formats a number for the reader's locale. Every piece of
text is escaped, so a label cannot inject markup; the result is safe to insert in a page.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from html import escape

BAR_COLOUR = "#198754"
LINE_COLOUR = "#0d6efd"
AXIS_COLOUR = "#6c757d"
GRID_COLOUR = "#dee2e6"


def plain_number(value: Decimal) -> str:
    """1234.5 → '1234.5', 2.5E+3 → '2500': the default when the caller gives no locale format."""
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class Axis:
    """A value axis: its lowest and highest value and the values where ticks are drawn."""

    low: Decimal
    high: Decimal
    ticks: tuple[Decimal, ...]


def _tidy(value: Decimal) -> Decimal:
    """5E+2 → 500, 0.50 → 0.5: a tick value without a stray exponent or trailing zeros."""
    return Decimal(format(value.normalize(), "f"))


def nice_step(span: Decimal, intervals: int) -> Decimal:
    """The smallest of 1, 2, 2.5 and 5 times a power of ten that covers `span` in `intervals` steps."""
    raw = span / intervals
    magnitude = Decimal(1).scaleb(raw.adjusted())
    for multiple in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def axis_for(values: Sequence[Decimal], *, intervals: int = 4, high: Decimal | None = None) -> Axis:
    """An axis that includes zero and every value, with round tick values."""
    low_value = min([Decimal(0), *values])
    high_value = max([Decimal(0), *values, *([high] if high is not None else [])])
    if high_value == low_value:
        high_value = low_value + 1
    step = nice_step(high_value - low_value, intervals)
    low = (low_value / step).to_integral_value(ROUND_FLOOR) * step
    top = (high_value / step).to_integral_value(ROUND_CEILING) * step
    count = int((top - low) / step)
    return Axis(low=low, high=top, ticks=tuple(_tidy(low + i * step) for i in range(count + 1)))


# Room for a vertical axis: its title (rotated, 12 px, centred 14 units from the edge, reaching about
# 18 units in) plus a gap, then the widest tick value at about 7 units a character (12 px sans-serif).
_AXIS_TITLE_ROOM = 30
_CHARACTER_WIDTH = 7
_MIN_MARGIN = 78


def axis_margin(axis: Axis, number_format: Callable[[Decimal], str]) -> int:
    """The margin beside a value axis that keeps its title clear of its widest tick value."""
    widest = max((len(number_format(tick)) for tick in axis.ticks), default=0)
    return max(_MIN_MARGIN, _AXIS_TITLE_ROOM + widest * _CHARACTER_WIDTH)


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits in the picture, in SVG user units."""

    width: int
    height: int
    left: int
    right: int
    top: int = 44
    bottom: int = 36
    bands: int = 1

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def band(self) -> float:
        return (self.width - self.left - self.right) / max(self.bands, 1)

    def x_of(self, index: int) -> float:
        return self.left + self.band * (index + 0.5)

    def y_of(self, value: Decimal, axis: Axis) -> float:
        return self.top + float((axis.high - value) / (axis.high - axis.low)) * self.plot_height


def bar_line_chart_svg(
    *,
    years: Sequence[int],
    bars: Sequence[Decimal],
    bars_label: str,
    line: Sequence[Decimal | None] | None = None,
    line_label: str = "",
    title: str = "",
    number_format: Callable[[Decimal], str] = plain_number,
    line_number_format: Callable[[Decimal], str] | None = None,
    line_high: Decimal | None = None,
    shared_axis: bool = False,
    width: int = 640,
    height: int = 300,
) -> str:
    """Bars for one series on the left axis and, optionally, a line for another on the right axis,
    one band per year. A `None` in the line leaves a gap (e.g. a share of zero electricity).
    `line_high` makes the line axis reach at least that value (100 for a percentage).
    With `shared_axis`, the line is drawn on the bars' axis (two series in the same unit, such as a
    computed and a published figure, must be read on one scale).
    """
    if len(bars) != len(years) or (line is not None and len(line) != len(years)):
        raise ValueError("years, bars and line must have the same length")
    shared = None
    if shared_axis and line is not None:
        shared = axis_for([*bars, *(value for value in line if value is not None)])
    bar_axis = shared or axis_for(bars)
    line_axis = None
    if line is not None and shared is None:
        line_axis = axis_for([value for value in line if value is not None], high=line_high)
    right = axis_margin(line_axis, line_number_format or number_format) if line_axis else 20
    frame = _Frame(width=width, height=height, left=axis_margin(bar_axis, number_format), right=right, bands=len(years))
    name = escape(title or bars_label)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" font-family="sans-serif" font-size="12" role="img" aria-label="{name}"><title>{name}</title>',
        *_bar_parts(frame, years, bars, bars_label, number_format, bar_axis),
    ]
    if line is not None:
        # The line's legend starts after the bars' legend text (about 7 px a character at 12 px).
        legend_x = max(width // 2, frame.left + 18 + round(len(bars_label) * 7.2) + 24)
        parts += _line_parts(
            frame, years, line, line_label, line_number_format or number_format, line_high, shared, legend_x
        )
    parts.append("</svg>")
    return "".join(parts)


def _left_axis_parts(frame: _Frame, axis: Axis, label: str, number_format: Callable[[Decimal], str]) -> list[str]:
    """The value axis on the left: grid lines with their tick values, the axis line and its title."""
    plot_right, plot_bottom = frame.width - frame.right, frame.top + frame.plot_height
    parts = []
    for tick in axis.ticks:
        y = frame.y_of(tick, axis)
        parts.append(
            f'<line x1="{frame.left}" y1="{y:.1f}" x2="{plot_right}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>'
            f'<text x="{frame.left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{escape(number_format(tick))}</text>'
        )
    parts.append(
        f'<line x1="{frame.left}" y1="{frame.top}" x2="{frame.left}" y2="{plot_bottom}" stroke="{AXIS_COLOUR}"/>'
        f'<text transform="translate(14 {frame.top + frame.plot_height / 2:.1f}) rotate(-90)" text-anchor="middle" '
        f'class="axis-label">{escape(label)}</text>'
    )
    return parts


def _bar_parts(
    frame: _Frame,
    years: Sequence[int],
    bars: Sequence[Decimal],
    label: str,
    number_format: Callable[[Decimal], str],
    axis: Axis | None = None,
) -> list[str]:
    axis = axis or axis_for(bars)
    plot_right, plot_bottom = frame.width - frame.right, frame.top + frame.plot_height
    parts = _left_axis_parts(frame, axis, label, number_format)
    # Bars from zero: up for a positive value, down for a negative one.
    zero = frame.y_of(Decimal(0), axis)
    for index, value in enumerate(bars):
        y = frame.y_of(value, axis)
        parts.append(
            f'<rect x="{frame.x_of(index) - frame.band * 0.3:.1f}" y="{min(y, zero):.1f}" width="{frame.band * 0.6:.1f}" '
            f'height="{abs(zero - y):.1f}" fill="{BAR_COLOUR}" class="bar">'
            f"<title>{escape(str(years[index]))}: {escape(number_format(value))}</title></rect>"
        )
    parts.append(f'<line x1="{frame.left}" y1="{zero:.1f}" x2="{plot_right}" y2="{zero:.1f}" stroke="{AXIS_COLOUR}"/>')
    for index, year in enumerate(years):
        # A year is a label, never a number to group: 2024, not 2,024.
        parts.append(
            f'<text x="{frame.x_of(index):.1f}" y="{plot_bottom + 18}" text-anchor="middle" class="year">'
            f"{escape(str(year))}</text>"
        )
    parts.append(
        f'<rect x="{frame.left}" y="12" width="12" height="12" fill="{BAR_COLOUR}"/>'
        f'<text x="{frame.left + 18}" y="22" class="legend">{escape(label)}</text>'
    )
    return parts


def _line_parts(
    frame: _Frame,
    years: Sequence[int],
    line: Sequence[Decimal | None],
    label: str,
    number_format: Callable[[Decimal], str],
    line_high: Decimal | None,
    shared: Axis | None = None,
    legend_x: int | None = None,
) -> list[str]:
    axis = shared or axis_for([value for value in line if value is not None], high=line_high)
    axis_x, plot_bottom = frame.width - frame.right, frame.top + frame.plot_height
    parts = []
    if shared is None:  # a right-hand axis of its own
        parts.append(f'<line x1="{axis_x}" y1="{frame.top}" x2="{axis_x}" y2="{plot_bottom}" stroke="{LINE_COLOUR}"/>')
        for tick in axis.ticks:
            parts.append(
                f'<text x="{axis_x + 6}" y="{frame.y_of(tick, axis) + 4:.1f}" text-anchor="start" class="tick">'
                f"{escape(number_format(tick))}</text>"
            )
        parts.append(
            f'<text transform="translate({frame.width - 14} {frame.top + frame.plot_height / 2:.1f}) rotate(90)" '
            f'text-anchor="middle" class="axis-label">{escape(label)}</text>'
        )
    # One polyline per run of known values: a missing value breaks the line.
    segments: list[list[str]] = [[]]
    for index, value in enumerate(line):
        if value is None:
            segments.append([])
        else:
            segments[-1].append(f"{frame.x_of(index):.1f},{frame.y_of(value, axis):.1f}")
    for points in segments:
        if len(points) > 1:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2" class="line"/>'
            )
    for index, value in enumerate(line):
        if value is not None:
            parts.append(
                f'<circle cx="{frame.x_of(index):.1f}" cy="{frame.y_of(value, axis):.1f}" r="3.5" fill="{LINE_COLOUR}" '
                f'class="point"><title>{escape(str(years[index]))}: {escape(number_format(value))}</title></circle>'
            )
    legend_x = legend_x if legend_x is not None else frame.width // 2
    parts.append(
        f'<line x1="{legend_x}" y1="18" x2="{legend_x + 16}" y2="18" stroke="{LINE_COLOUR}" stroke-width="2"/>'
        f'<circle cx="{legend_x + 8}" cy="18" r="3.5" fill="{LINE_COLOUR}"/>'
        f'<text x="{legend_x + 22}" y="22" class="legend">{escape(label)}</text>'
    )
    return parts


UP_COLOUR = "#dc3545"  # an increase of emissions


def waterfall_chart_svg(
    *,
    start: tuple[str, Decimal] | None,
    steps: Sequence[tuple[str, Decimal]],
    end_label: str,
    value_label: str,
    title: str = "",
    number_format: Callable[[Decimal], str] = plain_number,
    rising_is_good: bool = False,
    width: int = 640,
    height: int = 300,
) -> str:
    """A waterfall from a starting total through signed changes to the end total (start + Σ steps):
    full bars for the two totals, floating bars for the changes. Without `start` the changes start
    from zero (a total built up from its parts). A change is green when it goes the good way: down
    for emissions, up for a reduction (`rising_is_good`), red otherwise."""
    totals = [start[1] if start else Decimal(0)]
    for _label, change in steps:
        totals.append(totals[-1] + change)
    axis = axis_for([*totals, Decimal(0)])
    labels = [*([start[0]] if start else []), *(label for label, _change in steps), end_label]
    frame = _Frame(width=width, height=height, left=axis_margin(axis, number_format), right=20, bands=len(labels))
    name = escape(title or value_label)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart waterfall" viewBox="0 0 {width} {height}" '
        f'width="100%" font-family="sans-serif" font-size="12" role="img" aria-label="{name}"><title>{name}</title>'
    ]
    plot_right, plot_bottom = frame.width - frame.right, frame.top + frame.plot_height
    parts += _left_axis_parts(frame, axis, value_label, number_format)
    zero = frame.y_of(Decimal(0), axis)
    # (from, to, colour) of each bar: the totals stand on zero, the changes float.
    bars = [(Decimal(0), totals[0], AXIS_COLOUR)] if start else []
    good = (lambda before, after: after >= before) if rising_is_good else (lambda before, after: after <= before)
    bars += [
        (totals[i], totals[i + 1], BAR_COLOUR if good(totals[i], totals[i + 1]) else UP_COLOUR)
        for i in range(len(steps))
    ]
    bars.append((Decimal(0), totals[-1], AXIS_COLOUR))
    for index, (low, high, colour) in enumerate(bars):
        y_low, y_high = frame.y_of(low, axis), frame.y_of(high, axis)
        amount = high - low
        parts.append(
            f'<rect x="{frame.x_of(index) - frame.band * 0.3:.1f}" y="{min(y_low, y_high):.1f}" '
            f'width="{frame.band * 0.6:.1f}" height="{max(abs(y_low - y_high), 1):.1f}" fill="{colour}" class="bar">'
            f"<title>{escape(labels[index])}: {escape(number_format(amount))}</title></rect>"
            f'<text x="{frame.x_of(index):.1f}" y="{min(y_low, y_high) - 4:.1f}" text-anchor="middle" class="value">'
            f"{escape(number_format(amount))}</text>"
            f'<text x="{frame.x_of(index):.1f}" y="{plot_bottom + 18}" text-anchor="middle" class="step">'
            f"{escape(labels[index])}</text>"
        )
    parts.append(f'<line x1="{frame.left}" y1="{zero:.1f}" x2="{plot_right}" y2="{zero:.1f}" stroke="{AXIS_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)


RANGE_COLOUR = "#cfe2ff"
REFERENCE_COLOUR = "#dc3545"


def range_chart_svg(
    *,
    points: Sequence[tuple[str, Decimal]],
    reference: tuple[str, Decimal] | None,
    value_label: str,
    title: str = "",
    number_format: Callable[[Decimal], str] = plain_number,
    width: int = 640,
) -> str:
    """Values on one horizontal axis from zero: one row per point (the central figure first, then
    the variants), labelled on the left; the band from the lowest to the highest point behind
    them; and the `reference` (the published figure) as a red line across, so a reader sees at
    once whether it lies inside the range."""
    values = [value for _label, value in points] + ([reference[1]] if reference else [])
    axis = axis_for(values, intervals=4)
    labels_width, right = 250, 70
    row_height = 22
    top = 46
    bottom = top + row_height * len(points)
    height = bottom + 34
    name = escape(title or value_label)

    def x_of(value: Decimal) -> float:
        return labels_width + float((value - axis.low) / (axis.high - axis.low)) * (width - labels_width - right)

    low, high = min(v for _l, v in points), max(v for _l, v in points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart range" viewBox="0 0 {width} {height}" '
        f'width="100%" font-family="sans-serif" font-size="12" role="img" aria-label="{name}"><title>{name}</title>',
        f'<text x="8" y="16" class="title">{escape(value_label)}</text>',
        f'<rect x="{x_of(low):.1f}" y="{top - 4}" width="{max(x_of(high) - x_of(low), 2):.1f}" '
        f'height="{bottom - top + 8}" fill="{RANGE_COLOUR}" class="band"/>',
        f'<line x1="{labels_width}" y1="{bottom + 4}" x2="{width - right}" y2="{bottom + 4}" stroke="{AXIS_COLOUR}"/>',
    ]
    for tick in axis.ticks:
        parts.append(
            f'<line x1="{x_of(tick):.1f}" y1="{bottom + 4}" x2="{x_of(tick):.1f}" y2="{bottom + 8}" '
            f'stroke="{AXIS_COLOUR}"/><text x="{x_of(tick):.1f}" y="{bottom + 20}" text-anchor="middle" '
            f'class="tick">{escape(number_format(tick))}</text>'
        )
    for index, (label, value) in enumerate(points):
        y = top + row_height * index + row_height / 2
        parts.append(
            f'<text x="8" y="{y + 4:.1f}" class="step">{escape(label)}</text>'
            f'<line x1="{labels_width}" y1="{y:.1f}" x2="{x_of(value):.1f}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>'
            f'<circle cx="{x_of(value):.1f}" cy="{y:.1f}" r="{5 if index == 0 else 4}" '
            f'fill="{BAR_COLOUR if index == 0 else LINE_COLOUR}" class="point"><title>{escape(label)}: '
            f"{escape(number_format(value))}</title></circle>"
            f'<text x="{x_of(value) + 8:.1f}" y="{y + 4:.1f}" class="value">{escape(number_format(value))}</text>'
        )
    if reference is not None:
        x = x_of(reference[1])
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 12}" x2="{x:.1f}" y2="{bottom + 4}" stroke="{REFERENCE_COLOUR}" '
            f'stroke-width="2" class="reference"><title>{escape(reference[0])}: {escape(number_format(reference[1]))}'
            f'</title></line><text x="{x:.1f}" y="{top - 16}" text-anchor="middle" class="reference-label" '
            f'fill="{REFERENCE_COLOUR}">{escape(reference[0])}: {escape(number_format(reference[1]))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
