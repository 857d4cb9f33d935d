from django import template

register = template.Library()


@register.filter
def vnd(amount):
    """Money as Vietnamese write it: 1.250.000 đ (dot thousands separator, no decimals)."""
    if amount in (None, ""):
        return ""
    return f"{int(amount):,} đ".replace(",", ".")
