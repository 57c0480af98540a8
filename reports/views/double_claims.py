"""Staff see every certificate claimed twice and resolve it by rejecting a claim."""

from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.generations import generation
from reports.cache import DOUBLE_CLAIMS, WEEK
from reports.forms import ExpectedVersionForm
from reports.selectors.claims import double_claims, serial_double_claims
from suppliers.forms.review import ReturnForm
from suppliers.models import Submission
from suppliers.roles import audit_years
from suppliers.services.submissions import StaleSubmission, submission_return

# Finding the certificates claimed twice reads every claim and range (0.3 s at 2,000 suppliers): the
# page keeps them until a submission is submitted, approved or returned, or a file imported
# (reports.cache.DOUBLE_CLAIMS).


def _double_claims_found() -> tuple[dict, list]:
    return double_claims(), serial_double_claims()


@permission_required("reports.view_rolluprun", raise_exception=True)
def double_claims_list(request: HttpRequest) -> HttpResponse:
    """Certificates claimed more than once: batches with every claimant, and overlapping serials
    with both claimants and the MWh at stake. Not an auditor's page: it names claimants of every
    year, while an auditor reads only the years assigned (their years' claims are in the ledger,
    and the run's flags name the double claims that touch its figure)."""
    if audit_years(request.user) is not None:
        raise PermissionDenied
    batches, serial_claims = cache.get_or_set(f"double-claims:{generation(DOUBLE_CLAIMS)}", _double_claims_found, WEEK)
    context = {
        **admin.site.each_context(request),
        "title": _("Certificates claimed more than once"),
        "batches": batches,
        "serial_claims": serial_claims,
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
