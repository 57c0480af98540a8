"""The staff admin site: Django's admin behind a second factor (django-otp devices, logged in
through django-two-factor-auth's login wizard, portal.staff_login)."""

from django.conf import settings
from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.utils import unquote
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyAdmin(ModelAdmin):
    """Records written by the services and jobs only (runs, lines, the ledger, reports, the email
    log): readable in the admin, never added, edited or deleted there."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RevertNeedsChangePermission:
    """django-simple-history's page of a past version saves the object when it is posted (a
    revert), yet opens to anyone who may only *view* the object: on this site, posting it needs
    the change permission, as the object's own change page does."""

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class PortalAdminSite(AdminSite):
    """Staff need a verified one-time-password device (TOTP app or backup codes), unless the
    STAFF_OTP_REQUIRED setting is off (tests of other features turn it off): then this is Django's
    plain admin with its plain login."""

    site_header = _("Green electricity portal: staff")
    site_title = _("Green electricity portal")
    index_title = _("Review and reporting")

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """With the second factor on, the admin's login is two_factor's wizard: password, then a
        code from an authenticator app or one backup code."""
        if not settings.STAFF_OTP_REQUIRED:
            return super().login(request, extra_context)
        from portal.staff_login import StaffLoginView

        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        request.current_app = self.name
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
            **(extra_context or {}),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        return StaffLoginView.as_view(extra_context=context)(request)

    def register(
        self, model_or_iterable: object, admin_class: type[ModelAdmin] | None = None, **options: object
    ) -> None:
        """Every history admin registered here gets RevertNeedsChangePermission."""
        if (
            admin_class is not None
            and issubclass(admin_class, SimpleHistoryAdmin)
            and not issubclass(admin_class, RevertNeedsChangePermission)
        ):
            admin_class = type(
                admin_class.__name__,
                (RevertNeedsChangePermission, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        return not settings.STAFF_OTP_REQUIRED or request.user.is_verified()
