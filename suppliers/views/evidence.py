"""Evidence files of a submission: upload and delete on the period page, download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from suppliers.forms.submissions import EvidenceForm
from suppliers.selectors import get_evidence_for_user, get_own_evidence_for_user
from suppliers.services.evidence import evidence_add, evidence_delete
from suppliers.views.submissions import PeriodPage, period_page_render


@login_required
@require_POST
def evidence_upload(request: HttpRequest, period_id: int) -> HttpResponse:
    page = PeriodPage.load(request.user, period_id)
    if page.submission is None:
        messages.error(request, _("Save a draft first, then attach its evidence."))
        return redirect("period_detail", period_id=period_id)
    if not page.editable:
        messages.error(request, _("These figures have been submitted; their evidence can no longer be changed."))
        return redirect("period_detail", period_id=period_id)
    form = EvidenceForm(request.POST, request.FILES, sites=page.sites, lines=page.submission.lines.all())
    if form.is_valid():
        try:
            evidence = evidence_add(
                submission=page.submission, upload=form.cleaned_data["file"], user=request.user,
                site=form.cleaned_data["proves"], document_type=form.cleaned_data["document_type"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("%(name)s is attached.") % {"name": evidence.original_name})
            return redirect("period_detail", period_id=period_id)
    return period_page_render(request, page, evidence_form=form)


@login_required
@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = get_evidence_for_user(request.user, evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def evidence_remove(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = get_own_evidence_for_user(request.user, evidence_id)
    try:
        evidence_delete(evidence=evidence, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is removed.") % {"name": evidence.original_name})
    return redirect("period_detail", period_id=evidence.submission.period_id)
