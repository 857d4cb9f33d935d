"""The public catalog filter, shared by the procedure index page."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency, OnlineLevel, ProcedureLevel, Sector


class QuickSelect(forms.Select):
    """A ``<select>`` built in Python with the markup of Django's templates (attributes, ``selected``, groups).

    Django renders every ``<option>`` through a template include; for the filter's agencies and sectors that was
    a third of the catalog index page's time (issue 14 item 16)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in options),
            )
            parts.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered) if group_name else rendered
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            format_html_join("", "{}", ((p,) for p in parts)),
        )


class ProcedureFilterForm(forms.Form):
    q = forms.CharField(label=_("Search procedures"), required=False, max_length=200)
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.active(),
        required=False,
        empty_label=_("All agencies"),
        to_field_name="code",
        widget=QuickSelect,
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        queryset=Sector.objects.all(),
        required=False,
        empty_label=_("All sectors"),
        to_field_name="code",
        widget=QuickSelect,
    )
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[
            ("", _("All levels")),
            (ProcedureLevel.PROVINCE, _("Province")),
            (ProcedureLevel.COMMUNE, _("Commune")),
        ],
        widget=QuickSelect,
    )
    online_level = forms.ChoiceField(
        label=_("Online service"),
        required=False,
        choices=[("", _("Any"))] + list(OnlineLevel.choices),
        widget=QuickSelect,
    )

    def cleaned_filters(self):
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "agency": data.get("agency"),
            "sector": data.get("sector"),
            "level": data.get("level") or "",
            "online_level": data.get("online_level") or "",
        }
