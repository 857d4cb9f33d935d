"""Sign-up, sign-in, sign-out, password, profile and the account overview."""

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.views import LoginView, LogoutView
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
from portal.citizens.accounts.forms import ProfileForm, SignInForm, SignUpForm
from portal.citizens.accounts.store import owned_documents
from portal.citizens.identity import PROVIDERS
from portal.core.ratelimit import ratelimit
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
