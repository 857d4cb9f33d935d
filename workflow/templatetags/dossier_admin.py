"""Display helpers of the dossier screens (formatting only)."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.models import Status
from workflow.worktime import DAY_MINUTES

register = template.Library()


@register.filter
def dossier_datetime(value):
    """``dd/mm/yyyy HH:MM`` in local time, or an em dash."""
    if not value:
        return "—"
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


@register.filter
def working_time(minutes):
    """Working minutes as “2 d 3 h 15 min” (a working day is 8 hours, DESIGN 5.5)."""
    if minutes is None or minutes == "":
        return "—"
    minutes = int(minutes)
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    days, rest = divmod(minutes, DAY_MINUTES)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)s d") % {"n": days})
    if hours:
        parts.append(_("%(n)s h") % {"n": hours})
    if mins or not parts:
        parts.append(_("%(n)s min") % {"n": mins})
    return sign + " ".join(parts)


@register.filter
def status_label(value):
    if value in (None, ""):
        return "—"
    try:
        return Status(int(value)).label
    except ValueError:
        return value


@register.filter
def dossier_vnd(amount):
    """Money as Vietnamese write it (1.250.000 đ)."""
    from portal.core.formatting import format_vnd

    return format_vnd(amount)
