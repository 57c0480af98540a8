from django.contrib import admin
from django.urls import include, path

from reports import views as report_views
from reports.reporting import views as report_file_views
from suppliers.views import accounts as supplier_account_views

urlpatterns = [
    path("i18n/setlang/", supplier_account_views.language_set, name="set_language"),
    # Staff pages shown inside the admin, behind its login.
    path("admin/comparison/", admin.site.admin_view(report_views.comparison), name="reports_comparison"),
    path(
        "admin/comparison/refresh/",
        admin.site.admin_view(report_views.comparison_refresh),
        name="reports_comparison_refresh",
    ),
    path(
        "admin/runs/<int:run_id>/export/<str:kind>.<str:file_format>",
        admin.site.admin_view(report_views.run_export),
        name="reports_run_export",
    ),
    path("admin/double-claims/", admin.site.admin_view(report_views.double_claims_list), name="reports_double_claims"),
    path(
        "admin/double-claims/reject/<int:submission_id>/",
        admin.site.admin_view(report_views.double_claim_reject),
        name="reports_double_claim_reject",
    ),
    path(
        "admin/report-files/<int:file_id>/download/",
        admin.site.admin_view(report_file_views.report_file_download),
        name="reports_file_download",
    ),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("suppliers.urls")),
]
