"""Helpers for tests that sign officials in with their second factor (portal/otp.py).

* ``confirmed_totp_device(user)`` — the user's confirmed TOTP device (created when missing);
* ``totp_code(device)`` — the code an authenticator app would show now
  (``django_otp.oath.totp(device.bin_key, step, t0, digits)``; honours freezegun);
* ``mark_otp_verified(client, user)`` — the client's session counts as OTP-verified
  (what ``tests/conftest.py`` does after every ``force_login`` of an official).

A browser test signs in at /admin/login/, then types ``totp_code(device)`` into the
input named ``otp_token`` on /admin/otp/ (or /admin/otp/setup/ for a first sign-in,
where the page also shows the key).
"""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_totp_device(user):
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
    return device


def totp_code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def mark_otp_verified(client, user):
    device = confirmed_totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
