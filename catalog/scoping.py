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
