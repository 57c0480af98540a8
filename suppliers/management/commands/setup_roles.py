from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError

from suppliers.roles import ROLES


class Command(BaseCommand):
    help = "Creates or updates the staff groups of suppliers/roles.py (viewer, reviewer, administrator)."

    def handle(self, *args: object, **options: object) -> None:
        for name, role in ROLES.items():
            permissions = []
            for spec in role["permissions"]:
                app_label, model, action = spec.split(".")
                try:
                    permissions.append(
                        Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
                    )
                except Permission.DoesNotExist:
                    raise CommandError(f"No permission {spec}: run migrate first") from None
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.set(permissions)
            self.stdout.write(f"Role {name}: {len(permissions)} permission(s).")
