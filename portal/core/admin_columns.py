"""Admin list columns that show values the Vietnamese way (portal/core/formatting.py), never raw.

Wagtail's plain ``Column`` prints ``str(value)``: ``True`` for a flag, ``2026-01-05 01:30:00+00:00`` (UTC) for a
time. List ``yes_no("is_active")`` and ``local_datetime("starts_at")`` in a viewset's ``list_display`` instead.
"""

from wagtail.admin.ui.tables import BooleanColumn, Column

from portal.core.formatting import format_datetime


class LocalDateTimeColumn(Column):
    """``05/01/2026 08:30`` in Vietnam time."""

    def get_value(self, instance):
        return format_datetime(super().get_value(instance))


def _label(model, name):
    return model._meta.get_field(name).verbose_name


def yes_no(model, name):
    """A ticked / crossed flag; screen readers hear "Có" / "Không" (wagtailadmin/tables/boolean_cell.html)."""
    return BooleanColumn(name, label=_label(model, name), sort_key=name)


def local_datetime(model, name):
    return LocalDateTimeColumn(name, label=_label(model, name), sort_key=name)
