"""Sign-in security shared by officials and citizens (DESIGN §10; issue 8 item 2).

* **Lockout** (django-axes, settings ``AXES_*``): failed sign-ins are counted per
  *account + client IP* on both forms (:func:`account_key`: every spelling of a citizen's phone, their
  e-mail in any case and the username are one account) — the Wagtail admin login (officials) and
  ``/tai-khoan/dang-nhap/`` (citizens, by e-mail or phone). After
  ``AXES_FAILURE_LIMIT`` failures the pair is locked for ``AXES_COOLOFF_TIME``
  and :func:`lockout_response` answers with a translated page (HTTP 429).
  ``AxesStandaloneBackend`` is the first of ``AUTHENTICATION_BACKENDS``;
  ``client.force_login`` does not go through the backends and is unaffected.
* **Password spraying** (issue 15 item 4): the officials' sign-in counts failed attempts per client address
  (``RATELIMIT_RATES["admin_signin"]``, :mod:`portal.core.ratelimit`, the address by its ``client_ip`` rule:
  X-Forwarded-For only behind ``TRUSTED_PROXY_COUNT`` proxies); past the limit every POST from that address is
  answered 429 (:func:`address_blocked_response`) before any password is checked.
* **Strong passwords**: Django's validators for everybody (≥ 10 characters, not
  common, not only digits, not like the user's name) plus
  :class:`OfficialPasswordValidator` for staff accounts.
* **Sessions**: ``SESSION_COOKIE_AGE`` (8 h) for everybody; an official's
  session cookie ends with the browser (:func:`official_session_ends_with_browser`)
  and :class:`AdminIdleTimeoutMiddleware` signs an official out after
  ``ADMIN_SESSION_IDLE_TIMEOUT`` seconds without a request.
* The second factor of officials is in :mod:`portal.otp`.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.citizens.identity import PHONE_RE, find_citizen, normalize_phone
from portal.core.ratelimit import valid_client_ip

LAST_ACTIVITY_SESSION_KEY = "_portal_last_activity"


def is_official(user) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_staff or user.is_superuser))


# --- lockout (django-axes) -------------------------------------------------------------------------


def account_key(identifier: str) -> str:
    """One lockout key per account, whichever way its identifier is written (issue 15 item 2).

    A citizen's phone (``0900000001``, ``+84900000001``, ``84900000001``, ``090 000 0001``, ``090.000.0001``) or
    e-mail (any case) names their account: the key is the account's username, so failures by phone and by
    e-mail count together. An identifier that names no account is normalised by the same rules (national phone
    form, case-folded e-mail or username), so unknown and known accounts lock alike.
    """
    typed = str(identifier or "").strip()
    if not typed:
        return ""
    user = find_citizen(typed)
    if user is not None:
        return user.get_username().casefold()
    if "@" not in typed:
        phone = normalize_phone(typed)
        if PHONE_RE.fullmatch(phone):
            return phone
    return typed.casefold()


def axes_username(request, credentials=None) -> str:
    """The lockout key of the name the visitor typed (admin username, or citizen e-mail / phone): see
    :func:`account_key`. Computed once per request (axes asks several times)."""
    typed = ""
    if request is not None and getattr(request, "method", "") == "POST":
        typed = request.POST.get("username", "")
    if not typed and credentials:
        typed = credentials.get("username") or ""
    if request is None:
        return account_key(typed)
    keys = request.__dict__.setdefault("_portal_account_keys", {})
    if typed not in keys:
        keys[typed] = account_key(typed)
    return keys[typed]


def axes_client_ip(request) -> str | None:
    """The client's address for the lockout counters, by the rate limits' rule; ``None`` when there is no
    valid address (such attempts on one username are counted together)."""
    return valid_client_ip(request)


def lockout_minutes() -> int:
    cooloff = settings.AXES_COOLOFF_TIME
    seconds = cooloff.total_seconds() if hasattr(cooloff, "total_seconds") else float(cooloff or 0) * 3600
    return max(1, round(seconds / 60))


def lockout_message() -> str:
    minutes = lockout_minutes()
    return ngettext(
        "Too many failed sign-in attempts. For your safety, signing in with this account from your connection "
        "is locked for %(minutes)d minute. Please try again later.",
        "Too many failed sign-in attempts. For your safety, signing in with this account from your connection "
        "is locked for %(minutes)d minutes. Please try again later.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the sign-in form while locked out (AXES_LOCKOUT_CALLABLE)."""
    template = (
        "portal/signin/locked_out_admin.html" if request.path.startswith("/admin/") else "portal/accounts/too_many.html"
    )
    response = render(request, template, {"message": lockout_message()}, status=429)
    response["Retry-After"] = str(lockout_minutes() * 60)
    return response


