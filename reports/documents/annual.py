"""The annual report: the year's computed reduction against the published figure, why it changed,
where it came from, its flags, and the method and factors behind it."""

from datetime import datetime
from decimal import Decimal

from django.utils.translation import get_language, gettext

from reports.documents.content import about, flag_blocks, footer, local_date, year_figures
from reports.documents.document import Chart, Column, Document, Heading, Series, Table, Text
from reports.documents.explanation import appendix_blocks, bridge_blocks, coverage_blocks, method_blocks, range_blocks
from reports.documents.numbers import figure_text
from reports.models import Report, RollupRun
from reports.selectors.runs import (
    run_breakdown_by_category,
    run_breakdown_by_region,
    run_top_contributors,
    runs_latest_per_year,
)
from suppliers.models import SupplierCategory
from suppliers.provinces import Region


def _trend(run: RollupRun) -> list[RollupRun]:
    """The newest run of every earlier year that has data, then the report's own run."""
    runs = [
        other
        for other in runs_latest_per_year(baseline_year=run.baseline_year, method_version=run.method_version)
        if other.year < run.year and other.suppliers_reporting
    ]
    return [*runs, run]


def _verdict(run: RollupRun) -> str:
    values = {
        "year": run.year,
        "computed": _formatted(run.green_reduction_tco2e),
        "published": _formatted(run.reported_tco2e) if run.reported_tco2e is not None else "",
        "variance": _formatted(abs(run.variance_pct or Decimal(0)), 1),
    }
    if run.reported_tco2e is None:
        return (
            gettext(
                "The computed green-power reduction of %(year)s is %(computed)s tCO2e. No published figure is "
                "recorded for %(year)s."
            )
            % values
        )
    if run.variance_pct >= 0:
        return (
            gettext(
                "The computed green-power reduction of %(year)s is %(computed)s tCO2e, %(variance)s %% above the "
                "published figure of %(published)s tCO2e."
            )
            % values
        )
    return (
        gettext(
            "The computed green-power reduction of %(year)s is %(computed)s tCO2e, %(variance)s %% below the "
            "published figure of %(published)s tCO2e."
        )
        % values
    )


def _region_label(code: str) -> str:
    """A grid region's name in the reader's language; a province's code as stored."""
    return str(Region(code).label) if code in Region.values else code


def _formatted(value: Decimal, decimals: int = 0) -> str:
    return figure_text(value, decimals)


