"""Making, using and revoking API tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from suppliers.models import User

TOKEN_PREFIX = "gep_"  # noqa: S105 - not a secret; "green electricity portal": tells a leaked token's origin to secret scanners
LIFETIME_DAYS = (30, 90, 365)
# A token's last use is written at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_digest(raw: str) -> str:
    """SHA-256 of the token. The token has 256 random bits, so a plain digest (no salt, no slow
    hash) cannot be reversed, and it can be looked up by equality."""
    return hashlib.sha256(raw.encode()).hexdigest()


def scope_for_user(user: User) -> str:
    """A supplier's user gets write access to that supplier's figures; staff read the roll-up."""
    if user.is_staff:
        return ApiToken.Scope.STAFF_READ
    if user.supplier_id is not None:
        return ApiToken.Scope.SUPPLIER_WRITE
    raise PermissionDenied(_("Only a supplier's users and staff can have API tokens."))


def api_token_create(*, user: User, name: str, lifetime_days: int) -> tuple[ApiToken, str]:
    """Makes a token for `user` and returns it with the token itself, which is not stored."""
    if lifetime_days not in LIFETIME_DAYS:
        raise ValidationError({"lifetime_days": _("Choose one of the offered lifetimes.")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        user=user, name=name.strip(), scope=scope_for_user(user), prefix=raw[: len(TOKEN_PREFIX) + 6],
        digest=token_digest(raw), created_at=now, expires_at=now + timedelta(days=lifetime_days),
    )  # fmt: skip
    token.full_clean()
    token.save()
    return token, raw


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revokes the token at once; revoking it again changes nothing."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def api_token_used(*, token: ApiToken) -> None:
    """Notes that the token was used (at most once a minute, as one UPDATE)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
