"""The server-side SVG chart: valid markup, honest geometry, escaped text."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from reports.documents.charts import axis_for, bar_line_chart_svg, nice_step

SVG = "{http://www.w3.org/2000/svg}"


def _chart(**overrides: object) -> ET.Element:
    arguments = {
        "years": [2022, 2023, 2024],
        "bars": [Decimal(100), Decimal(200), Decimal("250.5")],
        "bars_label": "Electricity (MWh)",
        "line": [Decimal(10), Decimal(20), Decimal(30)],
        "line_label": "Green share (%)",
    } | overrides
    return ET.fromstring(bar_line_chart_svg(**arguments))


def _texts(svg: ET.Element) -> list[str]:
    return [element.text or "" for element in svg.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("span", "intervals", "step"),
    [
        (Decimal(1000), 4, Decimal(250)),
        (Decimal(1234), 4, Decimal(500)),
        (Decimal(100), 4, Decimal(25)),
        (Decimal("0.9"), 4, Decimal("0.25")),
        (Decimal(7), 4, Decimal(2)),
        (Decimal(40), 4, Decimal(10)),
    ],
)
def test_nice_step_is_one_two_two_and_a_half_or_five_times_a_power_of_ten(
    span: Decimal, intervals: int, step: Decimal
) -> None:
    assert nice_step(span, intervals) == step


def test_axis_starts_at_zero_and_covers_every_value_with_round_ticks() -> None:
    axis = axis_for([Decimal("1234.5"), Decimal(980)])
    assert axis.low == 0
    assert axis.high >= Decimal("1234.5")
    assert [str(tick) for tick in axis.ticks] == ["0", "500", "1000", "1500"]


def test_axis_reaches_below_zero_for_a_negative_value() -> None:
    axis = axis_for([Decimal(-5), Decimal(12)])
    assert axis.low <= -5 and axis.high >= 12 and Decimal(0) in axis.ticks


def test_axis_of_a_percentage_reaches_the_given_high() -> None:
    assert axis_for([Decimal("37.5")], high=Decimal(100)).high == 100


def test_axis_of_zeros_or_nothing_is_still_an_axis() -> None:
    for values in ([], [Decimal(0), Decimal(0)]):
        axis = axis_for(values)
        assert axis.high > axis.low
        assert len(axis.ticks) >= 2


def test_chart_is_well_formed_svg_with_a_title_and_both_axis_labels() -> None:
    svg = _chart(title="Electricity and green share")
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Electricity and green share"
    texts = _texts(svg)
    assert texts.count("Electricity (MWh)") == 2  # axis label and legend
    assert texts.count("Green share (%)") == 2
    assert {"2022", "2023", "2024"} <= set(texts)


def test_chart_draws_one_bar_per_year_and_the_tallest_for_the_largest_value() -> None:
    bars = [element for element in _chart().iter(f"{SVG}rect") if element.get("class") == "bar"]
    assert len(bars) == 3
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[0] < heights[1] < heights[2]
    # Bars are proportional: 100 is half of 200.
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.2)


def test_a_missing_line_value_breaks_the_line_instead_of_drawing_zero() -> None:
    svg = _chart(
        years=[2021, 2022, 2023, 2024],
        bars=[Decimal(1)] * 4,
        line=[Decimal(10), Decimal(20), None, Decimal(40)],
    )
    polylines = list(svg.iter(f"{SVG}polyline"))
    assert len(polylines) == 1
    assert len(polylines[0].get("points").split()) == 2
    points = [element for element in svg.iter(f"{SVG}circle") if element.get("class") == "point"]
    assert len(points) == 3


def test_chart_without_a_line_has_no_right_axis() -> None:
    svg = ET.fromstring(bar_line_chart_svg(years=[2024], bars=[Decimal(5)], bars_label="Avoided (tCO2e)"))
    assert list(svg.iter(f"{SVG}polyline")) == []
    assert not [element for element in svg.iter(f"{SVG}circle") if element.get("class") == "point"]


def test_chart_escapes_labels_so_they_cannot_inject_markup() -> None:
    hostile = '</text><script>alert("x")</script><text>'
    markup = bar_line_chart_svg(
        years=[2024], bars=[Decimal(1)], bars_label=hostile, line=[Decimal(1)], line_label="A & B", title=hostile
    )
    assert "<script" not in markup
    svg = ET.fromstring(markup)  # still well-formed
    assert list(svg.iter(f"{SVG}script")) == []
    assert hostile in _texts(svg)
    assert "A & B" in _texts(svg)
    assert svg.get("aria-label") == hostile


def test_chart_formats_tick_values_with_the_given_number_format() -> None:
    svg = _chart(bars=[Decimal(1000), Decimal(2000), Decimal(3000)], number_format=lambda value: f"<{value}>")
    assert "<3000>" in _texts(svg)


def test_chart_refuses_series_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        bar_line_chart_svg(years=[2023, 2024], bars=[Decimal(1)], bars_label="E")


def test_waterfall_steps_lead_from_the_start_total_to_the_end_total() -> None:
    from reports.documents.charts import waterfall_chart_svg

    svg = waterfall_chart_svg(
        start=("2019", Decimal(100)),
        steps=[("Activity", Decimal(30)), ("Green share", Decimal(-80)), ("Grid <factor>", Decimal(-10))],
        end_label="2024",
        value_label="tCO2e",
    )
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    assert titles[1:] == ["2019: 100", "Activity: 30", "Green share: -80", "Grid &lt;factor&gt;: -10", "2024: 40"]
    assert svg.count('fill="#dc3545"') == 1  # the one increase is red
    assert "<factor>" not in svg


def test_a_shared_axis_draws_no_second_axis() -> None:
    svg = bar_line_chart_svg(
        years=[2023, 2024],
        bars=[Decimal(5), Decimal(10)],
        bars_label="computed",
        line=[None, Decimal(12)],
        line_label="published",
        shared_axis=True,
    )
    assert 'class="axis-label">published<' not in svg  # no right-hand axis title
    assert svg.count('class="axis-label"') == 1
