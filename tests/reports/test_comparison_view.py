"""The staff comparison page: the computed figure beside the published one, and why."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import PublishedFigure, RollupRun
from reports.services.factors import published_figure_set
from reports.services.rollups import rollup_run_create
from suppliers.models import User
from tests.reports.test_rollup_runs import make_portfolio
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db


def test_comparison_shows_computed_published_and_variance_of_the_roll_up(staff_client: Client) -> None:
    _load_example()
    rollup_run_create(year=2019)
    run = rollup_run_create(year=2024)
    page = staff_client.get(reverse("reports_comparison"), {"year": 2024}).content.decode()
    assert "5,278.55" in page or "5278.55" in page  # = run.result["green_reduction_tco2e"]
    assert run.result["green_reduction_tco2e"] == 5278.55
    assert "10,000" in page and "worked example" in page
    assert "-47.214" in page  # the variance of the JSON
    assert "GEC-2024-LN-000118" in page  # the double claim is listed among the flags
    assert f"#{run.pk}" in page


def test_comparison_lists_what_changed_since_the_previous_run(staff_client: Client) -> None:
    _load_example()
    rollup_run_create(year=2024)
    published_figure_set(year=2024, tco2e=Decimal("5000"), source="restated")
    rollup_run_create(year=2024)
    assert RollupRun.objects.filter(year=2024).count() == 2
    page = staff_client.get(reverse("reports_comparison"), {"year": 2024}).content.decode()
    assert "Changes since run" in page


def test_comparison_runs_the_same_number_of_queries_at_5_and_200_suppliers(staff_client: Client) -> None:
    def count() -> int:
        rollup_run_create(year=2024)
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse("reports_comparison"), {"year": 2024}).status_code == 200
        return len(queries)

    make_portfolio(5)
    small = count()
    make_portfolio(195)
    assert count() == small


def test_a_supplier_user_cannot_open_the_comparison(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get(reverse("reports_comparison"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_asking_for_a_fresh_run_queues_one(staff_client: Client) -> None:
    response = staff_client.post(reverse("reports_comparison_refresh"), {"year": 2024}, follow=True)
    assert "sent to the worker" in response.content.decode()
    response = staff_client.post(reverse("reports_comparison_refresh"), {"year": 2024}, follow=True)
    assert "already queued" in response.content.decode()


def test_on_the_demo_data_the_page_shows_the_2024_figure_the_published_1_mt_and_the_variance_of_the_json(
    staff_client: Client,
) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.utils.formats import number_format

    call_command("seed_demo", stdout=StringIO())
    result = RollupRun.objects.filter(year=2024).latest().result
    page = staff_client.get(reverse("reports_comparison"), {"year": 2024}).content.decode()
    shown = lambda value: number_format(value, decimal_pos=3, use_l10n=True, force_grouping=True)  # noqa: E731
    assert result["reported"]["tco2e"] == 1_000_000.0
    assert shown(result["green_reduction_tco2e"]) in page
    assert shown(result["reported"]["tco2e"]) in page
    assert shown(result["variance_pct"]) in page
    assert 900_000 < result["green_reduction_tco2e"] < 1_100_000


def test_the_page_reads_figures_from_the_runs_columns_never_a_whole_result(staff_client: Client) -> None:
    """A run's JSON holds every supplier and flag (1-2 MB at 2,000 suppliers, bench/RESULTS.md): the
    page reads the runs' Decimal columns, and of the JSON only the codes of the baseline suppliers
    that did not report. Every stored result is padded with 200 kB nobody shows."""
    from unittest import mock

    from django.db.models import JSONField
    from django.db.models.expressions import Col

    from reports.calculation.comparison import Change

    _load_example()
    rollup_run_create(year=2019)
    rollup_run_create(year=2024)
    published_figure_set(year=2024, tco2e=Decimal("5000"), source="restated")
    rollup_run_create(year=2024)
    for run in RollupRun.objects.order_by("pk"):
        run.result = {**run.result, "padding": "x" * 200_000}
        run.save(update_fields=["result"])
    shown = RollupRun.objects.filter(year=2024).latest()

    loaded: list[tuple[object, int]] = []
    from_db_value = JSONField.from_db_value

    def recording(self: JSONField, value: object, expression: object, conn: object) -> object:
        if self.model is RollupRun and self.name == "result":
            loaded.append((expression, len(str(value))))
        return from_db_value(self, value, expression, conn)

    with mock.patch.object(JSONField, "from_db_value", recording):
        response = staff_client.get(reverse("reports_comparison"), {"year": 2024})
    assert response.status_code == 200
    assert not [e for e, _ in loaded if isinstance(e, Col)], "a run's whole result was loaded"
    assert sum(size for _, size in loaded) < 1_000
    context = response.context
    assert context["run"].pk == shown.pk
    assert context["run"].green_reduction_tco2e == Decimal(str(shown.result["green_reduction_tco2e"]))
    previous = RollupRun.objects.filter(year=2024).exclude(pk=shown.pk).get()
    assert previous.pk == context["previous"]().pk  # the parts drawn of a run are computed on a cache miss only
    # Only the published figure changed between the two runs of 2024.
    assert context["changes"]() == [Change("Published figure (tCO2e)", "10,000.000", "5,000.000")]


def _page(client: Client, **params: object) -> str:
    response = client.get(reverse("reports_comparison"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_opens_on_the_newest_year_with_a_published_figure(staff_client: Client) -> None:
    _load_example()
    for year in (2019, 2024, 2025):
        rollup_run_create(year=year)
    page = _page(staff_client)
    assert 'value="2024" selected' in page  # 2025 is newer, but only 2024 has a published figure
    assert "no-published" not in page


def test_without_any_published_figure_the_page_says_so_and_shows_the_newest_year(staff_client: Client) -> None:
    _load_example()
    PublishedFigure.objects.all().delete()
    for year in (2019, 2024, 2025):
        rollup_run_create(year=year)
    page = _page(staff_client)
    assert 'value="2025" selected' in page
    assert 'id="no-published"' in page


def test_2025_shows_the_bridge_the_exclusions_the_leaver_and_the_range(staff_client: Client) -> None:
    _load_example()
    run = rollup_run_create(year=2025)
    page = _page(staff_client, year=2025)
    bridge = page[page.index('id="bridge"') : page.index("exclusions-section")]
    for figure in ("6,186.493", "10.000", "54.432", "6,250.925"):  # the three parts and the headline
        assert figure in bridge
    exclusions = page[page.index('id="exclusions"') : page.index("range-section")]
    assert "200.000" in exclusions and "250.000" in exclusions  # double-claimed and ineligible MWh
    coverage = page[page.index('id="not-reporting"') :]
    assert "CN-0005" in coverage[:400]  # the baseline supplier that did not report, named
    sensitivity = {s.variant: s.green_reduction_tco2e for s in run.sensitivity.all()}
    range_text = page[page.index('id="range"') :][:300]
    assert f"{min(sensitivity.values()):,.3f}".split(".")[0] in range_text
    assert 'class="chart range"' in page and 'class="chart waterfall"' in page


def test_every_part_of_the_bridge_links_to_the_supplier_rows_it_is_the_sum_of(staff_client: Client) -> None:
    _load_example()
    run = rollup_run_create(year=2025)
    with_baseline = staff_client.get(reverse("reports_run_suppliers", args=[run.pk]), {"baseline": "yes"})
    rows = with_baseline.context["rows"]
    assert {r.supplier.code for r in rows} == {"CN-0001", "CN-0002", "CN-0003"}
    assert sum(r.like_for_like_green_tco2e for r in rows) == run.like_for_like_green_tco2e
    without = staff_client.get(reverse("reports_run_suppliers", args=[run.pk]), {"baseline": "no"}).context["rows"]
    assert [r.supplier.code for r in without] == ["CN-0004"]
    assert sum(r.green_reduction_tco2e for r in without) == run.new_entrants_avoided_tco2e


def test_the_method_statement_names_the_settings_the_factors_and_what_the_figure_is_not(staff_client: Client) -> None:
    _load_example()
    run = rollup_run_create(year=2025)
    page = staff_client.get(reverse("reports_run_method", args=[run.pk])).content.decode()
    assert "Method version 2" in page and "2024" in page
    assert "not Scope 1" in page
    assert "illustrative value for the worked example" in page  # a factor's source
    assert "irec_not_eligible" in page


def test_the_admin_index_leads_to_the_reports_with_the_newest_figure(staff_client: Client) -> None:
    _load_example()
    rollup_run_create(year=2025)
    page = staff_client.get(reverse("admin:index")).content.decode()
    module = page[page.index('id="reports-module"') :][:2000]
    assert reverse("reports_comparison") in module and reverse("reports_double_claims") in module
    assert "2025 against 2019: 6,251 tCO2e" in module


def test_in_chinese_the_page_and_its_charts_are_chinese(staff_client: Client) -> None:
    _load_example()
    rollup_run_create(year=2024)
    staff_client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "zh-hans"})
    page = _page(staff_client, year=2024)
    bridge = page[page.index('id="bridge"') :][:2000]
    assert "无基准年数据的供应商" in bridge  # the bridge's labels
    chart = page[page.index('class="chart range"') :][:3000]
    assert "已发布" in chart and "本次计算" in chart


def test_what_the_page_draws_of_a_run_is_rendered_once_and_kept(staff_client: Client) -> None:
    """A stored run never changes: the second request reads what the first rendered of it from the
    cache, and runs only the queries of what changes without a new run."""
    from django.core.cache import cache

    _load_example()
    rollup_run_create(year=2025)
    cache.clear()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _page(staff_client, year=2025)
        return len(captured)

    first, second = queries(), queries()
    assert second < first
    assert _page(staff_client, year=2025).count("6,250.925") >= 2  # the cached parts are there
