"""Template filters of the report pages."""

from django import template

from portal.core.formatting import format_number, format_percent

register = template.Library()


@register.filter
def pct(value):
    """0.8512 -> '85,1%'; None -> '–' (no data)."""
    return format_percent(None if value == "" else value)


@register.filter
def num(value):
    """Decimal('10.00') -> '10', 3.75 -> '3,75' in either language (portal/core/formatting.py); None -> ''."""
    return format_number(value) if value not in (None, "") else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
