import json

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_celery_results.admin import TaskResultAdmin as CeleryTaskResultAdmin
from django_celery_results.models import TaskResult
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import ReadOnlyAdmin
from reports.documents.numbers import figure_text
from reports.models import (
    EmissionFactor,
    PublishedFigure,
    Reminder,
    Report,
    ReportDelivery,
    ReportFile,
    RollupFlag,
    RollupRun,
)
from reports.services.factors import factor_save, published_figure_set
from suppliers.roles import AuditYearsAdmin


@admin.register(EmissionFactor)
class EmissionFactorAdmin(SimpleHistoryAdmin):
    list_display = ("region", "kind", "year", "tco2_per_mwh", "short_source", "updated_at")
    list_filter = ("kind", "year", "region")
    search_fields = ("region", "source")
    fields = ("region", "kind", "year", "tco2_per_mwh", "source")

    @admin.display(description=_("source"))
    def short_source(self, factor: EmissionFactor) -> str:
        return factor.source if len(factor.source) < 90 else factor.source[:87] + "…"

    def save_model(self, request: HttpRequest, obj: EmissionFactor, form: object, change: bool) -> None:
        factor_save(factor=obj)


@admin.register(PublishedFigure)
class PublishedFigureAdmin(SimpleHistoryAdmin):
    list_display = ("year", "tco2e", "source")

    def save_model(self, request: HttpRequest, obj: PublishedFigure, form: object, change: bool) -> None:
        published_figure_set(year=obj.year, tco2e=obj.tco2e, source=obj.source)


class RollupFlagInline(admin.TabularInline):
    model = RollupFlag
    extra = 0
    can_delete = False
    fields = ("code", "supplier", "site", "year", "detail")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("supplier", "site__supplier")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RollupRun)
class RollupRunAdmin(AuditYearsAdmin, ReadOnlyAdmin):
    """Runs are records: readable, never edited (an auditor's: of the years assigned)."""

    audit_year_lookup = "year"

    list_display = (
        "id", "year", "status", "method", "baseline_year", "green_reduction", "flag_count", "trigger", "finished_at",
    )  # fmt: skip
    list_filter = ("status", "method_version", "year")
    inlines = [RollupFlagInline]
    readonly_fields = (
        "year", "status", "error", "baseline_year", "method_version", "input_fingerprint", "line_count", "trigger", "task_id",
        "started_at", "finished_at", "pretty_result",
    )  # fmt: skip
    exclude = ("result", "factors_used")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The list never loads a run's JSON (1-2 MB each at 2,000 suppliers).
        return super().get_queryset(request).defer("result", "factors_used").annotate(flag_count=Count("flags"))

    @admin.display(description=_("green-power reduction (tCO2e)"), ordering="green_reduction_tco2e")
    def green_reduction(self, run: RollupRun) -> str:
        return figure_text(run.green_reduction_tco2e)

    @admin.display(description=_("method"), ordering="method_version")
    def method(self, run: RollupRun) -> str:
        """Runs of method version 1 stay readable, labelled as such."""
        return _("version %(version)s") % {"version": run.method_version}

    @admin.display(description=_("flags"), ordering="flag_count")
    def flag_count(self, run: RollupRun) -> int:
        return run.flag_count

    @admin.display(description=_("result (JSON)"))
    def pretty_result(self, run: RollupRun) -> str:
        return format_html("<pre>{}</pre>", json.dumps(run.result, ensure_ascii=False, indent=1))


# --- Scheduled reports, reminders and the email log: records, read-only ---------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def _download_link(record: ReportFile) -> str:
    return format_html('<a href="{}">{}</a>', reverse("reports_file_download", args=[record.pk]), record.filename)


