"""The public catalog filter, shared by the procedure index page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency, OnlineLevel, ProcedureLevel, Sector
from portal.core.widgets import QuickSelect


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
