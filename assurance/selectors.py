"""Reads for assurance: each line of a run with the tonnes it avoided, and whether the data the
run read is still the data in the database."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from assurance.models import AssuranceSample, SampledLine
from reports.calculation import METHOD_VERSION
from reports.calculation.factors import AVERAGE, FactorTable
from reports.calculation.fingerprint import inputs_fingerprint
from reports.calculation.values import Quantities, green_counted
from reports.models import RollupRun
from reports.selectors.claims import line_exclusions_get
from reports.selectors.inputs import rollup_inputs_get
from reports.selectors.runs import rollup_run_latest
from suppliers.forms.submissions import line_serials_text
from suppliers.models import EvidenceFile, Line
from suppliers.periods import period_make
from suppliers.selectors import approved_lines


@dataclass(frozen=True)
class LineValue:
    """One approved line of the run's year and its attributable avoided emissions a·G·EF."""

    line_id: int
    submission_id: int
    supplier_code: str
    site_code: str
    period: str
    attributable_green_mwh: Decimal
    tco2_per_mwh: Decimal
    avoided_tco2e: Decimal


def run_newest(*, year: int, baseline_year: int) -> RollupRun | None:
    return rollup_run_latest(year=year, baseline_year=baseline_year, method_version=METHOD_VERSION)


def run_change(run: RollupRun) -> str | None:
    """What changed in the approved data or factors since `run` was computed, or None when the
    database still holds exactly what it read (its inputs' fingerprint)."""
    inputs = rollup_inputs_get(year=run.year, baseline_year=run.baseline_year, irec_last_year=run.irec_last_year)
    if inputs_fingerprint(inputs) == run.input_fingerprint:
        return None
    used = {(f["province"], f["region"], f["year"], f["kind"]): f["tco2_per_mwh"] for f in run.factors_used}
    table = FactorTable(inputs.factors)
    for (province, region, year, kind), value in sorted(used.items()):
        try:
            now = table.resolve(province, region, year, kind)
        except LookupError:
            return f"the {kind} factor of {province} ({region}) {year} is no longer loaded"
        if str(now.value) != value:
            return f"the {kind} factor of {province} ({region}) {year} is now {now.value}, the run used {value}"
    lines = sum(sy.line_count for sy in inputs.site_years)
    if lines != run.line_count:
        return (
            f"{lines} approved lines of {run.year} and {run.baseline_year} now, {run.line_count} when the run was made"
        )
    if (inputs.reported and inputs.reported.tco2e) != run.reported_tco2e:
        return "the published figure changed"
    return "approved lines were changed or re-approved since the run"


def run_line_values(run: RollupRun) -> list[LineValue]:
    """Every approved line of the run's year, in a fixed order (supplier, site, period), with the
    tonnes it avoided at the factors the run used, after the run's exclusions (two queries and
    those of the exclusions)."""
    factors = {
        (f["province"], f["region"], f["year"]): Decimal(f["tco2_per_mwh"]) for f in run.factors_used
        if f.get("kind") == AVERAGE
    }  # fmt: skip
    exclusions = line_exclusions_get(years={run.year})
    eligible = run.irec_last_year is None or run.year <= run.irec_last_year
    rows = (
        approved_lines()
        .filter(submission__period__year=run.year)
        .order_by("site__supplier__code", "site__code", "submission__period__first_month", "pk")
        .values_list(
            "pk",
            "submission_id",
            "site__supplier__code",
            "site__code",
            "site__province",
            "site__region",
            "submission__period__kind",
            "submission__period__number",
            "total_electricity_mwh",
            "onsite_renewable_mwh",
            "green_power_trading_mwh",
            "gec_mwh",
            "irec_mwh",
            "bmw_share_percent",
        )
    )
    values = []
    for pk, submission_id, supplier, site, province, region, kind, number, e, onsite, trade, gec, irec, share in rows:
        exclusion = exclusions.get(pk)
        quantities = Quantities(
            electricity=e,
            other_green=onsite + trade,
            gec=gec,
            irec=irec,
            gec_double=exclusion.gec_mwh if exclusion else Decimal(0),
            irec_double=exclusion.irec_mwh if exclusion else Decimal(0),
        )
        green = green_counted(quantities.scaled(share / 100), irec_eligible=eligible).green
        factor = factors[(province, region, run.year)]
        values.append(
            LineValue(
                line_id=pk,
                submission_id=submission_id,
                supplier_code=supplier,
                site_code=site,
                period=period_make(run.year, kind, number).code,
                attributable_green_mwh=green,
                tco2_per_mwh=factor,
                avoided_tco2e=green * factor,
            )
        )
    return values


def line_evidence(line: Line) -> list[EvidenceFile]:
    """The files that prove `line`: those of its site in its submission (the line's own, or its
    site's for the period), then those of every site of the period; from the submission's
    prefetched `evidence_files`."""
    files = line.submission.evidence_files.all()
    return [e for e in files if e.site_id == line.site_id] + [e for e in files if e.site_id is None]


@dataclass(frozen=True)
class SampledLineShown:
    sampled: SampledLine
    line: Line | None  # None when the line was replaced since the sample was drawn
    certificates: str
    evidence: list[EvidenceFile]
    share_pct: Decimal | None  # of the year's avoided emissions


def sampled_lines_shown(sample: AssuranceSample) -> list[SampledLineShown]:
    """A sample's lines with what a verifier checks them against (a fixed number of queries)."""
    sampled = (
        sample.lines.select_related("line__site__supplier", "line__submission__period", "checked_by")
        .prefetch_related(
            "line__certificate_claims",
            "line__certificate_ranges",
            Prefetch("line__submission__evidence_files", queryset=EvidenceFile.objects.select_related("site")),
        )
        .order_by("position")
    )
    avoided = sample.run.avoided_tco2e
    shown = []
    for item in sampled:
        line = item.line
        certificates = ""
        if line is not None:
            serials = line_serials_text(line)
            certificates = "; ".join(
                [c.batch_id for c in line.certificate_claims.all()] + [f"{k}: {v}" for k, v in serials.items()]
            )
        shown.append(
            SampledLineShown(
                sampled=item,
                line=line,
                certificates=certificates,
                evidence=line_evidence(line) if line else [],
                share_pct=item.avoided_tco2e * 100 / avoided if avoided else None,
            )
        )
    return shown