class ReportFileInline(ReadOnlyInline):
    model = ReportFile
    fields = ("download", "language", "format", "size_bytes", "sha256", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("report")

    @admin.display(description=_("file"))
    def download(self, record: ReportFile) -> str:
        return _download_link(record)


class ReportDeliveryInline(ReadOnlyInline):
    model = ReportDelivery
    fields = ("recipient", "language", "state", "attempts", "claimed_at", "sent_at")
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "period_key", "run", "files", "sent", "delivery", "created_at")
    list_filter = ("kind",)
    list_select_related = ("run",)
    inlines = [ReportFileInline, ReportDeliveryInline]
    fields = ("kind", "period_key", "run", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        sent = Count("deliveries", filter=Q(deliveries__state=ReportDelivery.State.SENT), distinct=True)
        deliveries = Count("deliveries", distinct=True)
        return (
            super()
            .get_queryset(request)
            .annotate(sent_count=sent, delivery_count=deliveries)
            .prefetch_related("files__report")
        )

    @admin.display(description=_("files"))
    def files(self, report: Report) -> str:
        return format_html_join(" · ", "{}", ((_download_link(record),) for record in report.files.all()))

    @admin.display(description=_("emails sent"), ordering="sent_count")
    def sent(self, report: Report) -> int:
        return report.sent_count

    @admin.display(description=_("delivery"))
    def delivery(self, report: Report) -> str:
        """Whether everyone has the report: its recipients, each with their state, are listed on
        the report's page."""
        if not report.delivery_count:
            return gettext("no recipients")
        if report.sent_count == report.delivery_count:
            return gettext("delivered to all %(count)s") % {"count": report.delivery_count}
        if report.sent_count:
            return gettext("partial: %(sent)s of %(count)s") % {
                "sent": report.sent_count,
                "count": report.delivery_count,
            }
        return gettext("not delivered (%(count)s failed or pending)") % {"count": report.delivery_count}


@admin.register(ReportFile)
class ReportFileAdmin(ReadOnlyAdmin):
    list_display = ("download", "report", "language", "format", "size_bytes", "created_at")
    list_filter = ("report__kind", "format", "language")
    list_select_related = ("report",)
    fields = ("report", "language", "format", "size_bytes", "sha256", "created_at", "download")
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, record: ReportFile) -> str:
        return _download_link(record)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("claimed_at", "kind", "period", "supplier", "recipient", "state", "attempts", "sent_at")
    list_filter = ("kind", "state")
    list_select_related = ("period", "supplier")
    search_fields = ("recipient", "supplier__code")
    date_hierarchy = "claimed_at"


# --- Background jobs: what each task did, above all the failed ones --------------------------------
# django-celery-results registers an editable, deletable admin of its own; staff read these records
# but never change them, and see at a glance why a job failed and how often it was tried.
if admin.site.is_registered(TaskResult):
    admin.site.unregister(TaskResult)


def _stored_json(text: str | None) -> object:
    try:
        return json.loads(text or "null")
    except ValueError:
        return None


@admin.register(TaskResult)
class TaskResultAdmin(ReadOnlyAdmin, CeleryTaskResultAdmin):
    list_display = ("date_done", "task_name", "status", "retries", "short_error", "worker")
    list_filter = ("status", "task_name", "date_done")
    fieldsets = None
    fields = (
        "task_id", "task_name", "status", "retries", "error", "task_args", "task_kwargs", "worker",
        "date_created", "date_started", "date_done", "traceback",
    )  # fmt: skip
    readonly_fields = fields

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> tuple[str, ...]:
        return self.readonly_fields

    @admin.display(description=_("retries"))
    def retries(self, result: TaskResult) -> int | str:
        """Stored by portal.celery on every attempt: 0 for a job that ran once."""
        meta = _stored_json(result.meta)
        return meta.get("retries", "—") if isinstance(meta, dict) else "—"

    @admin.display(description=_("error"))
    def error(self, result: TaskResult) -> str:
        stored = _stored_json(result.result)
        if not isinstance(stored, dict) or "exc_type" not in stored:
            return "—"
        message = stored.get("exc_message")
        message = " ".join(str(part) for part in message) if isinstance(message, list) else str(message or "")
        return f"{stored['exc_type']}: {message}".strip().rstrip(":")

    @admin.display(description=_("error"))
    def short_error(self, result: TaskResult) -> str:
        error = self.error(result)
        return error if len(error) < 80 else error[:77] + "…"
