"""The emission factor of a regional grid in a year, with the fallbacks of calculation.md."""

from dataclasses import dataclass
from decimal import Decimal

NATIONAL = "NATIONAL"


@dataclass(frozen=True)
class Factor:
    region: str
    year: int
    tco2_per_mwh: Decimal
    source: str = ""


@dataclass(frozen=True)
class ResolvedFactor:
    """The factor used for (region, year), and where it came from."""

    region: str
    year: int
    factor: Factor

    @property
    def value(self) -> Decimal:
        return self.factor.tco2_per_mwh

    @property
    def is_fallback(self) -> bool:
        return (self.factor.region, self.factor.year) != (self.region, self.year)

    def describe(self) -> str:
        if not self.is_fallback:
            return f"{self.region} {self.year}: {self.value}"
        return f"no factor for {self.region} {self.year}; used {self.factor.region} {self.factor.year} ({self.value})"


class MissingFactor(LookupError):
    def __init__(self, region: str, year: int) -> None:
        super().__init__(f"No emission factor for region {region} in {year}, nor any fallback (load factors first).")
        self.region, self.year = region, year


def factor_resolve(factors: dict[tuple[str, int], Factor], region: str, year: int) -> ResolvedFactor:
    """EF(r, y): (r, y); else (NATIONAL, y); else the newest earlier year of r, then of NATIONAL;
    else the oldest later year of r, then of NATIONAL. Raises MissingFactor when none exists."""
    for key in ((region, year), (NATIONAL, year)):
        if key in factors:
            return ResolvedFactor(region, year, factors[key])
    years_of = {r: sorted(y for (fr, y) in factors if fr == r) for r in (region, NATIONAL)}
    for r in (region, NATIONAL):
        earlier = [y for y in years_of[r] if y < year]
        if earlier:
            return ResolvedFactor(region, year, factors[(r, earlier[-1])])
    for r in (region, NATIONAL):
        later = [y for y in years_of[r] if y > year]
        if later:
            return ResolvedFactor(region, year, factors[(r, later[0])])
    raise MissingFactor(region, year)
