from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ReadOnlyAdmin
from suppliers.forms.accounts import InviteUserForm
from suppliers.forms.review import (
    ReturnForm,
    SiteAdminForm,
    SubmissionActionForm,
    SubmissionFileForm,
    SupplierAdminForm,
)
from suppliers.forms.submissions import line_serials_text
from suppliers.models import (
    CertificateClaim,
    CertificateRange,
    Commitment,
    EvidenceFile,
    Line,
    ReportingPeriod,
    Site,
    Submission,
    Supplier,
    User,
)
from suppliers.roles import AuditYearsAdmin
from suppliers.selectors import lines_without_evidence_of, submission_flags
from suppliers.services.accounts import supplier_user_invitation_queue, supplier_user_invite, user_sessions_end
from suppliers.services.imports import submissions_import
from suppliers.services.spreadsheets import FileRefused
from suppliers.services.submissions import StaleSubmission, submission_approve, submission_return


class SiteInline(admin.TabularInline):
    model = Site
    form = SiteAdminForm
    extra = 0
    fields = ("code", "name", "province", "region")
    readonly_fields = ("region",)


class CommitmentInline(admin.StackedInline):
    model = Commitment
    extra = 0
    max_num = 1
    fields = ("committed_on", "target_year", "target_green_share_percent", "source", "evidence")


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    list_display = ("supplier", "committed_on", "target_year", "target_green_share_percent", "source")
    list_select_related = ("supplier",)
    list_filter = ("target_year",)
    search_fields = ("supplier__code", "supplier__name_zh", "supplier__name_en", "source")
    autocomplete_fields = ("supplier",)


@admin.register(Supplier)
class SupplierAdmin(SimpleHistoryAdmin):
    form = SupplierAdminForm
    list_display = ("code", "name_zh", "name_en", "uscc", "category", "status", "site_count")
    list_filter = ("category", "status")
    search_fields = ("code", "name_zh", "name_en", "uscc")
    inlines = [SiteInline, CommitmentInline]
    readonly_fields = ("user_list",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(site_count=Count("sites")).order_by("code")

    @admin.display(description=_("users"))
    def user_list(self, supplier: Supplier) -> str:
        if supplier.pk is None:
            return "—"
        invite = reverse("admin:suppliers_user_invite") + f"?supplier={supplier.pk}"
        return format_html(
            '{} <a href="{}" class="addlink">{}</a>',
            ", ".join(supplier.users.order_by("email").values_list("email", flat=True)) or "—",
            invite,
            _("Invite a user"),
        )

    @admin.display(description=_("sites"), ordering="site_count")
    def site_count(self, supplier: Supplier) -> int:
        return supplier.site_count


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    form = SiteAdminForm
    list_display = ("supplier", "code", "name", "province", "region")
    list_filter = ("region", "province")
    list_select_related = ("supplier",)
    search_fields = ("code", "name", "supplier__code", "supplier__name_zh", "supplier__name_en")
    readonly_fields = ("region",)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ("__str__", "year", "kind", "due_date", "is_open")
    list_filter = ("kind", "is_open", "year")


class LineInline(admin.TabularInline):
    model = Line
    extra = 0
    can_delete = False
    fields = (
        "site", "entered_unit", "entered_values", "total_electricity_mwh", "onsite_renewable_mwh",
        "green_power_trading_mwh", "gec_mwh", "irec_mwh", "bmw_share_percent", "certificates", "evidence",
    )  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("site__supplier", "submission")
            .prefetch_related("certificate_claims", "certificate_ranges", "submission__evidence_files")
        )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("evidence"))
    def evidence(self, line: Line) -> str:
        """The files that prove the line or its site for the period; "none" stands out."""
        files = [e for e in line.submission.evidence_files.all() if e.site_id == line.site_id]
        if not files:
            return format_html('<strong class="no-evidence">{}</strong>', _("none"))
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a> ({})',
            (
                (reverse("evidence_download", args=[e.pk]), e.original_name, e.get_document_type_display())
                for e in files
            ),
        )

    @admin.display(description=_("certificates"))
    def certificates(self, line: Line) -> str:
        """The batch IDs, or the GEC and I-REC serials, the line claims."""
        serials = line_serials_text(line)
        return "; ".join(
            [claim.batch_id for claim in line.certificate_claims.all()]
            + [
                f"{label}: {serials[column]}"
                for column, label in (("gec_serials", "GEC"), ("irec_serials", "I-REC"))
                if column in serials
            ]
        )


