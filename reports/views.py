"""Staff pages of the reports app, shown inside the admin."""

from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from reports.exports import csv_stream, xlsx_file
from reports.forms import ExpectedVersionForm, RollupRefreshForm
from reports.models import RollupRun
from reports.numbers import figure_text
from reports.rollup_status import DONE, IDLE, QUEUED, RUNNING, rollup_progress
from reports.selectors.claims import double_claims, serial_double_claims
from reports.selectors.runs import run_export_rows, runs_readable
from reports.services.rollups import rollup_request
from suppliers.forms.review import ReturnForm
from suppliers.models import Submission
from suppliers.roles import audit_years
from suppliers.services.submissions import StaleSubmission, submission_return


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


EXPORT_KINDS = ("suppliers", "sites", "regions")


@permission_required("reports.view_rolluprun", raise_exception=True)
def run_export(request: HttpRequest, run_id: int, kind: str, file_format: str) -> HttpResponse:
    """A run's figures by supplier, site or region, as CSV (streamed) or XLSX."""
    if kind not in EXPORT_KINDS or file_format not in ("csv", "xlsx"):
        raise Http404
    run = get_object_or_404(runs_readable(request.user), pk=run_id, status=RollupRun.Status.SUCCEEDED)
    header, rows = run_export_rows(run, kind)
    filename = f"rollup-{run.year}-run{run.pk}-{kind}.{file_format}"
    if file_format == "csv":
        response = StreamingHttpResponse(csv_stream(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        xlsx_file(f"{run.year} {kind}", header, rows),
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@permission_required("reports.view_rolluprun", raise_exception=True)
def double_claims_list(request: HttpRequest) -> HttpResponse:
    """Certificates claimed more than once: batches with every claimant, and overlapping serials
    with both claimants and the MWh at stake. Not an auditor's page: it names claimants of every
    year, while an auditor reads only the years assigned (their years' claims are in the ledger,
    and the run's flags name the double claims that touch its figure)."""
    if audit_years(request.user) is not None:
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": _("Certificates claimed more than once"),
        "batches": double_claims(),
        "serial_claims": serial_double_claims(),
        "form": ReturnForm(),
    }
    return TemplateResponse(request, "admin/reports/double_claims.html", context)


@require_POST
@permission_required("suppliers.change_submission", raise_exception=True)
def double_claim_reject(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Rejects one claimant: its submission goes back to its supplier with the comment."""
    submission = get_object_or_404(Submission, pk=submission_id)
    version_form = ExpectedVersionForm(request.POST)
    if not version_form.is_valid():
        return HttpResponseBadRequest(
            " ".join(version_form.errors["version"]), content_type="text/plain; charset=utf-8"
        )
    expected_version = version_form.cleaned_data["version"]
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the supplier must correct."))
        return redirect("reports_double_claims")
    try:
        submission_return(
            submission=submission,
            user=request.user,
            comment=form.cleaned_data["review_comment"],
            expected_version=submission.version if expected_version is None else expected_version,
        )
    except StaleSubmission as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(submission)s was returned to its supplier; the roll-up is redone.") % {"submission": submission},
        )
    return redirect("reports_double_claims")
