"""A supplier's progress towards its commitment: pure functions on Decimal values, no database.

The commitment is a target green share of the supplier's attributable electricity by a target
year. The expected share in a year lies on the straight line from the supplier's share in the
baseline year (at the baseline year) to the target share (at the target year); before the
baseline year it is the baseline share, from the target year on the target share.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from reports.calculation import context


class ProgressStatus(StrEnum):
    MET = "met"  # the share has reached the target
    ON_TRACK = "on_track"  # at or above the straight line, below the target
    BEHIND = "behind"  # below the straight line
    NO_BASELINE = "no_baseline"  # below the target, and no baseline share to draw the line from
    NO_DATA = "no_data"  # no approved line with electricity in the year


@dataclass(frozen=True)
class CommitmentTerms:
    committed_on: datetime.date
    target_year: int
    target_green_share_percent: Decimal


@dataclass(frozen=True)
class Progress:
    year: int
    expected_share_percent: Decimal | None  # None without a baseline share
    actual_share_percent: Decimal | None  # None without approved electricity in the year
    status: ProgressStatus


def green_share_percent(green_mwh: Decimal, electricity_mwh: Decimal) -> Decimal | None:
    """Green over electricity in percent; None without electricity (a share of nothing is not 0 %)."""
    if not electricity_mwh:
        return None
    return context().divide(green_mwh * 100, electricity_mwh)


def expected_share_percent(
    *, baseline_share_percent: Decimal, baseline_year: int, target_share_percent: Decimal, target_year: int, year: int
) -> Decimal:
    """The share on the straight line from (baseline year, baseline share) to (target year, target share)."""
    if year >= target_year:
        return target_share_percent
    if year <= baseline_year:
        return baseline_share_percent
    # Here baseline_year < year < target_year, so the divisor is positive.
    ctx = context()
    rise = ctx.multiply(target_share_percent - baseline_share_percent, Decimal(year - baseline_year))
    return ctx.add(baseline_share_percent, ctx.divide(rise, Decimal(target_year - baseline_year)))


def commitment_progress_compute(
    *,
    baseline_share_percent: Decimal | None,
    share_percent: Decimal | None,
    commitment: CommitmentTerms,
    baseline_year: int,
    year: int,
) -> Progress:
    """Where the supplier stands in `year`: the expected share, the actual one and a status.

    The line starts at the baseline year whatever the date of the commitment. A supplier without
    a baseline share has no line: it has met its target or has no baseline to be measured against.
    """
    target = commitment.target_green_share_percent
    expected = (
        None
        if baseline_share_percent is None
        else expected_share_percent(
            baseline_share_percent=baseline_share_percent,
            baseline_year=baseline_year,
            target_share_percent=target,
            target_year=commitment.target_year,
            year=year,
        )
    )
    if share_percent is None:
        status = ProgressStatus.NO_DATA
    elif share_percent >= target:
        status = ProgressStatus.MET
    elif expected is None:
        status = ProgressStatus.NO_BASELINE
    elif share_percent >= expected:
        status = ProgressStatus.ON_TRACK
    else:
        status = ProgressStatus.BEHIND
    return Progress(year=year, expected_share_percent=expected, actual_share_percent=share_percent, status=status)
