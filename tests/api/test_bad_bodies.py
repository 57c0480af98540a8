"""A body too large or nested too deeply is a 400 in the API's JSON error format; every API error
is JSON, an unexpected one too."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from suppliers.models import ReportingPeriod

pytestmark = pytest.mark.django_db


def _assert_refused_as_json(response: object) -> None:
    assert response.status_code == 400, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["errors"] and body["errors"][0]["message"]


@pytest.mark.parametrize("depth", [100_000, 5_000])
def test_a_deeply_nested_body_is_a_400_in_the_apis_format(
    alice_api: APIClient, period: ReportingPeriod, depth: int
) -> None:
    body = "[" * depth + "]" * depth
    response = alice_api.put(reverse("api_period_lines", args=[period.pk]), body, content_type="application/json")
    _assert_refused_as_json(response)
    assert response.json()["errors"][0]["message"] in (
        "The JSON is nested too deeply.",
        "JSON 嵌套层级过深。",
    )  # the user's language


def test_an_oversized_body_is_a_400_in_the_apis_format(alice_api: APIClient, period: ReportingPeriod, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"version": 0, "lines": [{"site": "A1", "unit": "kWh", "total_electricity": "1" * 2000}]})
    response = alice_api.put(reverse("api_period_lines", args=[period.pk]), body, content_type="application/json")
    _assert_refused_as_json(response)
    assert response.json()["errors"][0]["message"] in (
        "The request body is larger than 1000 bytes.",
        "请求正文超过 1000 字节。",
    )


def test_an_unexpected_error_is_a_json_500(alice_api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("api.views.supplier.SiteListView.get", broken)
    alice_api.raise_request_exception = False
    response = alice_api.get(reverse("api_sites"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] in (
        "The server failed to answer this request; it has been logged.",
        "服务器未能响应此请求；该错误已记录。",
    )
