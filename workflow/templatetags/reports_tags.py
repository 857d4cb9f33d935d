"""Template filters of the report pages."""

from django import template

from portal.core.formatting import format_percent

register = template.Library()


@register.filter
def pct(value):
    """0.8512 -> '85.1%'; None -> '–' (no data)."""
    return format_percent(None if value == "" else value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
