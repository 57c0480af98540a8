"""Supplier and portfolio figures for one year against the baseline year (docs/method.md, version 2),
and the sensitivity variants of the same inputs."""

import decimal
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from typing import NamedTuple

from reports.calculation import context
from reports.calculation.factors import AVERAGE, RESIDUAL, FactorTable, ResolvedFactor
from reports.calculation.values import (
    ZERO,
    Flag,
    RollupInputs,
    RollupOutcome,
    SiteResult,
    SiteYear,
    SupplierResult,
    SupplierYear,
    plain_decimal,
)
from suppliers.plausibility import yoy_outlier


def _yoy_flag(site_year: SiteYear, history: dict[int, Decimal]) -> Flag | None:
    current = site_year.total.electricity
    outlier = yoy_outlier(site_year.year, current, history)
    if outlier is None:
        return None
    previous_year, previous = outlier
    return Flag(
        "yoy_outlier",
        site_year.supplier_code,
        site_year.site_code,
        site_year.year,
        f"{plain_decimal(current)} MWh in {site_year.year} against {plain_decimal(previous)} MWh in {previous_year}"
        " (more than 5 times or under 1/5: a kWh typed as MWh?)",
    )


class _PlaceFactors(NamedTuple):
    average: Decimal
    residual: Decimal  # the average factor while no residual factor is loaded
    fallbacks: str  # the factor_fallback flag's detail; empty when neither factor is a fallback


class _Computation:
    """The state of one roll-up while its site-years are added up."""

    def __init__(self, inputs: RollupInputs, *, details: bool = True) -> None:
        self.inputs = inputs
        self.details = details  # the flags and the sites' rows, besides the suppliers' figures
        self.table = FactorTable(inputs.factors)
        self.has_residual = self.table.has(RESIDUAL)
        self.flags: list[Flag] = []
        self.resolved: dict[tuple[str, str, int, str], ResolvedFactor] = {}
        self.places: dict[tuple[str, str, int], _PlaceFactors] = {}
        self.current: dict[str, SupplierYear] = defaultdict(SupplierYear)
        self.baseline: dict[str, SupplierYear] = {}
        self.site_current: dict[tuple[str, str, str], SupplierYear] = {}
        self.site_baseline: dict[tuple[str, str, str], SupplierYear] = {}
        self.double_claimed = ZERO
        self.ineligible_irec = ZERO
        # The tonnes the excluded certificates would have counted, at the lines' own factors.
        self.double_claimed_avoided = ZERO
        self.ineligible_irec_avoided = ZERO

    def factor(self, site_year: SiteYear, year: int, kind: str) -> ResolvedFactor:
        resolved = self.table.resolve(site_year.province, site_year.region, year, kind)
        self.resolved[(resolved.province, resolved.region, resolved.year, kind)] = resolved
        return resolved

    def place_factors(self, site_year: SiteYear) -> _PlaceFactors:
        """The factors of the site-year's place and year, resolved once per place and year (a
        place has hundreds of site-years)."""
        key = (site_year.province, site_year.region, site_year.year)
        found = self.places.get(key)
        if found is None:
            average = self.factor(site_year, site_year.year, AVERAGE)
            residual = self.factor(site_year, site_year.year, RESIDUAL) if self.has_residual else None
            fallbacks = "; ".join(f.describe() for f in (average, residual) if f is not None and f.is_fallback)
            found = _PlaceFactors(average.value, residual.value if residual else average.value, fallbacks)
            self.places[key] = found
        return found

    def add(self, site_year: SiteYear) -> None:
        inputs = self.inputs
        factors = self.place_factors(site_year)
        average, residual = factors.average, factors.residual
        eligible = inputs.irec_last_year is None or site_year.year <= inputs.irec_last_year
        total, attributable = site_year.counted_irec_eligible if eligible else site_year.counted_irec_ineligible
        site_key = (site_year.supplier_code, site_year.site_code, site_year.region)
        # With year == baseline_year, the same lines are both the year's and the baseline's.
        if site_year.year == inputs.year:
            self.current[site_year.supplier_code].add(total, attributable, site_year, average, residual)
            if self.details:
                self.site_current.setdefault(site_key, SupplierYear()).add(
                    total, attributable, site_year, average, residual
                )
            if total.double_claimed or total.ineligible_irec:  # most site-years exclude nothing
                self.double_claimed += total.double_claimed
                self.ineligible_irec += total.ineligible_irec
                self.double_claimed_avoided += attributable.double_claimed * average
                self.ineligible_irec_avoided += attributable.ineligible_irec * average
        if site_year.year == inputs.baseline_year:
            baseline = self.baseline.setdefault(site_year.supplier_code, SupplierYear())
            baseline.add(total, attributable, site_year, average, residual)
            at_year = self.table.resolve(site_year.province, site_year.region, inputs.year, AVERAGE).value
            baseline.avoided_at_year_factors += attributable.green * at_year
            if self.details:
                self.site_baseline.setdefault(site_key, SupplierYear()).add(
                    total, attributable, site_year, average, residual
                )
        if self.details:
            self._flag(site_year, factors.fallbacks, eligible)

    def _flag(self, site_year: SiteYear, fallbacks: str, eligible: bool) -> None:
        where = (site_year.supplier_code, site_year.site_code, site_year.year)
        if fallbacks:
            self.flags.append(Flag("factor_fallback", *where, fallbacks))
        q = site_year.total
        if site_year.duplicates or q.gec_double or q.irec_double:
            self.flags.append(
                Flag(
                    "duplicate_certificate",
                    *where,
                    f"{plain_decimal(q.gec_double + q.irec_double)} MWh of certificates also claimed by another line, "
                    "counted as grid electricity: " + ", ".join(site_year.duplicates),
                )
            )
        if not eligible and q.irec:
            self.flags.append(
                Flag(
                    "irec_not_eligible",
                    *where,
                    f"{plain_decimal(q.irec)} MWh of I-RECs after {self.inputs.irec_last_year}, the last year for which "
                    "I-RECs count in China (from then on only GECs), counted as grid electricity",
                )
            )
        history = self.inputs.site_history.get((site_year.supplier_code, site_year.site_code), {})
        outlier = _yoy_flag(site_year, history)
        if outlier:
            self.flags.append(outlier)


