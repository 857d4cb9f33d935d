"""Citizen sign-in with the national e-ID (VNeID) over OpenID Connect (portal/citizens/oidc.py), end to end.

The Django test client plays the citizen's browser on our side; the hop to the
provider is a real HTTP request to the local provider of tests/portal/citizens/oidc_provider.py,
whose redirect back (``code`` + ``state``) is then followed on our side.
"""

import time
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from axes.models import AccessAttempt, AccessLog
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from portal.citizens import oidc
from portal.citizens.identity import StaffAccountError, profile_as_prefill
from portal.citizens.models import CitizenProfile
from tests.factories.citizens import PASSWORD, CitizenUserFactory
from tests.factories.workflow import UserFactory
from tests.portal.citizens.oidc_provider import vneid_provider  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
User = get_user_model()
LOGIN = reverse("citizen:login")


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # the discovery document and the rate-limit counters
    yield
    cache.clear()


# --- helpers: the browser's hops -----------------------------------------------------------------


def leave_for_provider(client, provider, next_url=None):
    """Click "Sign in with VNeID": our redirect to the provider's authorisation endpoint."""
    response = client.get(reverse("citizen:vneid_login"), {"next": next_url} if next_url else {})
    assert response.status_code == 302
    assert response["Location"].startswith(provider.authorization_endpoint + "?")
    return response["Location"]


def at_provider(url):
    """The browser at the provider (real HTTP): it consents and redirects back to our callback."""
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def back_to_us(client, location, follow=True):
    parts = urlsplit(location)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "testserver", reverse("citizen:vneid_callback"))
    return client.get(f"{parts.path}?{parts.query}", follow=follow)


def sign_in_with_vneid(client, provider, next_url=None, follow=True):
    return back_to_us(client, at_provider(leave_for_provider(client, provider, next_url)), follow=follow)


def signed_in_user(client):
    """Who the client's session signs in, as Django would resolve it on the next request (or None)."""
    request = HttpRequest()
    request.session = client.session
    user = auth.get_user(request)
    return user if user.is_authenticated else None


def shows(response, message):
    return escape(str(message)) in response.content.decode()


def assert_refused(client, response, message, users_before):
    assert response.redirect_chain[-1][0] == LOGIN
    assert shows(response, message)
    assert signed_in_user(client) is None
    assert User.objects.count() == users_before


# --- the button ----------------------------------------------------------------------------------


def test_no_vneid_button_and_no_vneid_urls_when_not_configured(client, settings):
    settings.VNEID_OIDC_ISSUER = settings.VNEID_OIDC_DISCOVERY_URL = settings.VNEID_OIDC_CLIENT_ID = ""
    page = client.get(LOGIN).content.decode()
    assert reverse("citizen:vneid_login") not in page
    assert escape(str(_("Sign in with the national e-ID (VNeID)"))) not in page
    assert client.get(reverse("citizen:vneid_login")).status_code == 404
    assert client.get(reverse("citizen:vneid_callback"), {"code": "x", "state": "y"}).status_code == 404


def test_the_vneid_button_is_a_plain_link_allowed_by_the_csp(client, vneid_provider):
    response = client.get(LOGIN, {"next": reverse("citizen:store")})
    page = response.content.decode()
    link = (
        f'<a class="button" href="{reverse("citizen:vneid_login")}?next=%2Ftai-khoan%2Fkho-du-lieu%2F">'
        f"{escape(str(_('Sign in with the national e-ID (VNeID)')))}</a>"
    )
    assert link in page
    # A link (GET navigation) is not bound by form-action: the policy keeps forms posting only to us.
    policy = response["Content-Security-Policy"]
    assert "form-action 'self'" in policy and vneid_provider.issuer not in policy
    # Our redirect to the provider carries no policy of its own that could block it.
    redirect = client.get(reverse("citizen:vneid_login"))
    assert redirect.status_code == 302 and redirect["Location"].startswith(vneid_provider.authorization_endpoint)


# --- signing in ----------------------------------------------------------------------------------


