"""The identity layer of citizen accounts (DESIGN §6).

Every way of proving who a citizen is implements :class:`IdentityProvider`:

* ``login_url(request, next)`` — where to send a visitor who wants to sign in;
* ``complete(request)`` — finish the sign-in from the request that comes back
  and return the person's :class:`IdentityClaims` (or raise
  :class:`IdentityError`).

The view that finishes a sign-in then calls :func:`link_or_create_citizen`,
which finds or creates the account and its :class:`~portal.citizens.models.CitizenProfile`.
Accounts are linked **by the citizen identity number (CCCD)**: the same person
signing in with VNeID later lands in the account they created with a password.

The national e-ID (VNeID, OpenID Connect)
-----------------------------------------
:mod:`portal.citizens.oidc` implements it (``VneidProvider``, ``name = "vneid"``): the
authorisation-code flow with ``state``, ``nonce`` and PKCE; the RS256 ID token
is checked against the provider's JWKS (issuer, audience, expiry, nonce) and
its claims become ``IdentityClaims(provider="vneid", subject=<sub>,
id_number=<CCCD>, full_name=..., date_of_birth=..., gender=..., address=...,
verified=True)``; the callback then calls :func:`link_or_create_citizen`.
Profiles, prefill and the data store only read :class:`~portal.citizens.models.CitizenProfile`.

Linking rules (:func:`link_or_create_citizen`)
----------------------------------------------
* the provider's subject already linked → that account (verified fields refreshed);
* else, for **verified** claims, an account with the same ID number → linked to
  this provider (one person, one account: no duplicate). The ID number a
  citizen typed into their profile is not verified, so the link is what proves
  it: if that account was not verified yet and the person is not signed in to
  it right now, its password is disabled — somebody may have typed another
  person's ID number into their profile, and the real holder of the ID number,
  who just proved it, must not share the account with them. They can set a new
  password on the "change password" page; the callback tells them so;
* else a new citizen account (never staff).

Staff accounts are never returned: a profile of a staff or superuser account
found by subject or ID number raises :class:`StaffAccountError` before anything
is changed. Unverified claims (local passwords) never link by ID number.

The returned user carries ``identity_link``: one of :data:`LINK_FOUND`,
:data:`LINK_LINKED`, :data:`LINK_PASSWORD_DISABLED`, :data:`LINK_CREATED`.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import authenticate, get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from portal.citizens.models import CitizenProfile, IdentityProviderName

PREFILL_KEYS = (
    "full_name",
    "id_number",
    "date_of_birth",
    "gender",
    "address",
    "phone",
    "email",
    "organisation_name",
    "tax_code",
)


class IdentityError(Exception):
    """The sign-in could not be completed; ``message`` is safe to show."""

    def __init__(self, message=None):
        self.message = message or _("The sign-in could not be completed.")
        super().__init__(str(self.message))


class StaffAccountError(IdentityError):
    """The claims belong to an official's (staff) account, which never signs in through an identity provider."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _(
                "This ID number belongs to an official's account. Officials sign in to the "
                "administration area with their username, password and second factor."
            )
        )


LINK_FOUND = "found"  # the provider's subject was already linked to the account
LINK_LINKED = "linked"  # an existing account with the same ID number is now linked
LINK_PASSWORD_DISABLED = "password-disabled"  # linked; its unverified owner's password was disabled
LINK_CREATED = "created"  # a new citizen account


@dataclass(frozen=True)
class IdentityClaims:
    """What an identity provider tells us about the person who signed in."""

    provider: str
    subject: str  # the provider's stable identifier of the person (OIDC "sub"; the user id for local accounts)
    id_number: str = ""
    full_name: str = ""
    date_of_birth: date | None = None
    gender: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    verified: bool = False  # the provider vouches for the ID number, name, date of birth and address


# --- identifiers ---------------------------------------------------------------------------------


PHONE_RE = re.compile(r"0\d{9,10}")  # a phone number in the national form of normalize_phone


