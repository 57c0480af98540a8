"""The plausibility rule of a site's year, which review applies before approval
(suppliers.selectors.submission_flags) and the roll-up applies to approved lines (its yoy_outlier
flag, docs/method.md). Pure: figures in, a verdict out."""

from decimal import Decimal

YOY_RATIO = Decimal(5)


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
