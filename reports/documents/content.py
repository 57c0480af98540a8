"""What the scheduled reports say: the helpers both reports share.

Called under translation.override(language): every label is translated when the document is
built. The figures of the year come from the report's stored roll-up run (its result JSON and
its supplier, site and flag rows); the coverage of the open periods from the submissions now.
The reports themselves: reports.documents.monthly and reports.documents.annual.
"""

import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.translation import gettext

from reports.documents.document import Column, KeyFigure, KeyFigures, Table, Text
from reports.documents.numbers import figure_text
from reports.models import Report, RollupFlag, RollupRun
from reports.selectors.runs import run_flags

# A factor fallback belongs to the factor table (appendix), not to a supplier: counted, not listed.
UNLISTED_FLAGS = (RollupFlag.Code.FACTOR_FALLBACK,)
PDF_LIST_ROWS = 40


def local_date(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), get_format("DATE_FORMAT"))


def local_datetime(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), get_format("DATETIME_FORMAT"))


def flag_label(code: str) -> str:
    return str(RollupFlag.Code(code).label) if code in RollupFlag.Code.values else code


_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
# The engine writes a flag's detail in English (reports.calculation.rollup, stored with the run);
# a report says it in the reader's language, its figures written as every other figure.
_FLAG_DETAILS: list[tuple[re.Pattern[str], Callable[[], str]]] = [
    (
        re.compile(
            rf"(?P<current>{_NUMBER}) MWh in (?P<year>[0-9]{{4}}) against (?P<previous>{_NUMBER}) MWh in "
            r"(?P<previous_year>[0-9]{4}) \(more than 5 times or under 1/5: a kWh typed as MWh\?\)"
        ),
        lambda: gettext(
            "%(current)s MWh in %(year)s against %(previous)s MWh in %(previous_year)s (more than 5 times or "
            "under 1/5: a kWh typed as MWh?)"
        ),
    ),
    (
        re.compile(
            rf"(?P<mwh>{_NUMBER}) MWh of certificates also claimed by another line, counted as grid electricity: "
            r"(?P<certificates>.*)"
        ),
        lambda: gettext(
            "%(mwh)s MWh of certificates also claimed by another line, counted as grid electricity: %(certificates)s"
        ),
    ),
    (
        re.compile(
            rf"(?P<mwh>{_NUMBER}) MWh of I-RECs after (?P<year>[0-9]{{4}}), the last year for which I-RECs count "
            r"in China \(from then on only GECs\), counted as grid electricity"
        ),
        lambda: gettext(
            "%(mwh)s MWh of I-RECs after %(year)s, the last year for which I-RECs count in China (from then on "
            "only GECs), counted as grid electricity"
        ),
    ),
    (
        re.compile(r"no approved line in the baseline year (?P<year>[0-9]{4})"),
        lambda: gettext("no approved line in the baseline year %(year)s"),
    ),
    (
        re.compile(r"no residual factor is loaded: market-based figures use the average factor"),
        lambda: gettext("no residual factor is loaded: market-based figures use the average factor"),
    ),
]
_FIGURE_PARTS = ("current", "previous", "mwh")


def flag_detail(code: str, detail: str) -> str:
    """A flag's detail in the active language (as stored if it has no known form)."""
    for pattern, template in _FLAG_DETAILS:
        match = pattern.fullmatch(detail)
        if match:
            parts = {
                name: figure_text(value, 3) if name in _FIGURE_PARTS else value
                for name, value in match.groupdict().items()
            }
            return template() % parts
    return detail


def footer(report: Report, now: datetime) -> str:
    return gettext("%(title)s · roll-up run #%(run)d · generated %(when)s") % {
        "title": report.get_kind_display(),
        "run": report.run_id,
        "when": local_datetime(now),
    }