def normalize_phone(value: str) -> str:
    """Vietnamese phone numbers as stored: digits only, national form (``+84 912 345 678`` → ``0912345678``)."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def find_citizen(identifier: str):
    """The active citizen account whose e-mail or phone is ``identifier``, or None. Staff accounts never match."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if "@" in identifier:
        condition = {"email": identifier.lower()}
    else:
        phone = normalize_phone(identifier)
        if not PHONE_RE.fullmatch(phone):
            return None
        condition = {"phone": phone}
    profile = (
        CitizenProfile.objects.filter(**condition, user__is_staff=False, user__is_superuser=False)
        .select_related("user")
        .first()
    )
    return profile.user if profile else None


# --- providers -----------------------------------------------------------------------------------


class IdentityProvider:
    """Interface of a way to sign in. Subclasses set ``name`` and ``label``."""

    name: str = ""
    label = ""

    def login_url(self, request, next: str = "") -> str:  # noqa: A002 - the usual name of the parameter
        raise NotImplementedError

    def complete(self, request) -> IdentityClaims:
        raise NotImplementedError


class LocalPasswordProvider(IdentityProvider):
    """E-mail or phone number + password, checked by :class:`portal.citizens.accounts.backends.EmailOrPhoneBackend`."""

    name = "local"
    label = _("E-mail or phone and password")

    def login_url(self, request, next=""):  # noqa: A002
        url = reverse("citizen:login")
        return f"{url}?{urlencode({'next': next})}" if next else url

    def authenticate(self, request, identifier: str, password: str):
        """The citizen account for these credentials, or None.

        The identifier is resolved to the account here and the password is
        checked by the configured authentication backends, so sign-in works
        with Django's ModelBackend alone as well as with EmailOrPhoneBackend.
        """
        user = find_citizen(identifier)
        if user is None:
            # Still through the backends: the same work as a real check (no timing difference), and the
            # failure is signalled like any other, so the lockout (django-axes) counts it.
            authenticate(request, username="", password=password)
            return None
        return authenticate(request, username=user.get_username(), password=password)

    def complete(self, request) -> IdentityClaims:
        user = self.authenticate(request, request.POST.get("username", ""), request.POST.get("password", ""))
        if user is None:
            raise IdentityError(_("The e-mail or phone number and password do not match an account."))
        profile = citizen_profile(user)
        return IdentityClaims(
            provider=self.name,
            subject=str(user.pk),
            id_number=profile.id_number,
            full_name=profile.full_name,
            date_of_birth=profile.date_of_birth,
            gender=profile.gender,
            address=profile.address,
            phone=profile.phone,
            email=profile.email,
            verified=profile.verified,
        )


PROVIDERS = {LocalPasswordProvider.name: LocalPasswordProvider()}


def get_provider(name: str) -> IdentityProvider:
    return PROVIDERS[name]


# --- accounts ------------------------------------------------------------------------------------


def citizen_profile(user) -> CitizenProfile:
    """The user's profile, created empty for a non-staff account that has none yet."""
    try:
        return user.citizen_profile
    except CitizenProfile.DoesNotExist:
        if user.is_staff or user.is_superuser:
            raise
        profile, _created = CitizenProfile.objects.get_or_create(
            user=user, defaults={"full_name": user.get_full_name() or "", "email": user.email or ""}
        )
        return profile


