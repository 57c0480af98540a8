import json

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from reports.models import EmissionFactor, PublishedFigure, RollupFlag, RollupRun
from reports.services.factors import factor_save, published_figure_set


@admin.register(EmissionFactor)
class EmissionFactorAdmin(SimpleHistoryAdmin):
    list_display = ("region", "year", "tco2_per_mwh", "short_source", "updated_at")
    list_filter = ("region", "year")
    search_fields = ("source",)

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
class RollupRunAdmin(admin.ModelAdmin):
    """Runs are records: readable, never edited."""

    list_display = ("id", "year", "status", "baseline_year", "green_reduction", "flag_count", "trigger", "finished_at")
    list_filter = ("status", "year")
    inlines = [RollupFlagInline]
    readonly_fields = (
        "year", "status", "error", "baseline_year", "method_version", "input_fingerprint", "line_count", "trigger", "task_id",
        "started_at", "finished_at", "pretty_result",
    )  # fmt: skip
    exclude = ("result", "factors_used")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(flag_count=Count("flags"))

    @admin.display(description=_("green-power reduction (tCO2e)"))
    def green_reduction(self, run: RollupRun) -> str:
        return f"{run.result.get('green_reduction_tco2e', 0):,.3f}"

    @admin.display(description=_("flags"), ordering="flag_count")
    def flag_count(self, run: RollupRun) -> int:
        return run.flag_count

    @admin.display(description=_("result (JSON)"))
    def pretty_result(self, run: RollupRun) -> str:
        return format_html("<pre>{}</pre>", json.dumps(run.result, ensure_ascii=False, indent=1))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
