"""The verifier's pages, inside the admin (portal/urls.py mounts them under /admin/assurance/)."""

from django.contrib import admin
from django.urls import path

from assurance import views

urlpatterns = [
    path("runs/<int:run_id>/samples/", admin.site.admin_view(views.run_samples), name="assurance_run_samples"),
    path("runs/<int:run_id>/pack.zip", admin.site.admin_view(views.run_pack), name="assurance_run_pack"),
    path("samples/<int:sample_id>/", admin.site.admin_view(views.sample_detail), name="assurance_sample"),
    path(
        "sampled-lines/<int:sampled_id>/result/",
        admin.site.admin_view(views.sampled_line_result),
        name="assurance_sampled_line_result",
    ),
]
