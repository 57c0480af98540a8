"""The portal page where a supplier's user (or staff) makes, lists and revokes API tokens."""

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import TokenCreateForm
from api.selectors import get_token_for_user, tokens_for_user
from api.services import api_token_create, api_token_revoke


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """Staff make tokens only after the admin's second factor; users without a supplier make none."""
    if request.user.is_staff:
        if not admin.site.has_permission(request):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return None
    if request.user.supplier_id is None:
        raise Http404
    return None


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    if refusal := _refusal(request):
        return refusal
    form = TokenCreateForm(request.POST or None)
    created = raw = None
    if request.method == "POST" and form.is_valid():
        created, raw = api_token_create(
            user=request.user, name=form.cleaned_data["name"], lifetime_days=form.cleaned_data["lifetime_days"]
        )
        form = TokenCreateForm()
    context = {"tokens": tokens_for_user(request.user), "form": form, "created": created, "raw_token": raw}
    response = render(request, "api/tokens.html", context)
    # The page may hold a token: no cache keeps a copy of it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if refusal := _refusal(request):
        return refusal
    token = api_token_revoke(token=get_token_for_user(request.user, token_id))
    messages.success(request, _("The token “%(name)s” is revoked and no longer works.") % {"name": token.name})
    return redirect("api_tokens")
