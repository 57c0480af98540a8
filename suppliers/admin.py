from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ReadOnlyAdmin
from suppliers import admin_submission  # noqa: F401 - registers the submission admin (the review queue)
from suppliers.forms.accounts import InviteUserForm
from suppliers.forms.review import SiteAdminForm, SupplierAdminForm
from suppliers.models import CertificateClaim, CertificateRange, Commitment, Line, ReportingPeriod, Site, Supplier, User
from suppliers.roles import AuditYearsAdmin
from suppliers.services.accounts import supplier_user_invitation_queue, supplier_user_invite, user_sessions_end


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
