"""Staff roles as Django groups, defined here and installed by `manage.py setup_roles`."""

from django.apps import apps
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

REVIEWED_MODELS = (
    "suppliers.supplier", "suppliers.site", "suppliers.reportingperiod", "suppliers.line",
    "suppliers.certificateclaim", "suppliers.evidencefile", "reports.emissionfactor", "reports.publishedfigure",
    "reports.rolluprun", "suppliers.commitment", "suppliers.certificaterange",
)  # fmt: skip

# Its active staff members get the monthly and annual reports by email (reports.services.reports).
REPORT_RECIPIENTS = "report recipients"
# Written by the scheduled jobs only: every role reads them, none changes them.
JOB_RECORDS = ("reports.report", "reports.reportfile", "reports.reminder", "outbox.emaillog")
# Background jobs' outcomes (django-celery-results): staff see a failed job, its error and retries.
RECORD_VIEWS = [f"{model}.view" for model in (*JOB_RECORDS, "django_celery_results.taskresult")]

AUDITOR = "auditor"
# What an auditor reads, limited to the years assigned; and the permission that marks the limit.
AUDITED_MODELS = (
    "reports.rolluprun", "suppliers.submission", "suppliers.line", "suppliers.evidencefile", "reports.emissionfactor",
    "suppliers.certificateclaim", "suppliers.certificaterange",
)  # fmt: skip
AUDIT_LIMIT = "assurance.auditassignment.audit"

ROLES: dict[str, dict] = {
    "viewer": {
        "label": _("Viewer (read-only)"),
        "permissions": [
            *(f"{model}.view" for model in (*REVIEWED_MODELS, "suppliers.submission")),
            *RECORD_VIEWS,
            "assurance.assurancesample.view", "assurance.sampledline.view",
        ],
    },
    "reviewer": {
        "label": _("Reviewer (approves and returns submissions)"),
        "permissions": [
            *(f"{model}.view" for model in (*REVIEWED_MODELS, "suppliers.submission")),
            "suppliers.submission.change",
            *RECORD_VIEWS,
        ],
    },
    REPORT_RECIPIENTS: {
        "label": _("Report recipients (receive the monthly and annual reports)"),
        "permissions": ["reports.report.view", "reports.reportfile.view"],
    },
    # An external verifier: reads the runs, lines, evidence, factors, certificates and their
    # history of the years an administrator assigns (assurance.AuditAssignment), draws samples of
    # those years' runs and records what each sampled line showed; changes nothing else.
    AUDITOR: {
        "label": _("Auditor (reads the years assigned, draws samples and records their results)"),
        "permissions": [
            *(f"{model}.view" for model in AUDITED_MODELS),
            "assurance.assurancesample.view", "assurance.assurancesample.add",
            "assurance.sampledline.view", "assurance.sampledline.change",
            AUDIT_LIMIT,
        ],
    },
    "administrator": {
        "label": _("Administrator (factors, published figures, users, schedule)"),
        "permissions": [
            *RECORD_VIEWS,
            *(f"{model}.{action}" for model in REVIEWED_MODELS for action in ("view", "add", "change", "delete")),
            "suppliers.submission.view", "suppliers.submission.change",
            "suppliers.user.view", "suppliers.user.add", "suppliers.user.change",
            "api.apitoken.view", "api.apitoken.change",
            # Which years each auditor reads.
            *(f"assurance.auditassignment.{action}" for action in ("view", "add", "change", "delete")),
            # The verifier's samples: administrators draw them and record results too.
            "assurance.assurancesample.view", "assurance.assurancesample.add",
            "assurance.sampledline.view", "assurance.sampledline.change",
            "django_celery_beat.periodictask.view", "django_celery_beat.periodictask.change",
            "django_celery_beat.crontabschedule.view", "django_celery_beat.crontabschedule.change",
        ],
    },
}  # fmt: skip


def audit_years(user: object) -> set[int] | None:
    """The years a user's reading is limited to, or None for no limit: an auditor (the role's
    permission AUDIT_LIMIT, never a superuser) reads only the years an administrator assigned,
    none before one is. Read once per request's user (cached on it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff or user.is_superuser:
        return None
    app_label, model, action = AUDIT_LIMIT.split(".")
    if not user.has_perm(f"{app_label}.{action}_{model}"):
        return None
    if not hasattr(user, "_audit_years"):
        assignments = apps.get_model("assurance", "AuditAssignment").objects.filter(user=user)
        user._audit_years = frozenset(assignments.values_list("year", flat=True))
    return set(user._audit_years)


class AuditYearsAdmin:
    """A ModelAdmin mixin: an auditor lists and opens only the objects of the years assigned
    (`audit_year_lookup`, the lookup of an object's year); another year's object is not found,
    its history pages included (django-simple-history's would show a past version of it)."""

    audit_year_lookup = "year"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        years = audit_years(request.user)
        return queryset if years is None else queryset.filter(**{f"{self.audit_year_lookup}__in": sorted(years)})

    def _audit_object_check(self, request: HttpRequest, object_id: str) -> None:
        if audit_years(request.user) is None:
            return
        try:
            found = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError):
            found = False
        if not found:
            raise Http404

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        self._audit_object_check(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        self._audit_object_check(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
