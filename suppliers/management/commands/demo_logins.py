from django.core.management.base import BaseCommand

from suppliers import demo
from suppliers.models import User


class Command(BaseCommand):
    help = "Prints the demo logins made by seed_demo, if those users exist and still have the demo passwords."

    def handle(self, *args: object, **options: object) -> None:
        logins = []
        for email, password, role in (
            (demo.STAFF_EMAIL, demo.STAFF_PASSWORD, "staff"),
            (demo.SUPPLIER_EMAIL, demo.SUPPLIER_PASSWORD, "supplier"),
        ):
            user = User.objects.select_related("supplier").filter(email=email).first()
            if user is None or not user.is_active:
                continue
            if user.supplier is not None:
                role = f"supplier {user.supplier.code}"
            if user.check_password(password):
                logins.append(f"  {role:<22} {email} / {password}")
            else:
                logins.append(f"  {role:<22} {email} (password changed since seed_demo)")
        if not logins:
            return
        self.stdout.write("  Demo logins (invented demo data; demo passwords, for a local demo only):")
        self.stdout.write("\n".join(logins))
