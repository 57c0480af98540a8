from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from suppliers.forms.accounts import EmailAuthenticationForm


class LoginView(auth_views.LoginView):
    template_name = "suppliers/accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


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
