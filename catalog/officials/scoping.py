"""Per-unit scoping: the one rule for what a back-office user may see.

Every queryset that lists a unit's work (dossiers, feedback, reports, files)
filters through :func:`visible_agency_ids`, so lists, searches, the API and
downloads cannot disagree.
"""

from django.core.exceptions import ObjectDoesNotExist

ALL = None


def sees_all_units(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_perm("catalog.view_all_units")))


def user_agency_id(user):
    """The unit of an official, or None for accounts that are not officials."""
    if not (user and user.is_authenticated):
        return None
    try:
        return user.official.agency_id
    except ObjectDoesNotExist:
        return None


def visible_agency_ids(user):
    """``ALL`` (None) for supervisors, else the ids of the units the user may see (possibly empty)."""
    if sees_all_units(user):
        return ALL
    agency_id = user_agency_id(user)
    return [agency_id] if agency_id else []


def acting_agency_ids(user):
    """The units whose dossiers ``user`` may *act* on: their own unit only (supervisors watch, they don't act).

    ``ALL`` for the system admin. Seeing (:func:`visible_agency_ids`) and acting differ only for supervisors,
    who read every unit's work but change none of it (TN 8.2).
    """
    if user and user.is_authenticated and user.is_superuser:
        return ALL
    agency_id = user_agency_id(user)
    return [agency_id] if agency_id else []


def managed_agency_ids(user):
    """The units whose official accounts ``user`` administers: ``ALL`` for the system admin, the own unit for a
    unit admin (``catalog.manage_unit_officials``), else none (QN 12, TN 8.1)."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    if user.is_superuser:
        return ALL
    agency_id = user_agency_id(user)
    if agency_id and user.has_perm("catalog.manage_unit_officials"):
        return [agency_id]
    return []


def manages_agency(user, agency_id) -> bool:
    ids = managed_agency_ids(user)
    return ids is ALL or agency_id in ids