def about(report: Report, run: RollupRun, now: datetime) -> list[tuple[str, str | int]]:
    return [
        (gettext("Report"), f"{report.get_kind_display()} {report.period_key}"),
        (gettext("Generated"), timezone.localtime(now).strftime("%Y-%m-%d %H:%M %Z")),
        (gettext("Roll-up run"), f"#{run.pk}"),
        (gettext("Run finished"), timezone.localtime(run.finished_at).strftime("%Y-%m-%d %H:%M %Z")),
        (gettext("Method version"), run.method_version),
        (gettext("Baseline year"), run.baseline_year),
        (gettext("Input fingerprint"), run.input_fingerprint),
    ]


def year_figures(run: RollupRun, *, sheet: str) -> KeyFigures:
    """The year's headline figures of a run, as the comparison page shows them (its columns)."""
    reported = run.result.get("reported")
    green, electricity, published = run.green_reduction_tco2e, run.electricity_mwh, run.reported_tco2e
    share = None if not electricity else run.green_mwh * 100 / electricity
    return KeyFigures(
        sheet=sheet,
        figures=(
            KeyFigure(gettext("Computed green-power reduction"), green, "tCO2e", 3),
            KeyFigure(gettext("Published figure"), published, "tCO2e", 3, note=reported["source"] if reported else ""),
            KeyFigure(gettext("Difference"), None if published is None else green - published, "tCO2e", 3),
            KeyFigure(gettext("Variance"), run.variance_pct, "%", 3, kind="percent"),
            KeyFigure(
                gettext("Absolute reduction (market-based Scope 2)"),
                run.absolute_reduction_tco2e,
                "tCO2e",
                3,
                note=gettext("suppliers with a baseline only"),
            ),
            KeyFigure(
                gettext("Suppliers reporting"),
                run.suppliers_reporting,
                kind="integer",
                note=gettext("of %(committed)d committed suppliers; %(baseline)d with a baseline")
                % {"committed": settings.COMMITTED_SUPPLIERS, "baseline": run.suppliers_with_baseline},
            ),
            KeyFigure(gettext("Electricity"), electricity, "MWh", 3),
            KeyFigure(gettext("Green electricity"), run.green_mwh, "MWh", 3),
            KeyFigure(gettext("Green share"), share, "%", 1, kind="percent"),
            KeyFigure(gettext("Location-based emissions"), run.location_based_tco2e, "tCO2e", 3),
            KeyFigure(gettext("Market-based emissions"), run.market_based_tco2e, "tCO2e", 3),
            KeyFigure(gettext("Avoided by green electricity"), run.avoided_tco2e, "tCO2e", 3),
        ),
    )


def flag_blocks(run: RollupRun, *, factors_note: str) -> list:
    counts = Counter(flag["code"] for flag in run.result.get("flags", []))
    flags = list(run_flags(run).exclude(code__in=UNLISTED_FLAGS))
    return [
        Table(
            sheet=gettext("Flag counts"),
            columns=(Column(gettext("Flag"), width=3), Column(gettext("Count"), "integer")),
            rows=[[flag_label(code), count] for code, count in sorted(counts.items())],
            empty_note=gettext("The roll-up has no data-quality flags."),
            page_share=0.6,
        ),
        Table(
            sheet=gettext("Flags"),
            columns=(
                Column(gettext("Flag"), width=1.6),
                Column(gettext("Supplier code"), width=1),
                Column(gettext("Supplier"), width=2),
                Column(gettext("Site"), width=0.7),
                Column(gettext("Year"), "year", width=0.6),
                Column(gettext("Detail"), width=3.2),
            ),
            rows=[
                [
                    flag_label(flag.code),
                    flag.supplier.code,
                    flag.supplier.name_in_language(),
                    flag.site.code if flag.site else "",
                    flag.year,
                    flag_detail(flag.code, flag.detail),
                ]
                for flag in flags
            ],
            pdf_rows=PDF_LIST_ROWS,
            more_note=gettext("%(count)s more flags are listed in the XLSX."),
        ),
        Text(factors_note, True),
    ]
