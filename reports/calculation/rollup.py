"""Supplier and portfolio figures for one year against the baseline year (docs/method.md, version 2)."""

import decimal
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property

from reports.calculation import METHOD_VERSION, context
from reports.calculation.decomposition import (
    ZERO_DECOMPOSITION,
    Decomposition,
    Drivers,
    drivers_from_sums,
    shapley_reduction,
)
from reports.calculation.factors import AVERAGE, RESIDUAL, Factor, FactorTable, ResolvedFactor

ZERO = Decimal(0)
THREE_PLACES = Decimal("0.001")
YOY_RATIO = Decimal(5)


@dataclass(frozen=True)
class Quantities:
    """Sums of lines' quantities in MWh: as reported, with the certificates that other lines
    also claim (`gec_double`, `irec_double`; the whole GEC and I-REC of a line with a
    double-claimed batch ID)."""

    electricity: Decimal = ZERO
    other_green: Decimal = ZERO  # on-site renewable and green power trading
    gec: Decimal = ZERO
    irec: Decimal = ZERO
    gec_double: Decimal = ZERO
    irec_double: Decimal = ZERO

    def __add__(self, other: "Quantities") -> "Quantities":
        return Quantities(
            self.electricity + other.electricity,
            self.other_green + other.other_green,
            self.gec + other.gec,
            self.irec + other.irec,
            self.gec_double + other.gec_double,
            self.irec_double + other.irec_double,
        )

    def scaled(self, factor: Decimal) -> "Quantities":
        return Quantities(
            self.electricity * factor,
            self.other_green * factor,
            self.gec * factor,
            self.irec * factor,
            self.gec_double * factor,
            self.irec_double * factor,
        )


@dataclass(frozen=True)
class Counted:
    """What of a line's green electricity counts, after the I-REC cut-off and the double claims."""

    green: Decimal
    double_claimed: Decimal
    ineligible_irec: Decimal


def green_counted(q: Quantities, *, irec_eligible: bool) -> Counted:
    """G = G_onsite + G_trade + G_gec − excluded_gec + G_irec − excluded_irec: the ineligible
    I-RECs first, then the double-claimed certificates of what remains."""
    if irec_eligible:
        irec, ineligible, irec_double = q.irec - q.irec_double, ZERO, q.irec_double
    else:
        irec, ineligible, irec_double = ZERO, q.irec, ZERO
    return Counted(q.other_green + q.gec - q.gec_double + irec, q.gec_double + irec_double, ineligible)


@dataclass(frozen=True)
class SiteYear:
    """The sums of one site's approved lines in one year (one or more aggregated query rows).

    `total` is as reported; `attributable` is each line's quantities times its BMW share.
    `duplicates` names the double-claimed batches or certificates, for the flag's detail.
    """

    supplier_code: str
    site_code: str
    province: str
    region: str
    year: int
    total: Quantities
    attributable: Quantities
    duplicates: tuple[str, ...] = ()
    line_count: int = 1

    # What counts, with the site-year's I-RECs eligible or not: the run and its sensitivity
    # variants read the same site-years, so each is worked out once.
    @cached_property
    def counted_irec_eligible(self) -> tuple[Counted, Counted]:
        return green_counted(self.total, irec_eligible=True), green_counted(self.attributable, irec_eligible=True)

    @cached_property
    def counted_irec_ineligible(self) -> tuple[Counted, Counted]:
        return green_counted(self.total, irec_eligible=False), green_counted(self.attributable, irec_eligible=False)


@dataclass(frozen=True)
class Flag:
    code: str
    supplier_code: str | None
    site_code: str | None
    year: int
    detail: str


@dataclass(frozen=True)
class Reported:
    tco2e: Decimal
    source: str


@dataclass(frozen=True)
class RollupInputs:
    year: int
    baseline_year: int
    site_years: tuple[SiteYear, ...]
    factors: tuple[Factor, ...]
    # Σ E by (supplier_code, site_code) and year before the year and the baseline year, back to
    # each site's newest earlier year with lines: what the yoy_outlier rule reads.
    site_history: dict[tuple[str, str], dict[int, Decimal]] = field(default_factory=dict)
    reported: Reported | None = None
    # The last consumption year whose I-RECs count; None: no cut-off (a sensitivity variant).
    irec_last_year: int | None = 2024


