"""`Authorization: Bearer <token>`: the token's user, in the user's own language."""

from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from api.models import ApiToken
from api.selectors import token_for_key
from api.services import api_token_used, scope_for_user
from suppliers.models import User

KEYWORD = "Bearer"


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed()
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed() from None
        token = token_for_key(raw)
        if token is None:
            raise AuthenticationFailed(_("The token is unknown, expired or revoked."))
        user = token.user
        # A token stops working when its user is deactivated or changes role (staff ↔ supplier).
        if not user.is_active or _scope_or_none(user) != token.scope:
            raise AuthenticationFailed(_("The token's user can no longer use it."))
        api_token_used(token=token)
        # Errors and messages in the user's language, as their emails are.
        translation.activate(user.language)
        request._request.LANGUAGE_CODE = user.language
        return user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes a missing or bad token a 401 (with this challenge), not a 403.
        return f'{KEYWORD} realm="api"'


def _scope_or_none(user: User) -> str | None:
    try:
        return scope_for_user(user)
    except PermissionDenied:
        return None
