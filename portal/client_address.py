"""The address a request comes from, behind the reverse proxies the settings name: for the login
lockout (django-axes) and the API's throttling alike."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str | None:
    """The address a login attempt comes from, for the lockout (settings.AXES_CLIENT_IP_CALLABLE).

    Without reverse proxies it is REMOTE_ADDR and X-Forwarded-For is ignored (a client writes what
    it likes there). Behind AXES_IPWARE_PROXY_COUNT proxies, REMOTE_ADDR is the nearest proxy's, so
    every office would share one address and a lockout would become a lockout by username alone:
    the client is the address the outermost proxy appended, that many entries from the right of
    X-Forwarded-For; whatever stands to its left was written by the client and is not trusted.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote  # the request did not come through every proxy
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote
