"""The portal's own error pages, in the reader's language (issue 17, item 15)."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error


@pytest.mark.parametrize(("language", "title"), [("en", "Page not found"), ("zh-hans", "页面不存在")])
def test_an_unknown_address_gets_the_portals_not_found_page(
    client: Client, db: None, language: str, title: str
) -> None:
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    page = response.content.decode()
    assert f'<h1 class="h3" id="error-title">{title}</h1>' in page
    assert f'<html lang="{language}">' in page


@pytest.mark.parametrize(("language", "title"), [("en", "Something went wrong"), ("zh-hans", "出错了")])
def test_the_server_error_page_needs_no_request_context_and_speaks_the_language(language: str, title: str) -> None:
    with translation.override(language):
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    page = response.content.decode()
    assert title in page and "Traceback" not in page
    assert f'<html lang="{language}">' in page
