"""The emission factor of a place in a year, by kind, with the resolution of docs/method.md.

A factor is loaded for a place (a province's GB/T 2260 code, a regional grid or NATIONAL), a year
and a kind: `average` (the grid's average CO2 factor, for location-based figures and avoided
emissions) or `residual` (electricity that carries no green claim, for market-based figures).
"""

from dataclasses import dataclass
from decimal import Decimal

NATIONAL = "NATIONAL"
AVERAGE = "average"
RESIDUAL = "residual"
KINDS = (AVERAGE, RESIDUAL)


@dataclass(frozen=True)
class Factor:
    region: str  # the place: a province code, a regional grid or NATIONAL
    year: int
    tco2_per_mwh: Decimal
    source: str = ""
    kind: str = AVERAGE


@dataclass(frozen=True)
class ResolvedFactor:
    """The factor used for a site's (province, region, year) and kind, and where it came from."""

    province: str
    region: str
    year: int
    kind: str
    factor: Factor

    @property
    def value(self) -> Decimal:
        return self.factor.tco2_per_mwh

    @property
    def is_fallback(self) -> bool:
        """Another year's factor, or an average factor of NATIONAL (a residual one is national by nature)."""
        return self.factor.year != self.year or (self.kind == AVERAGE and self.factor.region == NATIONAL)

    def describe(self) -> str:
        place = f"{self.province} ({self.region})"
        used = f"{self.kind} factor of {self.factor.region} {self.factor.year} ({self.value})"
        if self.factor.year == self.year and self.factor.region == self.province:
            return f"{place} {self.year}: {used}"
        return f"no {self.kind} factor for {place} {self.year}; used the {used}"


class MissingFactor(LookupError):
    def __init__(self, province: str, region: str, year: int, kind: str = AVERAGE) -> None:
        super().__init__(
            f"No {kind} emission factor for province {province}, region {region} or NATIONAL in {year}, "
            "nor in any other year (load factors first)."
        )
        self.province, self.region, self.year, self.kind = province, region, year, kind


class FactorTable:
    """The loaded factors, indexed by kind, place and year."""

    def __init__(self, factors: tuple[Factor, ...] | list[Factor]) -> None:
        self.factors = tuple(factors)
        self._by: dict[tuple[str, str], dict[int, Factor]] = {}
        for factor in self.factors:
            self._by.setdefault((factor.kind, factor.region), {})[factor.year] = factor
        self.kinds = frozenset(f.kind for f in self.factors)
        self._cache: dict[tuple[str, str, int, str], ResolvedFactor] = {}

    def has(self, kind: str) -> bool:
        return kind in self.kinds

    def resolve(self, province: str, region: str, year: int, kind: str = AVERAGE) -> ResolvedFactor:
        """EF_k(p, y): the same year of the province, the region, then NATIONAL; else the newest
        earlier year of the province, else of the region, else of NATIONAL; else likewise the oldest
        later year. Raises MissingFactor when none is loaded."""
        key = (province, region, year, kind)
        if key not in self._cache:
            self._cache[key] = ResolvedFactor(province, region, year, kind, self._find(*key))
        return self._cache[key]

    def _find(self, province: str, region: str, year: int, kind: str) -> Factor:
        places = [self._by.get((kind, place), {}) for place in (province, region, NATIONAL)]
        for years in places:
            if year in years:
                return years[year]
        for years in places:
            earlier = [y for y in years if y < year]
            if earlier:
                return years[max(earlier)]
        for years in places:
            later = [y for y in years if y > year]
            if later:
                return years[min(later)]
        raise MissingFactor(province, region, year, kind)

    def without(self, *, provinces: bool = False, kind: str | None = None) -> "FactorTable":
        """The table with the province factors, or the factors of one kind, left out (sensitivity)."""
        kept = [
            f
            for f in self.factors
            if not (provinces and f.region.isdigit()) and not (kind is not None and f.kind == kind)
        ]
        return FactorTable(kept)
