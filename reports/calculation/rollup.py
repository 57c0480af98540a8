"""Supplier and portfolio figures for one year against the baseline year (calculation.md)."""

import decimal
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from reports.calculation import METHOD_VERSION, context
from reports.calculation.decomposition import (
    ZERO_DECOMPOSITION,
    Decomposition,
    Drivers,
    drivers_from_sums,
    shapley_reduction,
)
from reports.calculation.factors import Factor, ResolvedFactor, factor_resolve

ZERO = Decimal(0)
THREE_PLACES = Decimal("0.001")
YOY_RATIO = Decimal(5)


@dataclass(frozen=True)
class SiteYear:
    """The sums of one site's approved lines in one year (one aggregated query row, or several merged).

    `green_mwh` and `attributable_green_mwh` already count the GEC and I-REC of lines with a
    double-claimed certificate as zero; `duplicate_batches` names those batches.
    """

    supplier_code: str
    site_code: str
    region: str
    year: int
    electricity_mwh: Decimal
    green_mwh: Decimal
    attributable_electricity_mwh: Decimal
    attributable_green_mwh: Decimal
    duplicate_batches: tuple[str, ...] = ()
    line_count: int = 1


@dataclass(frozen=True)
class Flag:
    code: str
    supplier_code: str
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
    # Σ E by (supplier_code, site_code) and year, for every year up to `year`: the yoy_outlier rule.
    site_history: dict[tuple[str, str], dict[int, Decimal]] = field(default_factory=dict)
    reported: Reported | None = None


@dataclass
class SupplierYear:
    """Figures of one supplier in one year."""

    electricity_mwh: Decimal = ZERO
    green_mwh: Decimal = ZERO
    attributable_electricity_mwh: Decimal = ZERO
    attributable_green_mwh: Decimal = ZERO
    location_based: Decimal = ZERO
    market_based: Decimal = ZERO
    avoided: Decimal = ZERO

    def add(self, site_year: SiteYear, factor: Decimal) -> None:
        self.electricity_mwh += site_year.electricity_mwh
        self.green_mwh += site_year.green_mwh
        self.attributable_electricity_mwh += site_year.attributable_electricity_mwh
        self.attributable_green_mwh += site_year.attributable_green_mwh
        self.location_based += site_year.attributable_electricity_mwh * factor
        self.market_based += (site_year.attributable_electricity_mwh - site_year.attributable_green_mwh) * factor
        self.avoided += site_year.attributable_green_mwh * factor

    def drivers(self) -> Drivers:
        grid_mwh = self.attributable_electricity_mwh - self.attributable_green_mwh
        return drivers_from_sums(self.attributable_electricity_mwh, grid_mwh, self.market_based, self.location_based)


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
    def absolute_reduction(self) -> Decimal | None:
        return None if self.baseline is None else self.baseline.market_based - self.current.market_based

    @property
    def decomposition(self) -> Decomposition | None:
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
    """calculation.md's yoy_outlier rule: `current` (a site's E in `year`) is over 5 times, or under
    1/5 of, its E in the newest earlier year in `history` (when that E > 0). Returns that year and
    its E when the rule fires, else None."""
    earlier = [y for y in history if y < year]
    if not earlier:
        return None
    previous_year = max(earlier)
    previous = history[previous_year]
    if previous <= 0 or not (current > YOY_RATIO * previous or current * YOY_RATIO < previous):
        return None
    return previous_year, previous


def _yoy_flag(site_year: SiteYear, history: dict[int, Decimal]) -> Flag | None:
    current = site_year.electricity_mwh
    outlier = yoy_outlier(site_year.year, current, history)
    if outlier is None:
        return None
    previous_year, previous = outlier
    return Flag(
        "yoy_outlier",
        site_year.supplier_code,
        site_year.site_code,
        site_year.year,
        f"{current.normalize():f} MWh in {site_year.year} against {previous.normalize():f} MWh in {previous_year}"
        " (more than 5 times or under 1/5: a kWh typed as MWh?)",
    )