def annual_document(report: Report, now: datetime) -> Document:
    """The year's computed reduction against the published figure, why it changed, where it came
    from (regions, categories, suppliers), its flags, and the method and factors behind it."""
    run = report.run
    trend = _trend(run)
    effects = [
        (gettext("Activity"), run.activity_tco2e or Decimal(0)),
        (gettext("Green share"), run.green_share_tco2e or Decimal(0)),
        (gettext("Grid factor"), run.grid_factor_tco2e or Decimal(0)),
    ]
    absolute = run.absolute_reduction_tco2e or Decimal(0)
    regions = run_breakdown_by_region(run)
    categories = run_breakdown_by_category(run)
    trend_rows = []
    for other in trend:
        trend_rows.append(
            [
                other.year,
                other.green_reduction_tco2e,
                other.reported_tco2e,
                other.variance_pct,
                other.suppliers_reporting,
            ]
        )
    tonnes = gettext("tCO2e")
    blocks = [
        year_figures(run, sheet=gettext("Summary")),
        Text(_verdict(run)),
        *(_explanation(run) if run.method_version == "2" else []),
        Heading(gettext("Trend since the baseline year")),
        Chart(
            title=gettext("Green-power reduction against the baseline, by year"),
            categories=tuple(str(row[0]) for row in trend_rows),
            series=(
                Series(gettext("Computed"), tuple(row[1] for row in trend_rows)),
                Series(gettext("Published"), tuple(row[2] for row in trend_rows)),
            ),
            value_axis=tonnes,
            category_axis=gettext("Year"),
        ),
        Table(
            sheet=gettext("Trend"),
            columns=(
                Column(gettext("Year"), "year", width=0.8),
                Column(gettext("Computed green-power reduction (tCO2e)"), "number", 3, width=1.6),
                Column(gettext("Published (tCO2e)"), "number", 3, width=1.4),
                Column(gettext("Variance (%)"), "percent", 3),
                Column(gettext("Suppliers reporting"), "integer"),
            ),
            rows=trend_rows,
        ),
        Heading(gettext("Why the market-based emissions changed")),
        Text(
            gettext(
                "The change of the market-based emissions of the suppliers with a baseline since %(baseline)d, "
                "split into three effects: more or less attributable electricity (activity), a higher or lower "
                "green share, and cleaner or dirtier grids (grid factor). Positive numbers are reductions; the "
                "three add up to the absolute reduction."
            )
            % {"baseline": run.baseline_year},
            True,
        ),
        Chart(
            title=gettext("Decomposition of the absolute reduction"),
            categories=(*(label for label, _value in effects), gettext("Absolute reduction")),
            series=(Series(tonnes, (*(value for _label, value in effects), absolute)),),
            value_axis=gettext("tCO2e (positive = reduction)"),
            category_axis=gettext("Effect"),
        ),
        Table(
            sheet=gettext("Decomposition"),
            columns=(Column(gettext("Effect"), width=2), Column(tonnes, "number", 3)),
            rows=[*([label, value] for label, value in effects), [gettext("Absolute reduction"), absolute]],
            page_share=0.6,
        ),
        Heading(gettext("By regional grid")),
        *(
            [
                Chart(
                    title=gettext("Green-power reduction by regional grid"),
                    categories=tuple(str(Region(r["region"]).label) for r in regions),
                    series=(Series(tonnes, tuple(r["green_reduction_tco2e"] for r in regions)),),
                    value_axis=tonnes,
                    category_axis=gettext("Regional grid"),
                    horizontal=True,
                )
            ]
            if regions
            else []
        ),
        Table(
            sheet=gettext("Regions"),
            columns=(
                Column(gettext("Regional grid"), width=1.6),
                Column(gettext("Sites"), "integer", width=0.6),
                Column(gettext("Electricity (MWh)"), "number", 0),
                Column(gettext("Green (MWh)"), "number", 0),
                Column(gettext("Avoided (tCO2e)"), "number", 0),
                Column(gettext("Green-power reduction (tCO2e)"), "number", 0, width=1.2),
            ),
            rows=[
                [
                    str(Region(r["region"]).label),
                    r["sites"],
                    r["electricity_mwh"],
                    r["green_mwh"],
                    r["avoided_tco2e"],
                    r["green_reduction_tco2e"],
                ]
                for r in regions
            ],
            empty_note=gettext("No site reported in this year."),
        ),
        Heading(gettext("By category")),
        Table(
            sheet=gettext("Categories"),
            columns=(
                Column(gettext("Category"), width=1.8),
                Column(gettext("Suppliers"), "integer", width=0.7),
                Column(gettext("Location-based (tCO2e)"), "number", 0),
                Column(gettext("Market-based (tCO2e)"), "number", 0),
                Column(gettext("Avoided (tCO2e)"), "number", 0),
                Column(gettext("Green-power reduction (tCO2e)"), "number", 0, width=1.2),
            ),
            rows=[
                [
                    str(SupplierCategory(c["category"]).label),
                    c["suppliers"],
                    c["location_based_tco2e"],
                    c["market_based_tco2e"],
                    c["avoided_tco2e"],
                    c["green_reduction_tco2e"],
                ]
                for c in categories
            ],
            empty_note=gettext("No supplier reported in this year."),
        ),
        Heading(gettext("Top contributors")),
        Table(
            sheet=gettext("Top contributors"),
            columns=(
                Column(gettext("Supplier code"), width=1),
                Column(gettext("Supplier"), width=3),
                Column(gettext("Green-power reduction (tCO2e)"), "number", 3, width=1.4),
                Column(gettext("Absolute reduction (tCO2e)"), "number", 3, width=1.4),
            ),
            rows=[
                [
                    row.supplier.code,
                    row.supplier.name_in_language(),
                    row.green_reduction_tco2e,
                    row.absolute_reduction_tco2e,
                ]
                for row in run_top_contributors(run)
            ],
            empty_note=gettext("No supplier reported in this year."),
        ),
        Heading(gettext("Data-quality flags")),
        *flag_blocks(
            run, factors_note=gettext("Factor fallbacks are counted, not listed: appendix B lists the factors used.")
        ),
        _suppliers_table(run),
        Heading(gettext("Appendix A: method"), new_page=True),
        *(method_blocks(run) if run.method_version == "2" else [Text(p) for p in _method_paragraphs(run)]),
        Heading(gettext("Appendix B: emission factors used")),
        Table(
            sheet=gettext("Factors"),
            columns=(
                Column(gettext("Province"), width=0.8),
                Column(gettext("Regional grid"), width=1.2),
                Column(gettext("Year"), "year", width=0.5),
                Column(gettext("Kind"), width=0.7),
                Column(gettext("tCO2/MWh"), "number", 4, width=0.8),
                Column(gettext("Taken from"), width=1.2),
                Column(gettext("Source"), width=3),
            ),
            rows=[
                [
                    f.get("province", ""),
                    _region_label(f["region"]),
                    f["year"],
                    f.get("kind", "average"),
                    Decimal(f["tco2_per_mwh"]),
                    f"{_region_label(f['from_region'])} {f['from_year']}",
                    f["source"],
                ]
                for f in run.factors_used
            ],
            empty_note=gettext("No factor was needed."),
        ),
        *appendix_blocks(run),
    ]
    return Document(
        title=gettext("Annual green-electricity report %(year)d") % {"year": run.year},
        subtitle=gettext("Supply chain in China, %(year)d against the baseline year %(baseline)d · %(date)s")
        % {"year": run.year, "baseline": run.baseline_year, "date": local_date(now)},
        language=get_language(),
        footer=footer(report, now),
        about=about(report, run, now),
        blocks=blocks,
    )


