"""The comparison page asks the worker for a fresh run and follows its progress."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from reports.documents.numbers import figure_text
from reports.forms import RollupRefreshForm
from reports.selectors.progress import DONE, IDLE, QUEUED, RUNNING, rollup_progress
from reports.services.rollup_requests import rollup_request
from suppliers.roles import audit_years


@require_POST
@permission_required("reports.view_rolluprun", raise_exception=True)
def comparison_refresh(request: HttpRequest) -> HttpResponse:
    """Asks the worker for a fresh run of the year (nothing new is stored if nothing changed).
    Not an auditor's to ask: they read runs and change nothing but their samples."""
    if audit_years(request.user) is not None:
        raise PermissionDenied
    form = RollupRefreshForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(form.errors["year"]), content_type="text/plain; charset=utf-8")
    year = form.cleaned_data["year"]
    sent = rollup_request(year=year, trigger=f"requested by {request.user.get_username()}")
    if sent:
        messages.success(request, _("A fresh roll-up of %(year)d was sent to the worker.") % {"year": year})
    else:
        messages.info(request, _("A roll-up of %(year)d is already queued.") % {"year": year})
    return redirect(f"{reverse('reports_comparison')}?year={year}")


_PROGRESS_LABELS = {
    IDLE: gettext_lazy("No fresh run was asked for."),
    QUEUED: gettext_lazy("Queued: the worker will start the roll-up shortly."),
    RUNNING: gettext_lazy("Running: the worker is computing the roll-up."),
}


@require_GET
@permission_required("reports.view_rolluprun", raise_exception=True)
def comparison_status(request: HttpRequest) -> JsonResponse:
    """Where the last requested roll-up of a year stands, as JSON, in the reader's language."""
    form = RollupRefreshForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": " ".join(form.errors["year"])}, status=400)
    years = audit_years(request.user)
    if years is not None and form.cleaned_data["year"] not in years:
        raise Http404
    progress = rollup_progress(year=form.cleaned_data["year"])
    body = {"year": progress.year, "state": progress.state, "run_id": None, "headline": None}
    if progress.state != DONE:
        body["label"] = str(_PROGRESS_LABELS[progress.state])
    elif progress.failed:
        body["label"] = _("Done, but the roll-up failed: see the run's error under Roll-up runs.")
    else:
        body.update(run_id=progress.run.pk, headline=figure_text(progress.run.green_reduction_tco2e))
        body["label"] = _("Done: run %(run)d, green-power reduction %(headline)s tCO2e.") % {
            "run": progress.run.pk,
            "headline": body["headline"],
        }
    return JsonResponse(body)
