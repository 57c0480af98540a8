"""The portal's URLs plus the trivial view the load test compares the portal's pages with."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    """The floor of the stack: the same middleware, no query, no template."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("portal.urls")),
]
