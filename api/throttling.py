"""Rate limits per token (at its scope's rate) and per client address without a token."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken
from portal.client_address import client_ip_address

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

ANONYMOUS = "anon"


class TokenScopeRateThrottle(SimpleRateThrottle):
    """Counts in the default cache (Redis when REDIS_URL is set, else the file cache shared by the
    web processes). A token's counter is keyed by part of its digest, not its id, so two test
    databases on one Redis never share a counter."""

    def __init__(self) -> None:  # the rate depends on the request's token, chosen in allow_request
        pass

    def allow_request(self, request: Request, view: APIView) -> bool:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        self.scope = token.scope if token is not None else ANONYMOUS
        # Without a token, the client's address as the login lockout reads it (behind
        # AXES_IPWARE_PROXY_COUNT proxies, never a X-Forwarded-For entry the client wrote).
        self.ident = token.digest[:32] if token is not None else client_ip_address(request)
        # Read on each request, so that a changed setting (a test's) takes effect.
        self.rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}
