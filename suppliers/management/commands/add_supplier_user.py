"""python manage.py add_supplier_user SUPPLIER_CODE EMAIL [--password P] [--language zh-hans|en]"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from outbox.models import EmailLog
from suppliers.models import Supplier
from suppliers.services.accounts import supplier_user_create, supplier_user_invite_now


class Command(BaseCommand):
    help = (
        "Adds a user to a supplier. With --password the password is set and no email is sent; "
        "without it the user is emailed an invitation to choose one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("supplier_code", metavar="SUPPLIER_CODE")
        parser.add_argument("email", metavar="EMAIL")
        parser.add_argument("--password", help="set this password and send no email")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default="zh-hans",
            help="the language of the user's emails (default: zh-hans)",
        )

    def handle(
        self, *args: object, supplier_code: str, email: str, password: str | None, language: str, **options: object
    ) -> None:
        supplier = Supplier.objects.filter(code__iexact=supplier_code).first()
        if supplier is None:
            raise CommandError(f"No supplier has the code {supplier_code!r}.")
        try:
            if password is not None:
                user = supplier_user_create(supplier=supplier, email=email, language=language, password=password)
            else:
                user, log = supplier_user_invite_now(supplier=supplier, email=email, language=language)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if password is not None:
            self.stdout.write(f"Added {user.email} to {supplier.code} with the given password; no email sent.")
        elif log.outcome == EmailLog.Outcome.FAILED:
            raise CommandError(
                f"Added {user.email} to {supplier.code}, but the invitation could not be sent: {log.error}. "
                "The Email log has it; once the mail server works, send it again from the user admin "
                "(action: Send the invitation again)."
            )
        else:
            self.stdout.write(f"Added {user.email} to {supplier.code} and sent the invitation ({language}).")
