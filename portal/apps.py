from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin.PortalAdminSite"

    def ready(self) -> None:
        super().ready()  # imports every app's admin module
        from django.contrib import admin

        from portal.admin_labels import third_party_labels_translate

        third_party_labels_translate(admin.site)
