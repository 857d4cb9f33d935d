from django import template

from portal.core.formatting import format_vnd

register = template.Library()


@register.filter
def vnd(amount):
    """Money as Vietnamese write it: 1.250.000 đ (dot thousands separator, no decimals)."""
    return format_vnd(amount)
