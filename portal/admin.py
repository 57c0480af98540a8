"""The staff admin site: Django's admin behind a second factor (django-otp)."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class PortalAdminSite(OTPAdminSite):
    """Staff need a verified one-time-password device (TOTP app or backup codes), unless the
    STAFF_OTP_REQUIRED setting is off (tests of other features turn it off)."""

    site_header = _("Green electricity portal: staff")
    site_title = _("Green electricity portal")
    index_title = _("Review and reporting")

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    @property
    def login_form(self) -> type[AdminAuthenticationForm]:  # type: ignore[override]
        return OTPAdminAuthenticationForm if settings.STAFF_OTP_REQUIRED else AdminAuthenticationForm

    @property
    def login_template(self) -> str | None:  # type: ignore[override]
        return "otp/admin111/login.html" if settings.STAFF_OTP_REQUIRED else None

    def has_permission(self, request: HttpRequest) -> bool:
        if settings.STAFF_OTP_REQUIRED:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)
