import functools

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from portal.citizens.identity import citizen_profile

EMAIL_OR_PHONE_BACKEND = "portal.citizens.accounts.backends.EmailOrPhoneBackend"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def login_backend() -> str:
    """The backend recorded in the session of a citizen signed in by a view (after sign-up)."""
    configured = list(settings.AUTHENTICATION_BACKENDS)
    for candidate in (EMAIL_OR_PHONE_BACKEND, MODEL_BACKEND):
        if candidate in configured:
            return candidate
    return configured[0]


def citizen_required(view):
    """Signed-in citizens only: anonymous visitors go to the sign-in page, staff accounts get a 403 page.

    Sets ``request.citizen`` (the :class:`~portal.citizens.models.CitizenProfile`); pages are never cached.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("citizen:login"))
        if user.is_staff or user.is_superuser:
            return render(request, "portal/accounts/staff_forbidden.html", status=403)
        request.citizen = citizen_profile(user)
        return view(request, *args, **kwargs)

    return never_cache(wrapper)
