"""The period page: the supplier's figures for one reporting period, one row per site."""

import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from suppliers.forms.conversation import MessageForm
from suppliers.forms.submissions import BaseLineFormSet, EvidenceForm, SubmissionForm, line_formset
from suppliers.models import ReportingPeriod, Site, Submission, Supplier, User
from suppliers.selectors import get_period_for_user, get_submission_for_user, sites_for_supplier, supplier_for_user
from suppliers.services.conversation import message_post, submission_timeline
from suppliers.services.submissions import (
    EDITABLE_STATUSES,
    StaleSubmission,
    submission_save_and_submit,
    submission_save_draft,
)
from suppliers.units import MWH_PER_UNIT


@dataclass(frozen=True)
class PeriodPage:
    supplier: Supplier
    period: ReportingPeriod
    submission: Submission | None  # with lines, their sites and claims, and evidence prefetched
    sites: list[Site]

    @classmethod
    def load(cls, user: User, period_id: int) -> "PeriodPage":
        supplier = supplier_for_user(user)
        period = get_period_for_user(user, period_id)
        submission = get_submission_for_user(user, period_id)
        return cls(supplier, period, submission, list(sites_for_supplier(supplier)))

    @property
    def editable(self) -> bool:
        return self.submission is None or self.submission.status in EDITABLE_STATUSES

    @property
    def version(self) -> int:
        return self.submission.version if self.submission else 0


def period_page_render(
    request: HttpRequest, page: PeriodPage, *, formset: BaseLineFormSet | None = None,
    form: SubmissionForm | None = None, evidence_form: EvidenceForm | None = None,
    problems: list[str] | tuple[str, ...] = (), conflict: bool = False, status: int = 200,
    message_form: MessageForm | None = None,
) -> HttpResponse:  # fmt: skip
    lines = list(page.submission.lines.all()) if page.submission else []
    by_site = {line.site_id: line for line in lines}
    evidence_files = list(page.submission.evidence_files.all()) if page.submission else []
    evidenced_sites = {evidence.site_id for evidence in evidence_files}
    context = {
        "page": page,
        "period": page.period,
        "submission": page.submission,
        "rows": [(site, by_site.get(site.pk)) for site in page.sites],
        "evidence_files": evidence_files,
        # A line carries evidence when a file proves it or its site for the period.
        "lines_without_evidence": [line for line in lines if line.site_id not in evidenced_sites],
        "problems": problems,
        "conflict": conflict,
        # Method version 2: I-RECs of Chinese generation after IREC_LAST_YEAR count as grid electricity.
        "irec_last_year": settings.IREC_LAST_YEAR,
        "irec_not_eligible": page.period.year > settings.IREC_LAST_YEAR and any(line.irec_mwh for line in lines),
        "irec_cut_off_passed": page.period.year > settings.IREC_LAST_YEAR,
        # The row preview (static/portal/portal.js) converts each unit to MWh as the import does.
        "mwh_per_unit_json": json.dumps({unit: str(mwh) for unit, mwh in MWH_PER_UNIT.items()}),
        # The conversation with the reviewer, beside the submission's versions.
        "timeline": submission_timeline(page.submission, for_supplier=True) if page.submission else [],
        "message_form": message_form or MessageForm(),
    }
    if page.editable:
        context["formset"] = formset or line_formset(None, sites=page.sites, lines=lines)
        context["form"] = form or SubmissionForm(initial={"version": page.version})
        context["evidence_form"] = evidence_form or EvidenceForm(sites=page.sites, lines=lines)
    return render(request, "suppliers/period_detail.html", context, status=status)


@login_required
@require_GET
def period_detail(request: HttpRequest, period_id: int) -> HttpResponse:
    return period_page_render(request, PeriodPage.load(request.user, period_id))


@login_required
@require_POST
def period_submit(request: HttpRequest, period_id: int) -> HttpResponse:
    """Saves the rows as a draft, or (action=submit, with the declaration) saves and submits them."""
    page = PeriodPage.load(request.user, period_id)
    if not page.editable:
        messages.error(request, _("These figures have been submitted and can no longer be changed here."))
        return redirect("period_detail", period_id=period_id)
    submitting = request.POST.get("action") == "submit"
    formset = line_formset(request.POST, sites=page.sites)
    form = SubmissionForm(request.POST, submitting=submitting)
    if not (formset.is_valid() and form.is_valid()):
        return period_page_render(request, page, formset=formset, form=form)
    save = submission_save_and_submit if submitting else submission_save_draft
    try:
        save(
            supplier=page.supplier, period=page.period, rows=formset.rows(), user=request.user,
            expected_version=form.cleaned_data["version"],
        )  # fmt: skip
    except StaleSubmission:
        # The typed figures stay on the page; saving again, deliberately, replaces the other change.
        form = SubmissionForm({**request.POST.dict(), "version": page.version}, submitting=submitting)
        return period_page_render(request, page, formset=formset, form=form, conflict=True, status=409)
    except ValidationError as error:
        return period_page_render(request, page, formset=formset, form=form, problems=error.messages)
    messages.success(request, _("Submitted for review. Thank you.") if submitting else _("Draft saved."))
    return redirect("period_detail", period_id=period_id)


@login_required
@require_POST
def period_message(request: HttpRequest, period_id: int) -> HttpResponse:
    """A message to the reviewer on the supplier's own submission of the period."""
    page = PeriodPage.load(request.user, period_id)
    if page.submission is None:
        messages.error(request, _("Save a draft first, then write to the reviewer."))
        return redirect("period_detail", period_id=period_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message_post(submission=page.submission, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your message was sent to the reviewer."))
            return redirect(reverse("period_detail", args=[period_id]) + "#conversation")
    return period_page_render(request, page, message_form=form, status=400)
