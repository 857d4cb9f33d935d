"""Role groups of the back office (DESIGN §1). Names are the Vietnamese group names officials see.

:data:`PERMISSIONS` says what each role group may do (``app_label.codename``). The groups are created with
these permissions when first needed (:func:`role_groups`, used by :mod:`catalog.officials.services`) or by
``load_demo``; a system admin may later adjust a group in Settings → Groups, and that is never overwritten
outside the demo loader.
"""

from django.utils.translation import gettext_lazy as _

CONTENT_EDITOR = "Biên tập viên"
UNIT_ADMIN = "Quản trị đơn vị"
RECEPTION_OFFICER = "Cán bộ một cửa"
SPECIALIST = "Chuyên viên"
LEADER = "Lãnh đạo"
SUPERVISOR = "Giám sát"
POLICE = "Công an – thống kê khai thác dữ liệu"

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

_ADMIN = "wagtailadmin.access_admin"

#: role group name -> permissions (``app_label.codename``). Dossier work is not a permission: it follows the
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


def permissions_for(name):
    """The ``Permission`` rows of the role group ``name``."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    query = Q(pk__in=[])
    for label in PERMISSIONS.get(name, ()):
        app_label, codename = label.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def role_groups(names):
    """The groups of the given role names, created with their :data:`PERMISSIONS` when missing.

    An existing group is returned as it is (a system admin may have adjusted it). Unknown names are skipped.
    """
    from django.contrib.auth.models import Group

    names = [name for name in dict.fromkeys(names) if name in PERMISSIONS]
    groups = {group.name: group for group in Group.objects.filter(name__in=names)}
    for name in names:
        if name not in groups:
            group, created = Group.objects.get_or_create(name=name)
            if created:
                group.permissions.set(permissions_for(name))
            groups[name] = group
    return [groups[name] for name in names]
