"""Citizen sign-in with the national e-ID (VNeID) over OpenID Connect (DESIGN §6; issue 8 item 3).

Built on mozilla-django-oidc: the authorisation-code flow with ``state``,
``nonce`` and PKCE (S256); the RS256 ID token is checked against the provider's
JWKS — signature, issuer, audience (and ``azp``), expiry, ``nonce`` — before
anything else happens. Configured only by the ``VNEID_OIDC_*`` settings, read
from the environment (portal/settings/base.py):

``VNEID_OIDC_ISSUER``          the provider's issuer URL (must equal the ID token's ``iss``)
``VNEID_OIDC_DISCOVERY_URL``   default ``<issuer>/.well-known/openid-configuration``; endpoints come from it
``VNEID_OIDC_CLIENT_ID`` / ``VNEID_OIDC_CLIENT_SECRET``  our registration at the provider
``VNEID_OIDC_SCOPES``          default ``"openid profile"``
``VNEID_OIDC_SIGN_ALGO``       default ``RS256``
``VNEID_OIDC_TIMEOUT``         seconds for each call to the provider (default 10)
``VNEID_OIDC_CLAIMS``          claim names at the provider for our fields (defaults: :data:`DEFAULT_CLAIMS`)

Nothing shows and the two URLs answer 404 until the issuer (or discovery URL)
and the client id are set. The redirect URI to register at the provider is
``https://<host>/tai-khoan/vneid/callback/``.

The flow
--------
1. The "Sign in with VNeID" link on the citizen sign-in page leads to
   :class:`VneidLoginView` (``/tai-khoan/vneid/``), which keeps a fresh
   ``state`` → (``nonce``, PKCE verifier) in the session and redirects to the
   provider's authorisation endpoint. It is a plain link (GET), so the
   ``form-action`` directive of our Content-Security-Policy does not apply.
2. The provider sends the citizen back to :class:`VneidCallbackView`
   (``/tai-khoan/vneid/callback/``). The ``state`` must be one we issued in
   this session, at most :data:`STATE_MAX_AGE` seconds ago; it is used once.
3. ``django.contrib.auth.authenticate(request=…, nonce=…, code_verifier=…)``
   runs the configured backends — django-axes's ``AxesStandaloneBackend`` first
   (a locked-out client gets the lockout page; a refused answer counts as a
   failed sign-in, keyed on an empty username and the client IP), then
   :class:`VneidBackend`, which exchanges the code, verifies the ID token,
   reads userinfo and maps the claims to :class:`~portal.citizens.identity.IdentityClaims`
   (``provider="vneid"``, ``subject=sub``, ``verified=True``; a 12-digit ID
   number is required).
4. :func:`~portal.citizens.identity.link_or_create_citizen` finds the account — same
   subject → same account; else the account with the same ID number (CCCD) is
   linked; else a new citizen account. Staff accounts are never signed in this
   way (also not by :meth:`VneidBackend.get_user` for an existing session).

Every refusal redirects to the sign-in page with a translated message and
nobody signed in. When the provider cannot be reached (network error, HTTP 5xx)
the citizen is told to try later and no failed sign-in is counted.
"""

import logging
import time
from datetime import date

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from portal.citizens.identity import (
    LINK_CREATED,
    LINK_LINKED,
    LINK_PASSWORD_DISABLED,
    PROVIDERS,
    IdentityClaims,
    IdentityError,
    IdentityProvider,
    link_or_create_citizen,
)
from portal.citizens.models import IdentityProviderName

log = logging.getLogger(__name__)

NAME = IdentityProviderName.VNEID.value
DISCOVERY_CACHE_SECONDS = 3600
STATE_MAX_AGE = 15 * 60  # seconds between leaving for the provider and coming back
CLOCK_LEEWAY = 60  # seconds of clock difference with the provider accepted on exp / iat / nbf
# Our field → the claim that carries it at the provider (overridable by settings.VNEID_OIDC_CLAIMS).
DEFAULT_CLAIMS = {
    "id_number": "id_number",
    "full_name": "name",
    "date_of_birth": "birthdate",
    "gender": "gender",
    "address": "address",
    "phone": "phone_number",
    "email": "email",
}
GENDERS = {
    "male": "male",
    "nam": "male",
    "m": "male",
    "female": "female",
    "nu": "female",
    "nữ": "female",
    "f": "female",
    "other": "other",
    "khac": "other",
    "khác": "other",
}