class EvidenceInline(admin.TabularInline):
    model = EvidenceFile
    extra = 0
    can_delete = False
    fields = (
        "download",
        "proves",
        "document_type",
        "content_type",
        "size_bytes",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("site", "uploaded_by")

    @admin.display(description=_("it proves"))
    def proves(self, evidence: EvidenceFile) -> str:
        return render_to_string("suppliers/includes/evidence_proves.html", {"evidence": evidence}).strip()

    @admin.display(description=_("file"))
    def download(self, evidence: EvidenceFile) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("evidence_download", args=[evidence.pk]), evidence.original_name
        )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EvidenceFilter(admin.SimpleListFilter):
    title = _("evidence")
    parameter_name = "evidence"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("missing", _("Some lines without evidence")), ("complete", _("Every line with evidence"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "missing":
            return queryset.filter(lines_without_evidence__gt=0)
        if self.value() == "complete":
            return queryset.filter(lines_without_evidence=0)
        return queryset


def lines_without_evidence() -> Coalesce:
    """A submission's lines that no file proves, neither the line nor its site for the period (a
    subquery, evaluated for the listed rows only)."""
    proven = EvidenceFile.objects.filter(submission_id=OuterRef("submission_id"), site_id=OuterRef("site_id"))
    bare = Line.objects.filter(submission=OuterRef("pk")).exclude(Exists(proven)).order_by().values("submission")
    return Coalesce(Subquery(bare.annotate(count=Count("pk")).values("count")), 0)


class FlagsFilter(admin.SimpleListFilter):
    title = _("data-quality flags")
    parameter_name = "flags"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", _("With flags")), ("no", _("Without flags"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() not in ("yes", "no"):
            return queryset
        flags = submission_flags(list(queryset.values_list("pk", flat=True)))
        flagged = [pk for pk, codes in flags.items() if codes]
        return queryset.filter(pk__in=flagged) if self.value() == "yes" else queryset.exclude(pk__in=flagged)


@admin.register(Submission)
class SubmissionAdmin(AuditYearsAdmin, SimpleHistoryAdmin):
    audit_year_lookup = "period__year"
    list_display = (
        "supplier", "period", "status", "line_count", "without_evidence", "flag_list", "submitted_at", "reviewed_by",
        "updated_at",
    )  # fmt: skip
    list_filter = (
        "status",
        FlagsFilter,
        EvidenceFilter,
        "period__year",
        "period__kind",
        "supplier__category",
        "lines__site__region",
    )
    list_select_related = ("supplier", "period", "reviewed_by")
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
        flags = submission_flags([submission.pk for submission in changelist.result_list])
        for submission in changelist.result_list:
            submission.flag_codes = flags[submission.pk]
        return changelist

    @admin.display(description=_("flags"))
    def flag_list(self, submission: Submission) -> str:
        return ", ".join(getattr(submission, "flag_codes", [])) or "—"

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
        if object_id.isdigit():
            extra_context["flag_codes"] = submission_flags([int(object_id)]).get(int(object_id), [])
            extra_context["lines_without_evidence"] = lines_without_evidence_of(int(object_id))
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
                % {"list": ", ".join(f"{s} ({', '.join(flags[s.pk])})" for s in flagged)},
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
                "<int:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="suppliers_submission_review",
            ),
        ]
        return custom + super().get_urls()

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


@admin.register(CertificateClaim)
class CertificateClaimAdmin(AuditYearsAdmin, admin.ModelAdmin):
    audit_year_lookup = "line__submission__period__year"
    list_display = ("batch_id", "instrument", "line")
    list_select_related = ("line__site__supplier", "line__submission__period")
    search_fields = ("batch_id", "line__site__supplier__code")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CertificateRange)
