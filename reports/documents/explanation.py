"""The blocks of the annual report that explain its figure, as the comparison page does: the
headline's bridge, what was left out, the range under other reasonable choices, who is in the
figure, and the run's method statement (reports/documents/method_statement.py) as an appendix. Each reads
the run's Decimal columns, never its JSON floats."""

from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext

from reports.calculation.commitments import ProgressStatus
from reports.calculation.comparison import bridge_parts, published_within_range
from reports.documents.document import Block, Chart, Column, Heading, Series, Table, Text
from reports.documents.method_statement import method_statement
from reports.documents.numbers import figure_text
from reports.models import RollupRun, RollupSensitivity
from reports.selectors.commitments import commitments_summary_get
from reports.selectors.inputs import evidence_coverage, suppliers_by_codes

# Blocks other apps add to the annual report of a run (assurance adds its sampled exceptions); the
# app registers its function in its AppConfig.ready(), so reports never imports it.
APPENDICES: list[Callable[[RollupRun], list[Block]]] = []


def bridge_blocks(run: RollupRun) -> list[Block]:
    tonnes = gettext("tCO2e")
    parts = bridge_parts(run)
    return [
        Heading(gettext("Why the headline is what it is")),
        Text(
            gettext(
                "The green-power reduction is the sum of three parts: more green electricity at the suppliers "
                "with a baseline, valued at this year's factors; the change from valuing the baseline's green "
                "electricity at this year's factors instead of the baseline year's; and the suppliers without "
                "a baseline, whose whole avoided emissions count."
            ),
            True,
        ),
        Chart(
            title=gettext("What the headline is made of"),
            categories=(*(p.short_label for p in parts), gettext("Headline")),
            series=(Series(tonnes, (*(p.tco2e for p in parts), run.green_reduction_tco2e)),),
            value_axis=tonnes,
            category_axis="",
        ),
        Table(
            sheet=gettext("Bridge"),
            columns=(Column(gettext("Part"), width=3), Column(tonnes, "number", 3)),
            rows=[*([p.label, p.tco2e] for p in parts), [gettext("Green-power reduction"), run.green_reduction_tco2e]],
            page_share=0.7,
        ),
        Heading(gettext("What was left out")),
        Table(
            sheet=gettext("Exclusions"),
            columns=(
                Column(gettext("Excluded"), width=3),
                Column(gettext("MWh (before the BMW share)"), "number", 3),
                Column(gettext("tCO2e they would have counted"), "number", 3),
            ),
            rows=[
                [
                    gettext("Certificates claimed by more than one line"),
                    run.double_claimed_mwh,
                    run.double_claimed_tco2e,
                ],
                [
                    gettext("I-RECs after %(year)s, the last year for which they count") % {"year": run.irec_last_year},
                    run.ineligible_irec_mwh,
                    run.ineligible_irec_tco2e,
                ],
            ],
        ),
    ]


def range_blocks(run: RollupRun) -> list[Block]:
    variants = list(RollupSensitivity.objects.filter(run=run))
    inside = published_within_range(run)
    verdict = {
        True: gettext("The published figure lies inside this range."),
        False: gettext("The published figure lies outside this range."),
        None: gettext("No figure is published for this year."),
    }[inside]
    return [
        Heading(gettext("How far the headline moves with other reasonable choices")),
        Text(
            gettext("From %(low)s to %(high)s tCO2e. %(verdict)s")
            % {
                "low": _shown(run.range_low_tco2e),
                "high": _shown(run.range_high_tco2e),
                "verdict": verdict,
            }
        ),
        Table(
            sheet=gettext("Sensitivity"),
            columns=(
                Column(gettext("Choice"), width=3),
                Column(gettext("Green-power reduction (tCO2e)"), "number", 3),
                Column(gettext("Absolute reduction (tCO2e)"), "number", 3),
            ),
            rows=[
                [gettext("This run"), run.green_reduction_tco2e, run.absolute_reduction_tco2e],
                *(
                    [str(v.get_variant_display()), v.green_reduction_tco2e, v.absolute_reduction_tco2e]
                    for v in variants
                ),
            ],
        ),
    ]


def coverage_blocks(run: RollupRun, missing_codes: list[str]) -> list[Block]:
    attributable, with_evidence = evidence_coverage(year=run.year)
    missing = suppliers_by_codes(missing_codes)
    rows = [
        [gettext("Committed suppliers"), settings.COMMITTED_SUPPLIERS],
        [gettext("Suppliers with approved lines this year"), run.suppliers_reporting],
        [gettext("… of them with a baseline"), run.suppliers_with_baseline],
        [gettext("Baseline suppliers not reporting this year"), run.baseline_suppliers_not_reporting],
    ]
    blocks: list[Block] = [
        Heading(gettext("Who is in the figure")),
        Table(
            sheet=gettext("Coverage"), columns=(Column("", width=3), Column("", "integer")), rows=rows, page_share=0.7
        ),
        Text(
            gettext("Attributable electricity with evidence attached: %(evidenced)s of %(total)s MWh.")
            % {"evidenced": _shown(with_evidence, 0), "total": _shown(attributable, 0)}
        ),
    ]
    if missing:
        blocks.append(
            Text(
                gettext("Baseline suppliers not reporting, in neither figure: %(names)s")
                % {"names": ", ".join(f"{s.code} {s.name_zh or s.name_en}" for s in missing)}
            )
        )
    return [*blocks, *commitment_blocks(run)]


def commitment_blocks(run: RollupRun) -> list[Block]:
    """Where committed suppliers stand in the run's year, and who is behind, named."""
    summary = commitments_summary_get(run=run)
    if not summary.committed:
        return []
    counts = summary.counts
    rows = [
        [gettext("Suppliers with a recorded commitment"), summary.committed],
        [gettext("… of them reporting this year"), summary.reporting],
        [gettext("Target met"), counts[ProgressStatus.MET]],
        [gettext("On track"), counts[ProgressStatus.ON_TRACK]],
        [gettext("Behind"), counts[ProgressStatus.BEHIND]],
        [gettext("Without a baseline share to measure against"), counts[ProgressStatus.NO_BASELINE]],
    ]
    blocks: list[Block] = [
        Heading(gettext("Commitments: where committed suppliers stand")),
        Table(
            sheet=gettext("Commitments"),
            columns=(Column("", width=3), Column("", "integer")),
            rows=rows,
            page_share=0.7,
        ),
    ]
    if summary.behind:
        blocks.append(
            Text(
                gettext("Behind their commitment: %(names)s")
                % {
                    "names": ", ".join(
                        f"{s.commitment.supplier.code} {s.commitment.supplier.name_zh or s.commitment.supplier.name_en}"
                        for s in summary.behind
                    )
                }
            )
        )
    return blocks


def method_blocks(run: RollupRun) -> list[Block]:
    blocks: list[Block] = []
    for section in method_statement(run):
        blocks.append(Heading(section.heading))
        blocks += [Text(paragraph) for paragraph in section.paragraphs]
    return blocks


def appendix_blocks(run: RollupRun) -> list[Block]:
    return [block for appendix in APPENDICES for block in appendix(run)]


def _shown(value: Decimal | None, decimals: int = 3) -> str:
    return figure_text(value, decimals)
