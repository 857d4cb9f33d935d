"""Query-string filters of the catalog API.

Every filter validates its value: an unknown choice or code is a 400 whose body
names the parameter, e.g. ``{"level": ["Unknown level “galaxy” ..."]}``
(DjangoFilterBackend raises the FilterSet's form errors as a ValidationError).
"""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import Agency, AgencyLevel, FaqEntry, OnlineLevel, Procedure, ProcedureLevel, Sector

# The public procedure filter offers the two agency levels; "both" procedures match either.
PROCEDURE_LEVEL_CHOICES = [(ProcedureLevel.PROVINCE, _("Province")), (ProcedureLevel.COMMUNE, _("Commune"))]


def _invalid(message):
    return {"invalid_choice": message}


class ProcedureFilter(filters.FilterSet):
    q = filters.CharFilter(
        method="filter_q",
        max_length=200,
        help_text=_(
            "Search the national code and name, ignoring case and Vietnamese diacritics "
            "(“cap giay phep xay dung” finds “Cấp giấy phép xây dựng”), tolerating typos; results by relevance."
        ),
    )
    agency = filters.ModelChoiceFilter(
        field_name="agencies",
        queryset=Agency.objects.active(),
        to_field_name="code",
        help_text=_("Identifier code of an implementing agency, e.g. 000.00.15.H12."),
        error_messages=_invalid(_("Unknown agency code “%(value)s”.")),
    )
    sector = filters.ModelChoiceFilter(
        field_name="sector",
        queryset=Sector.objects.all(),
        to_field_name="code",
        help_text=_("Sector code."),
        error_messages=_invalid(_("Unknown sector code “%(value)s”.")),
    )
    level = filters.ChoiceFilter(
        method="filter_level",
        choices=PROCEDURE_LEVEL_CHOICES,
        help_text=_("Level of the agency that handles the procedure; “both” procedures match either level."),
        error_messages=_invalid(_("Unknown level “%(value)s”; use province or commune.")),
    )
    online_level = filters.ChoiceFilter(
        field_name="online_level",
        choices=OnlineLevel.choices,
        help_text=_("Online service level."),
        error_messages=_invalid(_("Unknown online service level “%(value)s”; use full, partial or none.")),
    )

    class Meta:
        model = Procedure
        fields = ["q", "agency", "sector", "level", "online_level"]

    def filter_q(self, queryset, name, value: str):
        return queryset.search(value)

    def filter_level(self, queryset, name, value: str):
        return queryset.at_level(value)


class AgencyFilter(filters.FilterSet):
    level = filters.ChoiceFilter(
        field_name="level",
        choices=AgencyLevel.choices,
        help_text=_("Agency level."),
        error_messages=_invalid(_("Unknown level “%(value)s”; use province or commune.")),
    )

    class Meta:
        model = Agency
        fields = ["level"]


class FaqFilter(filters.FilterSet):
    sector = filters.ModelChoiceFilter(
        field_name="sector",
        queryset=Sector.objects.all(),
        to_field_name="code",
        help_text=_("Sector code."),
        error_messages=_invalid(_("Unknown sector code “%(value)s”.")),
    )
    procedure = filters.ModelChoiceFilter(
        field_name="procedure",
        queryset=Procedure.objects.published(),
        to_field_name="national_code",
        help_text=_("National code of a published procedure, e.g. 1.001612."),
        error_messages=_invalid(_("Unknown procedure code “%(value)s”.")),
    )

    class Meta:
        model = FaqEntry
        fields = ["sector", "procedure"]