# What the citizen reads on the sign-in page when the e-ID sign-in does not go through.
MSG_FAILED = _("The sign-in with the national e-ID could not be completed. Please try again.")
MSG_UNAVAILABLE = _(
    "The national e-ID sign-in is not available right now. Please try again later or sign in with your password."
)
MSG_EXPIRED = _("This VNeID sign-in has expired or was already used. Nobody was signed in; please start again.")
MSG_REJECTED = _("The answer from VNeID could not be verified, so nobody was signed in. Please try again.")
MSG_CANCELLED = _("The sign-in was cancelled at VNeID. Nobody was signed in.")
MSG_NO_ID_NUMBER = _(
    "VNeID did not share your citizen identity number (CCCD), which the portal needs to find your "
    "account. Nobody was signed in."
)


class ProviderUnavailable(Exception):
    """The provider could not be reached or failed (HTTP 5xx): not the citizen's fault, not a failed sign-in."""


def configured() -> bool:
    return bool(
        getattr(settings, "VNEID_OIDC_CLIENT_ID", "")
        and (getattr(settings, "VNEID_OIDC_ISSUER", "") or getattr(settings, "VNEID_OIDC_DISCOVERY_URL", ""))
    )


def discovery_url() -> str:
    return (
        settings.VNEID_OIDC_DISCOVERY_URL
        or settings.VNEID_OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration"
    )


def discovery() -> dict:
    """The provider's metadata (cached for an hour)."""
    url = discovery_url()
    key = f"vneid-oidc-discovery:{url}"
    document = cache.get(key)
    if document is None:
        response = requests.get(url, timeout=settings.VNEID_OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict) or not document.get("authorization_endpoint"):
            raise ValueError("not an OpenID Connect discovery document")
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def issuer() -> str:
    return settings.VNEID_OIDC_ISSUER or discovery().get("issuer", "")


_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def oidc_setting(attr, *args):
    """mozilla-django-oidc's settings, answered from VNEID_OIDC_* and the discovery document."""
    if attr in _ENDPOINTS:
        return discovery().get(_ENDPOINTS[attr], *args)
    fixed = {
        "OIDC_RP_CLIENT_ID": lambda: settings.VNEID_OIDC_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": lambda: settings.VNEID_OIDC_CLIENT_SECRET,
        "OIDC_RP_SIGN_ALGO": lambda: settings.VNEID_OIDC_SIGN_ALGO,
        "OIDC_RP_SCOPES": lambda: settings.VNEID_OIDC_SCOPES,
        "OIDC_TIMEOUT": lambda: settings.VNEID_OIDC_TIMEOUT,
        "OIDC_USE_PKCE": lambda: True,
        "OIDC_USE_NONCE": lambda: True,
        "OIDC_ALLOW_UNSECURED_JWT": lambda: False,
        "OIDC_VERIFY_KID": lambda: True,
        "OIDC_STORE_ACCESS_TOKEN": lambda: False,
        "OIDC_STORE_ID_TOKEN": lambda: False,
        "OIDC_AUTHENTICATION_CALLBACK_URL": lambda: "citizen:vneid_callback",
        "LOGIN_REDIRECT_URL": lambda: reverse("citizen:dossiers"),
        "LOGIN_REDIRECT_URL_FAILURE": lambda: reverse("citizen:login"),
    }
    if attr in fixed:
        return fixed[attr]()
    return import_from_settings(attr, *args)


def _parse_date(value):
    if not value:
        return None
    text = str(value).strip()
    for parse in (date.fromisoformat, lambda t: date(*reversed([int(p) for p in t.split("/")]))):
        try:
            return parse(text)
        except (TypeError, ValueError):
            continue
    return None


def _address(value):
    if isinstance(value, dict):  # OIDC standard claim: {"formatted": …} or its parts
        return value.get("formatted") or ", ".join(
            str(value[k]) for k in ("street_address", "locality", "region", "country") if value.get(k)
        )
    return str(value or "")


