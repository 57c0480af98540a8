from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from suppliers.forms.accounts import PasswordResetRequestForm
from suppliers.views import accounts, evidence, periods, submissions, uploads

_form = "suppliers/accounts/form.html"
_message = "suppliers/accounts/message.html"

account_patterns = [
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetRequestForm,
            template_name=_form,
            email_template_name="emails/password_reset.txt",
            subject_template_name="emails/password_reset_subject.txt",
            extra_context={
                "title": _("Forgotten your password?"),
                "button": _("Send me a link"),
                "intro": _("Give the email address you log in with; we send a link to set a new password."),
            },
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name=_message,
            extra_context={
                "title": _("Check your email"),
                "text": _("If an account uses that address, a link to set a new password is on its way."),
            },
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=_form,
            success_url=reverse_lazy("password_reset_complete"),
            extra_context={"title": _("Choose a new password"), "button": _("Set password")},
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=_message,
            extra_context={"title": _("Password set"), "text": _("Your password is set. You can log in now.")},
        ),
        name="password_reset_complete",
    ),
    path("accounts/invitation/<uidb64>/<token>/", accounts.InvitationView.as_view(), name="invitation_accept"),
]

urlpatterns = [
    *account_patterns,
    path("periods/", periods.period_history, name="period_history"),
    path("upload/", uploads.upload, name="upload"),
    path("upload/template.xlsx", uploads.upload_template, name="upload_template"),
    path("upload/confirm/", uploads.upload_confirm, name="upload_confirm"),
    path("periods/<int:period_id>/", submissions.period_detail, name="period_detail"),
    path("periods/<int:period_id>/submit/", submissions.period_submit, name="period_submit"),
    path("periods/<int:period_id>/messages/", submissions.period_message, name="period_message"),
    path("periods/<int:period_id>/evidence/", evidence.evidence_upload, name="evidence_upload"),
    path("evidence/<int:evidence_id>/", evidence.evidence_download, name="evidence_download"),
    path("evidence/<int:evidence_id>/delete/", evidence.evidence_remove, name="evidence_delete"),
]
