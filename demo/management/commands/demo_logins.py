from django.conf import settings
from django.core.management.base import BaseCommand
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from demo import portfolio as demo
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
        staff = User.objects.filter(email=demo.STAFF_EMAIL, is_staff=True, is_active=True).first()
        if staff is not None and settings.STAFF_OTP_REQUIRED:
            codes = _fresh_backup_codes(staff)
            self.stdout.write(f"  Staff second factor (one-time backup codes, each works once): {' '.join(codes)}")


def _fresh_backup_codes(user: User, count: int = 5) -> list[str]:
    """Replaces the demo staff user's backup codes (django-otp static device) with new ones."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="demo backup codes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(count)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
