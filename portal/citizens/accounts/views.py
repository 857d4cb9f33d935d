"""Sign-up, sign-in, sign-out, password, profile and the account overview."""

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.views import LoginView, LogoutView, PasswordResetConfirmView
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from portal.citizens.accounts.decorators import citizen_required, login_backend
from portal.citizens.accounts.dossiers import my_dossiers
from portal.citizens.accounts.forms import PasswordResetRequestForm, ProfileForm, SignInForm, SignUpForm
from portal.citizens.accounts.store import owned_documents
from portal.citizens.identity import PROVIDERS
from portal.core.ratelimit import ratelimit
from portal.password_reset import send_citizen_reset, throttled_per_address
from portal.signin_security import is_official
from workflow.models.dossier import OPEN_STATUSES


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@sensitive_post_parameters("password1", "password2")
@never_cache
@ratelimit("signin", methods=["POST"], template_name="portal/accounts/too_many.html")
def sign_up(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:  # the same e-mail or phone registered a moment ago
            form.add_error(None, _("An account with this e-mail address or phone number already exists."))
        else:
            login(request, user, backend=login_backend())
            messages.success(request, _("Welcome! Your account has been created."))
            return redirect(_safe_next(request, reverse("citizen:profile")))
    return render(
        request,
        "portal/accounts/sign_up.html",
        {"form": form, "next": _safe_next(request, "")},
        status=400 if form.errors else 200,
    )


@method_decorator(ratelimit("signin", methods=["POST"], template_name="portal/accounts/too_many.html"), name="dispatch")
class SignInView(LoginView):
    template_name = "portal/accounts/sign_in.html"
    authentication_form = SignInForm
    next_page = reverse_lazy("citizen:dossiers")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        context["other_providers"] = [
            {"label": provider.label, "url": provider.login_url(request, context.get("next", ""))}
            for name, provider in PROVIDERS.items()
            if name != "local" and getattr(provider, "enabled", True)
        ]
        return context


class SignOutView(LogoutView):
    next_page = "/"


@never_cache
@throttled_per_address("portal/accounts/too_many.html")
def password_reset(request):
    """Forgotten password: a link to the account's e-mail (or phone). The answer never tells whether an
    account was found (portal/password_reset.py)."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        send_citizen_reset(form.cleaned_data["identifier"])
        return redirect("citizen:password_reset_sent")
    return render(request, "portal/accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


def password_reset_sent(request):
    return render(request, "portal/accounts/password_reset_sent.html")


class CitizenPasswordResetConfirmView(PasswordResetConfirmView):
    """The link of a reset message: choose a new password, then sign in with it. Officials' accounts reset in
    the admin, never here."""

    template_name = "portal/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("citizen:login")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return None if user is None or is_official(user) else user

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed. Sign in with the new password."))
        return response


@citizen_required
def overview(request):
    dossiers = my_dossiers(request.user)
    return render(
        request,
        "portal/accounts/overview.html",
        {
            "profile": request.citizen,
            "open_count": dossiers.filter(status__in=OPEN_STATUSES).count(),
            "dossier_count": dossiers.count(),
            "stored_count": owned_documents(request.user).count(),
        },
    )


@citizen_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.citizen)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:
            form.add_error(None, _("The phone number, e-mail or ID number is already used by another account."))
        else:
            messages.success(request, _("Your details have been saved."))
            return redirect("citizen:profile")
    return render(
        request,
        "portal/accounts/profile.html",
        {"form": form, "profile": request.citizen},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters()
@citizen_required
def password_change(request):
    user = request.user
    form_class = PasswordChangeForm if user.has_usable_password() else SetPasswordForm
    form = form_class(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("citizen:profile")
    return render(request, "portal/accounts/password_change.html", {"form": form}, status=400 if form.errors else 200)
