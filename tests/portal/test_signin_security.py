"""Sign-in security (issue 8 item 2; portal/otp.py, portal/signin_security.py): officials' second factor (TOTP),
lockout after repeated wrong passwords on both sign-in forms, strong passwords for officials, session expiry."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from portal.demo.loader import DEMO_PASSWORD, STAFF
from portal.demo.otp_data import DEMO_TOTP_KEY, DEMO_TOTP_KEY_BASE32, load_demo_devices
from portal.signin_security import (
    LAST_ACTIVITY_SESSION_KEY,
    axes_client_ip,
    lockout_message,
)
from tests.factories import AgencyFactory
from tests.factories.auth import confirmed_totp_device, mark_otp_verified, totp_code
from tests.factories.citizens import PASSWORD as CITIZEN_PASSWORD
from tests.factories.citizens import citizen
from tests.factories.workflow import UserFactory, official

pytestmark = pytest.mark.django_db
OFFICIAL_PASSWORD = "Mat-khau-2026!"  # tests.factories.workflow.UserFactory
LOGIN = "/admin/login/"
OTP = "/admin/otp/"
OTP_SETUP = "/admin/otp/setup/"
WRONG_CODE = gettext_lazy("The code is not correct or has expired. Enter the current code.")


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    """Lockout counters live in the database (rolled back per test); the per-IP rate limits of the citizen form
    (portal/core/ratelimit.py, tested on their own) are switched off so only the lockout is at work here."""
    settings.RATELIMIT_ENABLED = False
    cache.clear()
    yield
    cache.clear()


def admin_official(**fields):
    """An official who may open the Wagtail admin."""
    user = UserFactory(**fields)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    return user


def admin_sign_in(client, username, password=OFFICIAL_PASSWORD, next_url=None, **extra):
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(LOGIN, data, **extra)


def citizen_sign_in(client, identifier, password=CITIZEN_PASSWORD, **extra):
    return client.post(reverse("citizen:login"), {"username": identifier, "password": password}, **extra)


def code_for(device, offset_steps=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps):06d}"


def page(response):
    return response.content.decode()


def dashboard_reached(client):
    response = client.get("/admin/")
    return response.status_code == 200 and "login" not in response.get("Location", "")


# --- second factor -----------------------------------------------------------------------------------------


@pytest.mark.real_otp
def test_first_sign_in_enrols_an_authenticator_then_opens_the_dashboard(client):
    user = admin_official()
    response = admin_sign_in(client, user.username)
    assert response.status_code == 302

    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(OTP_SETUP)  # no device yet: set-up, not the dashboard
    html = page(response)
    assert "<svg" in html and html.count('name="otp_token"') == 1  # QR code and one form
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    # The key shown for typing into the app is the device's key (the QR code carries the same otpauth:// URL).
    shown = html.split('id="otp-secret">', 1)[1].split("<", 1)[0].replace(" ", "")
    assert device.config_url.split("secret=", 1)[1].startswith(shown)

    assert not dashboard_reached(client)  # nothing of the admin before the code is confirmed
    response = client.post(response.redirect_chain[-1][0], {"otp_token": totp_code(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    device.refresh_from_db()
    assert device.confirmed
    assert dashboard_reached(client)


@pytest.mark.real_otp
def test_later_sign_in_asks_for_the_code_and_refuses_a_wrong_one(client):
    user = admin_official()
    device = confirmed_totp_device(user)
    admin_sign_in(client, user.username)

    response = client.get("/admin/pages/")
    assert response.status_code == 302 and response["Location"].startswith(OTP)
    assert not response["Location"].startswith(OTP_SETUP)
    form = client.get(response["Location"])
    assert page(form).count('name="otp_token"') == 1  # the form is shown once

    wrong = code_for(device, offset_steps=5)
    response = client.post(response["Location"], {"otp_token": wrong})
    assert response.status_code == 400
    assert str(WRONG_CODE) in page(response)
    assert not dashboard_reached(client)

    with freeze_time(timezone.now() + timedelta(seconds=2)):  # django-otp's 1-second wait after a wrong code
        response = client.post(OTP + "?next=/admin/pages/", {"otp_token": totp_code(device)})
        assert response.status_code == 302 and response["Location"] == "/admin/pages/"
        assert dashboard_reached(client)


@pytest.mark.real_otp
@pytest.mark.parametrize("enrolled", [True, False], ids=["code", "first-set-up"])
def test_the_session_id_changes_when_the_code_is_accepted(client, enrolled):
    """Session fixation: the id issued after the password step (seen on a shared computer, or planted) must
    not become the verified session. The old id opens nothing afterwards."""
    from django.test import Client

    user = admin_official()
    device = confirmed_totp_device(user) if enrolled else None
    admin_sign_in(client, user.username)
    before = client.cookies["sessionid"].value
    if not enrolled:
        client.get(OTP_SETUP)
        device = TOTPDevice.objects.get(user=user)
    response = client.post((OTP if enrolled else OTP_SETUP) + "?next=/admin/", {"otp_token": totp_code(device)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    after = client.cookies["sessionid"].value
    assert after != before and dashboard_reached(client)
    attacker = Client()
    attacker.cookies["sessionid"] = before
    assert attacker.get("/admin/").status_code == 302  # to the sign-in page: the old id is gone


@pytest.mark.real_otp
def test_a_code_works_only_once_and_repeated_wrong_codes_are_throttled(client):
    user = admin_official()
    device = confirmed_totp_device(user)
    admin_sign_in(client, user.username)
    for _attempt in range(3):
        client.post(OTP, {"otp_token": code_for(device, offset_steps=7)})
    response = client.post(OTP, {"otp_token": totp_code(device)})  # right code, but during the wait
    assert response.status_code == 400
    assert str(_("Too many wrong codes in a row. Wait a little, then enter the current code.")) in page(response)
    assert not dashboard_reached(client)

    with freeze_time(timezone.now() + timedelta(seconds=30)):  # the wait is over (1, 2, 4 … seconds)
        code = totp_code(device)
        assert client.post(OTP, {"otp_token": code}).status_code == 302
        assert dashboard_reached(client)
        # The same code cannot sign in a second browser (replay).
        other = type(client)()
        admin_sign_in(other, user.username)
        response = other.post(OTP, {"otp_token": code})
        assert response.status_code == 400 and str(WRONG_CODE) in page(response)


@pytest.mark.real_otp
def test_next_is_kept_through_password_and_code_but_never_leaves_the_site(client):
    user = admin_official()
    device = confirmed_totp_device(user)
    response = admin_sign_in(client, user.username, next_url="/admin/pages/")
    assert response["Location"] == "/admin/pages/"
    response = client.get("/admin/pages/")
    assert response["Location"] == f"{OTP}?next=%2Fadmin%2Fpages%2F"
    response = client.post(response["Location"], {"otp_token": totp_code(device)})
    assert response["Location"] == "/admin/pages/"

    evil = admin_official()
    device = confirmed_totp_device(evil)
    other = type(client)()
    admin_sign_in(other, evil.username)
    for target in ("https://evil.example/phish", "//evil.example/phish"):
        response = other.get(OTP, {"next": target})
        assert target not in page(response)
    response = other.post(f"{OTP}?next=https://evil.example/phish", {"otp_token": totp_code(device)})
    assert response.status_code == 302 and response["Location"] == "/admin/"


@pytest.mark.real_otp
def test_an_officials_api_session_without_the_code_is_anonymous(client):
    user = official(AgencyFactory())
    confirmed_totp_device(user)
    client.force_login(user)  # password accepted, no code yet
    assert client.get("/api/v1/dossiers/").status_code in (401, 403)
    mark_otp_verified(client, user)
    assert client.get("/api/v1/dossiers/").status_code == 200


def test_citizens_are_never_asked_for_a_code(client):
    person = citizen(phone="0987654321")
    response = citizen_sign_in(client, "0987654321")
    assert response.status_code == 302 and OTP not in response["Location"]
    assert client.get(reverse("citizen:overview")).status_code == 200
    assert not TOTPDevice.objects.filter(user=person).exists()
    # The admin is not theirs: Wagtail refuses them, and no code page is shown.
    response = client.get("/admin/", follow=True)
    assert all(OTP not in url for url, _status in response.redirect_chain)


# --- lockout (django-axes) ---------------------------------------------------------------------------------


def locked_message_in(response):
    return response.status_code == 429 and lockout_message() in page(response)


def test_admin_form_locks_after_repeated_wrong_passwords_until_the_cool_off(client, settings):
    user = admin_official()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = admin_sign_in(client, user.username, "wrong-password")
        assert response.status_code == 200  # the form again, with Wagtail's error
    response = admin_sign_in(client, user.username, "wrong-password")
    assert locked_message_in(response)

    response = admin_sign_in(client, user.username)  # even the right password
    assert locked_message_in(response)
    assert "_auth_user_id" not in client.session

    with freeze_time(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        response = admin_sign_in(client, user.username)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


def test_citizen_form_locks_after_repeated_wrong_passwords(client, settings):
    person = citizen(email="binh@example.com")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert citizen_sign_in(client, "binh@example.com", "sai-mat-khau-1").status_code == 200
    assert locked_message_in(citizen_sign_in(client, "binh@example.com", "sai-mat-khau-1"))
    response = citizen_sign_in(client, "binh@example.com")
    assert locked_message_in(response)
    assert "_auth_user_id" not in client.session
    # The same person typing the address in capitals is the same counter.
    assert locked_message_in(citizen_sign_in(client, "Binh@Example.com"))

    with freeze_time(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert citizen_sign_in(client, "binh@example.com").status_code == 302
        assert client.session["_auth_user_id"] == str(person.pk)


@pytest.mark.parametrize(
    "other_spelling", ["+84900000001", "84900000001", "090 000 0001", "090.000.0001", "dan@example.com"]
)
def test_citizen_lockout_counts_per_account_whichever_way_it_is_written(client, settings, other_spelling):
    """Issue 15 item 2: after the limit of wrong passwords for 0900000001, the same account is locked under
    every other spelling of its phone number, and under its e-mail address (one account, one counter)."""
    person = citizen(phone="0900000001", email="Dan@Example.com")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        citizen_sign_in(client, "0900000001", "sai-mat-khau-1")
    response = citizen_sign_in(client, other_spelling)  # the right password
    assert locked_message_in(response)
    assert "_auth_user_id" not in client.session
    # On the officials' form (it shares the counters: the same backends accept a citizen's phone) as well.
    assert locked_message_in(admin_sign_in(client, other_spelling, CITIZEN_PASSWORD))

    with freeze_time(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert citizen_sign_in(client, other_spelling).status_code == 302
        assert client.session["_auth_user_id"] == str(person.pk)


@pytest.mark.parametrize(
    ("first", "other"),
    [("0900000009", "+84 900 000 009"), ("nobody@example.com", "NoBody@Example.COM"), ("khong.co", "Khong.Co")],
)
def test_an_identifier_naming_no_account_is_counted_the_same_way(client, settings, first, other):
    """Unknown identifiers are normalised like known ones, so the lockout does not tell which accounts exist."""
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        citizen_sign_in(client, first, "sai-mat-khau-1")
    assert locked_message_in(citizen_sign_in(client, other, "sai-mat-khau-1"))


def test_a_successful_sign_in_resets_the_counter(client, settings):
    user = admin_official()
    person = citizen(phone="0911222333")
    for _round in range(2):
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            admin_sign_in(client, user.username, "wrong-password")
            citizen_sign_in(client, "0911222333", "sai-mat-khau-1")
        assert admin_sign_in(client, user.username).status_code == 302
        client.logout()
        assert citizen_sign_in(client, "0911222333").status_code == 302
        assert client.session["_auth_user_id"] == str(person.pk)
        client.logout()


def test_lockout_is_per_username_and_address(client, settings):
    user = admin_official()
    colleague = admin_official()
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        admin_sign_in(client, user.username, "wrong-password", **attacker)
    assert locked_message_in(admin_sign_in(client, user.username, **attacker))

    # The official at the office (another address) still signs in …
    assert admin_sign_in(type(client)(), user.username, REMOTE_ADDR="198.51.100.20").status_code == 302
    # … and so does a colleague from the attacker's address.
    assert admin_sign_in(type(client)(), colleague.username, **attacker).status_code == 302


def test_lockout_address_is_a_valid_ip_or_none(settings):
    factory = RequestFactory()
    request = factory.post(LOGIN)
    del request.META["REMOTE_ADDR"]
    assert axes_client_ip(request) is None
    request.META["REMOTE_ADDR"] = "unknown"
    assert axes_client_ip(request) is None
    assert axes_client_ip(factory.post(LOGIN, REMOTE_ADDR="2001:db8::1")) == "2001:db8::1"
    settings.TRUSTED_PROXY_COUNT = 1
    behind_proxy = factory.post(LOGIN, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert axes_client_ip(behind_proxy) == "198.51.100.9"
    forged = factory.post(LOGIN, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>")
    assert axes_client_ip(forged) is None


def test_failures_without_a_client_address_still_lock(client, settings):
    """Without REMOTE_ADDR (a misconfigured proxy) failures are still counted and stored, never crash."""
    user = admin_official()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        admin_sign_in(client, user.username, "wrong-password", REMOTE_ADDR="")
    assert locked_message_in(admin_sign_in(client, user.username, REMOTE_ADDR=""))
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get(username=user.username).ip_address is None


# --- password spraying on the officials' sign-in (issue 15 item 4) ---------------------------------------


def test_password_spraying_from_one_address_is_stopped(client, settings):
    """25 wrong passwords for 25 different usernames from one address: past the per-address limit the address
    is answered 429 with a translated message, and nothing more is checked (not even a right password).
    Rotating X-Forwarded-For does not give a fresh address, with or without a trusted proxy."""
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMIT_RATES = {**settings.RATELIMIT_RATES, "admin_signin": ["10/hour"]}
    from axes.models import AccessAttempt

    user = admin_official()
    answers = [
        admin_sign_in(
            client, f"can.bo.{n}", "Mat-khau-doan-2026", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.9.0.{n}"
        )
        for n in range(25)
    ]
    assert [a.status_code for a in answers] == [200] * 10 + [429] * 15
    assert AccessAttempt.objects.count() == 10  # the last 15 passwords were never checked
    refused = answers[-1]
    retry_after = int(refused["Retry-After"])
    assert 0 < retry_after <= 3600
    message = ngettext(
        "Too many failed sign-in attempts from your connection. Please try again in %(minutes)d minute.",
        "Too many failed sign-in attempts from your connection. Please try again in %(minutes)d minutes.",
        -(-retry_after // 60),
    ) % {"minutes": -(-retry_after // 60)}
    assert message in page(refused) and "Quá nhiều lần đăng nhập sai từ kết nối của ông/bà" in page(refused)
    # Even the right password of a real official from that address is not checked now.
    response = admin_sign_in(client, user.username, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # The official at the office (another address) still signs in.
    assert admin_sign_in(type(client)(), user.username, REMOTE_ADDR="198.51.100.20").status_code == 302

    # Behind one trusted proxy the client is the proxy's entry; the entries the client wrote itself are ignored.
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(10):
        forged = f"192.0.2.{n}, 198.51.100.99"
        admin_sign_in(client, f"khac.{n}", "Mat-khau-doan-2026", HTTP_X_FORWARDED_FOR=forged, **proxy)
    response = admin_sign_in(client, user.username, HTTP_X_FORWARDED_FOR="192.0.2.200, 198.51.100.99", **proxy)
    assert response.status_code == 429
    assert admin_sign_in(client, user.username, HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy).status_code == 302


# --- passwords ---------------------------------------------------------------------------------------------


def account_form(user, old, new):
    """The Wagtail account page (/admin/account/) as submitted: the other panels unchanged, a new password."""
    return {
        "name_email-first_name": user.first_name,
        "name_email-last_name": user.last_name,
        "name_email-email": user.email,
        "locale-preferred_language": "",
        "locale-current_time_zone": "",
        "theme-theme": "system",
        "theme-contrast": "system",
        "theme-density": "default",
        "password-old_password": old,
        "password-new_password1": new,
        "password-new_password2": new,
    }


def test_an_official_cannot_choose_a_weak_password(client):
    user = admin_official()
    client.force_login(user)
    weak = "matkhaucuatoi"  # long enough, not common, but only lower-case letters
    response = client.post(reverse("wagtailadmin_account"), account_form(user, OFFICIAL_PASSWORD, weak))
    rule = _(
        "An official's password must mix at least three of: lower-case letters, upper-case letters, digits and symbols."
    )
    assert str(rule) in page(response)
    user.refresh_from_db()
    assert user.check_password(OFFICIAL_PASSWORD) and not user.check_password(weak)

    strong = "Tram-Hanh-Chinh-2026"
    response = client.post(reverse("wagtailadmin_account"), account_form(user, OFFICIAL_PASSWORD, strong))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(strong)


def test_citizens_get_the_normal_password_rules(client):
    person = citizen(email="an@example.com")
    client.force_login(person)
    simple = "matkhaucuatoi"  # fine for a citizen: the official-only rule does not apply
    response = client.post(
        reverse("citizen:password_change"),
        {"old_password": CITIZEN_PASSWORD, "new_password1": simple, "new_password2": simple},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(simple)
    too_short = "ngan123"
    response = client.post(
        reverse("citizen:password_change"),
        {"old_password": simple, "new_password1": too_short, "new_password2": too_short},
    )
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.check_password(simple)


# --- sessions ----------------------------------------------------------------------------------------------


def test_an_idle_official_is_signed_out_at_the_next_admin_request(client, settings):
    settings.ADMIN_SESSION_IDLE_TIMEOUT = 30 * 60
    user = admin_official()
    start = timezone.now()
    with freeze_time(start) as clock:
        client.force_login(user)
        assert dashboard_reached(client)
        for _step in range(4):  # working: a request every 20 minutes keeps the session for over an hour
            clock.tick(timedelta(minutes=20))
            assert dashboard_reached(client)

        clock.tick(timedelta(minutes=31))
        response = client.get("/admin/", follow=True)
        assert response.redirect_chain and response.redirect_chain[-1][0].startswith(LOGIN)
        message = ngettext(
            "You were signed out after %(minutes)d minute without activity. Please sign in again.",
            "You were signed out after %(minutes)d minutes without activity. Please sign in again.",
            30,
        ) % {"minutes": 30}
        assert message in page(response)
        assert "_auth_user_id" not in client.session
        assert not dashboard_reached(client)


def test_an_idle_officials_api_session_ends_too(client, settings):
    settings.ADMIN_SESSION_IDLE_TIMEOUT = 600
    user = admin_official()
    client.force_login(user)
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = int(timezone.now().timestamp()) - 601
    session.save()
    assert client.get("/api/v1/dossiers/").status_code in (401, 403)  # the API session ended as well
    assert "_auth_user_id" not in client.session


@pytest.mark.real_otp
def test_an_officials_session_cookie_ends_with_the_browser(client, settings):
    user = admin_official()
    device = confirmed_totp_device(user)
    response = client.post(LOGIN, {"username": user.username, "password": OFFICIAL_PASSWORD, "remember": "on"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]
    response = client.post(OTP, {"otp_token": totp_code(device)})
    cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
    assert cookie is None or (not cookie["max-age"] and not cookie["expires"])
    assert client.session.get_expire_at_browser_close()
    assert 'name="remember"' not in page(type(client)().get(LOGIN))  # no "Remember me" for officials


def test_a_citizens_session_cookie_lasts_session_cookie_age(client, settings):
    citizen(phone="0933444555")
    response = citizen_sign_in(client, "0933444555")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert not client.session.get_expire_at_browser_close()


# --- the demo ---------------------------------------------------------------------------------------------


@pytest.mark.real_otp
def test_demo_officials_sign_in_with_the_published_demo_key(client, settings):
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # re-running adds no second authenticator
    for username in [row[0] for row in STAFF]:
        device = TOTPDevice.objects.get(user__username=username)
        assert device.confirmed and device.key == DEMO_TOTP_KEY
    assert DEMO_TOTP_KEY_BASE32 == "TTHCDEMOTTHCDEMOTTHCDEMOTTHCDEMO"  # the key printed in the README

    settings.DEBUG = True  # `make run`
    out = io.StringIO()
    call_command("demo_otp_code", "motcua.sxd", stdout=out, stderr=io.StringIO())
    code = out.getvalue().strip()
    assert code == totp_code(TOTPDevice.objects.get(user__username="motcua.sxd"))
    admin_sign_in(client, "motcua.sxd", DEMO_PASSWORD)
    response = client.post(OTP, {"otp_token": code})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert dashboard_reached(client)


def test_demo_otp_code_refuses_without_debug_or_for_a_real_authenticator(settings):
    demo = UserFactory(username="demo.official")
    load_demo_devices(["demo.official"])
    person = citizen()
    real = UserFactory(username="real.official")
    confirmed_totp_device(real)  # a random key: a real authenticator

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_otp_code", demo.username, stdout=io.StringIO())
    settings.DEBUG = True
    with pytest.raises(CommandError, match="demo key"):
        call_command("demo_otp_code", real.username, stdout=io.StringIO())
    with pytest.raises(CommandError, match="No account"):
        call_command("demo_otp_code", "nobody", stdout=io.StringIO())
    with pytest.raises(CommandError, match="not an official"):
        call_command("demo_otp_code", person.username, stdout=io.StringIO())
    out = io.StringIO()
    call_command("demo_otp_code", demo.username, stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == totp_code(TOTPDevice.objects.get(user=demo))
