"""Reporting periods: a calendar year (`2024`), a quarter (`2024-Q2`) or a month (`2024-03`)."""

import re
import unicodedata
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
# As people write them too, in English and in Chinese (after NFKC, so full-width digits count):
# 2024年, 2024年度, 2024年3月, 2024年03月份; 2024年第二季度, 2024年2季度; 2024Q2, 2024 Q2, 2024年Q2, Q2 2024.
_CHINESE_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEAR_WRITTEN = re.compile(r"^(\d{4})\s*年度?$")
_MONTH_WRITTEN = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月份?$")
_QUARTER_WRITTEN = re.compile(r"^(\d{4})\s*年?\s*第?\s*([一二三四1-4])\s*季度$")
_QUARTER_WITH_Q = re.compile(r"^(?:(\d{4})\s*年?\s*-?\s*[Qq]\s*([1-4])|[Qq]([1-4])\s*[-/ ]?\s*(\d{4}))$")


def _written_period(text: str) -> tuple[str, str, str | None] | None:
    """(year, quarter, month) of a period written in one of the other usual ways, or None."""
    if found := _YEAR_WRITTEN.match(text):
        return found[1], "", None
    if found := _MONTH_WRITTEN.match(text):
        return found[1], "", found[2].zfill(2)
    if found := _QUARTER_WRITTEN.match(text):
        return found[1], str(_CHINESE_QUARTERS[found[2]]), None
    if found := _QUARTER_WITH_Q.match(text):
        return (found[1] or found[4]), (found[2] or found[3]), None
    return None


class InvalidPeriod(ValueError):
    pass


def period_parse(value: str) -> Period:
    """2024, 2024-Q2 or 2024-03, or the same period in another usual form (see above)."""
    text = str(value).strip()
    match = _PATTERN.match(text)
    written = None if match else _written_period(unicodedata.normalize("NFKC", text))
    if not match and not written:
        raise InvalidPeriod(_("“%(value)s” is not a period: use 2024, 2024-Q2 or 2024-03.") % {"value": text})
    year_text, quarter, month_text = (match[1], match[2], match[3]) if match else written
    year = int(year_text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidPeriod(
            _("The year %(year)d is outside %(min)d–%(max)d.") % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    if quarter:
        return period_make(year, PeriodKind.QUARTER, int(quarter))
    if month_text:
        month = int(month_text)
        if not 1 <= month <= 12:
            raise InvalidPeriod(_("“%(value)s” has no month %(month)s.") % {"value": text, "month": month_text})
        return period_make(year, PeriodKind.MONTH, month)
    return period_make(year, PeriodKind.YEAR, 0)
