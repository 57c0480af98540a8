"""An administrator manages users but cannot climb above the role: no superuser made by anyone but a
superuser, and no superuser's account (password, email) changed by a non-superuser."""

import pytest
from django.test import Client
from django.urls import reverse

from suppliers.models import User
from tests.factories import UserFactory
from tests.security.test_sessions_and_passwords import _change_form_data, admin_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator() -> Client:
    return admin_client("administrator")


def _me(client: Client) -> User:
    return User.objects.get(email="administrator@carmaker.example")


def _staff_member() -> User:
    return UserFactory(email="colleague@carmaker.example", is_staff=True, supplier=None)


@pytest.mark.parametrize("target", ["self", "a colleague"])
def test_an_administrator_cannot_make_anyone_a_superuser(administrator: Client, target: str) -> None:
    user = _me(administrator) if target == "self" else _staff_member()
    data = _change_form_data(user, administrator) | {"is_superuser": "on"}
    response = administrator.post(reverse("admin:suppliers_user_change", args=[user.pk]), data)
    assert response.status_code == 302  # the rest of the form is saved
    user.refresh_from_db()
    assert not user.is_superuser


def test_an_administrator_cannot_change_a_superusers_password_or_account(administrator: Client) -> None:
    root = User.objects.create_superuser("root@carmaker.example", "the superuser's long password")
    password_page = reverse("admin:auth_user_password_change", args=[root.pk])
    assert administrator.get(password_page).status_code == 403
    response = administrator.post(
        password_page, {"password1": "taken over 123456", "password2": "taken over 123456", "usable_password": "true"}
    )
    assert response.status_code == 403
    change = reverse("admin:suppliers_user_change", args=[root.pk])
    data = _change_form_data(root, administrator) | {"email": "attacker@example.com"}
    assert administrator.post(change, data).status_code == 403
    root.refresh_from_db()
    assert root.email == "root@carmaker.example" and root.check_password("the superuser's long password")
    assert administrator.get(change).status_code == 200  # still readable


def test_a_superuser_can_make_a_superuser(db: None) -> None:
    root = User.objects.create_superuser("root@carmaker.example", "the superuser's long password")
    colleague = _staff_member()
    client = Client()
    client.force_login(root)
    data = _change_form_data(colleague, client) | {"is_superuser": "on"}
    assert client.post(reverse("admin:suppliers_user_change", args=[colleague.pk]), data).status_code == 302
    colleague.refresh_from_db()
    assert colleague.is_superuser