@dataclass
class SupplierYear:
    """Figures of one supplier (or site) in one year."""

    electricity_mwh: Decimal = ZERO
    green_mwh: Decimal = ZERO
    attributable_electricity_mwh: Decimal = ZERO
    attributable_green_mwh: Decimal = ZERO
    location_based: Decimal = ZERO
    market_based: Decimal = ZERO
    avoided: Decimal = ZERO
    # Σ a·E·EF_res: the effective factor of a supplier without grid electricity.
    location_based_residual: Decimal = ZERO
    # AV*: the avoided emissions of these (baseline) lines at the factors of the roll-up's year.
    avoided_at_year_factors: Decimal = ZERO

    def add(
        self, total: Counted, attributable: Counted, site_year: SiteYear, factor: Decimal, residual: Decimal
    ) -> None:
        a_electricity = site_year.attributable.electricity
        self.electricity_mwh += site_year.total.electricity
        self.green_mwh += total.green
        self.attributable_electricity_mwh += a_electricity
        self.attributable_green_mwh += attributable.green
        self.location_based += a_electricity * factor
        self.market_based += (a_electricity - attributable.green) * residual
        self.avoided += attributable.green * factor
        self.location_based_residual += a_electricity * residual

    def drivers(self) -> Drivers:
        grid_mwh = self.attributable_electricity_mwh - self.attributable_green_mwh
        return drivers_from_sums(
            self.attributable_electricity_mwh, grid_mwh, self.market_based, self.location_based_residual
        )


@dataclass(frozen=True)
class SupplierResult:
    supplier_code: str
    current: SupplierYear
    baseline: SupplierYear | None

    @property
    def baseline_avoided(self) -> Decimal:
        return self.baseline.avoided if self.baseline else ZERO

    @property
    def green_reduction(self) -> Decimal:
        return self.current.avoided - self.baseline_avoided

    @property
    def like_for_like_green(self) -> Decimal | None:
        return None if self.baseline is None else self.current.avoided - self.baseline.avoided_at_year_factors

    @property
    def baseline_factor_change(self) -> Decimal | None:
        return None if self.baseline is None else self.baseline.avoided_at_year_factors - self.baseline.avoided

    @property
    def new_entrant_avoided(self) -> Decimal:
        return self.current.avoided if self.baseline is None else ZERO

    @property
    def absolute_reduction(self) -> Decimal | None:
        return None if self.baseline is None else self.baseline.market_based - self.current.market_based

    @cached_property
    def decomposition(self) -> Decomposition | None:
        # Read by the run's columns, its supplier rows and its JSON: computed once.
        return None if self.baseline is None else shapley_reduction(self.baseline.drivers(), self.current.drivers())


@dataclass(frozen=True)
class SiteResult:
    """One site's figures in the year and in the baseline year (for breakdowns by region)."""

    supplier_code: str
    site_code: str
    region: str
    current: SupplierYear
    baseline: SupplierYear | None

    @property
    def green_reduction(self) -> Decimal:
        return self.current.avoided - (self.baseline.avoided if self.baseline else ZERO)


@dataclass(frozen=True)
class RollupOutcome:
    inputs: RollupInputs
    suppliers: tuple[SupplierResult, ...]
    flags: tuple[Flag, ...]
    factors_used: tuple[ResolvedFactor, ...]
    sites: tuple[SiteResult, ...] = ()
    double_claimed_mwh: Decimal = ZERO
    ineligible_irec_mwh: Decimal = ZERO
    double_claimed_tco2e: Decimal = ZERO  # what the excluded certificates would have avoided
    ineligible_irec_tco2e: Decimal = ZERO
    # Suppliers with approved lines in the baseline year and none in the year: in neither figure.
    baseline_suppliers_not_reporting: tuple[str, ...] = ()

    @property
    def with_baseline(self) -> tuple[SupplierResult, ...]:
        return tuple(s for s in self.suppliers if s.baseline is not None)

    def total(self, attribute: str, *, baseline_only: bool = False) -> Decimal:
        chosen = self.with_baseline if baseline_only else self.suppliers
        return sum((getattr(s, attribute) for s in chosen), ZERO)

    def current_total(self, attribute: str) -> Decimal:
        return sum((getattr(s.current, attribute) for s in self.suppliers), ZERO)

    @property
    def decomposition(self) -> Decomposition:
        return sum((s.decomposition for s in self.with_baseline), ZERO_DECOMPOSITION)

    @property
    def variance_pct(self) -> Decimal | None:
        reported = self.inputs.reported
        if reported is None or reported.tco2e == 0:
            return None
        with decimal.localcontext(context()):
            return (self.total("green_reduction") - reported.tco2e) / reported.tco2e * 100


