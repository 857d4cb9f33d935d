"""Who may use the dossier API: officials, supervisors and superusers, signed in."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from catalog.officials.scoping import sees_all_units, user_agency_id


class IsOfficial(BasePermission):
    message = _("Only officials and supervisors may use the dossier API.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        return user.is_staff and (user_agency_id(user) is not None or sees_all_units(user))
