"""Back-office accounts: units, unit admins, officials, their roles, and revocation (QN 12, TN 8, BN 7, QT 27).

Who may do what:

* the system admin (superuser) creates units and their unit admins, and the province-wide accounts
  (content editor, supervisor, police);
* a unit admin (``catalog.manage_unit_officials``) creates and revokes **their own unit's** officials and
  puts them in the unit roles (one-stop officer, specialist, leader, unit admin) — never a province-wide
  role, never another unit's account, never an account holding a province-wide role or a superuser;
* revoking an official is one action (TN 17.10đ): the account is disabled, its sessions end, and its open
  dossiers go to a chosen colleague of the same unit, each with a ``reassign`` event. Feedback is assigned to
  units, not to officials (``feedback.Feedback.agency``), so it stays with the unit.

Scoping comes from :mod:`catalog.officials.scoping` (``managed_agency_ids``), the one place it is decided. The admin
screens (:mod:`catalog.officials.views`) call only the functions of this module.
"""

import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Agency, Official
from catalog.officials import roles
from catalog.officials.errors import (  # noqa: F401 - re-exported: callers use accounts.AccountNotFound etc.
    AccountError,
    AccountNotAllowed,
    AccountNotFound,
    InvalidAccountInput,
)
from catalog.officials.scoping import ALL, managed_agency_ids, manages_agency
from portal.core.names import display_name

#: Wagtail log actions recorded on the account (shown in Reports → Site history; registered in wagtail_hooks).
LOG_CREATE = "catalog.account_create"
LOG_ROLES = "catalog.account_roles"
LOG_REVOKE = "catalog.account_revoke"
LOG_RESET_OTP = "catalog.account_reset_second_factor"


@dataclass
class RevokeOutcome:
    user: object
    successor: object
    dossiers: list = field(default_factory=list)
    sessions_ended: int = 0
    #: Feedback is assigned to units, not to officials (feedback.Feedback.agency): nothing to move.
    feedback_moved: int = 0


# --- reads ----------------------------------------------------------------------------------------------


def _open_held_q(prefix=""):
    from workflow.models.dossier import OPEN_STATUSES

    return Q(**{f"{prefix}closed_at__isnull": True, f"{prefix}status__in": OPEN_STATUSES})


def can_manage_officials(user) -> bool:
    return managed_agency_ids(user) != []


def _province_wide_q(prefix=""):
    """Accounts a unit admin never manages: superusers and holders of a province-wide role."""
    return Q(**{f"{prefix}is_superuser": True}) | roles.holders_q(*roles.SYSTEM_ROLES, prefix=prefix)


def officials_managed_by(user, *, with_counts=False):
    """The officials whose accounts ``user`` administers (none for everyone else).

    ``with_counts`` adds ``open_dossiers``: how many open dossiers each one holds (one query for the page).
    """
    ids = managed_agency_ids(user)
    queryset = Official.objects.select_related("user", "agency").prefetch_related("user__groups__role")
    if ids is not ALL:
        queryset = queryset.filter(agency_id__in=ids)
        # Superusers and province-wide role holders are the system admin's, even when attached to this unit.
        User = get_user_model()
        queryset = queryset.exclude(user__in=User.objects.filter(_province_wide_q()).values("pk"))
    if with_counts:
        queryset = queryset.annotate(
            open_dossiers=Count("user__held_dossiers", filter=_open_held_q("user__held_dossiers__"))
        )
    return queryset


def province_accounts_managed_by(user):
    """Back-office accounts that belong to no unit (police, editors or supervisors without one, other system
    admins): the system admin's only."""
    if not (user and user.is_authenticated and user.is_active and user.is_superuser):
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(is_staff=True)
        .exclude(Exists(Official.objects.filter(user=OuterRef("pk"))))
        .prefetch_related("groups__role")
        .order_by("-is_active", "username")
    )


def account_get(*, actor, user_id):
    """The account ``user_id`` if ``actor`` manages it (its ``official`` is loaded, or None); else
    :class:`AccountNotFound`."""
    try:
        user_id = int(user_id)
        official = officials_managed_by(actor).filter(user_id=user_id).first()
    except (ValueError, TypeError, OverflowError):
        raise AccountNotFound() from None
    if official is not None:
        return official.user
    user = province_accounts_managed_by(actor).filter(pk=user_id).first()
    if user is None:
        raise AccountNotFound()
    return user


