"""Sessions: a new one at login, none after logout or deactivation. Passwords: long and not
common, refused in the user's language on every form that sets one. Lockout: per username and
address, so an attacker cannot lock a supplier out of its own office, behind proxies too.

(The second factor for staff, the basic lockout and the same answer for an unknown email and a
wrong password are in test_login_protection.py; invitation and reset links in
tests/suppliers/test_accounts.py.)
"""

import html
import re
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.forms import CheckboxInput, MultiWidget
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from suppliers.models import Supplier, User
from suppliers.services.accounts import supplier_user_invite, user_sessions_end
from tests.factories import SupplierFactory, UserFactory

# Account emails are queued after commit and sent by a task: here they run at once, for real.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_run_here")]
PASSWORD = "correct horse battery staple"  # the factories' password
LINK = re.compile(r"https?://[^/\s]+(/accounts/(?:invitation|reset)/[^\s\"<]+/)")


def login(client: Client, email: str, password: str = PASSWORD, **extra: str):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def is_logged_in(session_key: str) -> bool:
    """Whether a browser holding only this session cookie is logged in."""
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return browser.get(reverse("dashboard")).status_code == 200


def admin_client(role: str = "administrator") -> Client:
    call_command("setup_roles", stdout=StringIO())
    staff = UserFactory(email=f"{role}@carmaker.example", is_staff=True, supplier=None)
    staff.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(staff)
    return client


# --- Sessions ------------------------------------------------------------------------------------


def test_logging_in_gives_a_new_session_key_and_the_old_one_does_not_log_in(alice: User, client: Client) -> None:
    client.session.save()  # an anonymous visitor's session, as a page that stores something makes
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(pk=before).exists()
    assert login(client, alice.email).status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before  # fixation: a key planted before login is worth nothing after it
    assert not Session.objects.filter(pk=before).exists()
    assert is_logged_in(after) and not is_logged_in(before)


def test_logging_out_ends_the_session_on_the_server(alice: User, client: Client) -> None:
    login(client, alice.email)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert is_logged_in(key)
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(pk=key).exists()
    assert not is_logged_in(key)  # a copy of the cookie taken before logout is worthless


def test_deactivating_a_user_in_the_admin_ends_their_sessions_at_once(alice: User) -> None:
    office, home = Client(), Client()
    login(office, alice.email, REMOTE_ADDR="198.51.100.20")
    login(home, alice.email, REMOTE_ADDR="203.0.113.77")
    keys = [browser.cookies[settings.SESSION_COOKIE_NAME].value for browser in (office, home)]
    assert all(is_logged_in(key) for key in keys)
    administrator = admin_client()
    change = reverse("admin:suppliers_user_change", args=[alice.pk])
    data = _change_form_data(alice, administrator)
    data.pop("is_active")
    response = administrator.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    alice.refresh_from_db()
    assert not alice.is_active
    assert not any(is_logged_in(key) for key in keys)
    assert not Session.objects.filter(pk__in=keys).exists()
    assert office.get(reverse("dashboard")).status_code == 302
    assert login(Client(), alice.email).status_code == 200  # and cannot log in again


def test_ending_a_deactivated_users_sessions_ends_theirs_and_no_one_elses(alice: User, bob: User) -> None:
    alices, bobs = Client(), Client()
    login(alices, alice.email)
    login(bobs, bob.email)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert user_sessions_end(user=alice) == 1  # what the admin runs when it switches an account off
    assert not is_logged_in(alices.cookies[settings.SESSION_COOKIE_NAME].value)
    assert is_logged_in(bobs.cookies[settings.SESSION_COOKIE_NAME].value)


def test_a_session_stops_working_when_the_account_is_switched_off_by_any_other_way(alice: User) -> None:
    """Even a write that bypasses the service (a bulk update) logs the user out: the
    authentication backend refuses an inactive user on every request."""
    browser = Client()
    login(browser, alice.email)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert browser.get(reverse("dashboard")).status_code == 302


