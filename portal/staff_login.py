"""The staff login to the admin: django-two-factor-auth's login wizard, password first, then a code.

Staff with an authenticator app (django-otp TOTP device) type its six digits on the second step, or
choose a backup code instead; staff with backup codes only (django-otp static device, as
`demo_logins` gives the demo staff user) are asked for one backup code on the second step. Staff
without either are refused at the first step with a message, never logged in without a second
factor. The password step is Django's admin form: wrong passwords go through `authenticate()`, so
django-axes counts them and locks out as on the suppliers' login.
"""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationFormMixin
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from two_factor.forms import AuthenticationTokenForm, BackupTokenForm
from two_factor.views import LoginView

from suppliers.models import User

CODE_ERRORS = dict(
    OTPAuthenticationFormMixin.otp_error_messages,
    invalid_token=_("That code is not valid, or it has been used already. Please try again."),
    token_required=_("Please enter the code."),
    n_failed_attempts=_("Too many wrong codes: please wait a moment and try again."),
    verification_not_allowed=_("Too many wrong codes: please wait a moment and try again."),
)


def authenticator_devices(user: User | None) -> QuerySet[TOTPDevice]:
    """The user's confirmed authenticator apps (none before the password step)."""
    if not user:
        return TOTPDevice.objects.none()
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk")


def backup_code_device(user: User | None) -> StaticDevice | None:
    if not user:
        return None
    return StaticDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


class StaffPasswordForm(AdminAuthenticationForm):
    """The admin's own password form (staff accounts only), which also refuses staff who have no
    second factor yet: they would otherwise pass the login without one."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "no_second_factor": _(
            "This staff account has no second factor yet (backup codes or an authenticator app). "
            "Ask an administrator of the portal to give you backup codes."
        ),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not authenticator_devices(user).exists() and backup_code_device(user) is None:
            raise forms.ValidationError(self.error_messages["no_second_factor"], code="no_second_factor")


class AuthenticatorCodeForm(AuthenticationTokenForm):
    otp_error_messages = CODE_ERRORS

    def __init__(self, user: User, initial_device: Device, **kwargs: object) -> None:
        super().__init__(user, initial_device, **kwargs)
        self.fields["otp_token"].label = _("Code from your authenticator app")
        self.fields["otp_token"].widget.attrs["inputmode"] = "numeric"


class BackupCodeForm(BackupTokenForm):
    otp_error_messages = CODE_ERRORS

    def __init__(self, user: User, initial_device: Device, **kwargs: object) -> None:
        super().__init__(user, initial_device, **kwargs)
        field = self.fields["otp_token"]
        field.label = _("Backup code")
        field.widget.attrs.update({"autofocus": "autofocus", "autocomplete": "one-time-code", "autocapitalize": "none"})
        field.widget.attrs["spellcheck"] = "false"

    def clean_otp_token(self) -> str:
        """The code as typed, without spaces; in lower case if that is how it is stored (codes
        are printed in lower case, a phone may capitalise the first letter)."""
        token = "".join(self.cleaned_data["otp_token"].split())
        codes = StaticToken.objects.filter(device__in=self._devices())
        if not codes.filter(token=token).exists() and codes.filter(token=token.lower()).exists():
            token = token.lower()
        return token

    def _devices(self) -> QuerySet[StaticDevice]:
        return StaticDevice.objects.devices_for_user(self.user, confirmed=True).order_by("pk")

    def _chosen_device(self, user: User) -> StaticDevice | None:
        """The backup-code device that holds the code (a user may have more than one set), else the
        first, which then records the failure (django-otp's throttling)."""
        token = self.cleaned_data.get("otp_token") or ""
        devices = self._devices()
        return devices.filter(token_set__token=token).first() or devices.first()


class StaffLoginView(LoginView):
    """two_factor's LoginView, as the admin's login page (PortalAdminSite.login).

    Upstream asks for a code only from a device named "default" (the one its setup wizard makes);
    here any confirmed authenticator app of the user counts, and backup codes alone are enough for
    the second step (upstream would skip the second step for them and log the user in unverified).
    """

    template_name = "two_factor/core/login.html"
    form_list = (
        (LoginView.AUTH_STEP, StaffPasswordForm),
        (LoginView.TOKEN_STEP, AuthenticatorCodeForm),
        (LoginView.BACKUP_STEP, BackupCodeForm),
    )

    def has_token_step(self) -> bool:
        return authenticator_devices(self.get_user()).exists() and not self.remember_agent

    def has_backup_step(self) -> bool:
        return (
            backup_code_device(self.get_user()) is not None
            and self.TOKEN_STEP not in self.storage.validated_step_data
            and not self.remember_agent
        )

    condition_dict = {LoginView.TOKEN_STEP: has_token_step, LoginView.BACKUP_STEP: has_backup_step}

    def get_form(self, step: str | None = None, **kwargs: object) -> forms.Form:
        # Not LoginView.get_form: it replaces the code step's form by the device method's own.
        form = super(LoginView, self).get_form(step=step, **kwargs)
        if self.show_timeout_error:
            form.cleaned_data = getattr(form, "cleaned_data", {})
            form.add_error(
                None, forms.ValidationError(_("Ten minutes have passed since your password: please log in again."))
            )
        return form

    def get_device(self, step: str | None = None) -> Device | None:
        user = self.get_user()
        if (step or self.steps.current) == self.BACKUP_STEP:
            return backup_code_device(user)
        chosen = self.request.POST.get("challenge_device") or self.storage.data.get("challenge_device")
        devices = list(authenticator_devices(user))
        return next((d for d in devices if d.persistent_id == chosen), devices[0] if devices else None)

    def get_other_devices(self, main_device: Device | None) -> list[TOTPDevice]:
        return [d for d in authenticator_devices(self.get_user()) if main_device is None or d.pk != main_device.pk]

    def get_context_data(self, form: forms.Form, **kwargs: object) -> dict:
        context = super().get_context_data(form, **kwargs)
        context.pop("cancel_url", None)  # LOGOUT_REDIRECT_URL is the suppliers' login
        if self.steps.current == self.TOKEN_STEP:
            context["backup_tokens"] = backup_code_device(self.get_user()) is not None
        context["next"] = self.get_redirect_url() or context.get("next", "")
        return context

    def get_success_url(self) -> str:
        return self.get_redirect_url() or reverse("admin:index")
