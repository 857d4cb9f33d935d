"""Role groups of the back office (DESIGN §1), identified by a stable code.

Each role is a Django ``Group`` tied to its code by :class:`catalog.models.RoleGroup` (``group.role.code``).
Code decides by the code only (:func:`holders_q`, :func:`role_group`), never by the group's name: a system
admin may rename a group in Settings → Groups and everything keeps working. :data:`DEFAULT_NAMES` are the
Vietnamese names officials see, given to a group when it is created.

:data:`PERMISSIONS` says what each role group may do (``app_label.codename``). The groups are created with
these permissions when first needed (:func:`role_groups`, used by :mod:`catalog.officials.services`) or by
``load_demo``; a system admin may later adjust a group in Settings → Groups, and that is never overwritten
outside the demo loader.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CONTENT_EDITOR = "content_editor"
UNIT_ADMIN = "unit_admin"
RECEPTION_OFFICER = "reception_officer"
SPECIALIST = "specialist"
LEADER = "leader"
SUPERVISOR = "supervisor"
POLICE = "police"

#: role code -> the name its group gets when created (officials see it; a system admin may rename it).
#: The data migration catalog/migrations/0005_role_group.py attaches existing groups of these names.
DEFAULT_NAMES = {
    CONTENT_EDITOR: "Biên tập viên",
    UNIT_ADMIN: "Quản trị đơn vị",
    RECEPTION_OFFICER: "Cán bộ một cửa",
    SPECIALIST: "Chuyên viên",
    LEADER: "Lãnh đạo",
    SUPERVISOR: "Giám sát",
    POLICE: "Công an – thống kê khai thác dữ liệu",
}

LABELS = {
    CONTENT_EDITOR: _("Content editor"),
    UNIT_ADMIN: _("Unit admin"),
    RECEPTION_OFFICER: _("One-stop officer"),
    SPECIALIST: _("Specialist"),
    LEADER: _("Leader"),
    SUPERVISOR: _("Supervisor"),
    POLICE: _("Police (data access statistics)"),
}

#: The roles a unit admin may give to their own unit's officials (QN 12.2, TN 8.1).
UNIT_ROLES = (RECEPTION_OFFICER, SPECIALIST, LEADER, UNIT_ADMIN)
#: Province-wide roles only the system admin gives (TN 8.2-8.3, BN 7.3-7.4).
SYSTEM_ROLES = (CONTENT_EDITOR, SUPERVISOR, POLICE)

#: The groups a process step may be held by (DESIGN §5.3: "the group of officials who may hold it").
STEP_ROLES = (RECEPTION_OFFICER, SPECIALIST, LEADER)

_ADMIN = "wagtailadmin.access_admin"

#: role code -> permissions (``app_label.codename``). Dossier work is not a permission: it follows the
#: official's unit and the process steps (catalog.officials.scoping, workflow.dossiers.services).
PERMISSIONS = {
    CONTENT_EDITOR: [
        _ADMIN,
        "catalog.add_procedure",
        "catalog.change_procedure",
        "catalog.add_agency",
        "catalog.change_agency",
        "catalog.add_sector",
        "catalog.change_sector",
        "catalog.add_faqentry",
        "catalog.change_faqentry",
        "catalog.delete_faqentry",
        "catalog.add_maintenancenotice",
        "catalog.change_maintenancenotice",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
    # A unit admin manages their unit's processes, e-forms and official accounts — never Wagtail's Users or
    # Groups (no auth.* permission), so they cannot give themselves or others more rights.
    UNIT_ADMIN: [
        _ADMIN,
        "catalog.view_procedure",
        "catalog.view_agency",
        "catalog.view_sector",
        "workflow.add_process",
        "workflow.change_process",
        "workflow.view_process",
        "eforms.add_eform",
        "eforms.change_eform",
        "eforms.view_eform",
        "eforms.delete_eform",
        "catalog.manage_unit_officials",
    ],
    RECEPTION_OFFICER: [_ADMIN, "catalog.view_procedure"],
    SPECIALIST: [_ADMIN, "catalog.view_procedure"],
    LEADER: [_ADMIN, "catalog.view_procedure"],
    SUPERVISOR: [
        _ADMIN,
        "catalog.view_procedure",
        "catalog.view_agency",
        "catalog.view_sector",
        "catalog.view_all_units",
        "catalog.view_personaldataaccess",
        "catalog.view_access_statistics",
    ],
    # BN 7.4: the provincial police follow how citizens' data is used (the statistics), and see nothing else.
    POLICE: [_ADMIN, "catalog.view_access_statistics"],
}

#: Role groups that may edit site pages (the demo loader gives them page permissions on the home page).
EDITS_PAGES = (CONTENT_EDITOR,)


def permissions_for(code):
    """The ``Permission`` rows of the role ``code``."""
    from django.contrib.auth.models import Permission

    query = Q(pk__in=[])
    for label in PERMISSIONS.get(code, ()):
        app_label, codename = label.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def holders_q(*codes, prefix=""):
    """``Q`` of the users holding one of the roles ``codes`` (``prefix`` reaches the user from another model,
    e.g. ``"user__"``). Combine with ``.distinct()`` when a user may hold several of them."""
    return Q(**{f"{prefix}groups__role__code__in": codes})


def holds_role(user, code) -> bool:
    """Whether ``user`` is in the role group ``code`` (one query)."""
    return user.groups.filter(role__code=code).exists()


def code_of(group):
    """The role code of ``group``, or None for a group that is no role."""
    role = getattr(group, "role", None)
    return role.code if role is not None else None


def label_of(group):
    """What the screens call ``group``: the role's translated label, else the group's own name."""
    return LABELS.get(code_of(group), group.name)


def _create(code):
    """The group of ``code``, made the first time. A group named by the default name that is no role yet
    (made by hand, or before the codes existed) is taken as it is; else a new one gets the permissions."""
    from django.contrib.auth.models import Group

    from catalog.models import RoleGroup

    name = DEFAULT_NAMES[code]
    group = Group.objects.filter(name=name, role__isnull=True).first()
    if group is None:
        if Group.objects.filter(name=name).exists():  # another role's group was renamed to this name
            name = f"{name} ({code})"
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.set(permissions_for(code))
    RoleGroup.objects.create(group=group, code=code)
    return group


def role_groups(codes):
    """The groups of the given role codes, created with their :data:`PERMISSIONS` when missing.

    An existing group is returned as it is (a system admin may have adjusted or renamed it). Unknown codes are
    skipped.
    """
    from django.contrib.auth.models import Group
    from django.db import transaction

    codes = [code for code in dict.fromkeys(codes) if code in PERMISSIONS]
    groups = {group.role.code: group for group in Group.objects.filter(role__code__in=codes).select_related("role")}
    for code in codes:
        if code not in groups:
            with transaction.atomic():
                groups[code] = _create(code)
    return [groups[code] for code in codes]


def role_group(code):
    """The group of the role ``code`` (created when missing); ``KeyError`` for an unknown code."""
    if code not in PERMISSIONS:
        raise KeyError(code)
    return role_groups([code])[0]
