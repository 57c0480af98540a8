"""Reporting periods: a calendar year (`2024`), a quarter (`2024-Q2`) or a month (`2024-03`)."""

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

MIN_YEAR, MAX_YEAR = 2000, 2100


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    first_month: int
    last_month: int
    kind: str
    number: int  # 0 for a year, 1–4 for a quarter, 1–12 for a month

    @property
    def code(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return str(self.year)
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    def overlaps(self, other: "Period") -> bool:
        return self.year == other.year and self.first_month <= other.last_month and other.first_month <= self.last_month

    def __str__(self) -> str:
        return self.code


def period_make(year: int, kind: str, number: int) -> Period:
    if kind == PeriodKind.YEAR:
        return Period(year, 1, 12, PeriodKind.YEAR, 0)
    if kind == PeriodKind.QUARTER:
        return Period(year, 3 * number - 2, 3 * number, PeriodKind.QUARTER, number)
    return Period(year, number, number, PeriodKind.MONTH, number)


_PATTERN = re.compile(r"^(\d{4})(?:-(?:[Qq]([1-4])|(\d{2})))?$")


class InvalidPeriod(ValueError):
    pass


def period_parse(value: str) -> Period:
    text = str(value).strip()
    match = _PATTERN.match(text)
    if not match:
        raise InvalidPeriod(_("“%(value)s” is not a period: use 2024, 2024-Q2 or 2024-03.") % {"value": text})
    year = int(match[1])
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidPeriod(
            _("The year %(year)d is outside %(min)d–%(max)d.") % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    if match[2]:
        return period_make(year, PeriodKind.QUARTER, int(match[2]))
    if match[3]:
        month = int(match[3])
        if not 1 <= month <= 12:
            raise InvalidPeriod(_("“%(value)s” has no month %(month)s.") % {"value": text, "month": match[3]})
        return period_make(year, PeriodKind.MONTH, month)
    return period_make(year, PeriodKind.YEAR, 0)