def create_citizen(*, full_name: str, password: str | None, email: str = "", phone: str = "", **profile_fields):
    """A new citizen account (never staff) with its profile. ``password=None`` leaves it unusable."""
    User = get_user_model()
    email = (email or "").strip().lower()
    user = User(
        username=f"cd-{uuid.uuid4().hex[:20]}",
        email=email,
        first_name=full_name[:150],
        is_staff=False,
        is_superuser=False,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    profile = CitizenProfile.objects.create(
        user=user, full_name=full_name, email=email, phone=normalize_phone(phone), **profile_fields
    )
    return user, profile


def _apply_verified_claims(profile: CitizenProfile, claims: IdentityClaims):
    for field in CitizenProfile.VERIFIED_FIELDS:
        value = getattr(claims, field)
        if value:
            setattr(profile, field, value)
    profile.verified = True
    profile.verified_at = timezone.now()


@transaction.atomic
def link_or_create_citizen(claims: IdentityClaims, *, current_user=None):
    """The citizen account for these claims: found by the provider's subject, else by ID number, else created.

    See the module docstring for the rules. Returns the user.
    """
    if not claims.subject:
        raise IdentityError()
    if claims.provider == IdentityProviderName.LOCAL:
        user = get_user_model().objects.filter(pk=claims.subject, is_staff=False, is_superuser=False).first()
        if user is None:
            raise IdentityError()
        return user

    outcome = LINK_FOUND
    profile = (
        CitizenProfile.objects.select_for_update()
        .filter(identity_provider=claims.provider, external_subject=claims.subject)
        .select_related("user")
        .first()
    )
    if profile is None and claims.verified and claims.id_number:
        profile = (
            CitizenProfile.objects.select_for_update().filter(id_number=claims.id_number).select_related("user").first()
        )
        outcome = LINK_LINKED
    if profile is not None:
        user = profile.user
        if user.is_staff or user.is_superuser:  # before any change: an official's account is never touched here
            raise StaffAccountError()
        if (
            claims.verified
            and claims.id_number
            and CitizenProfile.objects.filter(id_number=claims.id_number).exclude(pk=profile.pk).exists()
        ):
            raise IdentityError()  # the subject's account and the ID number's account differ: an official sorts it out
        if outcome == LINK_LINKED:
            signed_in_here = current_user is not None and current_user.is_authenticated and current_user.pk == user.pk
            if not profile.verified and not signed_in_here and user.has_usable_password():
                user.set_unusable_password()
                user.save(update_fields=["password"])
                outcome = LINK_PASSWORD_DISABLED
            profile.identity_provider = claims.provider
            profile.external_subject = claims.subject
        if claims.verified:
            _apply_verified_claims(profile, claims)
        profile.save()
        user.identity_link = outcome
        return user

    fields = {
        field: getattr(claims, field)
        for field in ("id_number", "date_of_birth", "gender", "address")
        if getattr(claims, field)
    }
    email = (
        claims.email if claims.email and not CitizenProfile.objects.filter(email=claims.email.lower()).exists() else ""
    )
    phone = normalize_phone(claims.phone)
    phone = phone if phone and not CitizenProfile.objects.filter(phone=phone).exists() else ""
    user, profile = create_citizen(
        full_name=claims.full_name or claims.subject,
        password=None,
        email=email,
        phone=phone,
        identity_provider=claims.provider,
        external_subject=claims.subject,
        **fields,
    )
    if claims.verified:
        _apply_verified_claims(profile, claims)
        profile.save()
    user.identity_link = LINK_CREATED
    return user


def profile_as_prefill(user) -> dict:
    """The signed-in citizen's identity data for pre-filling e-forms.

    Always exactly :data:`PREFILL_KEYS`: ``full_name, id_number, date_of_birth,
    gender, address, phone, email, organisation_name, tax_code``; strings,
    ``""`` when unknown (``date_of_birth`` as ``YYYY-MM-DD``, ``gender`` one of
    ``male``/``female``/``other``). Anonymous users and staff get all blanks.
    """
    data = dict.fromkeys(PREFILL_KEYS, "")
    if user is None or not user.is_authenticated or user.is_staff or user.is_superuser:
        return data
    profile = citizen_profile(user)
    data.update(
        full_name=profile.full_name or user.get_full_name(),
        id_number=profile.id_number,
        date_of_birth=profile.date_of_birth.isoformat() if profile.date_of_birth else "",
        gender=profile.gender,
        address=profile.address,
        phone=profile.phone,
        email=profile.email or user.email,
        organisation_name=profile.organisation_name,
        tax_code=profile.tax_code,
    )
    return data
