"""Staff roles as Django groups, defined here and installed by `manage.py setup_roles`."""

from django.utils.translation import gettext_lazy as _

REVIEWED_MODELS = (
    "suppliers.supplier", "suppliers.site", "suppliers.reportingperiod", "suppliers.line",
    "suppliers.certificateclaim", "suppliers.evidencefile", "reports.emissionfactor", "reports.publishedfigure",
    "reports.rolluprun", "suppliers.commitment",
)  # fmt: skip

# Its active staff members get the monthly and annual reports by email (reports.reporting).
REPORT_RECIPIENTS = "report recipients"
# Written by the scheduled jobs only: every role reads them, none changes them.
JOB_RECORDS = ("reports.report", "reports.reportfile", "reports.reminder", "reports.emaillog")
# Background jobs' outcomes (django-celery-results): staff see a failed job, its error and retries.
RECORD_VIEWS = [f"{model}.view" for model in (*JOB_RECORDS, "django_celery_results.taskresult")]

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
    "administrator": {
        "label": _("Administrator (factors, published figures, users, schedule)"),
        "permissions": [
            *RECORD_VIEWS,
            *(f"{model}.{action}" for model in REVIEWED_MODELS for action in ("view", "add", "change", "delete")),
            "suppliers.submission.view", "suppliers.submission.change",
            "suppliers.user.view", "suppliers.user.add", "suppliers.user.change",
            "api.apitoken.view", "api.apitoken.change",
            # The verifier's samples: administrators draw them and record results too.
            "assurance.assurancesample.view", "assurance.assurancesample.add",
            "assurance.sampledline.view", "assurance.sampledline.change",
            "django_celery_beat.periodictask.view", "django_celery_beat.periodictask.change",
            "django_celery_beat.crontabschedule.view", "django_celery_beat.crontabschedule.change",
        ],
    },
}  # fmt: skip


def audit_years(user: object) -> set[int] | None:
    """The years a user's reading is limited to, or None for no limit. No role limits it yet: the
    auditor role, limited to the years an administrator assigns, is issue #16's item 1 (not landed)."""
    return None