def rollup_compute(inputs: RollupInputs, *, details: bool = True) -> RollupOutcome:
    """Every figure of the method for `inputs.year` against `inputs.baseline_year`; without
    `details`, the suppliers' figures and the totals only (no flags, no sites' rows).

    Raises MissingFactor when a line's place and year have no average factor at all, or no
    residual factor while residual factors are loaded.
    """
    year, baseline_year = inputs.year, inputs.baseline_year
    current_suppliers = {sy.supplier_code for sy in inputs.site_years if sy.year == year}
    baseline_suppliers = {sy.supplier_code for sy in inputs.site_years if sy.year == baseline_year}
    computation = _Computation(inputs, details=details)
    with decimal.localcontext(context()):
        for site_year in inputs.site_years:
            if site_year.supplier_code in current_suppliers and site_year.year in (year, baseline_year):
                computation.add(site_year)
        flags = computation.flags
        for code in sorted(current_suppliers - baseline_suppliers) if details else ():
            flags.append(
                Flag("no_baseline", code, None, year, f"no approved line in the baseline year {baseline_year}")
            )
        if details and not computation.has_residual:
            flags.append(
                Flag(
                    "no_residual_factor",
                    None,
                    None,
                    year,
                    "no residual factor is loaded: market-based figures use the average factor",
                )
            )
        suppliers = tuple(
            SupplierResult(code, computation.current[code], computation.baseline.get(code))
            for code in sorted(current_suppliers)
        )
    # One flag of a kind per site and year, however many of its rows raised it.
    unique = {(f.code, f.supplier_code, f.site_code, f.year): f for f in flags}
    ordered = sorted(unique.values(), key=lambda f: (f.code, f.supplier_code or "", f.site_code or "", f.year))
    # A site that reported only in the baseline year still counts in the regional green reduction.
    site_current, site_baseline = computation.site_current, computation.site_baseline
    sites = tuple(
        SiteResult(*key, site_current.get(key, SupplierYear()), site_baseline.get(key))
        for key in sorted(set(site_current) | set(site_baseline))
    )
    return RollupOutcome(
        sites=sites,
        inputs=inputs,
        suppliers=suppliers,
        flags=tuple(ordered),
        factors_used=tuple(computation.resolved[key] for key in sorted(computation.resolved)),
        double_claimed_mwh=computation.double_claimed,
        ineligible_irec_mwh=computation.ineligible_irec,
        double_claimed_tco2e=computation.double_claimed_avoided,
        ineligible_irec_tco2e=computation.ineligible_irec_avoided,
        baseline_suppliers_not_reporting=tuple(sorted(baseline_suppliers - current_suppliers)),
    )


SENSITIVITY_VARIANTS = ("regional_factors", "average_factor_market_based", "irec_without_cutoff")


def sensitivity_inputs(inputs: RollupInputs, variant: str) -> RollupInputs:
    """The inputs under one alternative choice: province factors left out, residual factors left
    out, or the I-REC cut-off ignored."""
    table = FactorTable(inputs.factors)
    if variant == "regional_factors":
        return replace(inputs, factors=table.without(provinces=True).factors)
    if variant == "average_factor_market_based":
        return replace(inputs, factors=table.without(kind=RESIDUAL).factors)
    if variant == "irec_without_cutoff":
        return replace(inputs, irec_last_year=None)
    raise ValueError(f"unknown sensitivity variant {variant!r}")


def sensitivity_compute(inputs: RollupInputs, central: RollupOutcome | None = None) -> dict[str, RollupOutcome]:
    """Each variant's outcome: its totals, which are all a variant is read for (not its flags).

    A variant whose inputs cannot change a figure is not computed again: without the I-REC
    cut-off, when neither year the run reads is after it, the outcome is the run's own
    (`central`, when given)."""
    outcomes = {}
    for variant in SENSITIVITY_VARIANTS:
        if central is not None and variant == "irec_without_cutoff" and not _after_irec_cutoff(inputs):
            outcomes[variant] = central
        else:
            outcomes[variant] = rollup_compute(sensitivity_inputs(inputs, variant), details=False)
    return outcomes


def _after_irec_cutoff(inputs: RollupInputs) -> bool:
    """Whether the cut-off can exclude anything: the engine reads the year and the baseline year."""
    last = inputs.irec_last_year
    return last is not None and max(inputs.year, inputs.baseline_year) > last
