import unicodedata
from collections.abc import Iterator

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.db import transaction
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.celery import task_named
from suppliers.models import Supplier, User


class PasswordLengthValidator(MinimumLengthValidator):
    """Django's minimum length, with its error in a wording that has a Chinese translation: Django
    5.2 changed its own message to one its Simplified Chinese catalogue lacks, so a supplier
    choosing a short password was told so in English."""

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class EmailAuthenticationForm(AuthenticationForm):
    """Log in by email. An unknown email and a wrong password get the same answer."""

    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


def _casefolded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, with two differences: the email is written in the recipient's
    language with a link on PORTAL_BASE_URL, and an invited user who has not chosen a password
    yet (an unusable one) gets a link too, so an expired invitation is not a dead end. It sends
    through the portal's outbox (logged); the page uses PasswordResetRequestForm, which queues it."""

    sent = 0

    def get_users(self, email: str) -> Iterator[User]:
        # As Django does: the database's case-insensitive match is confirmed by a Unicode-aware one.
        wanted = _casefolded(email)
        return (
            user
            for user in User.objects.filter(email__iexact=email, is_active=True)
            if _casefolded(user.email) == wanted
        )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from outbox.models import EmailLog
        from outbox.services import email_send

        user = context["user"]
        with translation.override(user.language):
            context = {**context, "base_url": settings.PORTAL_BASE_URL}
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines()).strip()
            text = loader.render_to_string(email_template_name, context)
        log = email_send(kind=EmailLog.Kind.PASSWORD_RESET, recipient=to_email, user=user, subject=subject, text=text)
        if log.outcome == EmailLog.Outcome.SENT:
            self.sent += 1


class PasswordResetRequestForm(PortalPasswordResetForm):
    """The page's form: it queues the email (suppliers.tasks.send_password_reset) and returns, so
    the answer takes as long for an unknown address as for a known one and never waits on SMTP."""

    def save(self, *args: object, **kwargs: object) -> None:
        email = self.cleaned_data["email"]
        send = task_named("suppliers.send_password_reset")  # suppliers.tasks.send_password_reset
        transaction.on_commit(lambda: send.delay(email=email), robust=True)


class InviteUserForm(forms.Form):
    """Staff invite a supplier's user (admin)."""

    email = forms.EmailField(label=_("Email"))
    supplier = forms.ModelChoiceField(
        label=_("supplier"), queryset=Supplier.objects.filter(status=Supplier.Status.ACTIVE).order_by("code")
    )
    language = forms.ChoiceField(
        label=_("language"),
        choices=settings.LANGUAGES,
        initial="zh-hans",
        help_text=_("The invitation email and the portal's emails are written in this language."),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