def official_get(*, actor, official_id) -> Official:
    try:
        return officials_managed_by(actor).get(pk=official_id)
    except (Official.DoesNotExist, ValueError, TypeError, OverflowError):
        raise AccountNotFound() from None


def assignable_roles(actor):
    """Role codes ``actor`` may give: the unit roles to a unit admin, every role to the system admin."""
    if actor and actor.is_authenticated and actor.is_active and actor.is_superuser:
        return roles.UNIT_ROLES + roles.SYSTEM_ROLES
    if can_manage_officials(actor):
        return roles.UNIT_ROLES
    return ()


def role_codes_of(user):
    """The role codes of ``user`` (from prefetched groups when there are; groups that are no role are left
    out)."""
    return [code for code in map(roles.code_of, user.groups.all()) if code]


def group_names_of(user):
    """The names of ``user``'s groups, as a system admin named them (for the audit log)."""
    return sorted(group.name for group in user.groups.all())


def successors_for(official):
    """Active colleagues of the same unit who may take over ``official``'s work."""
    official = official_of(official)
    if official is None:
        return Official.objects.none()
    return (
        Official.objects.active()
        .filter(agency_id=official.agency_id)
        .exclude(pk=official.pk)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def open_dossiers_held(user):
    """The open dossiers ``user`` holds (they move to the successor on revocation)."""
    from workflow.models import Dossier

    return Dossier.objects.filter(_open_held_q(), current_holder=user)


def agencies_for_new_officials(actor):
    """Units ``actor`` may create officials in."""
    ids = managed_agency_ids(actor)
    queryset = Agency.objects.filter(is_active=True).order_by("name")
    if ids is ALL:
        return queryset
    return queryset.filter(pk__in=ids)


# --- helpers --------------------------------------------------------------------------------------------


def official_of(value):
    if value is None:
        return None
    if isinstance(value, Official):
        return value
    try:
        return value.official
    except ObjectDoesNotExist:
        return None


def _target(actor, value):
    """(user, official or None) of an account ``actor`` manages; refuses the others."""
    official = official_of(value)
    user = official.user if official is not None else value
    if user is None or getattr(user, "pk", None) is None:
        raise AccountNotFound()
    return account_get(actor=actor, user_id=user.pk), official


def _require_manages(actor, agency_id):
    if not manages_agency(actor, agency_id):
        raise AccountNotAllowed()


def _require_system_admin(actor):
    if not (actor and actor.is_authenticated and actor.is_active and actor.is_superuser):
        raise AccountNotAllowed(_("Only the system admin can do this."))


def _groups(actor, codes, *, required=True):
    """The groups of the role ``codes`` ``actor`` gives (refused when one is not theirs to give)."""
    codes = [code for code in dict.fromkeys(codes or ()) if code]
    if required and not codes:
        raise InvalidAccountInput(_("Choose at least one role."))
    allowed = assignable_roles(actor)
    refused = [code for code in codes if code not in allowed]
    if refused:
        raise AccountNotAllowed(
            _("You may not give the role(s): %(roles)s.")
            % {"roles": ", ".join(str(roles.LABELS.get(code, code)) for code in refused)}
        )
    return roles.role_groups(codes)


def _messages(error):
    if hasattr(error, "message_dict"):
        return " ".join(message for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)


def _new_user(*, username, first_name, last_name, email, password):
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise InvalidAccountInput(_("A user name is required."))
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidAccountInput(_("This user name is already taken."))
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidAccountInput(_("Enter a valid e-mail address.")) from None
    user = User(
        username=username,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        email=email,
        is_staff=True,
    )
    try:
        user.full_clean(exclude=["password", "last_login", "date_joined"])
    except ValidationError as error:
        raise InvalidAccountInput(_messages(error)) from None
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise InvalidAccountInput(" ".join(error.messages)) from None
        user.set_password(password)
    else:
        # A random password nobody knows: the official chooses their own with "Forgot password?" (a usable
        # password, so the reset e-mail is sent; an unusable one would be silently refused by Django).
        user.set_password(secrets.token_urlsafe(32))
    user.save()
    return user


def _log(user, action, actor, data=None):
    from wagtail.log_actions import log

    log(instance=user, action=action, user=actor, data=data or {}, title=display_name(user))


def _display(user):
    return display_name(user)


# --- writes ---------------------------------------------------------------------------------------------


@transaction.atomic
def agency_create(*, actor, code, name, level="province", parent=None, **fields) -> Agency:
    """A new unit (sở, ban, ngành; commune / ward): the system admin only (QN 12.1)."""
    _require_system_admin(actor)
    agency = Agency(code=(code or "").strip(), name=(name or "").strip(), level=level, parent=parent, **fields)
    try:
        agency.full_clean()
    except ValidationError as error:
        raise InvalidAccountInput(_messages(error)) from None
    agency.save()
    return agency


@transaction.atomic
def official_create(
    *,
    actor,
    agency,
    username,
    first_name="",
    last_name="",
    email="",
    position="",
    phone="",
    role_names=(),
    password=None,
):
    """A new official of ``agency`` in the roles ``role_names`` (role codes, catalog.officials.roles). Unit
    admins: own unit, unit roles only."""
    if agency is None or not manages_agency(actor, agency.pk):
        raise AccountNotAllowed(_("You may only create accounts in your own unit."))
    if not agency.is_active:
        raise InvalidAccountInput(_("This unit is no longer active."))
    groups = _groups(actor, role_names)
    user = _new_user(username=username, first_name=first_name, last_name=last_name, email=email, password=password)
    official = Official(user=user, agency=agency, position=(position or "").strip(), phone=(phone or "").strip())
    try:
        official.full_clean(exclude=["user", "agency"])
    except ValidationError as error:
        raise InvalidAccountInput(_messages(error)) from None
    official.save()
    user.groups.set(groups)
    _log(user, LOG_CREATE, actor, {"agency": agency.code, "roles": [group.name for group in groups]})
    return user


@transaction.atomic
def unit_admin_create(*, actor, agency, username, first_name="", last_name="", email="", position="", password=None):
    """The system admin delegates a unit to its first unit admin (QN 12.1)."""
    _require_system_admin(actor)
    return official_create(
        actor=actor,
        agency=agency,
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        position=position,
        role_names=[roles.UNIT_ADMIN],
        password=password,
    )


@transaction.atomic
def unit_with_admin_create(*, actor, agency_fields, admin_fields):
    """A new unit and its first unit admin, both or neither: returns ``(agency, admin user)``."""
    agency = agency_create(actor=actor, **agency_fields)
    return agency, unit_admin_create(actor=actor, agency=agency, **admin_fields)


@transaction.atomic
def system_account_create(
    *, actor, role_name, username, first_name="", last_name="", email="", agency=None, password=None
):
    """A province-wide account (``role_name``: the code of content editor, supervisor or police): the system
    admin only.

    A supervisor or editor may belong to a unit (Sở Nội vụ, the service centre); a police account never does:
    it sees no dossier, only the access statistics.
    """
    _require_system_admin(actor)
    if role_name not in roles.SYSTEM_ROLES:
        raise InvalidAccountInput(_("Unknown role."))
    groups = _groups(actor, [role_name])
    user = _new_user(username=username, first_name=first_name, last_name=last_name, email=email, password=password)
    if agency is not None and role_name != roles.POLICE:
        Official.objects.create(user=user, agency=agency)
    user.groups.set(groups)
    _log(user, LOG_CREATE, actor, {"agency": getattr(agency, "code", ""), "roles": [group.name for group in groups]})
    return user


@transaction.atomic
def official_set_roles(*, actor, official, role_names, position=None):
    """Replace the account's role groups by those of ``role_names`` (role codes; and the official's position,
    when given).

    A unit admin gives unit roles only, and only to accounts they manage (which hold no province-wide role).
    """
    user, official = _target(actor, official)
    if not user.is_active:
        raise InvalidAccountInput(_("This account is revoked."))
    groups = _groups(actor, role_names)
    if user.pk == actor.pk and not actor.is_superuser and roles.UNIT_ADMIN not in role_names:
        raise InvalidAccountInput(_("You cannot remove your own unit admin role."))
    before = group_names_of(user)
    user.groups.set(groups)
    if position is not None and official is not None and official.position != position.strip():
        official.position = position.strip()
        try:
            official.full_clean(exclude=["user", "agency"])
        except ValidationError as error:
            raise InvalidAccountInput(_messages(error)) from None
        official.save(update_fields=["position"])
    _log(user, LOG_ROLES, actor, {"before": before, "after": sorted(group.name for group in groups)})
    return user


def end_sessions(user) -> int:
    """Delete the stored sessions of ``user`` (database sessions); returns how many ended.

    Even without this, a disabled account's session stops at its next request: Django's ``ModelBackend``
    does not load inactive users, and the new (unusable) password changes the session's auth hash.
    """
    from django.contrib.auth import SESSION_KEY

    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def official_revoke(*, actor, official, successor=None, comment="", at=None) -> RevokeOutcome:
    """Revoke an account in one action (QN 12.1, TN 17.10đ).

    The account is disabled and gets an unusable password, its sessions end, and every open dossier it holds
    goes to ``successor`` — an active colleague of the same unit who may hold the dossier's step — with a
    ``reassign`` event each. Everything happens in one transaction: if one dossier cannot move, nothing changes.
    """
    from workflow.dossiers import services as workflow_services
    from workflow.errors import DossierError

    user, official = _target(actor, official)
    if user.pk == actor.pk:
        raise InvalidAccountInput(_("You cannot revoke your own account."))
    # Lock the account so two revocations are done one after the other. ``no_key``: an action that records an
    # event naming this official (a foreign key, which takes a KEY SHARE lock on the row) is not blocked by
    # it, so the revocation and that action cannot deadlock on the dossier row and the account row.
    user = get_user_model().objects.select_for_update(no_key=True).get(pk=user.pk)
    if not user.is_active:
        raise InvalidAccountInput(_("This account is already revoked."))
    successor_user = getattr(successor, "user", successor)
    if successor_user is not None:
        if official is None or not successors_for(official).filter(user_id=successor_user.pk).exists():
            raise InvalidAccountInput(_("The successor must be an active colleague of the same unit."))
    held = list(open_dossiers_held(user).select_for_update(of=("self",)).order_by("pk").values_list("pk", "code"))
    if held and successor_user is None:
        raise InvalidAccountInput(
            _("%(count)s open dossier(s) are held by this official: choose a colleague to take them over.")
            % {"count": len(held)}
        )
    note = comment.strip() or _("Account of %(name)s revoked: dossier handed over to %(successor)s.") % {
        "name": _display(user),
        "successor": _display(successor_user) if successor_user else "",
    }
    moved = []
    for dossier_id, code in held:
        try:
            moved.append(
                workflow_services.dossier_reassign(
                    actor=actor, dossier_id=dossier_id, from_holder=user, to_holder=successor_user, comment=note, at=at
                )
            )
        except DossierError as error:
            raise InvalidAccountInput(
                _("Dossier %(code)s: %(message)s") % {"code": code, "message": error.message}
            ) from None
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    ended = end_sessions(user)
    _log(
        user,
        LOG_REVOKE,
        actor,
        {
            "successor": getattr(successor_user, "pk", None),
            "successor_name": _display(successor_user) if successor_user else "",
            "dossiers": [dossier.code for dossier in moved],
            "comment": comment.strip(),
        },
    )
    return RevokeOutcome(user=user, successor=successor_user, dossiers=moved, sessions_ended=ended)


@transaction.atomic
def official_reset_second_factor(*, actor, official) -> int:
    """Forget an official's authenticator (lost or replaced phone): their signed-in sessions end and the next
    sign-in enrols a new authenticator (portal/otp.py). Returns how many devices were removed.

    Only whoever manages the account may do it, and not on their own account (another admin must).
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user, _official = _target(actor, official)
    if user.pk == actor.pk:
        raise InvalidAccountInput(_("Another administrator must reset your own second factor."))
    if not user.is_active:
        raise InvalidAccountInput(_("This account is already revoked."))
    removed, _details = TOTPDevice.objects.filter(user=user).delete()
    end_sessions(user)
    _log(user, LOG_RESET_OTP, actor, {"devices": removed})
    return removed
