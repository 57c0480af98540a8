from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from suppliers.forms.accounts import EmailAuthenticationForm
from suppliers.services.accounts import user_language_set


class LoginView(auth_views.LoginView):
    template_name = "suppliers/accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: EmailAuthenticationForm) -> HttpResponse:
        """Logged in, the portal speaks the language the user chose last (also used for emails)."""
        response = super().form_valid(form)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            form.get_user().language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
        )
        return response


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language, remembering the choice on the user so emails follow it too."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_language_set(user=request.user, language=language)
    return response


class InvitationView(auth_views.PasswordResetConfirmView):
    """The one-time link of an invitation: the token stops working once a password is set."""

    template_name = "suppliers/accounts/form.html"
    success_url = reverse_lazy("password_reset_complete")
    post_reset_login = False
    extra_context = {
        "title": _("Welcome: choose your password"),
        "intro": _("You were invited to report your sites' electricity. Choose a password to log in with."),
        "button": _("Set password"),
    }
