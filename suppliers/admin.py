from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from suppliers.forms.review import ReturnForm, SubmissionFileForm
from suppliers.models import CertificateClaim, EvidenceFile, Line, ReportingPeriod, Site, Submission, Supplier, User
from suppliers.services.imports import submissions_import
from suppliers.services.spreadsheets import FileRefused
from suppliers.services.submissions import StaleSubmission, submission_approve, submission_return


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ("code", "name", "province", "region")
    readonly_fields = ("region",)


@admin.register(Supplier)
class SupplierAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "uscc", "category", "status", "site_count")
    list_filter = ("category", "status")
    search_fields = ("code", "name_zh", "name_en", "uscc")
    inlines = [SiteInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(site_count=Count("sites"))

    @admin.display(description=_("sites"), ordering="site_count")
    def site_count(self, supplier: Supplier) -> int:
        return supplier.site_count


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
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
        "green_power_trading_mwh", "gec_mwh", "irec_mwh", "bmw_share_percent", "certificates",
    )  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("site__supplier").prefetch_related("certificate_claims")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("certificate batches"))
    def certificates(self, line: Line) -> str:
        return "; ".join(claim.batch_id for claim in line.certificate_claims.all())


class EvidenceInline(admin.TabularInline):
    model = EvidenceFile
    extra = 0
    can_delete = False
    fields = ("original_name", "content_type", "size_bytes", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    list_display = ("supplier", "period", "status", "line_count", "submitted_at", "reviewed_by", "updated_at")
    list_filter = ("status", "period__year", "period__kind", "supplier__category", "lines__site__region")
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
    change_list_template = "admin/suppliers/submission/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(line_count=Count("lines", distinct=True))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("lines"), ordering="line_count")
    def line_count(self, submission: Submission) -> int:
        return submission.line_count

    @admin.action(description=_("Approve the selected submissions"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        approved = 0
        for submission in queryset:
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
        custom = [path("import/", self.admin_site.admin_view(self.import_view), name="suppliers_submission_import")]
        return custom + super().get_urls()

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
class CertificateClaimAdmin(admin.ModelAdmin):
    list_display = ("batch_id", "instrument", "line")
    list_select_related = ("line__site__supplier", "line__submission__period")
    search_fields = ("batch_id", "line__site__supplier__code")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


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
