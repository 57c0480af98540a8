"""Which years each auditor reads: assigned by administrators in the admin."""

from django.contrib import admin
from django.db.models import ForeignKey
from django.forms import ModelChoiceField
from django.http import HttpRequest

from assurance.models import AuditAssignment
from assurance.services import audit_assignment_save
from suppliers.models import User
from suppliers.roles import AUDITOR


@admin.register(AuditAssignment)
class AuditAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "year", "assigned_by", "assigned_at")
    list_filter = ("year",)
    list_select_related = ("user", "assigned_by")
    search_fields = ("user__email", "user__full_name")
    fields = ("user", "year", "assigned_by", "assigned_at")
    readonly_fields = ("assigned_by", "assigned_at")

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: object
    ) -> ModelChoiceField:
        if db_field.name == "user":  # only auditors are offered
            kwargs["queryset"] = User.objects.filter(is_staff=True, groups__name=AUDITOR).order_by("email")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: AuditAssignment, form: object, change: bool) -> None:
        audit_assignment_save(assignment=obj, assigned_by=request.user)
