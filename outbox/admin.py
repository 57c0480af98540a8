from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from outbox.models import EmailLog
from portal.admin import ReadOnlyAdmin


@admin.register(EmailLog)
class EmailLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "recipient", "subject", "related_object", "outcome", "short_error")
    list_filter = ("outcome", "kind")
    list_select_related = ("user", "content_type")
    search_fields = ("recipient", "subject")
    date_hierarchy = "created_at"
    fields = ("created_at", "kind", "recipient", "user", "subject", "related_object", "outcome", "error")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("related")

    @admin.display(description=_("about"))
    def related_object(self, log: EmailLog) -> str:
        return str(log.related) if log.related is not None else "—"

    @admin.display(description=_("error"))
    def short_error(self, log: EmailLog) -> str:
        return log.error if len(log.error) < 80 else log.error[:77] + "…"
