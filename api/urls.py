"""/api/: the token page of the portal, and version 1 of the API with its schema and docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from api.errors import UnknownEndpointView
from api.views import staff, supplier, tokens

v1_patterns = [
    path("schema/", SpectacularJSONAPIView.as_view(), name="api_schema"),
    # Swagger UI from drf-spectacular-sidecar's files, its start-up script a file of its own: no CSP exception.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    path("sites/", supplier.SiteListView.as_view(), name="api_sites"),
    path("periods/", supplier.PeriodListView.as_view(), name="api_periods"),
    path("periods/<int:period_id>/", supplier.PeriodDetailView.as_view(), name="api_period"),
    path("periods/<int:period_id>/lines/", supplier.PeriodLinesView.as_view(), name="api_period_lines"),
    path("periods/<int:period_id>/submit/", supplier.PeriodSubmitView.as_view(), name="api_period_submit"),
    path("periods/<int:period_id>/evidence/", supplier.PeriodEvidenceView.as_view(), name="api_period_evidence"),
    path("evidence/<int:evidence_id>/", supplier.EvidenceDetailView.as_view(), name="api_evidence"),
    path("runs/", staff.RunListView.as_view(), name="api_runs"),
    path("runs/<int:run_id>/", staff.RunDetailView.as_view(), name="api_run"),
    path("runs/<int:run_id>/suppliers/", staff.RunSupplierListView.as_view(), name="api_run_suppliers"),
    path("runs/<int:run_id>/flags/", staff.RunFlagListView.as_view(), name="api_run_flags"),
]

urlpatterns = [
    path("tokens/", tokens.token_list, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", tokens.token_revoke, name="api_token_revoke"),
    path("v1/", include(v1_patterns)),
    # Any other path under /api/ is a JSON 404 (Django's would be an HTML page); newlines too.
    re_path(r"^[\s\S]*$", UnknownEndpointView.as_view(), name="api_unknown"),
]
