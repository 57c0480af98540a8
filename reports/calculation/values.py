"""What the engine takes and gives: plain values, Decimal throughout (docs/method.md, version 2).

A site-year's quantities and what of its green counts, the inputs of one roll-up, and the outcome
per site, supplier and portfolio that the engine computes from them (reports.calculation.rollup).
"""

import decimal
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from reports.calculation import context
from reports.calculation.decomposition import (
    ZERO_DECOMPOSITION,
    Decomposition,
    Drivers,
    drivers_from_sums,
    shapley_reduction,
)
from reports.calculation.factors import Factor, ResolvedFactor

ZERO = Decimal(0)


THREE_PLACES = Decimal("0.001")


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


def plain_decimal(value: Decimal) -> str:
    """A Decimal as plain text without trailing zeros or an exponent (1.50 and 1.5E+0 read 1.5)."""
    return f"{value.normalize():f}"