def test_a_password_changed_by_staff_ends_the_users_sessions(alice: User) -> None:
    browser = Client()
    login(browser, alice.email)
    administrator = admin_client()
    response = administrator.post(
        reverse("admin:auth_user_password_change", args=[alice.pk]),
        {"password1": "a brand new long password", "password2": "a brand new long password", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert browser.get(reverse("dashboard")).status_code == 302  # the session's password hash no longer matches


def _change_form_data(user: User, administrator: Client) -> dict:
    """The admin's change form of `user` as a browser would post it back unchanged."""
    from django.contrib import admin

    model_admin = admin.site._registry[User]
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=int(administrator.session[SESSION_KEY]))
    form = model_admin.get_form(request, user, change=True)(instance=user)
    data = {}
    for name in form.fields:
        bound = form[name]
        widget, value = bound.field.widget, bound.value()
        if bound.field.disabled:
            continue
        if isinstance(widget, MultiWidget):
            data.update({f"{name}_{i}": part for i, part in enumerate(widget.decompress(value)) if part is not None})
        elif isinstance(widget, CheckboxInput):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif widget.format_value(value) is not None:
            data[name] = widget.format_value(value)
    return data


# --- Passwords -------------------------------------------------------------------------------------

SHORT, COMMON = "Gr33n!", "password1234"


def refusals(password: str, user: User, language: str) -> list[str]:
    """What the validators of AUTH_PASSWORD_VALIDATORS say about `password`, in `language`."""
    with translation.override(language), pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    return refused.value.messages


def page_errors(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(("password", "rule"), [(SHORT, "too short"), (COMMON, "too common")])
def test_the_validators_refuse_a_short_or_common_password(alice: User, password: str, rule: str) -> None:
    assert any(rule in message for message in refusals(password, alice, "en"))
    assert any(len(m) == len(m.encode()) for m in refusals(password, alice, "en"))
    assert not any(len(m) == len(m.encode()) for m in refusals(password, alice, "zh-hans"))  # all Chinese
    validate_password("green electrons from the roof 2024", alice)  # a long uncommon one passes


@pytest.fixture
def supplier(db: None) -> Supplier:
    return SupplierFactory(code="CN-C001")


def _set_password_page(client: Client, link_path: str) -> str:
    response = client.get(link_path)
    assert response.status_code == 302, "a valid link redirects to the set-password URL"
    return response.url


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("password", [SHORT, COMMON])
def test_the_invitation_refuses_a_weak_password_in_the_users_language(
    supplier: Supplier, django_capture_on_commit_callbacks, language: str, password: str
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = supplier_user_invite(
            supplier=supplier, email="li@supplier-c.example", language=language, invited_by=None
        )
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    form = _set_password_page(browser, LINK.search(mail.outbox[0].body).group(1))
    response = browser.post(form, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    for message in refusals(password, user, language):
        assert message in page_errors(response)
    user.refresh_from_db()
    assert not user.has_usable_password()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("password", [SHORT, COMMON])
def test_the_password_reset_refuses_a_weak_password_in_the_users_language(
    alice: User, language: str, password: str
) -> None:
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    browser.post(reverse("password_reset"), {"email": alice.email})
    form = _set_password_page(browser, LINK.search(mail.outbox[0].body).group(1))
    response = browser.post(form, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    for message in refusals(password, alice, language):
        assert message in page_errors(response)
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


@pytest.mark.parametrize("password", [SHORT, COMMON])
def test_staff_setting_a_users_password_in_the_admin_are_refused_a_weak_one(alice: User, password: str) -> None:
    administrator = admin_client()
    response = administrator.post(
        reverse("admin:auth_user_password_change", args=[alice.pk]),
        {"password1": password, "password2": password, "usable_password": "true"},
    )
    assert response.status_code == 200
    for message in refusals(password, alice, "en"):
        assert message in page_errors(response)
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


# --- Same answer whoever is asked about -----------------------------------------------------------


def _without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_an_inactive_account_gets_the_same_answer_as_an_unknown_email(alice: User) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)
    inactive = login(Client(), alice.email, REMOTE_ADDR="192.0.2.1")  # the right password
    unknown = login(Client(), "nobody@supplier-a.example", REMOTE_ADDR="192.0.2.2")
    assert inactive.status_code == unknown.status_code == 200
    assert _without_tokens(inactive).replace(alice.email, "EMAIL") == _without_tokens(unknown).replace(
        "nobody@supplier-a.example", "EMAIL"
    )


def test_the_admin_login_gives_the_same_answer_for_an_unknown_email_and_a_wrong_password(charlie: User) -> None:
    wrong = Client().post(reverse("admin:login"), {"username": charlie.email, "password": "wrong guess"})
    unknown = Client().post(reverse("admin:login"), {"username": "nobody@carmaker.example", "password": "wrong"})
    assert wrong.status_code == unknown.status_code == 200
    assert _without_tokens(wrong).replace(charlie.email, "EMAIL") == _without_tokens(unknown).replace(
        "nobody@carmaker.example", "EMAIL"
    )


# --- Lockout ---------------------------------------------------------------------------------------


def test_no_lockout_is_by_username_alone_or_by_address_alone() -> None:
    """A lockout by username alone lets anyone lock a supplier out; one by address alone locks a
    whole office (one NAT address) out because of one person's typos."""
    for parameters in settings.AXES_LOCKOUT_PARAMETERS:
        assert isinstance(parameters, list | tuple) and set(parameters) == {"username", "ip_address"}, parameters


def test_failures_for_one_user_do_not_lock_another_user_out_at_the_same_address(alice: User, bob: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), alice.email, "wrong guess", REMOTE_ADDR="198.51.100.20")
    assert login(Client(), alice.email, REMOTE_ADDR="198.51.100.20").status_code == 429
    assert login(Client(), bob.email, REMOTE_ADDR="198.51.100.20").status_code == 302


def test_without_proxies_a_forged_forwarded_for_header_does_not_escape_the_lockout(alice: User) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), alice.email, "wrong guess", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.9.9.{attempt}")
    locked = login(Client(), alice.email, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.9.9.99")
    assert locked.status_code == 429


def test_behind_a_proxy_the_attacker_is_locked_out_and_the_supplier_still_logs_in(alice: User, settings) -> None:
    """Behind one reverse proxy every request has the proxy's REMOTE_ADDR; the client is the address
    the proxy appended to X-Forwarded-For. Without that, the lockout would be by username alone."""
    settings.AXES_IPWARE_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), alice.email, "wrong guess", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert login(Client(), alice.email, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 429
    # Prepending a made-up address does not make the attacker someone else.
    forged = login(Client(), alice.email, HTTP_X_FORWARDED_FOR="198.51.100.20, 203.0.113.9", **proxy)
    assert forged.status_code == 429
    # The supplier's office, through the same proxy, logs in.
    office = login(Client(), alice.email, HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)
    assert office.status_code == 302 and office["Location"] == reverse("dashboard")


def test_the_admin_login_locks_out_by_username_and_address_too(charlie: User) -> None:
    charlie.set_password(PASSWORD)
    charlie.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            reverse("admin:login"), {"username": charlie.email, "password": "wrong"}, REMOTE_ADDR="203.0.113.9"
        )
    attacker = Client().post(
        reverse("admin:login"), {"username": charlie.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert attacker.status_code == 429
    staff = Client().post(
        reverse("admin:login"),
        {"username": charlie.email, "password": PASSWORD, "next": reverse("admin:index")},
        REMOTE_ADDR="198.51.100.20",
    )
    assert staff.status_code == 302
