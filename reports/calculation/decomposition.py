"""Shapley decomposition of a change in market-based emissions MB = X · h · f.

X is attributable electricity, h the grid share, f the effective factor. The effects of the three
factors add up to V(1) − V(0) exactly (up to the working precision of the Decimal context).
"""

from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Drivers:
    activity: Decimal  # X
    grid_share: Decimal  # h
    effective_factor: Decimal  # f


@dataclass(frozen=True)
class Decomposition:
    activity: Decimal
    green_share: Decimal
    grid_factor: Decimal

    @property
    def total(self) -> Decimal:
        return self.activity + self.green_share + self.grid_factor

    def __add__(self, other: "Decomposition") -> "Decomposition":
        return Decomposition(
            self.activity + other.activity, self.green_share + other.green_share, self.grid_factor + other.grid_factor
        )


ZERO_DECOMPOSITION = Decomposition(ZERO, ZERO, ZERO)


def drivers_from_sums(
    attributable_mwh: Decimal, attributable_grid_mwh: Decimal, market_based: Decimal, location_based: Decimal
) -> Drivers:
    """h = Σa(E−G)/X and f = Σa(E−G)·EF / Σa(E−G); where Σa(E−G) = 0, f = Σa·E·EF / X;
    where X = 0, h = f = 0."""
    if attributable_mwh == 0:
        return Drivers(ZERO, ZERO, ZERO)
    grid_share = attributable_grid_mwh / attributable_mwh
    if attributable_grid_mwh == 0:
        return Drivers(attributable_mwh, grid_share, location_based / attributable_mwh)
    return Drivers(attributable_mwh, grid_share, market_based / attributable_grid_mwh)


def _effect(v: "callable", first: int) -> Decimal:
    """Shapley effect of the factor at position `first` (0, 1, 2) between state 0 and state 1."""
    others = [i for i in range(3) if i != first]

    def value(own: int, a: int, b: int) -> Decimal:
        state = [0, 0, 0]
        state[first], state[others[0]], state[others[1]] = own, a, b
        return v(*state)

    # 1/3·Δ(0,0) + 1/6·Δ(1,0) + 1/6·Δ(0,1) + 1/3·Δ(1,1), with one division only.
    return (
        2 * (value(1, 0, 0) - value(0, 0, 0))
        + (value(1, 1, 0) - value(0, 1, 0))
        + (value(1, 0, 1) - value(0, 0, 1))
        + 2 * (value(1, 1, 1) - value(0, 1, 1))
    ) / 6


def shapley_reduction(baseline: Drivers, current: Drivers) -> Decomposition:
    """The reduction V(baseline) − V(current) split into the three effects (positive = reduction)."""
    columns = (
        (baseline.activity, current.activity),
        (baseline.grid_share, current.grid_share),
        (baseline.effective_factor, current.effective_factor),
    )

    def v(i: int, j: int, k: int) -> Decimal:
        return columns[0][i] * columns[1][j] * columns[2][k]

    return Decomposition(activity=-_effect(v, 0), green_share=-_effect(v, 1), grid_factor=-_effect(v, 2))