# --- per-address limit on the officials' sign-in (issue 15 item 4) ---------------------------------------

ADMIN_SIGNIN_SCOPE = "admin_signin"  # RATELIMIT_RATES["admin_signin"]: failed officials' sign-ins per address


def address_blocked_message(retry_after: int) -> str:
    minutes = max(1, -(-int(retry_after) // 60))
    return ngettext(
        "Too many failed sign-in attempts from your connection. Please try again in %(minutes)d minute.",
        "Too many failed sign-in attempts from your connection. Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def address_blocked_response(request, retry_after: int):
    """The officials' sign-in page once their address made too many failed attempts: 429, nothing checked."""
    response = render(
        request, "portal/signin/locked_out_admin.html", {"message": address_blocked_message(retry_after)}, status=429
    )
    response["Retry-After"] = str(int(retry_after))
    response["Cache-Control"] = "no-store"
    return response


# --- passwords -----------------------------------------------------------------------------------


class OfficialPasswordValidator:
    """Officials' passwords mix at least ``min_classes`` of: lower case, upper case, digits, symbols.

    Citizens are not bound by it (the length, common-password and numeric checks apply to everybody).
    """

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    @staticmethod
    def _classes(password):
        return sum(
            (
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            )
        )

    def validate(self, password, user=None):
        if user is None or not (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)):
            return
        if self._classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "An official's password must mix at least three of: lower-case letters, upper-case letters, "
            "digits and symbols."
        )


# --- sessions ------------------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="portal_official_session_ends_with_browser")
def official_session_ends_with_browser(sender, request, user, **kwargs):
    """An official's session cookie is not kept when the browser closes (the server side still ends after
    SESSION_COOKIE_AGE); the idle clock starts now."""
    session = getattr(request, "session", None)
    if session is None or not is_official(user):
        return
    if getattr(settings, "OFFICIAL_SESSION_EXPIRE_AT_BROWSER_CLOSE", True):
        session.set_expiry(0)
    session[LAST_ACTIVITY_SESSION_KEY] = int(time.time())


class AdminIdleTimeoutMiddleware:
    """Signs an official out after ``ADMIN_SESSION_IDLE_TIMEOUT`` seconds without any request.

    Every request of a signed-in official refreshes the clock (the session is
    written at most once a minute for it). After the timeout the next request
    finds the official signed out: admin pages redirect to the login page with
    a message.

    On the way out it also keeps an official's session cookie a browser-session
    cookie, whatever the sign-in view did (Wagtail's "remember me" sets
    ``SESSION_COOKIE_AGE``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = int(getattr(settings, "ADMIN_SESSION_IDLE_TIMEOUT", 0) or 0)
        user = getattr(request, "user", None)
        if timeout and is_official(user) and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY)
            if last is not None and now - int(last) > timeout:
                logout(request)
                minutes = max(1, round(timeout / 60))
                messages.warning(
                    request,
                    ngettext(
                        "You were signed out after %(minutes)d minute without activity. Please sign in again.",
                        "You were signed out after %(minutes)d minutes without activity. Please sign in again.",
                        minutes,
                    )
                    % {"minutes": minutes},
                )
            elif last is None or now - int(last) >= 60:
                request.session[LAST_ACTIVITY_SESSION_KEY] = now
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (
            session is not None
            and getattr(settings, "OFFICIAL_SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
            and is_official(getattr(request, "user", None))
            and not session.get_expire_at_browser_close()
        ):
            session.set_expiry(0)
        return response
