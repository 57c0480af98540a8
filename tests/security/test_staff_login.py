"""The staff login (#17, item 2): django-two-factor-auth's wizard as the admin's login. Password, then
one code, on the first try, with backup codes and with an authenticator app (TOTP) alike; wrong codes
refused; wrong passwords counted by django-axes; the plain admin login when STAFF_OTP_REQUIRED is off."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.staff_login import CODE_ERRORS, StaffPasswordForm
from suppliers.models import User
from tests.factories import UserFactory
from tests.staff_login import admin_login, authenticator_code, code_step, password_step

pytestmark = pytest.mark.django_db
PASSWORD = "a long staff password"
EMAIL = "staff@carmaker.example"


@pytest.fixture(autouse=True)
def otp_required(settings) -> None:
    settings.STAFF_OTP_REQUIRED = True


@pytest.fixture
def staff() -> User:
    return User.objects.create_user(EMAIL, PASSWORD, is_staff=True, is_superuser=True)


def backup_codes(user: User, *codes: str) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="backup codes")
    for code in codes or (StaticToken.random_token(),):
        device.token_set.create(token=code)
    return device


def text(response) -> str:
    return response.content.decode()


def test_password_then_a_backup_code_lands_on_the_admin_index_on_the_first_try(client: Client, staff: User) -> None:
    backup_codes(staff, "abcd2345")

    first = password_step(client, EMAIL, PASSWORD)
    assert first.status_code == 200
    assert 'name="backup-otp_token"' in text(first) and 'name="auth-password"' not in text(first)
    assert "errornote" not in text(first)
    assert client.get(reverse("admin:index")).status_code == 302  # not in yet

    second = code_step(client, "abcd2345")
    assert second.status_code == 302 and second["Location"] == reverse("admin:index")
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200 and index.context["user"] == staff
    assert not StaticToken.objects.filter(token="abcd2345").exists()


def test_password_then_an_authenticator_code_lands_on_the_admin_index_on_the_first_try(
    client: Client, staff: User
) -> None:
    device = TOTPDevice.objects.create(user=staff, name="phone")  # any name, not only two_factor's "default"

    first = password_step(client, EMAIL, PASSWORD)
    assert first.status_code == 200 and 'name="token-otp_token"' in text(first)
    assert "errornote" not in text(first)

    second = code_step(client, authenticator_code(device), step="token")
    assert second.status_code == 302 and second["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_with_an_app_may_use_a_backup_code_instead(client: Client, staff: User) -> None:
    TOTPDevice.objects.create(user=staff, name="phone")
    backup_codes(staff, "wxyz7654")
    first = password_step(client, EMAIL, PASSWORD)
    assert gettext("Use a backup code instead") in text(first)

    switched = client.post(
        reverse("admin:login"), {"staff_login_view-current_step": "token", "wizard_goto_step": "backup"}
    )
    assert switched.status_code == 200 and 'name="backup-otp_token"' in text(switched)
    done = code_step(client, "wxyz7654")
    assert done.status_code == 302 and done["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_with_two_apps_may_choose_the_other_one(client: Client, staff: User) -> None:
    TOTPDevice.objects.create(user=staff, name="phone")
    tablet = TOTPDevice.objects.create(user=staff, name="tablet")
    first = password_step(client, EMAIL, PASSWORD)
    assert f'value="{tablet.persistent_id}"' in text(first)
    chosen = client.post(
        reverse("admin:login"), {"staff_login_view-current_step": "token", "challenge_device": tablet.persistent_id}
    )
    assert chosen.status_code == 200 and 'name="token-otp_token"' in text(chosen)
    done = code_step(client, authenticator_code(tablet), step="token")
    assert done.status_code == 302 and done["Location"] == reverse("admin:index")


def test_a_code_step_after_the_login_timeout_goes_back_to_the_password(client: Client, staff: User, settings) -> None:
    backup_codes(staff, "abcd2345")
    password_step(client, EMAIL, PASSWORD)
    settings.TWO_FACTOR_LOGIN_TIMEOUT = -1  # the password step now lies further back than the timeout
    late = code_step(client, "abcd2345")
    assert late.status_code == 200 and 'name="auth-password"' in text(late)
    message = gettext("Ten minutes have passed since your password: please log in again.")
    assert [str(e) for e in late.context["form"].non_field_errors()] == [message]
    assert client.get(reverse("admin:index")).status_code == 302
    assert StaticToken.objects.filter(token="abcd2345").exists()


@pytest.mark.parametrize("kind", ["backup", "token"])
def test_a_wrong_code_is_refused_with_a_message_and_nothing_else(client: Client, staff: User, kind: str) -> None:
    if kind == "backup":
        device = backup_codes(staff, "abcd2345")
        wrong, right = "zzzz9999", lambda: "abcd2345"
    else:
        device = TOTPDevice.objects.create(user=staff, name="phone")
        good = authenticator_code(device)
        wrong, right = f"{(int(good) + 1) % 1_000_000:06d}", lambda: authenticator_code(device)
    password_step(client, EMAIL, PASSWORD)

    refused = code_step(client, wrong, step=kind)

    assert refused.status_code == 200
    assert [str(e) for e in refused.context["form"].non_field_errors()] == [gettext(CODE_ERRORS["invalid_token"])]
    assert gettext(CODE_ERRORS["invalid_token"]) in text(refused)
    assert f'name="{kind}-otp_token"' in text(refused)  # the same step again, nothing more
    assert client.get(reverse("admin:index")).status_code == 302
    assert "_auth_user_id" not in client.session
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp's throttling counts it
    if kind == "backup":
        assert StaticToken.objects.filter(device=device, token="abcd2345").exists()  # no code used up

    # After the throttle's wait, the right code on the same step (no second password) gets in.
    device.throttle_reset()
    done = code_step(client, right(), step=kind)
    assert done.status_code == 302 and done["Location"] == reverse("admin:index")


def test_a_used_backup_code_no_longer_works(staff: User) -> None:
    backup_codes(staff, "abcd2345", "efgh6789")
    assert admin_login(Client(), EMAIL, PASSWORD, "abcd2345").status_code == 302

    again = Client()
    refused = admin_login(again, EMAIL, PASSWORD, "abcd2345")
    assert refused.status_code == 200 and gettext(CODE_ERRORS["invalid_token"]) in text(refused)
    assert again.get(reverse("admin:index")).status_code == 302
    StaticDevice.objects.get(user=staff).throttle_reset()
    assert admin_login(Client(), EMAIL, PASSWORD, "efgh6789").status_code == 302  # the other code still works


def test_a_code_typed_with_a_capital_and_spaces_still_works(client: Client, staff: User) -> None:
    backup_codes(staff, "abcd2345")
    done = admin_login(client, EMAIL, PASSWORD, " Abcd 2345 ")
    assert done.status_code == 302 and done["Location"] == reverse("admin:index")


def test_a_wrong_password_at_the_first_step_is_counted_by_axes_and_locks_out(staff: User) -> None:
    backup_codes(staff, "abcd2345")

    wrong = password_step(Client(), EMAIL, "wrong guess", ip="203.0.113.9")
    assert wrong.status_code == 200 and 'name="auth-password"' in text(wrong)
    assert AccessAttempt.objects.get(username=EMAIL, ip_address="203.0.113.9").failures_since_start == 1

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        password_step(Client(), EMAIL, "wrong guess", ip="203.0.113.9")
    locked = password_step(Client(), EMAIL, PASSWORD, ip="203.0.113.9")  # the right password, too late
    assert locked.status_code == 429
    assert "backup-otp_token" not in text(locked)

    # From another address the staff member still logs in, and the success clears nothing of the attacker's.
    office = Client()
    assert admin_login(office, EMAIL, PASSWORD, "abcd2345", ip="198.51.100.20").status_code == 302
    assert office.get(reverse("admin:index")).status_code == 200
    assert password_step(Client(), EMAIL, PASSWORD, ip="203.0.113.9").status_code == 429


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(staff: User) -> None:
    wrong = password_step(Client(), EMAIL, "wrong guess", ip="192.0.2.1")
    unknown = password_step(Client(), "nobody@carmaker.example", "wrong guess", ip="192.0.2.2")

    def page(response) -> str:
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response))

    assert wrong.status_code == unknown.status_code == 200
    assert page(wrong).replace(EMAIL, "EMAIL") == page(unknown).replace("nobody@carmaker.example", "EMAIL")


def test_staff_without_any_second_factor_are_told_so_and_not_logged_in(client: Client, staff: User) -> None:
    response = password_step(client, EMAIL, PASSWORD)
    assert response.status_code == 200
    message = str(StaffPasswordForm.error_messages["no_second_factor"])
    assert [str(e) for e in response.context["form"].non_field_errors()] == [message]
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_supplier_gets_no_code_step(client: Client, alice: User) -> None:
    response = password_step(client, alice.email, "correct horse battery staple")
    assert response.status_code == 200 and 'name="auth-password"' in text(response)
    assert "otp_token" not in text(response)
    assert "_auth_user_id" not in client.session


def test_the_login_keeps_a_safe_next_page_and_drops_another_sites(client: Client, staff: User) -> None:
    backup_codes(staff, "abcd2345", "efgh6789")
    password_step(client, EMAIL, PASSWORD, next_url="/admin/suppliers/")
    assert code_step(client, "abcd2345", next_url="/admin/suppliers/")["Location"] == "/admin/suppliers/"

    other = Client()
    password_step(other, EMAIL, PASSWORD, next_url="https://evil.example/")
    StaticDevice.objects.get(user=staff).throttle_reset()
    assert code_step(other, "efgh6789", next_url="https://evil.example/")["Location"] == reverse("admin:index")


def test_logged_in_and_verified_staff_opening_the_login_go_to_the_admin(client: Client, staff: User) -> None:
    backup_codes(staff, "abcd2345")
    admin_login(client, EMAIL, PASSWORD, "abcd2345")
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_both_steps_are_in_the_readers_language_without_inline_script(client: Client, language: str) -> None:
    user = UserFactory(email=EMAIL, is_staff=True, language=language)
    user.set_password(PASSWORD)
    user.save()
    backup_codes(user, "abcd2345")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    first = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE=language)
    second = password_step(client, EMAIL, PASSWORD)
    with translation.override(language):
        expected_first = [gettext("Email"), gettext("Password"), gettext("Next")]
        expected_second = [gettext("Backup code"), gettext("Enter one of your backup codes. Each code works once.")]
        expected_second += [gettext("Log in"), gettext("Start again with the password")]
    for response, expected in ((first, expected_first), (second, expected_second)):
        assert response.status_code == 200
        assert f'<html lang="{language}"' in text(response)
        for phrase in expected:
            assert phrase in text(response), phrase
        scripts = re.findall(r"<script\b[^>]*>", text(response))
        assert all(" src=" in tag for tag in scripts), scripts  # the CSP's script-src 'self': no inline script
        assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("script-src", 1)[1].split(";")[0]
    if language == "zh-hans":
        assert "登录" in text(second)  # "Log in", already in the portal's catalog


def test_with_the_second_factor_off_the_plain_admin_login_works(client: Client, staff: User, settings) -> None:
    settings.STAFF_OTP_REQUIRED = False
    page = client.get(reverse("admin:login"))
    assert 'name="username"' in text(page) and "otp_token" not in text(page)
    response = client.post(
        reverse("admin:login"), {"username": EMAIL, "password": PASSWORD, "next": reverse("admin:index")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
