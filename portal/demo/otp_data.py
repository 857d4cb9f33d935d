"""Demo second factor: every demo official gets a confirmed TOTP authenticator with one fixed, public key.

The key is published (README, "Sign-in security") so that anyone trying the demo can add it to an
authenticator app, or print the current code with ``python manage.py demo_otp_code <username>`` (only with
``DEBUG`` on, and only for a device that holds this key). A real installation never uses it: officials enrol
their own authenticator on their first sign-in (/admin/otp/setup/).

Idempotent: an official who already has a confirmed device (the demo one, or one they enrolled) is left alone.
"""

import base64

from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

#: The demo key as authenticator apps show it (base32, "TTHC DEMO" four times) …
DEMO_TOTP_KEY_BASE32 = "TTHCDEMOTTHCDEMOTTHCDEMOTTHCDEMO"
#: … and as django-otp stores it (hex of the same 20 bytes).
DEMO_TOTP_KEY = base64.b32decode(DEMO_TOTP_KEY_BASE32).hex()
DEMO_DEVICE_NAME = "Demo authenticator"


def load_demo_devices(usernames=None):
    """A confirmed demo TOTP device for each demo official (``loader.STAFF``) that has none yet."""
    if usernames is None:
        from portal.demo.loader import STAFF

        usernames = [row[0] for row in STAFF]
    created = []
    for user in get_user_model().objects.filter(username__in=list(usernames)):
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            created.append(
                TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, key=DEMO_TOTP_KEY, confirmed=True)
            )
    return created


def is_demo_device(device) -> bool:
    return bool(device is not None and device.key.lower() == DEMO_TOTP_KEY)


def current_code(device) -> tuple[str, int]:
    """The code the authenticator app shows now, and how many seconds it stays valid."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    code = f"{totp.token():0{device.digits}d}"
    remaining = int(device.step - (totp.time - device.t0) % device.step)
    return code, remaining
