"""Second factor of officials: TOTP (django-otp) before any admin page (DESIGN §10; issue 8 item 2).

* :class:`AdminLoginView` — Wagtail's sign-in form at /admin/login/ (password; lockout by django-axes, see
  :mod:`portal.signin_security`) without "Remember me": officials' sessions end with the browser.
* :class:`AdminOTPRequiredMiddleware` — a signed-in official (``is_staff`` or
  ``is_superuser``) whose session is not OTP-verified is sent to
  :func:`verify` (or :func:`setup` when they have no confirmed TOTP device yet)
  from every page under ``/admin/``, except the sign-in, sign-out and the two
  OTP pages. Everywhere else (the API, documents, the public site) such a
  session counts as anonymous. Citizens are never asked for a second factor.
* :func:`setup` — first sign-in: a new TOTP key shown as a QR code (segno) and
  as text, confirmed by typing one code from the authenticator app.
* :func:`verify` — later sign-ins: a simple form with one input ``otp_token``.
  Wrong codes are refused; django-otp makes the official wait after repeated
  failures (1, 2, 4 … seconds) and accepts each code only once.

Tests: ``tests/conftest.py`` marks ``client.force_login`` sessions of officials
as verified unless the test is marked ``@pytest.mark.real_otp``;
``tests/factories/auth.py`` has ``confirmed_totp_device(user)`` and
``totp_code(device)``. The demo's officials share a published key
(:mod:`portal.demo.otp_data`, ``manage.py demo_otp_code``).
"""

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.views.account import LoginView as WagtailLoginView

from portal.core.ratelimit import blocked, check, client_ip
from portal.signin_security import ADMIN_SIGNIN_SCOPE, address_blocked_response, is_official

ADMIN_PREFIX = "/admin/"
DEVICE_NAME = "Authenticator"
EXEMPT_URL_NAMES = {
    "wagtailadmin_login",
    "portal_admin_login",
    "wagtailadmin_logout",
    "portal_otp_verify",
    "portal_otp_setup",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
}


def otp_required(user) -> bool:
    return getattr(settings, "OTP_REQUIRED_FOR_STAFF", True) and is_official(user)


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


class AdminOTPRequiredMiddleware:
    """Place after ``django_otp.middleware.OTPMiddleware``.

    A signed-in official without a verified second factor is redirected from
    every admin page to the code page; everywhere else (the API, documents,
    the public site) the session counts as anonymous until the code is given.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if otp_required(user) and not is_verified(user):
            path = request.path_info
            if not path.startswith(ADMIN_PREFIX):
                request.user = AnonymousUser()  # e.g. /api/: an official's session needs the second factor
            elif not self._exempt(path):
                if request.method in ("GET", "HEAD"):
                    target = request.get_full_path()
                else:
                    target = reverse("wagtailadmin_home")
                return redirect(f"{reverse('portal_otp_verify')}?{urlencode({'next': target})}")
        return self.get_response(request)

    @staticmethod
    def _exempt(path):
        """Sign-in, sign-out, the two OTP pages and the static helpers the admin page chrome loads."""
        try:
            name = resolve(path).url_name
        except Resolver404:
            return False
        return name in EXEMPT_URL_NAMES


class AdminLoginView(WagtailLoginView):
    """Wagtail's sign-in (served at /admin/login/) without "Remember me": officials' sessions end with the
    browser. Password lockout (django-axes) applies as on any sign-in form; the code is asked next.

    Failed attempts also count per client address (``admin_signin`` rate): past the limit the address is
    answered 429 before any password is checked, whichever usernames it tries (password spraying)."""

    template_name = "portal/signin/admin_login.html"

    def post(self, request, *args, **kwargs):
        retry_after = blocked(ADMIN_SIGNIN_SCOPE, client_ip(request))
        if retry_after:  # password spraying from this address: nothing is checked until the window ends
            return address_blocked_response(request, retry_after)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        check(ADMIN_SIGNIN_SCOPE, client_ip(self.request))  # one failed attempt of this address
        return super().form_invalid(form)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["password"].label = _("Password")  # Wagtail's field has none: "Password" untranslated
        return form

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session.set_expiry(0)
        return response


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*", "autofocus": True}
        ),
    )

    def clean_otp_token(self):
        token = self.cleaned_data["otp_token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("The code is made of digits only."), code="invalid")
        return token


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


def _check_token(device, form) -> bool:
    """True when the typed code is the device's current one; otherwise the reason is added to the form.

    django-otp refuses any code for a while after repeated wrong ones (the wait doubles each time) and
    never accepts the same code twice.
    """
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        form.add_error("otp_token", _("Too many wrong codes in a row. Wait a little, then enter the current code."))
        return False
    if device.verify_token(form.cleaned_data["otp_token"]):
        return True
    form.add_error("otp_token", _("The code is not correct or has expired. Enter the current code."))
    return False


def _verified(request, device):
    """Mark the session verified under a new session id: the id issued after the password step (which may have
    been seen or planted) never becomes the fully privileged session (session fixation)."""
    request.session.cycle_key()
    otp_login(request, device)


def _official_or_login(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
    if not is_official(request.user):
        return redirect("/")
    return None


@sensitive_post_parameters("otp_token")
@never_cache
def verify(request):
    """Ask a signed-in official for the current TOTP code."""
    refused = _official_or_login(request)
    if refused:
        return refused
    if is_verified(request.user):
        return redirect(_next(request))
    device = confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('portal_otp_setup')}?{urlencode({'next': _next(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            accepted = _check_token(device, form)
        if accepted:
            _verified(request, device)
            return redirect(_next(request))
    return render(
        request,
        "portal/signin/otp_verify.html",
        {"form": form, "next": _next(request)},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("otp_token")
@never_cache
def setup(request):
    """First sign-in of an official: enrol a TOTP authenticator app (QR code), confirmed by one code."""
    refused = _official_or_login(request)
    if refused:
        return refused
    if confirmed_device(request.user) is not None:
        return redirect(f"{reverse('portal_otp_verify')}?{urlencode({'next': _next(request)})}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=DEVICE_NAME, confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _check_token(device, form):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            _verified(request, device)
            return redirect(_next(request))
    config_url = device.config_url
    secret = config_url.split("secret=", 1)[1].split("&", 1)[0]
    context = {
        "form": form,
        "next": _next(request),
        "qr_svg": segno.make(config_url, error="m").svg_inline(
            scale=5, title=str(_("QR code for your authenticator app"))
        ),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "portal/signin/otp_setup.html", context, status=400 if form.errors else 200)
