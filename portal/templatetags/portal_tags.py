from django import template

from portal.core.formatting import format_date, format_datetime, format_number, format_vnd

register = template.Library()


@register.filter
def vnd(amount):
    """Money as Vietnamese write it: 1.250.000 đ (dot thousands separator, no decimals)."""
    return format_vnd(amount)


@register.filter
def vn_datetime(value):
    """``05/01/2026 08:30`` in Vietnam time (portal/core/formatting.py)."""
    return format_datetime(value)


@register.filter
def vn_date(value):
    """``05/01/2026`` (portal/core/formatting.py)."""
    return format_date(value)


@register.filter
def vn_number(value):
    """``15`` / ``2,5`` whatever the language (portal/core/formatting.py)."""
    return format_number(value)


@register.filter
def page_permission_label(codename):
    """The translated long label of a page permission ("add_page" → "Thêm/sửa trang của mình"), for the group
    screen's checkboxes: Wagtail labels them with the stored English permission name."""
    from wagtail.models import Page

    for code, _short, long_label in Page.permission_types:
        if code == codename:
            return long_label
    return codename
