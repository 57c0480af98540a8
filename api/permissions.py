"""Scopes: a supplier token reads and writes its own supplier's figures; a staff token reads runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from api.models import ApiToken

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


def _token(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class SupplierWriteScope(BasePermission):
    message = _("This needs a supplier's API token.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        token = _token(request)
        return (
            token is not None and token.scope == ApiToken.Scope.SUPPLIER_WRITE and request.user.supplier_id is not None
        )


class StaffReadScope(BasePermission):
    message = _("This needs a staff API token of someone allowed to see roll-up runs.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        token = _token(request)
        return (
            token is not None
            and token.scope == ApiToken.Scope.STAFF_READ
            and request.user.is_staff
            and request.user.has_perm("reports.view_rolluprun")
        )