def _explanation(run: RollupRun) -> list:
    """The bridge, the exclusions, the range and the coverage, as the comparison page shows them."""
    missing = run.result.get("baseline_suppliers_not_reporting_codes", [])
    return [*bridge_blocks(run), *range_blocks(run), *coverage_blocks(run, missing)]


def _suppliers_table(run: RollupRun) -> Table:
    """Every supplier's figures: in the XLSX only (two hundred rows are no reading for a PDF)."""
    rows = (
        run.supplier_results.select_related("supplier")
        .order_by("supplier__code")
        .values_list(
            "supplier__code",
            "supplier__name_zh",
            "supplier__name_en",
            "supplier__category",
            "has_baseline",
            "attributable_electricity_mwh",
            "attributable_green_mwh",
            "location_based_tco2e",
            "market_based_tco2e",
            "avoided_tco2e",
            "baseline_avoided_tco2e",
            "green_reduction_tco2e",
            "absolute_reduction_tco2e",
        )
    )
    number = lambda label: Column(label, "number", 3)  # noqa: E731
    return Table(
        sheet=gettext("Suppliers"),
        columns=(
            Column(gettext("Supplier code")),
            Column(gettext("Name (Chinese)")),
            Column(gettext("Name (English)")),
            Column(gettext("Category")),
            Column(gettext("Baseline")),
            number(gettext("Attributable electricity (MWh)")),
            number(gettext("Attributable green (MWh)")),
            number(gettext("Location-based (tCO2e)")),
            number(gettext("Market-based (tCO2e)")),
            number(gettext("Avoided (tCO2e)")),
            number(gettext("Baseline avoided (tCO2e)")),
            number(gettext("Green-power reduction (tCO2e)")),
            number(gettext("Absolute reduction (tCO2e)")),
        ),
        rows=[
            [
                code,
                name_zh,
                name_en,
                str(SupplierCategory(category).label),
                gettext("yes") if baseline else gettext("no"),
                *figures,
            ]
            for code, name_zh, name_en, category, baseline, *figures in rows
        ],
        pdf_rows=0,
    )


def _method_paragraphs(run: RollupRun) -> list[str]:
    values = {"baseline": run.baseline_year, "method": run.method_version}
    return [
        gettext(
            "Suppliers report per site and period the electricity they consumed (E) and the green electricity "
            "among it (G: on-site renewables, green power trading, GEC and I-REC certificates), with the share "
            "of the site's output that goes to the company (a). Only submissions approved by staff count."
        ),
        gettext(
            "Per supplier and year, summed over its sites: location-based emissions a·E·EF, market-based "
            "emissions a·(E - G)·EF and avoided emissions a·G·EF, where EF is the emission factor of the site's "
            "regional grid in that year (tCO2/MWh)."
        ),
        gettext(
            "The green-power reduction, compared with the published figure, is the sum over the suppliers "
            "reporting in the year of their avoided emissions minus their avoided emissions in the baseline "
            "year %(baseline)d (zero for a supplier without a baseline). The absolute reduction is the fall of "
            "the market-based emissions since %(baseline)d of the suppliers with a baseline; its Shapley "
            "decomposition gives the three effects shown above."
        )
        % values,
        gettext(
            "Where no factor is published for a grid and year, the national factor of the year is used, then "
            "the newest earlier year, then the oldest later year; every such line is flagged. A certificate "
            "batch claimed by more than one line counts as grid electricity until staff resolve it. Method "
            "version %(method)s; every figure is computed with exact decimals and rounded only when shown."
        )
        % values,
    ]
