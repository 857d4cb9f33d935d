"""Accessible rendering of e-form fields, and the "Submit online" link of a procedure page."""

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def eform_widget(bound_field):
    """The widget with ``aria-describedby`` pointing at its help text and errors, and ``aria-invalid``."""
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}_errors")
    attrs = {}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def eform_submit_url(procedure):
    """Where "Submit online" leads for ``procedure``: its first published form, or "" when it has none."""
    from eforms.selectors import published_forms

    eform = published_forms(procedure).only("code").first()
    return reverse("eforms:start", args=[eform.code]) if eform else ""


@register.filter
def field(form, name):
    """``form|field:name`` — the bound field called ``name``."""
    return form[name]
