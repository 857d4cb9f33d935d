"""Template filters of the report pages."""

from django import template

register = template.Library()


@register.filter
def pct(value):
    """0.8512 -> '85.1%'; None -> '–' (no data)."""
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.1f}%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
