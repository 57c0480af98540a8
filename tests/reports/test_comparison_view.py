"""The staff comparison page: the computed figure beside the published one, and why."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import RollupRun
from reports.services.factors import published_figure_set
from reports.services.rollups import rollup_run_create
from suppliers.models import User
from tests.reports.test_rollup_runs import make_portfolio
from tests.reports.test_worked_example import _load_example

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("staff@carmaker.example", "a long staff password"))
    return client


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


def test_the_page_reads_the_keys_it_shows_not_the_whole_result_of_any_run(staff_client: Client) -> None:
    """A run's result holds every supplier and flag (1-2 MB at 2,000 suppliers, bench/RESULTS.md): the
    trend and the previous run are read key by key, the year shown without its flags. Every stored
    result is padded with 200 kB nobody shows; what the page loads of the results stays far below."""
    from unittest import mock

    from django.db.models import JSONField
    from django.db.models.expressions import Col

    from reports.comparison import runs_compare

    _load_example()
    rollup_run_create(year=2019)
    rollup_run_create(year=2024)
    published_figure_set(year=2024, tco2e=Decimal("5000"), source="restated")
    rollup_run_create(year=2024)
    full = {}
    for extra_flags, run in enumerate(RollupRun.objects.order_by("pk")):
        # A different number of flags in each run, so that the flag count is among the changes.
        run.result = {
            **run.result,
            "padding": "x" * 200_000,
            "flags": run.result["flags"] + [{}] * (5000 + extra_flags),
        }
        run.save(update_fields=["result"])
        full[run.pk] = run.result
    shown = RollupRun.objects.filter(year=2024).latest()
    previous = RollupRun.objects.filter(year=2024).exclude(pk=shown.pk).get()

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
    assert 0 < sum(size for _, size in loaded) < 100_000
    # The same figures as from the whole results (the padding changes nothing of them).
    context = response.context
    assert context["changes"] == runs_compare(full[previous.pk], full[shown.pk]) != []
    assert {key: full[shown.pk].get(key) for key in context["result"] if key != "flag_count"} == {
        key: value for key, value in context["result"].items() if key != "flag_count"
    }
    assert context["result"]["flag_count"] == len(full[shown.pk]["flags"])
    assert [run.summary for run in context["trend"]] == [
        {key: full[run.pk].get(key) for key in ("green_reduction_tco2e", "reported", "suppliers_reporting")}
        for run in context["trend"]
    ]
