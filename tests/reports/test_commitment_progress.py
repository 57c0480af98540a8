"""Progress towards a commitment: the pure function on hand-computed cases."""

import datetime
from decimal import Decimal

import pytest

from reports.calculation import context
from reports.calculation.commitments import (
    CommitmentTerms,
    ProgressStatus,
    commitment_progress_compute,
    expected_share_percent,
    green_share_percent,
)

D = Decimal
# 10 % in the baseline year 2019, 60 % committed for 2029: the line rises 5 points a year.
TERMS = CommitmentTerms(committed_on=datetime.date(2022, 3, 1), target_year=2029, target_green_share_percent=D(60))


def _progress(actual: str | None, year: int = 2024, baseline: str | None = "10", terms: CommitmentTerms = TERMS):
    return commitment_progress_compute(
        baseline_share_percent=None if baseline is None else D(baseline),
        share_percent=None if actual is None else D(actual),
        commitment=terms,
        baseline_year=2019,
        year=year,
    )


# --- the pure function ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2018, "10"), (2019, "10"), (2020, "15"), (2024, "35"), (2028, "55"), (2029, "60"), (2035, "60")],
)
def test_the_expected_share_lies_on_the_straight_line_and_is_the_target_after_the_target_year(
    year: int, expected: str
) -> None:
    assert _progress("0", year=year).expected_share_percent == D(expected)


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        ("35", ProgressStatus.ON_TRACK),  # on the line exactly
        ("40", ProgressStatus.ON_TRACK),
        ("34.9999", ProgressStatus.BEHIND),
        ("60", ProgressStatus.MET),  # at the target, years ahead of it
        ("75", ProgressStatus.MET),
        (None, ProgressStatus.NO_DATA),
    ],
)
def test_the_status_compares_the_actual_share_with_the_line_and_the_target(
    actual: str | None, status: ProgressStatus
) -> None:
    progress = _progress(actual)
    assert progress.status == status
    assert progress.year == 2024 and progress.expected_share_percent == D(35)
    assert progress.actual_share_percent == (None if actual is None else D(actual))


def test_past_the_target_year_a_share_below_the_target_is_behind() -> None:
    assert _progress("59.9", year=2031).status == ProgressStatus.BEHIND
    assert _progress("60", year=2031).status == ProgressStatus.MET


def test_without_a_baseline_share_there_is_no_line_but_a_met_target_is_met() -> None:
    assert _progress("20", baseline=None) == _progress("20", baseline=None)  # plain values
    no_line = _progress("20", baseline=None)
    assert (no_line.expected_share_percent, no_line.status) == (None, ProgressStatus.NO_BASELINE)
    assert _progress("60", baseline=None).status == ProgressStatus.MET
    assert _progress(None, baseline=None).status == ProgressStatus.NO_DATA


def test_the_line_is_exact_in_decimal_where_a_float_would_not_be() -> None:
    # 0 % in 2019 to 100 % in 2022: 2020 expects 100/3 %, 2021 200/3 %, to the engine's precision.
    terms = CommitmentTerms(datetime.date(2020, 1, 1), 2022, D(100))
    assert _progress("0", year=2020, baseline="0", terms=terms).expected_share_percent == context().divide(D(100), D(3))
    line_2021 = _progress("0", year=2021, baseline="0", terms=terms).expected_share_percent
    assert line_2021 == context().divide(D(200), D(3))
    assert isinstance(line_2021, Decimal)


def test_a_target_year_at_or_before_the_baseline_year_expects_the_target() -> None:
    assert (
        expected_share_percent(
            baseline_share_percent=D(10), baseline_year=2019, target_share_percent=D(50), target_year=2019, year=2019
        )
        == 50
    )


def test_a_target_below_the_baseline_share_draws_a_falling_line_and_is_met() -> None:
    terms = CommitmentTerms(datetime.date(2022, 1, 1), 2029, D(30))
    progress = _progress("45", year=2024, baseline="50", terms=terms)
    assert (progress.expected_share_percent, progress.status) == (D(40), ProgressStatus.MET)


def test_a_share_of_no_electricity_is_unknown_not_zero() -> None:
    assert green_share_percent(D(0), D(0)) is None
    assert green_share_percent(D(250), D(800)) == D("31.25")