def claims_from(payload: dict) -> IdentityClaims:
    """Our :class:`IdentityClaims` from the provider's claims (ID token merged with userinfo)."""
    names = {**DEFAULT_CLAIMS, **(getattr(settings, "VNEID_OIDC_CLAIMS", {}) or {})}

    def get(field):
        value = payload.get(names[field], "")
        return value if value is not None else ""

    id_number = "".join(ch for ch in str(get("id_number")) if ch.isdigit())
    return IdentityClaims(
        provider=IdentityProviderName.VNEID,
        subject=str(payload.get("sub") or ""),
        id_number=id_number,
        full_name=str(get("full_name")).strip()[:255],
        date_of_birth=_parse_date(get("date_of_birth")),
        gender=GENDERS.get(str(get("gender")).strip().lower(), ""),
        address=_address(get("address"))[:500],
        phone=str(get("phone")),
        email=str(get("email")).strip().lower(),
        verified=True,
    )


def _refuse(request, message):
    """Remember why the sign-in was refused, for the callback view's message."""
    if request is not None:
        request.vneid_refusal = message


class VneidBackend(OIDCAuthenticationBackend):
    """Authentication backend of the e-ID callback. Answers None to everything else (password sign-ins)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):  # noqa: D107 - settings are read only when a callback is handled
        self.UserModel = get_user_model()

    def _configure(self):
        for attr in (
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
            "OIDC_RP_CLIENT_ID",
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_RP_SIGN_ALGO",
        ):
            setattr(self, attr, oidc_setting(attr, None))
        self.OIDC_RP_IDP_SIGN_KEY = None
        if not (self.OIDC_OP_TOKEN_ENDPOINT and self.OIDC_OP_JWKS_ENDPOINT):
            raise ValueError("the discovery document lacks the token endpoint or the JWKS")

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs or "code_verifier" not in kwargs or not configured():
            return None
        try:
            self._configure()
            return super().authenticate(request, **kwargs)
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else 500
            if status >= 500:
                raise ProviderUnavailable(str(error)) from error
            log.warning("VNeID refused the sign-in: %s", error)  # e.g. invalid_grant: code replayed or expired
            _refuse(request, MSG_REJECTED)
        except (requests.RequestException, ValueError) as error:
            # ValueError: a provider answer that is not JSON / not a discovery document
            raise ProviderUnavailable(str(error)) from error
        except (SuspiciousOperation, jwt.PyJWTError, KeyError, TypeError) as error:
            log.warning("VNeID sign-in refused: %s", error)
            _refuse(request, MSG_REJECTED)
        return None

    def _verify_jws(self, payload, key):
        """The ID token's claims after checking signature, algorithm, issuer, audience, expiry (PyJWT)."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token algorithm {header.get('alg')!r} is not {self.OIDC_RP_SIGN_ALGO}")
        claims = jwt.decode(
            payload,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=issuer(),
            leeway=CLOCK_LEEWAY,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
        audience = claims["aud"]
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token for several audiences without us as the authorised party")
        return claims

    def verify_token(self, token, **kwargs):
        if not token:
            raise SuspiciousOperation("no ID token in the token response")
        payload = super().verify_token(token, **kwargs)  # key from the JWKS, _verify_jws, then the nonce
        if "nonce" in kwargs and (not kwargs["nonce"] or payload.get("nonce") != kwargs["nonce"]):  # the ID token
            raise SuspiciousOperation("ID token nonce mismatch")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload) if self.OIDC_OP_USER_ENDPOINT else {}
        if not isinstance(userinfo, dict):
            raise SuspiciousOperation("userinfo is not a JSON object")
        if userinfo and userinfo.get("sub") != payload.get("sub"):  # OIDC Core 5.3.2: must match, else unusable
            raise SuspiciousOperation("userinfo subject differs from the ID token's")
        claims = claims_from({**payload, **userinfo})
        if len(claims.id_number) != 12:
            _refuse(self.request, MSG_NO_ID_NUMBER)
            raise SuspiciousOperation("no 12-digit ID number in the claims")
        try:
            user = link_or_create_citizen(claims, current_user=getattr(self.request, "user", None))
        except IdentityError as error:
            _refuse(self.request, error.message)
            raise SuspiciousOperation(str(error)) from error
        if not self.user_can_authenticate(user):  # an account an official deactivated
            _refuse(self.request, MSG_FAILED)
            return None
        return user

    def get_user(self, user_id):
        """The user of a session signed in through VNeID: never a staff account, never an inactive one."""
        user = self.UserModel._default_manager.filter(pk=user_id).first()
        if user is None or not user.is_active or user.is_staff or user.is_superuser:
            return None
        return user

    # Permissions come from ModelBackend (officials); citizens signed in here have none.
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False


