"""The method statement of a run: what it computed, with which settings and factors, and what
the figure is not. One text for the page, the annual report's appendix and the assurance pack."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from reports.models import RollupFlag, RollupRun


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[str, ...]


def method_statement(run: RollupRun) -> list[Section]:
    """The statement's sections, in the active language (plain text, for any format)."""
    if run.method_version != "2":
        intro = _(
            "This run was computed under method version %(version)s, before provincial and residual factors, "
            "certificate serials and the I-REC cut-off: regional average factors for every figure, and "
            "certificate batch IDs only."
        ) % {"version": run.method_version}
    else:
        intro = _(
            "Method version 2. Roll-up run #%(id)d of %(year)d against the baseline year %(baseline)d, from "
            "%(lines)d approved lines; I-RECs count up to the consumption year %(irec)s."
        ) % {
            "id": run.pk,
            "year": run.year,
            "baseline": run.baseline_year,
            "lines": run.line_count,
            "irec": run.irec_last_year,
        }
    sections = [
        Section(_("The run"), (intro, _("Input fingerprint (SHA-256): %(fp)s") % {"fp": run.input_fingerprint})),
        Section(
            _("What the figure is"),
            (
                _(
                    "Tonnes of CO2 from the purchased electricity of tier-1 suppliers' sites, attributed to BMW by "
                    "each site's share of output that goes to BMW. The green-power reduction is the emissions "
                    "avoided by green electricity in the year minus those avoided in the baseline year, over the "
                    "suppliers with approved lines in the year."
                ),
                _(
                    "It is not Scope 1, not upstream or lifecycle emissions, and not the suppliers' whole "
                    "footprint; the factors are CO2 only (the JSON keys keep their tCO2e names)."
                ),
            ),
        ),
        Section(
            _("Emission factors"),
            (
                _(
                    "Each site's factor is that of its province, else of its regional grid, else NATIONAL, for the "
                    "same year; else the newest earlier year (province, region, NATIONAL); else the oldest later "
                    "year. Average factors value location-based figures and avoided emissions; the residual factor "
                    "(MEE/NBS's national factor excluding market-traded non-fossil electricity) values the grid "
                    "electricity of market-based figures, so that green attributes sold to others are not counted "
                    "twice. Without any residual factor the average one is used, and the run says so."
                ),
                _("The factors this run used, with where each value came from, are listed below."),
            ),
        ),
        Section(
            _("Certificates"),
            (
                _(
                    "GECs and I-RECs are named by serial (single serials and ranges FIRST~LAST, one certificate per "
                    "MWh, counted exactly) or, in the older form, by batch ID. A certificate that more than one line "
                    "claims, of any supplier, site or period, counts as grid electricity on every line that claims "
                    "it, until staff reject a claim; a batch ID on more than one line zeroes those lines' GEC and "
                    "I-REC."
                ),
                _(
                    "I-RECs are issued for Chinese generation only up to the 2024 vintage; from 2025 the GEC is the "
                    "sole proof of green electricity in China. I-RECs of a consumption year after %(year)s count as "
                    "grid electricity."
                )
                % {"year": run.irec_last_year or 2024},
            ),
        ),
        Section(
            _("The bridge"),
            (
                _(
                    "The headline is the sum of three parts: more green electricity at the same suppliers, valued at "
                    "this year's factors; the change from valuing the baseline's green electricity at this year's "
                    "factors instead of the baseline year's; and the avoided emissions of suppliers without a "
                    "baseline. Baseline suppliers that did not report are in neither."
                ),
            ),
        ),
        Section(
            _("Flags"),
            tuple(f"{code.value}: {_flag_meaning(code)}" for code in RollupFlag.Code),
        ),
    ]
    return sections


def _flag_meaning(code: str) -> str:
    return {
        RollupFlag.Code.NO_BASELINE: _("the supplier has approved lines in the year but none in the baseline year"),
        RollupFlag.Code.DUPLICATE_CERTIFICATE: _("a certificate serial or batch ID is claimed by more than one line"),
        RollupFlag.Code.FACTOR_FALLBACK: _(
            "the line's factor came from another year, or its average factor from NATIONAL"
        ),
        RollupFlag.Code.NO_RESIDUAL_FACTOR: _("no residual factor is loaded: market-based figures use the average one"),
        RollupFlag.Code.IREC_NOT_ELIGIBLE: _("I-RECs of a year after the cut-off, counted as 0"),
        RollupFlag.Code.YOY_OUTLIER: _(
            "a site's electricity is over 5 times, or under 1/5 of, that of its previous year (a unit slip?)"
        ),
    }[code]


def method_statement_markdown(run: RollupRun) -> str:
    """The statement as Markdown, with the factor table (the assurance pack's method.md)."""
    lines = [f"# {_('Method statement of roll-up run #%(id)d') % {'id': run.pk}}", ""]
    for section in method_statement(run):
        lines += [f"## {section.heading}", ""]
        lines += [f"- {p}" if section.heading == _("Flags") else p for p in section.paragraphs]
        lines.append("")
    lines += [
        f"## {_('Factors used')}",
        "",
        "| province | region | year | kind | tCO2/MWh | from | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in run.factors_used:
        source = str(f.get("source", "")).replace("|", "/").replace("\n", " ")
        lines.append(
            f"| {f.get('province', '')} | {f['region']} | {f['year']} | {f.get('kind', 'average')} | "
            f"{f['tco2_per_mwh']} | {f['from_region']} {f['from_year']} | {source} |"
        )
    return "\n".join(lines) + "\n"
