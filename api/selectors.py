"""Reads of API tokens and of the objects the API serves to staff."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from api.models import ApiToken
from api.services import token_digest
from reports.models import RollupFlag, RollupRun, RollupSupplierResult
from reports.selectors.runs import runs_readable
from suppliers.models import User


def token_for_key(raw: str) -> ApiToken | None:
    """The active token whose digest matches `raw`, with its user, or None."""
    return (
        ApiToken.objects.select_related("user", "user__supplier")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def tokens_for_user(user: User) -> QuerySet:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def get_token_for_user(user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens; anyone else's is a 404."""
    return get_object_or_404(ApiToken, pk=token_id, user=user)


def runs_for_api(*, user: User, year: int | None = None, status: str | None = None) -> QuerySet:
    """The runs `user` may read (an auditor's: of the years assigned)."""
    runs = runs_readable(user).defer("result", "factors_used")
    if year is not None:
        runs = runs.filter(year=year)
    if status:
        runs = runs.filter(status=status)
    return runs.order_by("-year", "-finished_at", "-id")


def get_run_for_api(user: User, run_id: int) -> RollupRun:
    """A run `user` may read; another's year is a 404 to an auditor."""
    return get_object_or_404(runs_readable(user), pk=run_id)


def run_supplier_results(run: RollupRun) -> QuerySet:
    return RollupSupplierResult.objects.filter(run=run).select_related("supplier").order_by("supplier__code")


def run_flags_for_api(run: RollupRun, *, code: str | None = None) -> QuerySet:
    flags = RollupFlag.objects.filter(run=run).select_related("supplier", "site")
    if code:
        flags = flags.filter(code=code)
    return flags.order_by("code", "supplier__code", "year", "id")