def rollup_compute(inputs: RollupInputs) -> RollupOutcome:
    """Every figure of calculation.md for `inputs.year` against `inputs.baseline_year`.

    Raises MissingFactor when a line's region and year have no factor at all.
    """
    year, baseline_year = inputs.year, inputs.baseline_year
    factor_table = {(f.region, f.year): f for f in inputs.factors}
    current_suppliers = {sy.supplier_code for sy in inputs.site_years if sy.year == year}
    used = [
        sy for sy in inputs.site_years if sy.supplier_code in current_suppliers and sy.year in (year, baseline_year)
    ]

    resolved: dict[tuple[str, int], ResolvedFactor] = {}
    current: dict[str, SupplierYear] = defaultdict(SupplierYear)
    baseline: dict[str, SupplierYear] = {}
    site_current: dict[tuple[str, str, str], SupplierYear] = {}
    site_baseline: dict[tuple[str, str, str], SupplierYear] = {}
    flags: list[Flag] = []
    with decimal.localcontext(context()):
        for site_year in used:
            key = (site_year.region, site_year.year)
            if key not in resolved:
                resolved[key] = factor_resolve(factor_table, *key)
            factor = resolved[key]
            # With year == baseline_year, the same lines are both the year's and the baseline's.
            if site_year.year == year:
                current[site_year.supplier_code].add(site_year, factor.value)
                site_key = (site_year.supplier_code, site_year.site_code, site_year.region)
                site_current.setdefault(site_key, SupplierYear()).add(site_year, factor.value)
            if site_year.year == baseline_year:
                baseline.setdefault(site_year.supplier_code, SupplierYear()).add(site_year, factor.value)
                site_key = (site_year.supplier_code, site_year.site_code, site_year.region)
                site_baseline.setdefault(site_key, SupplierYear()).add(site_year, factor.value)
            if factor.is_fallback:
                flags.append(
                    Flag(
                        "factor_fallback",
                        site_year.supplier_code,
                        site_year.site_code,
                        site_year.year,
                        factor.describe(),
                    )
                )
            if site_year.duplicate_batches:
                flags.append(
                    Flag(
                        "duplicate_certificate",
                        site_year.supplier_code,
                        site_year.site_code,
                        site_year.year,
                        "certificate batches claimed by more than one line, counted as grid electricity: "
                        + ", ".join(site_year.duplicate_batches),
                    )
                )
            history = inputs.site_history.get((site_year.supplier_code, site_year.site_code), {})
            outlier = _yoy_flag(site_year, history)
            if outlier:
                flags.append(outlier)
        for code in sorted(current_suppliers - set(baseline)):
            flags.append(
                Flag("no_baseline", code, None, year, f"no approved line in the baseline year {baseline_year}")
            )
        suppliers = tuple(SupplierResult(code, current[code], baseline.get(code)) for code in sorted(current_suppliers))
    flags.sort(key=lambda f: (f.code, f.supplier_code, f.site_code or "", f.year))
    # A site that reported only in the baseline year still counts in the regional green reduction.
    sites = tuple(
        SiteResult(*key, site_current.get(key, SupplierYear()), site_baseline.get(key))
        for key in sorted(set(site_current) | set(site_baseline))
    )
    return RollupOutcome(
        sites=sites,
        inputs=inputs,
        suppliers=suppliers,
        flags=tuple(flags),
        factors_used=tuple(resolved[key] for key in sorted(resolved)),
    )


def _rounded(value: Decimal | None) -> float | None:
    """A figure as the JSON of interfaces.md holds it: half-even to 3 decimals.

    JSON has no decimal type; a value with 3 decimals and at most 15 significant digits is
    written exactly by the float that the JSON number is read as.
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


def rollup_result_json(outcome: RollupOutcome) -> dict:
    """The roll-up result object of interfaces.md."""
    inputs = outcome.inputs
    reported = inputs.reported
    return {
        "year": inputs.year,
        "baseline_year": inputs.baseline_year,
        "method_version": METHOD_VERSION,
        "suppliers_reporting": len(outcome.suppliers),
        "suppliers_with_baseline": len(outcome.with_baseline),
        "electricity_mwh": _rounded(outcome.current_total("electricity_mwh")),
        "green_mwh": _rounded(outcome.current_total("green_mwh")),
        "attributable_electricity_mwh": _rounded(outcome.current_total("attributable_electricity_mwh")),
        "attributable_green_mwh": _rounded(outcome.current_total("attributable_green_mwh")),
        "location_based_tco2e": _rounded(outcome.current_total("location_based")),
        "market_based_tco2e": _rounded(outcome.current_total("market_based")),
        "avoided_tco2e": _rounded(outcome.current_total("avoided")),
        "baseline_avoided_tco2e": _rounded(outcome.total("baseline_avoided")),
        "green_reduction_tco2e": _rounded(outcome.total("green_reduction")),
        "absolute_reduction_tco2e": _rounded(outcome.total("absolute_reduction", baseline_only=True)),
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
                "absolute_reduction_tco2e": _rounded(s.absolute_reduction),
                "decomposition": _decomposition_json(s.decomposition),
            }
            for s in outcome.suppliers
        ],
        "factors_used": [
            {
                "region": f.region,
                "year": f.year,
                "tco2_per_mwh": str(f.value),
                "from_region": f.factor.region,
                "from_year": f.factor.year,
                "source": f.factor.source,
            }
            for f in outcome.factors_used
        ],
    }


def _site_year_key(sy: SiteYear) -> list:
    sums = (sy.electricity_mwh, sy.green_mwh, sy.attributable_electricity_mwh, sy.attributable_green_mwh)
    return [
        sy.supplier_code,
        sy.site_code,
        sy.region,
        sy.year,
        *(str(v.normalize()) for v in sums),
        list(sy.duplicate_batches),
    ]


def inputs_fingerprint(inputs: RollupInputs) -> str:
    """SHA-256 of everything the result depends on, in a canonical text form.

    Factors enter as resolved for the region-years used, so that loading an unrelated factor
    does not make a new run, while any factor that changes a figure does.
    """
    factor_table = {(f.region, f.year): f for f in inputs.factors}
    keys = sorted({(sy.region, sy.year) for sy in inputs.site_years})
    resolved = []
    for region, year in keys:
        try:
            factor = factor_resolve(factor_table, region, year).factor
            resolved.append([region, year, factor.region, factor.year, str(factor.tco2_per_mwh)])
        except LookupError:
            resolved.append([region, year, None])
    canonical = {
        "method": METHOD_VERSION,
        "year": inputs.year,
        "baseline_year": inputs.baseline_year,
        "site_years": sorted(_site_year_key(sy) for sy in inputs.site_years),
        "factors": resolved,
        "history": sorted(
            [supplier, site, year, str(value.normalize())]
            for (supplier, site), years in inputs.site_history.items()
            for year, value in years.items()
        ),
        "reported": None
        if inputs.reported is None
        else [str(inputs.reported.tco2e.normalize()), inputs.reported.source],
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
