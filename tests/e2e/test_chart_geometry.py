"""#17, item 15 in a browser: a chart's axis titles stay clear of its tick values, however wide the
values (measured by Chromium's layout of the SVG, at the portfolio's scale and ten times it)."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page

from reports.documents.charts import bar_line_chart_svg, waterfall_chart_svg
from reports.documents.numbers import figure_text

pytestmark = pytest.mark.django_db(transaction=True)

# For each chart: every pair of an axis title and a tick value whose boxes overlap.
OVERLAPS = """() => {
  const box = (element) => element.getBoundingClientRect();
  const apart = (a, b) => a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
  return [...document.querySelectorAll("svg")].flatMap((svg, index) => {
    const ticks = [...svg.querySelectorAll("text.tick")];
    return [...svg.querySelectorAll("text.axis-label")].flatMap((title) =>
      ticks.filter((tick) => !apart(box(title), box(tick))).map((tick) => `${index}: ${title.textContent} / ${tick.textContent}`)
    );
  });
}"""


def _tonnes(value: Decimal) -> str:
    return figure_text(value, 0)


@pytest.mark.parametrize("scale", [Decimal(1), Decimal(10)])
def test_axis_titles_do_not_touch_the_widest_tick_values(page_for: Callable[[str], Page], scale: Decimal) -> None:
    reductions = [Decimal("1251461.926") * scale * share for share in (Decimal("0.2"), Decimal("0.6"), Decimal(1))]
    charts = [
        bar_line_chart_svg(
            years=[2023, 2024, 2025],
            bars=reductions,
            bars_label="Reduction (tCO2e)",
            line=[Decimal("12.5"), Decimal("48.75"), Decimal("99.5")],
            line_label="Green share (%)",
            number_format=_tonnes,
            line_number_format=lambda value: figure_text(value, 1),
            line_high=Decimal(100),
        ),
        waterfall_chart_svg(
            start=("2019", reductions[2]),
            steps=[("Activity", -reductions[0]), ("Grid factor", reductions[1])],
            end_label="2025",
            value_label="Emissions (tCO2e)",
            number_format=_tonnes,
        ),
    ]
    page = page_for("en-GB")
    page.set_viewport_size({"width": 640, "height": 700})
    page.set_content("<!doctype html><body style='margin:0;width:640px'>" + "".join(charts) + "</body>")
    assert page.locator("svg text.tick").count() >= 10 and page.locator("svg text.axis-label").count() >= 3
    assert page.evaluate(OVERLAPS) == []
