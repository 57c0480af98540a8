from django.contrib import admin
from django.urls import include, path

from reports.views import dashboard
from suppliers.views import accounts as supplier_account_views

urlpatterns = [
    path("i18n/setlang/", supplier_account_views.language_set, name="set_language"),
    # Staff pages shown inside the admin, behind its login.
    path("admin/", include("reports.urls")),
    path("admin/assurance/", include("assurance.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    # The supplier's home page: its periods (suppliers) beside its figures (reports' runs).
    path("", dashboard.dashboard, name="dashboard"),
    path("", include("suppliers.urls")),
]
