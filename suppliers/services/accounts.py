"""Accounts of suppliers' users: created by staff, never by sign-up.

An invited user gets an unusable password and an email, in their own language, with a one-time
link to choose a password. The link is a password-reset token: it stops working as soon as a
password is set (the token is derived from the password hash) or after PASSWORD_RESET_TIMEOUT.

A page never sends these emails itself: it queues a task once its transaction commits
(suppliers.tasks), so the answer comes as fast whether or not an account exists and whatever the
mail server does. Every one is logged in the Email log, failures with their error.
"""

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from outbox.models import EmailLog
from outbox.services import email_send
from portal.celery import task_named
from suppliers.models import Supplier, User

logger = logging.getLogger(__name__)


def _normalised_email(email: str) -> str:
    return User.objects.normalize_email(email.strip()).lower()


def _supplier_user_create(*, supplier: Supplier, email: str, language: str, password: str | None) -> User:
    """Creates the user under the caller's transaction; `password=None` gives an unusable one."""
    email = _normalised_email(email)
    if supplier.status != Supplier.Status.ACTIVE:
        raise ValidationError(
            {"supplier": _("%(supplier)s is inactive: activate it before adding users.") % {"supplier": supplier}}
        )
    taken = ValidationError({"email": _("A user with the email address %(email)s exists already.") % {"email": email}})
    # The database refuses a duplicate too (user_email_unique_ignoring_case); this says it kindly.
    if User.objects.filter(email__iexact=email).exists():
        raise taken
    if password is not None:
        validate_password(password, User(email=email, supplier=supplier))
    try:
        with transaction.atomic():
            return User.objects.create_user(email, password, supplier=supplier, language=language)
    except IntegrityError as error:  # the same address added at the same moment
        raise taken from error


def supplier_user_create(*, supplier: Supplier, email: str, language: str, password: str) -> User:
    """A supplier's user with a password chosen by staff (sent to them by other means): no email."""
    with transaction.atomic():
        return _supplier_user_create(supplier=supplier, email=email, language=language, password=password)


def supplier_user_invite(*, supplier: Supplier, email: str, language: str, invited_by: User | None) -> User:
    """Creates a supplier's user without a password and, once committed, queues the invitation.

    Refuses (ValidationError) an email address in use, whatever its case, and an inactive supplier.
    """
    with transaction.atomic():
        user = _supplier_user_create(supplier=supplier, email=email, language=language, password=None)
        supplier_user_invitation_queue(user=user, invited_by=invited_by)
    logger.info("%s invited %s for supplier %s", invited_by or "a command", user.email, supplier.code)
    return user


def supplier_user_invite_now(*, supplier: Supplier, email: str, language: str) -> tuple[User, EmailLog]:
    """As supplier_user_invite, but the invitation is sent here and now and its log entry returned,
    for a command that must say whether it went (the user is kept either way)."""
    with transaction.atomic():
        user = _supplier_user_create(supplier=supplier, email=email, language=language, password=None)
    logger.info("a command invited %s for supplier %s", user.email, supplier.code)
    return user, supplier_user_invitation_send(user=user)


def supplier_user_invitation_queue(*, user: User, invited_by: User | None) -> None:
    """Queues the invitation's email once the caller's transaction commits."""
    invited_by_id = invited_by.pk if invited_by is not None else None
    # robust: a broker that is down must not turn the committed invitation into an error page;
    # staff send the invitation again from the user admin.
    send = task_named("suppliers.send_invitation")  # suppliers.tasks.send_invitation
    transaction.on_commit(lambda: send.delay(user_id=user.pk, invited_by_id=invited_by_id), robust=True)


def invitation_link(*, user: User) -> str:
    """The absolute one-time link to the page where the user chooses a password."""
    path = reverse(
        "invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.PORTAL_BASE_URL + path


def supplier_user_invitation_send(*, user: User, invited_by: User | None = None) -> EmailLog:
    """Emails the invitation (plain text and HTML) in the user's language; returns its log entry
    (outcome "failed" with the error if the mail server did not take it).

    Refuses a user who has set a password already: they log in, or use "Forgotten your password?".
    """
    if user.has_usable_password():
        raise ValidationError(_("%(email)s has set a password already.") % {"email": user.email})
    with translation.override(user.language):
        context = {
            "user": user,
            "supplier": user.supplier,
            "invited_by": invited_by,
            "link": invitation_link(user=user),
            "valid_until": timezone.localtime() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
            "base_url": settings.PORTAL_BASE_URL,
        }
        subject = "".join(render_to_string("emails/invitation_subject.txt", context).splitlines()).strip()
        text = render_to_string("emails/invitation.txt", context)
        html = render_to_string("emails/invitation.html", context)
    return email_send(
        kind=EmailLog.Kind.INVITATION, recipient=user.email, user=user, subject=subject, text=text, html=html
    )


def password_reset_send(*, email: str) -> int:
    """Emails a link to choose a new password to each active user with this address (none for an
    unknown one), in the user's language; returns how many were sent."""
    from suppliers.forms.accounts import PortalPasswordResetForm

    form = PortalPasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    form.save(
        domain_override=urlsplit(settings.PORTAL_BASE_URL).netloc,
        subject_template_name="emails/password_reset_subject.txt",
        email_template_name="emails/password_reset.txt",
    )
    return form.sent


def user_language_set(*, user: User, language: str) -> User:
    """Remembers the language a user chose: pages and emails use it."""
    if user.language != language:
        user.language = language
        user.full_clean(exclude=["password"])
        user.save(update_fields=["language"])
    return user


def user_sessions_end(*, user: User) -> int:
    """Ends every session the user is logged in with (database sessions); returns how many."""
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)
