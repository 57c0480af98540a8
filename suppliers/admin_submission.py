"""The submission admin: the review queue (suppliers/admin_review.py has its filters, counts,
flags in words and the year-on-year table) and a submission's page, where staff approve or return."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from suppliers.admin_review import (
    EvidenceFilter,
    EvidenceInline,
    FlagsFilter,
    LineInline,
    StateFilter,
    flag_sentence,
    flag_sentences,
    lines_without_evidence,
    previous_period_code,
    state_counts,
    year_on_year,
)
from suppliers.cache import submission_flags_kept
from suppliers.forms.conversation import MessageForm
from suppliers.forms.review import ReturnForm, SubmissionActionForm, SubmissionFileForm
from suppliers.models import Line, Submission
from suppliers.roles import AuditYearsAdmin
from suppliers.selectors import lines_without_evidence_of, submission_flags
from suppliers.services.conversation import message_post, submission_timeline
from suppliers.services.imports import submissions_import
from suppliers.services.spreadsheets import FileRefused
from suppliers.services.submissions import StaleSubmission, submission_approve, submission_return


@admin.register(Submission)
class SubmissionAdmin(AuditYearsAdmin, SimpleHistoryAdmin):
    audit_year_lookup = "period__year"
    # What a reviewer decides on; when a draft was last saved is on the submission's page.
    list_display = (
        "supplier", "period", "status", "line_count", "without_evidence", "flag_list", "submitted_at", "reviewed_by",
    )  # fmt: skip
    list_filter = (
        StateFilter,
        FlagsFilter,
        EvidenceFilter,
        "period__year",
        "period__kind",
        "supplier__category",
        "lines__site__region",
    )
    list_select_related = ("supplier", "period", "reviewed_by")
    # A page a reviewer works through (each row's flags and links cost their time), and no count of
    # every submission of every state beside the filtered one: the state tabs show those.
    list_per_page = 50
    show_full_result_count = False
    # A queue: the submission waiting longest first (a draft, never submitted, last).
    ordering = (F("submitted_at").asc(nulls_last=True), "pk")
    search_fields = (
        "supplier__code", "supplier__name_zh", "supplier__name_en", "supplier__uscc", "lines__certificate_claims__batch_id",
    )  # fmt: skip
    readonly_fields = (
        "supplier", "period", "status", "version", "review_comment", "submitted_at", "submitted_by",
        "reviewed_at", "reviewed_by",
    )  # fmt: skip
    inlines = [LineInline, EvidenceInline]
    actions = ["approve_selected", "return_selected"]
    action_form = SubmissionActionForm
    change_list_template = "admin/suppliers/submission/change_list.html"
    change_form_template = "admin/suppliers/submission/change_form.html"

    def get_changelist_instance(self, request: HttpRequest):
        changelist = super().get_changelist_instance(request)
        # The flags of the page's submissions, in a few queries for the whole page.
        changelist.result_list = list(changelist.result_list)
        flags = submission_flags_kept([submission.pk for submission in changelist.result_list])
        for submission in changelist.result_list:
            submission.flag_codes = flags[submission.pk]
        shown = next((spec.state() for spec in changelist.filter_specs if isinstance(spec, StateFilter)), None)
        changelist.state_counts = state_counts(self.get_queryset(request), shown)
        return changelist

    def action_checkbox(self, obj: Submission) -> str:
        """Django's checkbox of a row, as Django writes it, without its form widget: rendering fifty
        widgets through the form renderer's templates cost the queue 15 ms of its 100."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME, obj.pk, label,
        )  # fmt: skip

    @admin.display(description=_("flags"))
    def flag_list(self, submission: Submission) -> str:
        codes = getattr(submission, "flag_codes", [])
        if not codes:
            return "—"
        return format_html(
            '<ul class="flag-list">{}</ul>',
            format_html_join("", '<li class="flag flag-{}">{}</li>', ((code, flag_sentence(code)) for code in codes)),
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        # Every field is read-only: decisions are made in the review box, not by saving the form.
        extra_context = {
            **(extra_context or {}),
            "return_form": ReturnForm(),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete_link": False,
        }
        submission = self.get_object(request, object_id) if object_id.isdigit() else None
        if submission is not None:
            codes = submission_flags([submission.pk]).get(submission.pk, [])
            extra_context["flags"] = list(zip(codes, flag_sentences(codes), strict=True))
            extra_context["lines_without_evidence"] = lines_without_evidence_of(submission.pk)
            extra_context["year_on_year"] = year_on_year(submission)
            extra_context["previous_period"] = previous_period_code(submission)
            extra_context["timeline"] = submission_timeline(submission, for_supplier=False)
            extra_context["message_form"] = MessageForm()
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # A count per listed submission (a subquery PostgreSQL evaluates for the page's rows only),
        # not a GROUP BY over the join of every submission with every line.
        lines = Line.objects.filter(submission=OuterRef("pk")).order_by().values("submission")
        line_count = Coalesce(Subquery(lines.annotate(count=Count("pk")).values("count")), 0)
        return (
            super()
            .get_queryset(request)
            .annotate(line_count=line_count, lines_without_evidence=lines_without_evidence())
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("lines"), ordering="line_count")
    def line_count(self, submission: Submission) -> int:
        return submission.line_count

    @admin.display(description=_("lines without evidence"), ordering="lines_without_evidence")
    def without_evidence(self, submission: Submission) -> str:
        count = submission.lines_without_evidence
        return format_html('<strong class="no-evidence">{}</strong>', count) if count else "0"

    @admin.action(description=_("Approve the selected submissions (only those without flags)"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        try:
            listed_at = SubmissionActionForm.base_fields["listed_at"].clean(request.POST.get("listed_at"))
        except ValidationError:
            listed_at = None
        if listed_at is None:
            self.message_user(request, _("Nothing approved: reload the list and approve again."), messages.ERROR)
            return
        sent_again = list(queryset.filter(submitted_at__gt=listed_at))
        if sent_again:
            self.message_user(
                request,
                _(
                    "Not approved, because they were submitted again after the list was shown (open each to review): %(list)s"
                )
                % {"list": ", ".join(str(submission) for submission in sent_again)},
                messages.WARNING,
            )
            queryset = queryset.exclude(pk__in=[submission.pk for submission in sent_again])
        approved = 0
        flags = submission_flags(list(queryset.values_list("pk", flat=True)))
        flagged = [submission for submission in queryset if flags[submission.pk]]
        if flagged:
            self.message_user(
                request,
                _("Not approved, because they have data-quality flags (open each to decide): %(list)s")
                % {"list": "; ".join(f"{s} ({' '.join(flag_sentences(flags[s.pk]))})" for s in flagged)},
                messages.WARNING,
            )
        for submission in queryset.exclude(pk__in=[s.pk for s in flagged]):
            try:
                submission_approve(submission=submission, user=request.user, expected_version=submission.version)
                approved += 1
            except (ValidationError, StaleSubmission) as error:
                self.message_user(
                    request, f"{submission}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.ERROR
                )
        if approved:
            self.message_user(request, _("%(n)d submission(s) approved.") % {"n": approved}, messages.SUCCESS)

    @admin.action(description=_("Return the selected submissions with a comment"), permissions=["change"])
    def return_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = ReturnForm(request.POST if "review_comment" in request.POST else None)
        if form.is_valid():
            returned = 0
            for submission in queryset:
                try:
                    submission_return(
                        submission=submission, user=request.user, comment=form.cleaned_data["review_comment"],
                        expected_version=submission.version,
                    )  # fmt: skip
                    returned += 1
                except (ValidationError, StaleSubmission) as error:
                    self.message_user(
                        request, f"{submission}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.ERROR
                    )
            if returned:
                self.message_user(request, _("%(n)d submission(s) returned.") % {"n": returned}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Return submissions to their suppliers"),
            "form": form,
            "submissions": queryset,
            "action": "return_selected",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/suppliers/submission/return.html", context)

    def get_urls(self) -> list:
        custom = [
            path("import/", self.admin_site.admin_view(self.import_view), name="suppliers_submission_import"),
            path(
                "<int:object_id>/message/",
                self.admin_site.admin_view(self.message_view),
                name="suppliers_submission_message",
            ),
            path(
                "<int:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="suppliers_submission_review",
            ),
        ]
        return custom + super().get_urls()

    def message_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """A message to the supplier's users, from staff who may change submissions (a viewer or
        an auditor reads the conversation but does not write in it)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        submission = self.get_object(request, str(object_id))
        if submission is None:
            raise Http404
        if not self.has_change_permission(request, submission):
            raise PermissionDenied
        form = MessageForm(request.POST)
        page = reverse("admin:suppliers_submission_change", args=[submission.pk])
        if not form.is_valid():  # empty, too long, or a NUL: nothing saved
            self.message_user(request, " ".join(form.errors["body"]), messages.ERROR)
            return redirect(page + "#conversation")
        try:
            message_post(submission=submission, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, _("Your message was sent to the supplier."), messages.SUCCESS)
        return redirect(page + "#conversation")

    def review_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Approve or return one submission from its page, with the version the reviewer saw:
        if someone else acted meanwhile, this reviewer gets a conflict message and nothing changes."""
        if request.method != "POST":  # a decision is only ever posted (with its CSRF token)
            return HttpResponseNotAllowed(["POST"])
        submission = self.get_object(request, str(object_id))
        if submission is None:
            raise Http404
        if not self.has_change_permission(request, submission):
            raise PermissionDenied
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            raise PermissionDenied from None
        try:
            if request.POST.get("decision") == "approve":
                submission_approve(submission=submission, user=request.user, expected_version=version)
                self.message_user(request, _("%(s)s approved.") % {"s": submission}, messages.SUCCESS)
            elif request.POST.get("decision") == "return":
                form = ReturnForm(request.POST)
                if not form.is_valid():  # empty, too long, or a character no database column holds (NUL)
                    self.message_user(request, " ".join(form.errors["review_comment"]), messages.ERROR)
                    return redirect(reverse("admin:suppliers_submission_change", args=[submission.pk]))
                submission_return(
                    submission=submission,
                    user=request.user,
                    comment=form.cleaned_data["review_comment"],
                    expected_version=version,
                )
                self.message_user(request, _("%(s)s returned to its supplier.") % {"s": submission}, messages.SUCCESS)
            else:
                raise PermissionDenied
        except StaleSubmission as conflict:
            self.message_user(request, str(conflict), messages.ERROR)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        return redirect(reverse("admin:suppliers_submission_change", args=[submission.pk]))

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = SubmissionFileForm(request.POST or None, request.FILES or None)
        problems = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = submissions_import(
                    content=upload.read(), filename=upload.name, approve=form.cleaned_data["approve"], user=request.user
                )
            except FileRefused as refused:
                problems = refused.problems
            else:
                self.message_user(
                    request,
                    _("%(n)d line(s) imported: %(new)d new, %(replaced)d replaced.")
                    % {"n": result.lines, "new": result.lines_created, "replaced": result.lines_replaced},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:suppliers_submission_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a submission file"),
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/suppliers/submission/import.html", context)
