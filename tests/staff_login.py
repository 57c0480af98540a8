"""Logging staff in through the admin's real login (portal.staff_login.StaffLoginView, django-two-factor-auth's
wizard) with the test client: the password step, then the code step, as a browser posts them."""

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

CURRENT_STEP = "staff_login_view-current_step"  # the wizard's management form (formtools)


def password_step(client: Client, email: str, password: str, ip: str = "10.0.0.1", next_url: str = ""):
    data = {CURRENT_STEP: "auth", "auth-username": email, "auth-password": password}
    return client.post(reverse("admin:login"), {**data, "next": next_url or reverse("admin:index")}, REMOTE_ADDR=ip)


def code_step(client: Client, code: str, step: str = "backup", ip: str = "10.0.0.1", next_url: str = ""):
    """step "backup" for a backup code, "token" for an authenticator app's code."""
    data = {CURRENT_STEP: step, f"{step}-otp_token": code, "next": next_url or reverse("admin:index")}
    return client.post(reverse("admin:login"), data, REMOTE_ADDR=ip)


def admin_login(client: Client, email: str, password: str, code: str = "", step: str = "backup", ip: str = "10.0.0.1"):
    """Both steps; the password step's response if it did not lead to the code step or no code is given."""
    first = password_step(client, email, password, ip=ip)
    if not code or first.status_code != 200 or f'name="{step}-otp_token"' not in first.content.decode():
        return first
    return code_step(client, code, step=step, ip=ip)


def authenticator_code(device: TOTPDevice) -> str:
    """The six digits the user's authenticator app shows now for this device."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"
