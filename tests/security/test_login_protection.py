"""Admin accounts: a second factor for staff, and a lockout that cannot lock a supplier out of
its own office."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from portal.staff_login import CODE_ERRORS
from suppliers.models import User
from tests.staff_login import admin_login

pytestmark = pytest.mark.django_db
PASSWORD = "a long staff password"


@pytest.fixture
def otp_required(settings) -> None:
    settings.STAFF_OTP_REQUIRED = True


@pytest.fixture
def staff_with_codes() -> tuple[User, str]:
    user = User.objects.create_superuser("staff@carmaker.example", PASSWORD)
    device = StaticDevice.objects.create(user=user, name="backup")
    token = StaticToken.random_token()
    device.token_set.create(token=token)
    return user, token


def test_staff_without_the_second_factor_do_not_get_into_the_admin(
    client: Client, otp_required: None, staff_with_codes: tuple[User, str]
) -> None:
    user, _token = staff_with_codes
    response = admin_login(client, user.email, PASSWORD)
    assert response.status_code == 200  # the code step, not a redirect into the admin
    assert 'name="backup-otp_token"' in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(user)  # a password-only session is not enough either
    assert client.get(reverse("admin:index")).status_code == 302


def test_staff_with_password_and_one_time_code_get_in_and_the_code_works_once(
    client: Client, otp_required: None, staff_with_codes: tuple[User, str]
) -> None:
    user, token = staff_with_codes
    response = admin_login(client, user.email, PASSWORD, token)
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
    client.post(reverse("admin:logout"))
    other = Client()
    used = admin_login(other, user.email, PASSWORD, token)
    assert used.status_code == 200  # used up: the code step again, with the message
    assert gettext(CODE_ERRORS["invalid_token"]) in used.content.decode()
    assert other.get(reverse("admin:index")).status_code == 302


def test_demo_logins_prints_working_backup_codes(otp_required: None) -> None:
    from demo import portfolio as demo

    User.objects.create_superuser(demo.STAFF_EMAIL, demo.STAFF_PASSWORD)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    codes = out.getvalue().rsplit(":", 1)[1].split()
    assert len(codes) == 5
    response = admin_login(Client(), demo.STAFF_EMAIL, demo.STAFF_PASSWORD, codes[0])
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def supplier_login(client: Client, email: str, password: str, ip: str):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_repeated_failures_lock_the_account_out_from_that_address_only(alice: User) -> None:
    attacker, office = Client(), Client()
    for _ in range(5):
        supplier_login(attacker, alice.email, "wrong guess", ip="203.0.113.9")
    locked = supplier_login(attacker, alice.email, "correct horse battery staple", ip="203.0.113.9")
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode()
    # The supplier's own office, at another address, still logs in with the right password.
    response = supplier_login(office, alice.email, "correct horse battery staple", ip="198.51.100.20")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(alice: User) -> None:
    unknown = supplier_login(Client(), "nobody@nowhere.example", "wrong guess", ip="192.0.2.1")
    wrong = supplier_login(Client(), alice.email, "wrong guess", ip="192.0.2.2")
    assert unknown.status_code == wrong.status_code == 200

    def page(response) -> str:
        text = response.content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert page(unknown).replace("nobody@nowhere.example", "EMAIL") == page(wrong).replace(alice.email, "EMAIL")