class VneidLoginView(OIDCAuthenticationRequestView):
    """Redirects to the provider's authorisation endpoint (state, nonce, PKCE kept in the session)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):  # noqa: D107 - endpoints are read per request, when configured
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not configured():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError) as error:
            log.warning("VNeID discovery failed: %s", error)
            messages.error(request, MSG_UNAVAILABLE)
            return HttpResponseRedirect(reverse("citizen:login"))
        self.OIDC_RP_CLIENT_ID = settings.VNEID_OIDC_CLIENT_ID
        return super().get(request)


class VneidCallbackView(View):
    """Where the provider sends the citizen back: checks the state, authenticates, signs in, or explains why not.

    Replaces mozilla-django-oidc's callback view for clearer messages, a maximum
    age of the state, and no sign-out of whoever is signed in on a stray
    ``?error=`` link.
    """

    http_method_names = ["get"]

    def get(self, request):
        if not configured():
            raise Http404
        entry = self._take_state(request)
        if request.GET.get("error"):
            log.info("VNeID answered with an error: %s", request.GET.get("error"))
            if entry is None:
                return self.failure(MSG_EXPIRED)
            return self.failure(MSG_CANCELLED if request.GET["error"] == "access_denied" else MSG_FAILED)
        if entry is None or not request.GET.get("code"):
            return self.failure(MSG_EXPIRED)
        try:
            user = auth.authenticate(
                request=request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
            )
        except ProviderUnavailable as error:
            log.warning("VNeID unavailable: %s", error)
            return self.failure(MSG_UNAVAILABLE)
        if getattr(request, "axes_locked_out", False):  # django-axes's middleware answers with the lockout page
            return HttpResponseRedirect(reverse("citizen:login"))
        if user is None or not user.is_active or user.is_staff or user.is_superuser:
            return self.failure(getattr(request, "vneid_refusal", None) or MSG_FAILED)
        next_url = request.session.get("oidc_login_next") or ""
        request.session.pop("oidc_login_next", None)
        auth.login(request, user)  # a new session key; the backend is the one authenticate() recorded
        if getattr(user, "identity_link", "") == LINK_PASSWORD_DISABLED:
            messages.warning(
                request,
                _(
                    "Your account is now linked to VNeID. Its password was switched off because "
                    "the ID number in it had not been verified; sign in with VNeID, or set a new "
                    "password on the “Change password” page."
                ),
            )
        elif getattr(user, "identity_link", "") == LINK_LINKED:
            messages.success(request, _("Your account is now linked to VNeID."))
        elif getattr(user, "identity_link", "") == LINK_CREATED:
            messages.success(request, _("Welcome! Your account has been created with your VNeID details."))
        return HttpResponseRedirect(next_url or resolve_url(oidc_setting("LOGIN_REDIRECT_URL")))

    @staticmethod
    def _take_state(request):
        """The (nonce, PKCE verifier) entry of the returned state, removed from the session (used once)."""
        state = request.GET.get("state", "")
        states = request.session.get("oidc_states")
        if not state or not isinstance(states, dict) or state not in states:
            return None
        entry = states.pop(state)
        request.session["oidc_states"] = states
        request.session.save()  # at once: a second request with the same state finds nothing
        if not isinstance(entry, dict) or time.time() - float(entry.get("added_on") or 0) > STATE_MAX_AGE:
            return None
        return entry

    def failure(self, message):
        messages.error(self.request, message)
        return HttpResponseRedirect(reverse("citizen:login"))


class VneidProvider(IdentityProvider):
    """The national e-ID in the sign-in page's list of providers (only when configured)."""

    name = NAME
    label = _("Sign in with the national e-ID (VNeID)")

    @property
    def enabled(self):
        return configured()

    def login_url(self, request, next=""):  # noqa: A002
        url = reverse("citizen:vneid_login")
        return f"{url}?{urlencode({'next': next})}" if next else url

    def complete(self, request):  # the callback view completes the sign-in (VneidCallbackView)
        raise NotImplementedError


PROVIDERS.setdefault(NAME, VneidProvider())