def test_first_sign_in_creates_a_verified_citizen_account_from_the_claims(client, vneid_provider):
    response = sign_in_with_vneid(client, vneid_provider)

    assert response.redirect_chain[-1][0] == reverse("citizen:dossiers") and response.status_code == 200
    user = signed_in_user(client)
    assert user is not None and not user.is_staff and not user.is_superuser
    assert client.session["_auth_user_backend"] == "portal.citizens.oidc.VneidBackend"
    assert not user.has_usable_password()
    profile = user.citizen_profile
    assert (profile.id_number, profile.full_name, profile.date_of_birth, profile.gender) == (
        "001090012345",
        "Nguyễn Thị Hoa",
        date(1990, 5, 17),
        "female",
    )
    assert profile.address == "Số 5 phố Lê Lợi, phường Hoàn Kiếm, Hà Nội"
    assert (profile.email, profile.phone) == ("hoa@example.com", "0912345678")
    assert profile.verified and profile.verified_at is not None
    assert (profile.identity_provider, profile.external_subject) == ("vneid", "vneid-sub-0001")
    assert shows(response, _("Welcome! Your account has been created with your VNeID details."))
    # The request to the provider: authorisation code with state, nonce and PKCE S256, our callback as redirect URI.
    sent = vneid_provider.authorize_requests[-1]
    assert sent["response_type"] == "code" and sent["scope"] == "openid profile"
    assert sent["state"] and sent["nonce"] and sent["code_challenge_method"] == "S256"
    assert sent["redirect_uri"] == "http://testserver" + reverse("citizen:vneid_callback")
    # The verified identity data now pre-fills e-forms.
    assert profile_as_prefill(user)["id_number"] == "001090012345"


def test_the_citizen_lands_on_the_page_they_came_from(client, vneid_provider):
    response = sign_in_with_vneid(client, vneid_provider, next_url=reverse("citizen:store"))
    assert response.redirect_chain[-1][0] == reverse("citizen:store") and response.status_code == 200
    assert signed_in_user(client) is not None


def test_an_unsafe_next_is_ignored(client, vneid_provider):
    response = sign_in_with_vneid(client, vneid_provider, next_url="https://evil.example.com/")
    assert response.redirect_chain[-1][0] == reverse("citizen:dossiers")


def test_second_sign_in_with_the_same_id_number_enters_the_same_account(client, vneid_provider):
    sign_in_with_vneid(client, vneid_provider)
    first = signed_in_user(client)
    client.post(reverse("citizen:logout"))
    assert signed_in_user(client) is None

    # Name and e-mail changed at the provider: same subject → same account, verified name refreshed.
    vneid_provider.user.update(name="Nguyễn Thị Hoà", email="hoa.moi@example.com")
    sign_in_with_vneid(client, vneid_provider)
    assert signed_in_user(client) == first
    client.post(reverse("citizen:logout"))

    # The provider issued a new subject for the same person: found by the ID number.
    vneid_provider.user.update(sub="vneid-sub-0001-reissued")
    sign_in_with_vneid(client, vneid_provider)
    assert signed_in_user(client) == first
    assert User.objects.count() == 1
    profile = CitizenProfile.objects.get(user=first)
    assert (profile.full_name, profile.external_subject) == ("Nguyễn Thị Hoà", "vneid-sub-0001-reissued")
    assert profile.email == "hoa@example.com"  # the e-mail is the citizen's contact, kept as they set it


def test_an_account_made_with_a_password_and_the_same_id_number_is_linked_not_duplicated(client, vneid_provider):
    profile = CitizenUserFactory(full_name="Nguyen Thi Hoa", email="hoa.cu@example.com", id_number="001090012345")
    users_before = User.objects.count()

    response = sign_in_with_vneid(client, vneid_provider)

    assert signed_in_user(client) == profile.user and User.objects.count() == users_before
    profile.refresh_from_db()
    assert profile.verified and profile.full_name == "Nguyễn Thị Hoa"
    assert (profile.identity_provider, profile.external_subject) == ("vneid", "vneid-sub-0001")
    assert profile.email == "hoa.cu@example.com"
    # The ID number there had only been typed in, so whoever knew the password loses it
    # (see portal/citizens/identity.py);
    # the person VNeID vouched for is told and can set a new one.
    assert not User.objects.get(pk=profile.user_id).has_usable_password()
    assert shows(
        response,
        _(
            "Your account is now linked to VNeID. Its password was switched off because the ID "
            "number in it had not been verified; sign in with VNeID, or set a new password on the "
            "“Change password” page."
        ),
    )
    client.post(reverse("citizen:logout"))
    assert client.post(LOGIN, {"username": "hoa.cu@example.com", "password": PASSWORD}).status_code == 200
    assert signed_in_user(client) is None


