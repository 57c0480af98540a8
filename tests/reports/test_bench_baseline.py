"""The benchmark's hand-written SQL roll-up (bench/baseline.py) computes the engine's headline, so
that `make bench` compares the portal with the same work done in SQL, not with less."""

from decimal import Decimal

import pytest
from django.db import connection

from bench.baseline import green_reduction_sql
from tests.reports.test_worked_example import _load_example, _rollup_json

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the baseline uses PostgreSQL's range_agg"),
]


@pytest.mark.parametrize("year", [2024, 2025])
def test_the_hand_written_sql_gives_the_worked_examples_headline(year: int) -> None:
    """2025 holds the serial overlap, a split range and I-RECs after the cut-off; 2024 batch IDs,
    provincial factors and the baseline valued at a later year's factor."""
    _load_example()
    headline = Decimal(str(_rollup_json(year)["green_reduction_tco2e"]))

    assert round(green_reduction_sql(year=year, baseline_year=2019), 3) == headline