class CertificateRangeAdmin(AuditYearsAdmin, ReadOnlyAdmin):
    """The certificate ledger by serial: every range FIRST~LAST a line claims."""

    audit_year_lookup = "line__submission__period__year"
    list_display = ("serials", "instrument", "count", "line", "status")
    list_filter = ("instrument", "line__submission__period__year", "line__submission__status")
    list_select_related = ("line__site__supplier", "line__submission__period")
    search_fields = ("first", "last", "stem", "line__site__supplier__code")
    fields = ("line", "instrument", "stem", "width", "first", "last", "count")
    readonly_fields = fields

    @admin.display(description=_("serials"))
    def serials(self, claimed: CertificateRange) -> str:
        return claimed.text

    @admin.display(description=_("status"), ordering="line__submission__status")
    def status(self, claimed: CertificateRange) -> str:
        return claimed.line.submission.get_status_display()


@admin.register(Line)
class LineAdmin(AuditYearsAdmin, SimpleHistoryAdmin, ReadOnlyAdmin):
    """Every line with its history (each change, who made it and when); written by the services only."""

    audit_year_lookup = "submission__period__year"
    list_display = (
        "__str__", "status", "total_electricity_mwh", "green", "bmw_share_percent", "updated_at",
    )  # fmt: skip
    list_filter = ("submission__period__year", "submission__status", "site__region")
    list_select_related = ("site__supplier", "submission__period")
    search_fields = ("site__code", "site__supplier__code", "site__supplier__name_zh", "site__supplier__name_en")
    fields = (
        "submission", "site", "entered_unit", "entered_values", "total_electricity_mwh", "onsite_renewable_mwh",
        "green_power_trading_mwh", "gec_mwh", "irec_mwh", "bmw_share_percent", "updated_at",
    )  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("status"), ordering="submission__status")
    def status(self, line: Line) -> str:
        return line.submission.get_status_display()

    @admin.display(description=_("green (MWh)"))
    def green(self, line: Line) -> object:
        return line.green_mwh


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "supplier", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "language")
    list_select_related = ("supplier",)
    search_fields = ("email", "full_name", "supplier__code")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "language", "supplier")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "supplier", "password1", "password2")}),)
    autocomplete_fields = ("supplier",)
    actions = ["send_invitation_again"]
    change_list_template = "admin/suppliers/user/change_list.html"

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple:
        # Only a superuser makes a superuser: an administrator managing users cannot promote anyone
        # (themselves included) above their own role.
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else (*readonly, "is_superuser")

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # A superuser's account (email, password, active) is changed by superusers only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: User, form: object, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_sessions_end(user=obj)  # a deactivated account is logged out everywhere at once

    def get_urls(self) -> list:
        custom = [path("invite/", self.admin_site.admin_view(self.invite_view), name="suppliers_user_invite")]
        return custom + super().get_urls()

    def invite_view(self, request: HttpRequest) -> HttpResponse:
        """Invite a supplier's user: created without a password, emailed a link to choose one."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InviteUserForm(request.POST or None, initial={"supplier": request.GET.get("supplier")})
        if request.method == "POST" and form.is_valid():
            try:
                user = supplier_user_invite(**form.cleaned_data, invited_by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("%(email)s was invited; the email with the link to choose a password is on its way.")
                    % {"email": user.email},
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:suppliers_user_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Invite a supplier's user"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/suppliers/user/invite.html", context)

    @admin.action(description=_("Send the invitation again"), permissions=["change"])
    def send_invitation_again(self, request: HttpRequest, queryset: QuerySet) -> None:
        sent = 0
        for user in queryset.select_related("supplier"):
            if user.supplier_id is None or not user.is_active or user.has_usable_password():
                self.message_user(
                    request,
                    _("%(email)s: no invitation sent; the user is staff, inactive or has chosen a password already.")
                    % {"email": user.email},
                    messages.WARNING,
                )
                continue
            supplier_user_invitation_queue(user=user, invited_by=request.user)
            sent += 1
        if sent:
            self.message_user(
                request,
                _("%(n)d invitation(s) on their way; the Email log shows each once it is sent.") % {"n": sent},
                messages.SUCCESS,
            )
