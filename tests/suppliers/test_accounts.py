"""Accounts: invitations (service, command, admin), login by email, password reset, logout."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from suppliers.models import Supplier, User
from suppliers.services.accounts import supplier_user_invitation_send, supplier_user_invite
from tests.factories import SupplierFactory, UserFactory

# Account emails are queued after commit and sent by a task: here they run at once, for real.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_run_here")]

NEW_PASSWORD = "green electrons 2024!"
LINK = re.compile(r"https?://[^\s\"<]+/accounts/(?:invitation|reset)/[^\s\"<]+/")


@pytest.fixture
def supplier(db) -> Supplier:
    return SupplierFactory(code="CN-C001", name_zh="常州电池有限公司")


def _invite(supplier: Supplier, email: str, language: str = "zh-hans", invited_by: User | None = None) -> User:
    return supplier_user_invite(supplier=supplier, email=email, language=language, invited_by=invited_by)


def _link(message: mail.EmailMessage) -> str:
    links = set(LINK.findall(message.body))
    assert len(links) == 1, message.body
    return links.pop()


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def _set_password_through(client: Client, link: str, password: str = NEW_PASSWORD):
    """Follows an emailed link the way a browser does and chooses a password."""
    response = client.get(_path(link))
    assert response.status_code == 302, "a valid link redirects to the set-password URL"
    return client.post(response.url, {"new_password1": password, "new_password2": password})


def _without_csrf_tokens(content: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


# --- the invitation service --------------------------------------------------------------------


def test_invited_user_belongs_to_the_supplier_and_has_no_usable_password(
    supplier: Supplier, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = _invite(supplier, "  Li.Wei@Supplier-C.example ", language="en")
    user.refresh_from_db()
    assert user.email == "li.wei@supplier-c.example"
    assert user.supplier == supplier
    assert user.language == "en"
    assert not user.is_staff
    assert not user.has_usable_password()


def test_invitation_is_emailed_only_after_the_transaction_commits(supplier: Supplier) -> None:
    with transaction.atomic():
        _invite(supplier, "li@supplier-c.example")
        assert mail.outbox == []
    assert [message.to for message in mail.outbox] == [["li@supplier-c.example"]]


def test_an_invitation_rolled_back_is_never_sent(supplier: Supplier) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _invite(supplier, "li@supplier-c.example")
        raise RuntimeError("the caller's transaction fails after the invitation")
    assert mail.outbox == []
    assert not User.objects.filter(email="li@supplier-c.example").exists()


def test_invitation_email_has_plain_text_and_html_with_the_same_link(
    supplier: Supplier, charlie: User, django_capture_on_commit_callbacks, settings
) -> None:
    settings.PORTAL_BASE_URL = "https://green.carmaker.example"
    with django_capture_on_commit_callbacks(execute=True):
        user = _invite(supplier, "li@supplier-c.example", invited_by=charlie)
    (message,) = mail.outbox
    link = _link(message)
    assert link.startswith("https://green.carmaker.example/accounts/invitation/")
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "常州电池有限公司" in message.body
    assert charlie.email in message.body
    assert "\n" not in message.subject
    token = _path(link).strip("/").split("/")[-1]
    assert default_token_generator.check_token(user, token)


@pytest.mark.parametrize(
    ("language", "date_pattern"),
    [
        pytest.param("zh-hans", r"\d{4}年\d{1,2}月\d{1,2}日", id="zh-hans"),
        pytest.param("en", r"(Jan|Feb|March|April|May|June|July|Aug|Sept|Oct|Nov|Dec)\.? \d{1,2}, \d{4}", id="en"),
    ],
)
def test_invitation_email_is_written_in_the_users_language(
    supplier: Supplier, django_capture_on_commit_callbacks, language: str, date_pattern: str
) -> None:
    # Rendered while the staff member's language is the other one: the recipient's must win.
    other = "en" if language == "zh-hans" else "zh-hans"
    with translation.override(other), django_capture_on_commit_callbacks(execute=True):
        _invite(supplier, "li@supplier-c.example", language=language)
    (message,) = mail.outbox
    assert re.search(date_pattern, message.body), message.body
    assert re.search(date_pattern, message.alternatives[0][0])


def test_invitation_refuses_an_email_in_use_whatever_its_case(supplier: Supplier, alice: User) -> None:
    with pytest.raises(ValidationError) as refused:
        _invite(supplier, "ALICE@Supplier-A.example")
    assert "exists already" in " ".join(refused.value.messages)
    assert User.objects.filter(email__iexact="alice@supplier-a.example").count() == 1
    assert mail.outbox == []


def test_invitation_refuses_an_inactive_supplier(db) -> None:
    inactive = SupplierFactory(code="CN-OLD1", status=Supplier.Status.INACTIVE)
    with pytest.raises(ValidationError, match="inactive"):
        _invite(inactive, "someone@old.example")
    assert not User.objects.filter(email="someone@old.example").exists()


def test_invitation_link_lets_the_user_choose_a_password_and_log_in(
    supplier: Supplier, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = _invite(supplier, "li@supplier-c.example")
    response = _set_password_through(client, _link(mail.outbox[0]))
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    response = client.post(reverse("login"), {"username": "LI@supplier-c.example", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_invitation_link_stops_working_once_a_password_is_set(
    supplier: Supplier, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = _invite(supplier, "li@supplier-c.example")
    link = _link(mail.outbox[0])
    token = _path(link).strip("/").split("/")[-1]
    _set_password_through(client, link)
    user.refresh_from_db()
    assert not default_token_generator.check_token(user, token)
    second = Client()
    response = second.get(_path(link), follow=True)
    assert response.status_code == 200
    assert response.context["validlink"] is False
    assert "has been used already or has expired" in response.content.decode()
    # And a forged second attempt to set a password through the stale link changes nothing.
    second.post(_path(link).replace(token, "set-password"), {"new_password1": "x" * 12, "new_password2": "x" * 12})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_invitation_link_expires_after_the_reset_timeout(
    supplier: Supplier, client: Client, django_capture_on_commit_callbacks, settings
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = _invite(supplier, "li@supplier-c.example")
    token = _path(_link(mail.outbox[0])).strip("/").split("/")[-1]
    assert default_token_generator.check_token(user, token)

    class ThreeDaysLater(type(default_token_generator)):
        def _now(self) -> datetime:
            return super()._now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)

    assert not ThreeDaysLater().check_token(user, token)


def test_invitation_is_not_sent_again_to_a_user_who_chose_a_password(alice: User) -> None:
    with pytest.raises(ValidationError, match="set a password already"):
        supplier_user_invitation_send(user=alice)
    assert mail.outbox == []


# --- the command -------------------------------------------------------------------------------


def test_command_with_a_password_creates_a_user_who_can_log_in_and_sends_no_email(
    supplier: Supplier, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "add_supplier_user", "CN-C001", "Wang@Supplier-C.example", "--password", NEW_PASSWORD, "--language", "en"
        )
    user = User.objects.get(email="wang@supplier-c.example")
    assert (user.supplier, user.language) == (supplier, "en")
    assert mail.outbox == []
    response = client.post(reverse("login"), {"username": "wang@supplier-c.example", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_command_without_a_password_sends_the_invitation_in_chinese_by_default(
    supplier: Supplier, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("add_supplier_user", "cn-c001", "wang@supplier-c.example")
    user = User.objects.get(email="wang@supplier-c.example")
    assert user.language == "zh-hans"
    assert not user.has_usable_password()
    assert [message.to for message in mail.outbox] == [["wang@supplier-c.example"]]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["CN-NONE", "x@example.com"], "No supplier has the code"),
        (["CN-C001", "ALICE@supplier-a.example"], "exists already"),
        (["CN-C001", "new@supplier-c.example", "--password", "12345"], "too short"),
        (["CN-C001", "not-an-email"], "valid email"),
    ],
)
def test_command_refuses_bad_input_with_a_clear_message(
    supplier: Supplier, alice: User, arguments: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("add_supplier_user", *arguments)
    assert User.objects.count() == 1


def test_command_refuses_a_language_the_portal_does_not_speak(supplier: Supplier) -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("add_supplier_user", "CN-C001", "x@supplier-c.example", "--language", "de")


# --- the admin ---------------------------------------------------------------------------------


def test_staff_invite_a_user_from_the_user_admin(
    supplier: Supplier, charlie: User, client: Client, django_capture_on_commit_callbacks
) -> None:
    charlie.is_superuser = True
    charlie.save()
    client.force_login(charlie)
    url = reverse("admin:suppliers_user_invite")
    assert url in client.get(reverse("admin:suppliers_user_changelist")).content.decode()
    form = client.get(url, {"supplier": supplier.pk})
    assert form.status_code == 200
    assert form.context["form"].initial["supplier"] == str(supplier.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "Zhao@Supplier-C.example", "supplier": supplier.pk, "language": "en"})
    assert response.status_code == 302
    user = User.objects.get(email="zhao@supplier-c.example")
    assert (user.supplier, user.language, user.has_usable_password()) == (supplier, "en", False)
    assert [message.to for message in mail.outbox] == [["zhao@supplier-c.example"]]
    assert charlie.email in mail.outbox[0].body


def test_admin_invitation_of_an_email_in_use_shows_the_error_and_sends_nothing(
    supplier: Supplier, alice: User, charlie: User, client: Client, django_capture_on_commit_callbacks
) -> None:
    charlie.is_superuser = True
    charlie.save()
    client.force_login(charlie)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:suppliers_user_invite"),
            {"email": "Alice@Supplier-A.example", "supplier": supplier.pk, "language": "en"},
        )
    assert response.status_code == 200
    assert "exists already" in str(response.context["form"].errors["email"])
    assert mail.outbox == []


def test_staff_without_the_add_permission_cannot_invite(supplier: Supplier, charlie: User, client: Client) -> None:
    client.force_login(charlie)  # staff, but neither superuser nor granted suppliers.add_user
    response = client.post(
        reverse("admin:suppliers_user_invite"), {"email": "x@supplier-c.example", "supplier": supplier.pk}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@supplier-c.example").exists()


def test_admin_action_sends_the_invitation_again_only_to_users_without_a_password(
    supplier: Supplier, alice: User, charlie: User, client: Client, django_capture_on_commit_callbacks
) -> None:
    charlie.is_superuser = True
    charlie.save()
    with django_capture_on_commit_callbacks(execute=True):
        invited = _invite(supplier, "li@supplier-c.example")
    mail.outbox.clear()
    client.force_login(charlie)
    response = client.post(
        reverse("admin:suppliers_user_changelist"),
        {"action": "send_invitation_again", "_selected_action": [invited.pk, alice.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert [message.to for message in mail.outbox] == [["li@supplier-c.example"]]
    messages = [str(message) for message in response.context["messages"]]
    assert any(message.startswith("alice@supplier-a.example: no invitation sent") for message in messages), messages


def test_staff_can_open_the_admin_add_user_page_and_supplier_page(
    supplier: Supplier, charlie: User, client: Client
) -> None:
    charlie.is_superuser = True
    charlie.save()
    client.force_login(charlie)
    assert client.get(reverse("admin:suppliers_user_add")).status_code == 200
    page = client.get(reverse("admin:suppliers_supplier_change", args=[supplier.pk]))
    assert page.status_code == 200
    assert f"{reverse('admin:suppliers_user_invite')}?supplier={supplier.pk}" in page.content.decode()


# --- login, logout, password reset -------------------------------------------------------------


def test_login_by_email_ignores_the_case_of_the_address(alice: User, client: Client) -> None:
    response = client.post(
        reverse("login"), {"username": "  ALICE@supplier-a.example ", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.session[SESSION_KEY] == str(alice.pk)


def test_login_gives_the_same_answer_for_an_unknown_email_and_a_wrong_password(alice: User, client: Client) -> None:
    wrong = client.post(reverse("login"), {"username": "alice@supplier-a.example", "password": "wrong password"})
    unknown = client.post(reverse("login"), {"username": "nobody@supplier-a.example", "password": "wrong password"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert SESSION_KEY not in client.session


def test_logout_is_post_only(alice: User, client: Client) -> None:
    client.force_login(alice)
    assert client.get(reverse("logout")).status_code == 405
    assert SESSION_KEY in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert SESSION_KEY not in client.session


def test_every_page_offers_logout_as_a_post_form(alice: User, client: Client) -> None:
    client.force_login(alice)
    page = client.get(reverse("dashboard")).content.decode()
    assert re.search(rf'<form action="{reverse("logout")}" method="post">', page)


def test_password_reset_emails_a_link_that_sets_the_password(alice: User, client: Client, settings) -> None:
    settings.PORTAL_BASE_URL = "https://green.carmaker.example"
    response = client.post(reverse("password_reset"), {"email": "Alice@Supplier-A.example"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["alice@supplier-a.example"]
    link = _link(message)
    assert link.startswith("https://green.carmaker.example/accounts/reset/")
    response = _set_password_through(client, link)
    assert response.url == reverse("password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    # Used once, the link is dead.
    assert Client().get(_path(link), follow=True).context["validlink"] is False


def test_password_reset_gives_the_same_page_for_an_unknown_email(alice: User) -> None:
    known = Client().post(reverse("password_reset"), {"email": "alice@supplier-a.example"}, follow=True)
    unknown = Client().post(reverse("password_reset"), {"email": "nobody@supplier-a.example"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert _without_csrf_tokens(known.content) == _without_csrf_tokens(unknown.content)
    assert len(mail.outbox) == 1


def test_password_reset_email_is_written_in_the_users_language(alice: User, monkeypatch) -> None:
    from django.contrib.auth import forms as auth_forms

    rendered_in = []
    original = auth_forms.loader.render_to_string

    def spy(template_name: str, context: dict | None = None, *args: object, **kwargs: object) -> str:
        rendered_in.append(translation.get_language())
        return original(template_name, context, *args, **kwargs)

    monkeypatch.setattr(auth_forms.loader, "render_to_string", spy)
    alice.language = "zh-hans"
    alice.save()
    Client(HTTP_ACCEPT_LANGUAGE="en").post(reverse("password_reset"), {"email": "alice@supplier-a.example"})
    assert len(mail.outbox) == 1
    assert rendered_in and set(rendered_in) == {"zh-hans"}


def test_invited_user_whose_link_expired_can_still_get_a_link_by_password_reset(
    supplier: Supplier, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = _invite(supplier, "li@supplier-c.example")
    mail.outbox.clear()
    client.post(reverse("password_reset"), {"email": "li@supplier-c.example"})
    (message,) = mail.outbox
    _set_password_through(client, _link(message))
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_sends_nothing_to_an_inactive_user(supplier: Supplier, client: Client) -> None:
    UserFactory(email="gone@supplier-c.example", supplier=supplier, is_active=False)
    client.post(reverse("password_reset"), {"email": "gone@supplier-c.example"})
    assert mail.outbox == []


def test_login_applies_the_users_language_and_switching_remembers_it(client, alice) -> None:
    from django.conf import settings as django_settings

    alice.language = "zh-hans"
    alice.save()
    response = client.post(reverse("login"), {"username": alice.email, "password": "correct horse battery staple"})
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "en"
