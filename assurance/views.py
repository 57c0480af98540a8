"""The verifier's pages, inside the admin: the samples of a run, a sample's lines with their
evidence and results, and the assurance pack. An auditor reaches only the years assigned."""

import io

from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assurance.forms import SampledLineResultForm, SampleDrawForm
from assurance.models import AssuranceSample, SampledLine
from assurance.pack import pack_write
from assurance.selectors import sampled_lines_shown
from assurance.services import RunOutdated, sample_draw, sampled_line_record
from reports.models import RollupRun
from suppliers.roles import audit_years


def get_run_for_user(user: object, run_id: int) -> RollupRun:
    """A succeeded run the user may read: an auditor's only of an assigned year (else a 404)."""
    run = get_object_or_404(RollupRun.objects.defer("result"), pk=run_id, status=RollupRun.Status.SUCCEEDED)
    years = audit_years(user)
    if years is not None and run.year not in years:
        raise Http404
    return run


def get_sample_for_user(user: object, sample_id: int) -> AssuranceSample:
    sample = get_object_or_404(AssuranceSample.objects.select_related("run", "drawn_by"), pk=sample_id)
    years = audit_years(user)
    if years is not None and sample.run.year not in years:
        raise Http404
    return sample


@permission_required("assurance.view_assurancesample", raise_exception=True)
def run_samples(request: HttpRequest, run_id: int) -> HttpResponse:
    """The samples drawn of a run, and the form to draw one."""
    run = get_run_for_user(request.user, run_id)
    form = SampleDrawForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("assurance.add_assurancesample"):
            raise Http404
        if form.is_valid():
            try:
                sample = sample_draw(run=run, user=request.user, **form.cleaned_data)
            except RunOutdated as error:
                messages.error(request, str(error))
            else:
                return redirect("assurance_sample", sample_id=sample.pk)
    context = {
        **admin.site.each_context(request),
        "title": _("Assurance samples of roll-up run #%(id)d (%(year)d)") % {"id": run.pk, "year": run.year},
        "run": run,
        "samples": run.samples.select_related("drawn_by").order_by("-drawn_at"),
        "form": form,
    }
    return TemplateResponse(request, "admin/assurance/run_samples.html", context, status=400 if form.errors else 200)


@permission_required("assurance.view_assurancesample", raise_exception=True)
def sample_detail(request: HttpRequest, sample_id: int) -> HttpResponse:
    sample = get_sample_for_user(request.user, sample_id)
    context = {
        **admin.site.each_context(request),
        "title": _("Assurance sample #%(id)d") % {"id": sample.pk},
        "sample": sample,
        "run": sample.run,
        "lines": sampled_lines_shown(sample),
        "can_record": request.user.has_perm("assurance.change_sampledline"),
    }
    return TemplateResponse(request, "admin/assurance/sample.html", context)


@require_POST
@permission_required("assurance.change_sampledline", raise_exception=True)
def sampled_line_result(request: HttpRequest, sampled_id: int) -> HttpResponse:
    sampled = get_object_or_404(SampledLine.objects.select_related("sample__run"), pk=sampled_id)
    get_sample_for_user(request.user, sampled.sample_id)
    form = SampledLineResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    else:
        sampled = sampled_line_record(sampled=sampled, user=request.user, **form.cleaned_data)
        messages.success(
            request, _("%(line)s: %(result)s recorded.") % {"line": sampled, "result": sampled.get_result_display()}
        )
    return redirect(f"{reverse('assurance_sample', args=[sampled.sample_id])}#line-{sampled.pk}")


@permission_required("reports.view_rolluprun", raise_exception=True)
def run_pack(request: HttpRequest, run_id: int) -> HttpResponse:
    """The assurance pack of a run, as a ZIP download; refused, naming the change, when the data
    changed since the run."""
    run = get_run_for_user(request.user, run_id)
    out = io.BytesIO()
    try:
        pack_write(run, out)
    except RunOutdated as error:
        messages.error(request, str(error))
        return redirect("assurance_run_samples", run_id=run.pk)
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename=f"assurance-pack-{run.year}-run{run.pk}.zip", content_type="application/zip"
    )