def test_linking_while_signed_in_with_the_password_keeps_the_password(client, vneid_provider):
    profile = CitizenUserFactory(email="hoa.cu@example.com", id_number="001090012345")
    assert client.post(LOGIN, {"username": "hoa.cu@example.com", "password": PASSWORD}).status_code == 302

    response = sign_in_with_vneid(client, vneid_provider)

    assert signed_in_user(client) == profile.user
    assert shows(response, _("Your account is now linked to VNeID."))
    assert User.objects.get(pk=profile.user_id).has_usable_password()
    client.post(reverse("citizen:logout"))
    assert client.post(LOGIN, {"username": "hoa.cu@example.com", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_staff": False, "is_superuser": True}])
def test_an_officials_account_is_never_signed_in_through_vneid(client, vneid_provider, flags):
    staff = UserFactory(**flags)
    CitizenProfile.objects.create(user=staff, full_name="Cán bộ", id_number="001090012345")
    users_before = User.objects.count()

    response = sign_in_with_vneid(client, vneid_provider)

    assert_refused(client, response, StaffAccountError().message, users_before)
    staff.refresh_from_db()
    assert staff.has_usable_password() and staff.check_password("Mat-khau-2026!")
    assert CitizenProfile.objects.get(user=staff).external_subject == ""


def test_a_linked_citizen_made_an_official_is_refused_and_their_vneid_session_ends(client, vneid_provider):
    sign_in_with_vneid(client, vneid_provider)
    user = signed_in_user(client)
    User.objects.filter(pk=user.pk).update(is_staff=True)

    assert client.get(reverse("citizen:overview")).status_code == 302  # the session no longer carries anyone
    users_before = User.objects.count()
    response = sign_in_with_vneid(client, vneid_provider)
    assert_refused(client, response, StaffAccountError().message, users_before)


def test_an_account_deactivated_by_an_official_cannot_sign_in(client, vneid_provider):
    sign_in_with_vneid(client, vneid_provider)
    user = signed_in_user(client)
    client.post(reverse("citizen:logout"))
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = sign_in_with_vneid(client, vneid_provider)
    assert_refused(client, response, oidc.MSG_FAILED, User.objects.count())


# --- refusals ------------------------------------------------------------------------------------


def _with_query(location, **changes):
    parts = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return parts._replace(query="&".join(f"{k}={v}" for k, v in query.items())).geturl()


def test_a_state_we_did_not_issue_is_refused_before_calling_the_provider(client, vneid_provider):
    location = at_provider(leave_for_provider(client, vneid_provider))
    response = back_to_us(client, _with_query(location, state="forged-state"))
    assert_refused(client, response, oidc.MSG_EXPIRED, 0)
    assert ("POST", "/token") not in vneid_provider.requests


def test_a_callback_from_another_browser_session_is_refused(client, vneid_provider):
    from django.test import Client

    location = at_provider(leave_for_provider(Client(), vneid_provider))  # the victim's or attacker's session
    response = back_to_us(client, location)
    assert_refused(client, response, oidc.MSG_EXPIRED, 0)


def test_a_replayed_callback_is_refused(client, vneid_provider):
    location = at_provider(leave_for_provider(client, vneid_provider))
    back_to_us(client, location)
    user = signed_in_user(client)
    client.post(reverse("citizen:logout"))

    response = back_to_us(client, location)  # the same state again: used once only
    assert_refused(client, response, oidc.MSG_EXPIRED, 1)

    # The same code with a fresh state of this session: the provider refuses the used code.
    leave_for_provider(client, vneid_provider)
    fresh_state = next(iter(client.session["oidc_states"]))
    response = back_to_us(client, _with_query(location, state=fresh_state))
    assert_refused(client, response, oidc.MSG_REJECTED, 1)
    assert user is not None


def test_an_expired_state_is_refused(client, vneid_provider):
    location = at_provider(leave_for_provider(client, vneid_provider))
    session = client.session
    for entry in session["oidc_states"].values():
        entry["added_on"] -= oidc.STATE_MAX_AGE + 1
    session.save()
    response = back_to_us(client, location)
    assert_refused(client, response, oidc.MSG_EXPIRED, 0)


@pytest.mark.parametrize(
    ("knob", "value"),
    [
        ("id_token_overrides", {"nonce": "another-nonce"}),
        ("id_token_overrides", {"nonce": None}),
        ("signing", "other-key"),
        ("signing", "hs256-secret"),
        ("id_token_overrides", {"aud": "another-client"}),
        ("id_token_overrides", {"aud": ["another-client", "dichvucong-test"]}),  # several audiences, azp missing
        ("id_token_overrides", {"iss": "https://evil.example.com"}),
        ("id_token_overrides", {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 3900}),
        ("id_token_overrides", {"exp": None}),
    ],
    ids=[
        "wrong-nonce",
        "no-nonce",
        "signed-by-another-key",
        "hs256-with-client-secret",
        "wrong-audience",
        "several-audiences",
        "wrong-issuer",
        "expired",
        "no-expiry",
    ],
)
def test_an_id_token_that_does_not_verify_signs_nobody_in(client, vneid_provider, knob, value):
    setattr(vneid_provider, knob, value)
    response = sign_in_with_vneid(client, vneid_provider)
    assert_refused(client, response, oidc.MSG_REJECTED, 0)
    assert not CitizenProfile.objects.exists()


def test_a_wrong_client_secret_is_refused_by_the_provider(client, vneid_provider, settings):
    settings.VNEID_OIDC_CLIENT_SECRET = "not-the-secret"
    response = sign_in_with_vneid(client, vneid_provider)
    assert_refused(client, response, oidc.MSG_REJECTED, 0)


def test_claims_without_an_id_number_sign_nobody_in(client, vneid_provider):
    del vneid_provider.user["id_number"]
    response = sign_in_with_vneid(client, vneid_provider)
    assert_refused(client, response, oidc.MSG_NO_ID_NUMBER, 0)


def test_cancelling_at_the_provider_signs_nobody_in(client, vneid_provider):
    vneid_provider.deny = True
    response = sign_in_with_vneid(client, vneid_provider)
    assert_refused(client, response, oidc.MSG_CANCELLED, 0)


def test_a_stray_error_link_does_not_sign_out_a_signed_in_citizen(client, vneid_provider):
    profile = CitizenUserFactory()
    client.force_login(profile.user)
    response = client.get(reverse("citizen:vneid_callback"), {"error": "access_denied", "state": "x"}, follow=True)
    assert shows(response, oidc.MSG_EXPIRED)
    assert signed_in_user(client) == profile.user


def test_an_unreachable_provider_is_reported_and_not_counted_as_a_failed_sign_in(client, vneid_provider):
    vneid_provider.token_status = 503
    response = sign_in_with_vneid(client, vneid_provider)
    assert_refused(client, response, oidc.MSG_UNAVAILABLE, 0)
    assert not AccessAttempt.objects.exists()

    vneid_provider.stop()  # down altogether: the button still answers, with the same message
    cache.clear()
    response = client.get(reverse("citizen:vneid_login"), follow=True)
    assert_refused(client, response, oidc.MSG_UNAVAILABLE, 0)


# --- django-axes ---------------------------------------------------------------------------------


def test_sign_in_goes_through_axes_and_refused_answers_lead_to_the_lockout(client, vneid_provider, settings):
    sign_in_with_vneid(client, vneid_provider)
    user = signed_in_user(client)
    assert AccessLog.objects.filter(username=user.get_username()).exists()  # axes saw the successful sign-in
    client.post(reverse("citizen:logout"))

    vneid_provider.id_token_overrides = {"nonce": "replayed-token"}
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in_with_vneid(client, vneid_provider)
    assert AccessAttempt.objects.get().failures_since_start == settings.AXES_FAILURE_LIMIT

    vneid_provider.id_token_overrides = {}
    response = sign_in_with_vneid(client, vneid_provider, follow=False)
    assert response.status_code == 429  # django-axes's lockout page (portal/signin_security.py)
    assert signed_in_user(client) is None


# --- settings ------------------------------------------------------------------------------------


def test_vneid_settings_come_only_from_the_environment(tmp_path):
    from tests.e2e.test_deploy import production_settings

    names = [
        "VNEID_OIDC_ISSUER",
        "VNEID_OIDC_CLIENT_ID",
        "VNEID_OIDC_CLIENT_SECRET",
        "VNEID_OIDC_SCOPES",
        "VNEID_OIDC_CLAIMS",
    ]
    unset = production_settings(tmp_path, names)
    assert unset == {
        "VNEID_OIDC_ISSUER": "",
        "VNEID_OIDC_CLIENT_ID": "",
        "VNEID_OIDC_CLIENT_SECRET": "",
        "VNEID_OIDC_SCOPES": "openid profile",
        "VNEID_OIDC_CLAIMS": {},
    }
    configured = production_settings(
        tmp_path,
        names,
        VNEID_OIDC_ISSUER="https://vneid.example.gov.vn",
        VNEID_OIDC_CLIENT_ID="dvc-tinh",
        VNEID_OIDC_CLIENT_SECRET="s3cret",
        VNEID_OIDC_CLAIMS="id_number=so_dinh_danh, full_name=ho_ten",
    )
    assert configured["VNEID_OIDC_ISSUER"] == "https://vneid.example.gov.vn"
    assert (configured["VNEID_OIDC_CLIENT_ID"], configured["VNEID_OIDC_CLIENT_SECRET"]) == ("dvc-tinh", "s3cret")
    assert configured["VNEID_OIDC_CLAIMS"] == {"id_number": "so_dinh_danh", "full_name": "ho_ten"}


def test_claim_names_can_be_set_for_the_provider(client, vneid_provider, settings):
    settings.VNEID_OIDC_CLAIMS = {"id_number": "so_dinh_danh", "full_name": "ho_ten", "date_of_birth": "ngay_sinh"}
    user = vneid_provider.user
    vneid_provider.user = {
        "sub": user["sub"],
        "so_dinh_danh": "001 090 012345",
        "ho_ten": "Lê Văn Tám",
        "ngay_sinh": "02/09/1985",
        "gender": "Nam",
    }
    sign_in_with_vneid(client, vneid_provider)
    profile = signed_in_user(client).citizen_profile
    assert (profile.id_number, profile.full_name, profile.date_of_birth, profile.gender) == (
        "001090012345",
        "Lê Văn Tám",
        date(1985, 9, 2),
        "male",
    )


# --- a real browser under the Content-Security-Policy --------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_flow_in_a_real_browser_under_the_csp(live_server, vneid_provider, monkeypatch):
    """Chromium clicks the button, visits the provider and comes back signed in; the CSP blocks nothing."""
    import os
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    path = path if os.path.isfile(path) else shutil.which("chromium")
    if not path:
        pytest.skip("Chromium not found (Debian package 'chromium')")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            page = browser.new_page(locale="vi-VN")
            violations = []
            page.on(
                "console",
                lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
            )
            page.goto(f"{live_server.url}{LOGIN}")
            with page.expect_navigation(url=f"{live_server.url}{reverse('citizen:dossiers')}"):
                page.get_by_role("link", name=str(_("Sign in with the national e-ID (VNeID)"))).click()
            assert page.locator(".message-success").count() == 1
        finally:
            browser.close()
    assert violations == []
    assert (
        vneid_provider.authorize_requests[-1]["redirect_uri"] == f"{live_server.url}{reverse('citizen:vneid_callback')}"
    )
    assert CitizenProfile.objects.get().id_number == "001090012345"


def test_a_half_configured_vneid_is_a_system_check_error(settings):
    from django.core import checks

    settings.VNEID_OIDC_ISSUER = settings.VNEID_OIDC_DISCOVERY_URL = ""
    settings.VNEID_OIDC_CLIENT_ID = settings.VNEID_OIDC_CLIENT_SECRET = ""
    assert not [m for m in checks.run_checks() if m.id == "portal.E001"]  # off: fine
    settings.VNEID_OIDC_CLIENT_ID = "tthc-portal"
    errors = [m for m in checks.run_checks() if m.id == "portal.E001"]
    assert len(errors) == 1 and "VNEID_OIDC_ISSUER" in errors[0].msg and "VNEID_OIDC_CLIENT_SECRET" in errors[0].msg
    settings.VNEID_OIDC_ISSUER = "http://sso.vneid.example"
    settings.VNEID_OIDC_CLIENT_SECRET = "s3cret"
    assert not [m for m in checks.run_checks() if m.id == "portal.E001"]
    deploy = [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "portal.W001"]
    assert len(deploy) == 1 and "http://sso.vneid.example" in deploy[0].msg
    settings.VNEID_OIDC_ISSUER = "https://sso.vneid.example"
    assert not [m for m in checks.run_checks(include_deployment_checks=True) if m.id == "portal.W001"]
