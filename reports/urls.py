"""The staff pages of the reports app, shown inside the admin and behind its login (portal/urls.py
mounts them under /admin/)."""

from django.contrib import admin
from django.urls import path

from reports.views import comparison, double_claims, exports, refresh, report_files

urlpatterns = [
    path("comparison/", admin.site.admin_view(comparison.comparison), name="reports_comparison"),
    path("comparison/refresh/", admin.site.admin_view(refresh.comparison_refresh), name="reports_comparison_refresh"),
    path("comparison/status/", admin.site.admin_view(refresh.comparison_status), name="reports_comparison_status"),
    path(
        "runs/<int:run_id>/suppliers/",
        admin.site.admin_view(comparison.run_suppliers),
        name="reports_run_suppliers",
    ),
    path("runs/<int:run_id>/method/", admin.site.admin_view(comparison.run_method), name="reports_run_method"),
    path(
        "runs/<int:run_id>/export/<str:kind>.<str:file_format>",
        admin.site.admin_view(exports.run_export),
        name="reports_run_export",
    ),
    path("double-claims/", admin.site.admin_view(double_claims.double_claims_list), name="reports_double_claims"),
    path(
        "double-claims/reject/<int:submission_id>/",
        admin.site.admin_view(double_claims.double_claim_reject),
        name="reports_double_claim_reject",
    ),
    path(
        "report-files/<int:file_id>/download/",
        admin.site.admin_view(report_files.report_file_download),
        name="reports_file_download",
    ),
]
