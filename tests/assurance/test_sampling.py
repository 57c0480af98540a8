"""Monetary-unit sampling (assurance/sampling.py) on plain values, and through the command."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from assurance.sampling import mus_draw
from reports.services.rollups import rollup_run_create
from suppliers.models import Line
from tests.reports.test_worked_example import _load_example


def test_the_same_seed_draws_the_same_lines_in_the_same_order() -> None:
    values = [D(v) for v in ("10", "0", "5.5", "200", "0.001", "42")]
    assert mus_draw(values, size=3, seed=7) == mus_draw(values, size=3, seed=7)


def test_another_seed_draws_another_sample() -> None:
    values = [D(n) for n in range(1, 200)]
    samples = {tuple(mus_draw(values, size=5, seed=seed)) for seed in range(20)}
    assert len(samples) > 15


def test_a_line_without_avoided_emissions_is_never_drawn() -> None:
    values = [D(0), D(1), D(0), D(3), D(0)]
    for seed in range(50):
        drawn = mus_draw(values, size=5, seed=seed)
        assert sorted(drawn) == [1, 3]  # every line with a value, none without


def test_a_line_is_drawn_in_proportion_to_its_tonnes() -> None:
    values = [D(1), D(9)]
    firsts = [mus_draw(values, size=1, seed=seed)[0] for seed in range(2000)]
    assert 0.86 < firsts.count(1) / len(firsts) < 0.94  # 9 in 10


@settings(max_examples=100, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=10**6, places=3), max_size=40), st.integers(1, 50), st.integers())
def test_a_sample_holds_distinct_lines_with_tonnes_and_never_more_than_asked(values, size, seed) -> None:
    drawn = mus_draw(values, size=size, seed=seed)
    assert len(drawn) == len(set(drawn)) == min(size, sum(1 for v in values if v > 0))
    assert all(values[i] > 0 for i in drawn)


def _sample(**options: object) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("assurance_sample", "--year", "2025", *(f"--{k}={v}" for k, v in options.items()), stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.mark.django_db(transaction=True)
def test_the_command_samples_the_newest_run_by_avoided_tonnes() -> None:
    _load_example()
    rollup_run_create(year=2025)
    rows = _sample(size=4, seed=11)
    assert rows == _sample(size=4, seed=11)
    assert len(rows) == 4
    assert list(rows[0]) == ["supplier_code", "site_code", "period", "avoided_tco2e", "evidence_files"]
    # CN-0003's Q3 line has only ineligible I-RECs: it avoids nothing and is never drawn.
    for seed in range(10):
        assert ("CN-0003", "2025-Q3") not in {(r["supplier_code"], r["period"]) for r in _sample(size=8, seed=seed)}
    # The tonnes are a·G·EF: CN-0001/SY2 is 3,200 MWh of GECs at 100 % in Jilin (NORTHEAST 2022, 0.5564).
    every = {(r["supplier_code"], r["site_code"], r["period"]): D(r["avoided_tco2e"]) for r in _sample(size=50, seed=1)}
    assert every[("CN-0001", "SY2", "2025")] == D("1780.480")


@pytest.mark.django_db(transaction=True)
def test_the_command_refuses_when_the_data_changed_since_the_run() -> None:
    _load_example()
    rollup_run_create(year=2025)
    line = Line.objects.filter(submission__period__year=2025, site__code="CD1").get()
    line.total_electricity_mwh = D("5300")
    line.save()
    with pytest.raises(CommandError, match="The data changed since roll-up run"):
        _sample(size=2, seed=1)