def yoy_outlier(year: int, current: Decimal, history: dict[int, Decimal]) -> tuple[int, Decimal] | None:
    """The yoy_outlier rule: `current` (a site's E in `year`) is over 5 times, or under 1/5 of, its
    E in the newest earlier year in `history` (when that E > 0). Returns that year and its E when
    the rule fires, else None."""
    earlier = [y for y in history if y < year]
    if not earlier:
        return None
    previous_year = max(earlier)
    previous = history[previous_year]
    if previous <= 0 or not (current > YOY_RATIO * previous or current * YOY_RATIO < previous):
        return None
    return previous_year, previous


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


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
        f"{_plain(current)} MWh in {site_year.year} against {_plain(previous)} MWh in {previous_year}"
        " (more than 5 times or under 1/5: a kWh typed as MWh?)",
    )


class _Computation:
    """The state of one roll-up while its site-years are added up."""

    def __init__(self, inputs: RollupInputs, *, details: bool = True) -> None:
        self.inputs = inputs
        self.details = details  # the flags and the sites' rows, besides the suppliers' figures
        self.table = FactorTable(inputs.factors)
        self.has_residual = self.table.has(RESIDUAL)
        self.flags: list[Flag] = []
        self.resolved: dict[tuple[str, str, int, str], ResolvedFactor] = {}
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

    def add(self, site_year: SiteYear) -> None:
        inputs = self.inputs
        average = self.factor(site_year, site_year.year, AVERAGE)
        residual = self.factor(site_year, site_year.year, RESIDUAL) if self.has_residual else None
        eligible = inputs.irec_last_year is None or site_year.year <= inputs.irec_last_year
        total, attributable = site_year.counted_irec_eligible if eligible else site_year.counted_irec_ineligible
        residual_value = residual.value if residual else average.value
        site_key = (site_year.supplier_code, site_year.site_code, site_year.region)
        # With year == baseline_year, the same lines are both the year's and the baseline's.
        if site_year.year == inputs.year:
            self.current[site_year.supplier_code].add(total, attributable, site_year, average.value, residual_value)
            if self.details:
                self.site_current.setdefault(site_key, SupplierYear()).add(
                    total, attributable, site_year, average.value, residual_value
                )
            self.double_claimed += total.double_claimed
            self.ineligible_irec += total.ineligible_irec
            self.double_claimed_avoided += attributable.double_claimed * average.value
            self.ineligible_irec_avoided += attributable.ineligible_irec * average.value
        if site_year.year == inputs.baseline_year:
            baseline = self.baseline.setdefault(site_year.supplier_code, SupplierYear())
            baseline.add(total, attributable, site_year, average.value, residual_value)
            at_year = self.table.resolve(site_year.province, site_year.region, inputs.year, AVERAGE).value
            baseline.avoided_at_year_factors += attributable.green * at_year
            if self.details:
                self.site_baseline.setdefault(site_key, SupplierYear()).add(
                    total, attributable, site_year, average.value, residual_value
                )
        if self.details:
            self._flag(site_year, average, residual, eligible)

    def _flag(
        self, site_year: SiteYear, average: ResolvedFactor, residual: ResolvedFactor | None, eligible: bool
    ) -> None:
        where = (site_year.supplier_code, site_year.site_code, site_year.year)
        fallbacks = [f.describe() for f in (average, residual) if f is not None and f.is_fallback]
        if fallbacks:
            self.flags.append(Flag("factor_fallback", *where, "; ".join(fallbacks)))
        q = site_year.total
        if site_year.duplicates or q.gec_double or q.irec_double:
            self.flags.append(
                Flag(
                    "duplicate_certificate",
                    *where,
                    f"{_plain(q.gec_double + q.irec_double)} MWh of certificates also claimed by another line, "
                    "counted as grid electricity: " + ", ".join(site_year.duplicates),
                )
            )
        if not eligible and q.irec:
            self.flags.append(
                Flag(
                    "irec_not_eligible",
                    *where,
                    f"{_plain(q.irec)} MWh of I-RECs after {self.inputs.irec_last_year}, the last year for which "
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


# --- Sensitivity: the same engine on altered inputs -----------------------------------------------

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


# --- The result object ----------------------------------------------------------------------------


def _rounded(value: Decimal | None) -> float | None:
    """A figure as the roll-up JSON holds it: half-even to 3 decimals.

    JSON has no decimal type; a value with 3 decimals and at most 15 significant digits is
    written exactly by the float that the JSON number is read as. This is the one place a figure
    becomes a float, on its way out.
    """
    if value is None:
        return None
    return float(value.quantize(THREE_PLACES, rounding=decimal.ROUND_HALF_EVEN))


def _decomposition_json(decomposition: Decomposition | None) -> dict[str, float] | None:
    if decomposition is None:
        return None
    return {
        "activity": _rounded(decomposition.activity),
        "green_share": _rounded(decomposition.green_share),
        "grid_factor": _rounded(decomposition.grid_factor),
    }


def headline_figures(outcome: RollupOutcome) -> dict[str, Decimal | int | None]:
    """The portfolio's figures, unrounded, by their JSON names."""
    return {
        "suppliers_reporting": len(outcome.suppliers),
        "suppliers_with_baseline": len(outcome.with_baseline),
        "electricity_mwh": outcome.current_total("electricity_mwh"),
        "green_mwh": outcome.current_total("green_mwh"),
        "attributable_electricity_mwh": outcome.current_total("attributable_electricity_mwh"),
        "attributable_green_mwh": outcome.current_total("attributable_green_mwh"),
        "location_based_tco2e": outcome.current_total("location_based"),
        "market_based_tco2e": outcome.current_total("market_based"),
        "avoided_tco2e": outcome.current_total("avoided"),
        "baseline_avoided_tco2e": outcome.total("baseline_avoided"),
        "green_reduction_tco2e": outcome.total("green_reduction"),
        "absolute_reduction_tco2e": outcome.total("absolute_reduction", baseline_only=True),
        "like_for_like_green_tco2e": outcome.total("like_for_like_green", baseline_only=True),
        "baseline_factor_change_tco2e": outcome.total("baseline_factor_change", baseline_only=True),
        "new_entrants_avoided_tco2e": outcome.total("new_entrant_avoided"),
        "baseline_suppliers_not_reporting": len(outcome.baseline_suppliers_not_reporting),
        "double_claimed_mwh": outcome.double_claimed_mwh,
        "ineligible_irec_mwh": outcome.ineligible_irec_mwh,
        "double_claimed_tco2e": outcome.double_claimed_tco2e,
        "ineligible_irec_tco2e": outcome.ineligible_irec_tco2e,
    }


def _json_number(value: Decimal | int | None) -> float | int | None:
    return value if isinstance(value, int) else _rounded(value)


def rollup_result_json(outcome: RollupOutcome, sensitivity: dict[str, RollupOutcome] | None = None) -> dict:
    """The roll-up result object of docs/formats.md."""
    inputs = outcome.inputs
    reported = inputs.reported
    result: dict = {
        "year": inputs.year,
        "baseline_year": inputs.baseline_year,
        "method_version": int(METHOD_VERSION),
        "irec_last_year": inputs.irec_last_year,
        **{key: _json_number(value) for key, value in headline_figures(outcome).items()},
        "baseline_suppliers_not_reporting_codes": list(outcome.baseline_suppliers_not_reporting),
        "decomposition": _decomposition_json(outcome.decomposition),
        "reported": None if reported is None else {"tco2e": _rounded(reported.tco2e), "source": reported.source},
        "variance_pct": _rounded(outcome.variance_pct),
        "flags": [
            {
                "code": f.code,
                "supplier_code": f.supplier_code,
                "site_code": f.site_code,
                "year": f.year,
                "detail": f.detail,
            }
            for f in outcome.flags
        ],
        "suppliers": [
            {
                "supplier_code": s.supplier_code,
                "location_based_tco2e": _rounded(s.current.location_based),
                "market_based_tco2e": _rounded(s.current.market_based),
                "avoided_tco2e": _rounded(s.current.avoided),
                "green_reduction_tco2e": _rounded(s.green_reduction),
                "like_for_like_green_tco2e": _rounded(s.like_for_like_green),
                "absolute_reduction_tco2e": _rounded(s.absolute_reduction),
                "decomposition": _decomposition_json(s.decomposition),
            }
            for s in outcome.suppliers
        ],
        "factors_used": [
            {
                "province": f.province,
                "region": f.region,
                "year": f.year,
                "kind": f.kind,
                "tco2_per_mwh": str(f.value),
                "from_region": f.factor.region,
                "from_year": f.factor.year,
                "source": f.factor.source,
            }
            for f in outcome.factors_used
        ],
    }
    if sensitivity is not None:
        result["sensitivity"] = {
            variant: {
                "green_reduction_tco2e": _rounded(variant_outcome.total("green_reduction")),
                "absolute_reduction_tco2e": _rounded(variant_outcome.total("absolute_reduction", baseline_only=True)),
            }
            for variant, variant_outcome in sensitivity.items()
        }
        headlines = [outcome.total("green_reduction")] + [o.total("green_reduction") for o in sensitivity.values()]
        result["range_tco2e"] = {"low": _rounded(min(headlines)), "high": _rounded(max(headlines))}
    return result


# --- The fingerprint of a run's inputs ------------------------------------------------------------


def _quantities_key(q: Quantities) -> list[str]:
    # str, not the normalized form: the same inputs read from one database are the same Decimals,
    # and str is a sixth of the cost (130,000 quantities at 2,000 suppliers). Equal values written
    # with other exponents (1.50, 1.5) would only make one run too many, never one too few.
    return [str(q.electricity), str(q.other_green), str(q.gec), str(q.irec), str(q.gec_double), str(q.irec_double)]


def _site_year_key(sy: SiteYear) -> list:
    return [
        sy.supplier_code,
        sy.site_code,
        sy.province,
        sy.region,
        sy.year,
        *_quantities_key(sy.total),
        *_quantities_key(sy.attributable),
        list(sy.duplicates),
    ]


def inputs_fingerprint(inputs: RollupInputs) -> str:
    """SHA-256 of everything the result depends on, in a canonical text form.

    Factors enter as resolved for the place-years used, so that loading an unrelated factor
    does not make a new run, while any factor that changes a figure does.
    """
    table = FactorTable(inputs.factors)
    places = {(sy.province, sy.region, sy.year) for sy in inputs.site_years}
    places |= {(sy.province, sy.region, inputs.year) for sy in inputs.site_years if sy.year == inputs.baseline_year}
    resolved = []
    for province, region, year in sorted(places):
        for kind in sorted(table.kinds):
            try:
                factor = table.resolve(province, region, year, kind).factor
                resolved.append([province, region, year, kind, factor.region, factor.year, str(factor.tco2_per_mwh)])
            except LookupError:
                resolved.append([province, region, year, kind, None])
    canonical = {
        "method": METHOD_VERSION,
        "year": inputs.year,
        "baseline_year": inputs.baseline_year,
        "irec_last_year": inputs.irec_last_year,
        "kinds": sorted(table.kinds),
        "site_years": sorted(_site_year_key(sy) for sy in inputs.site_years),
        "factors": resolved,
        "history": sorted(
            [supplier, site, year, _plain(value)]
            for (supplier, site), years in inputs.site_history.items()
            for year, value in years.items()
        ),
        "reported": None if inputs.reported is None else [_plain(inputs.reported.tco2e), inputs.reported.source],
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
