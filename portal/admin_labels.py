"""The admin in Chinese for the apps the portal uses but does not write (#17, item 11).

django-axes (the lockout), django-celery-results and django-celery-beat mark their labels for
translation but ship no Simplified Chinese for these: the msgids are listed here so that
makemessages keeps them in the portal's catalogue, which Django reads before the apps' own.
django-otp's labels are plain strings: `otp_labels_translate` (run when the admin is ready) makes
them lazy translations of the same text, and gives its two apps a name.
"""

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

THIRD_PARTY_LABELS = [
    # django-axes
    gettext_noop("access attempt"), gettext_noop("access attempts"),
    gettext_noop("access failure"), gettext_noop("access failures"), gettext_noop("access log"),
    gettext_noop("access logs"), gettext_noop("Access lock out"), gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"), gettext_noop("Failed Logins"), gettext_noop("Form Data"),
    gettext_noop("GET Data"), gettext_noop("POST Data"), gettext_noop("HTTP Accept"), gettext_noop("IP Address"),
    gettext_noop("Locked Out"), gettext_noop("Logout Time"), gettext_noop("Meta Data"), gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"), gettext_noop("Status"), gettext_noop("User Agent"),
    # django-celery-results
    gettext_noop("Celery Results"), gettext_noop("task result"), gettext_noop("task results"),
    gettext_noop("group result"), gettext_noop("group results"), gettext_noop("Group ID"), gettext_noop("Task ID"),
    gettext_noop("Task Name"), gettext_noop("Periodic Task Name"), gettext_noop("Task State"),
    gettext_noop("Task Positional Arguments"), gettext_noop("Task Named Arguments"),
    gettext_noop("Task Meta Information"), gettext_noop("Worker"), gettext_noop("Traceback"),
    gettext_noop("Result Content Type"), gettext_noop("Result Data"), gettext_noop("Result Encoding"),
    gettext_noop("Created DateTime"), gettext_noop("Started DateTime"), gettext_noop("Completed DateTime"),
    # django-celery-beat
    gettext_noop("Schedule"), gettext_noop("Arguments"), gettext_noop("Execution Options"),
    gettext_noop("Scheduler"), gettext_noop("Human readable"),
    # django-otp (plain strings there, made translatable below)
    gettext_noop("TOTP device"), gettext_noop("TOTP devices"), gettext_noop("static device"),
    gettext_noop("static devices"), gettext_noop("static token"), gettext_noop("static tokens"),
    gettext_noop("token"), gettext_noop("device"), gettext_noop("user"), gettext_noop("name"), gettext_noop("confirmed"),
    gettext_noop("created at"), gettext_noop("last used at"), gettext_noop("throttling failure timestamp"),
    gettext_noop("throttling failure count"), gettext_noop("key"), gettext_noop("step"), gettext_noop("t0"),
    gettext_noop("digits"), gettext_noop("tolerance"), gettext_noop("drift"), gettext_noop("last t"),
    gettext_noop("Identity"), gettext_noop("Timestamps"), gettext_noop("Configuration"), gettext_noop("State"),
    gettext_noop("Throttling"),
]  # fmt: skip

OTP_APP_NAMES = {"otp_static": _("Backup codes"), "otp_totp": _("Authenticator apps (TOTP)")}
# Labels these apps leave untranslatable: an app named by its label, a field's plain verbose name,
# a column (a method or property) without a description.
APP_NAMES = {"axes": _("Login lockout")}
FIELD_LABELS = {("django_celery_beat", "PeriodicTask", "task"): _("Task Name")}
COLUMN_LABELS = {
    ("django_celery_beat", "PeriodicTask", "scheduler"): _("Scheduler"),
    ("django_celery_beat", "CrontabSchedule", "human_readable"): _("Human readable"),
}
ADMIN_COLUMN_LABELS = {("axes", "AccessAttempt", "status"): _("Status")}


class TranslatedFieldsets:
    """django-otp's admins title their fieldsets with plain strings: shown here translated."""

    def get_fieldsets(self, request: HttpRequest, obj: object = None) -> list:
        return [(gettext(name) if name else name, options) for name, options in super().get_fieldsets(request, obj)]


def third_party_labels_translate(site: admin.AdminSite) -> None:
    """Names the apps, fields and columns of APP_NAMES, FIELD_LABELS and the column tables, then
    django-otp's labels (otp_labels_translate)."""
    for label, name in APP_NAMES.items():
        apps.get_app_config(label).verbose_name = name
    for (app_label, model_name, field_name), name in FIELD_LABELS.items():
        apps.get_model(app_label, model_name)._meta.get_field(field_name).verbose_name = name
    for (app_label, model_name, attribute), name in COLUMN_LABELS.items():
        column = getattr(apps.get_model(app_label, model_name), attribute)
        (column.fget if isinstance(column, property) else column).short_description = name
    for (app_label, model_name, attribute), name in ADMIN_COLUMN_LABELS.items():
        getattr(type(site._registry[apps.get_model(app_label, model_name)]), attribute).short_description = name
    otp_labels_translate(site)


def otp_labels_translate(site: admin.AdminSite) -> None:
    """Makes django-otp's app, model and field labels, and its admins' fieldsets, translatable."""
    for label, name in OTP_APP_NAMES.items():
        config = apps.get_app_config(label)
        config.verbose_name = name
        for model in config.get_models():
            meta = model._meta
            meta.verbose_name = _(str(meta.verbose_name))
            meta.verbose_name_plural = _(str(meta.verbose_name_plural))
            for field in meta.get_fields():
                if (field.concrete or field.many_to_many) and not field.auto_created:
                    field.verbose_name = _(str(field.verbose_name))
            if model in site._registry:
                admin_class = type(site._registry[model])
                site.unregister(model)
                attributes = {"__module__": __name__}
                if hasattr(admin_class, "qrcode_link"):
                    attributes["qrcode_link"] = admin.display(description=_("QR Code"))(admin_class.qrcode_link)
                site.register(model, type(admin_class.__name__, (TranslatedFieldsets, admin_class), attributes))
