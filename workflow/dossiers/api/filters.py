"""Query-string filters of the dossier list.

Each invalid value is a 400 whose body names the parameter, e.g.
``{"status": ["Unknown status “11”; use 1 to 10."]}``. The warning filter works
on the SQL annotation of :func:`workflow.dossiers.selectors.with_warning`, so it never
breaks pagination.
"""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from catalog.models import Agency, Procedure
from workflow.dossiers import selectors
from workflow.models import Dossier, Status
from workflow.worktime import WarningLevel


def _invalid(message):
    return {"invalid_choice": message}


class DossierFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(
        field_name="status",
        choices=Status.choices,
        help_text=_("Status number 1–10 (national portal numbering); repeat the parameter for several."),
        error_messages=_invalid(_("Unknown status “%(value)s”; use 1 to 10.")),
    )
    procedure = filters.ModelChoiceFilter(
        field_name="procedure",
        queryset=Procedure.objects.all(),
        to_field_name="national_code",
        help_text=_("National procedure code, e.g. 1.001612."),
        error_messages=_invalid(_("Unknown procedure code “%(value)s”.")),
    )
    agency = filters.ModelChoiceFilter(
        field_name="agency",
        queryset=Agency.objects.all(),
        to_field_name="code",
        help_text=_("Code of the receiving agency."),
        error_messages=_invalid(_("Unknown agency code “%(value)s”.")),
    )
    holder = filters.CharFilter(
        method="filter_holder",
        help_text=_("“me”, or the user id of the official holding the dossier."),
        validators=[RegexValidator(r"^(me|[0-9]+)$", _("Use “me” or a user id."))],
    )
    warning = filters.ChoiceFilter(
        field_name="warning",
        choices=WarningLevel.choices,
        help_text=_("Deadline warning (QT 21): overdue, due_soon (less than one working day left) or ok."),
        error_messages=_invalid(_("Unknown warning “%(value)s”; use overdue, due_soon or ok.")),
    )
    received_from = filters.DateFilter(
        field_name="received_at", lookup_expr="date__gte", help_text=_("Received on or after this date (YYYY-MM-DD).")
    )
    received_to = filters.DateFilter(
        field_name="received_at", lookup_expr="date__lte", help_text=_("Received on or before this date (YYYY-MM-DD).")
    )
    q = filters.CharFilter(
        method="filter_q", max_length=200, help_text=_("Part of the dossier code or the applicant's name.")
    )

    class Meta:
        model = Dossier
        fields = ["status", "procedure", "agency", "holder", "warning", "received_from", "received_to", "q"]

    def filter_holder(self, queryset, name, value):
        if value == "me":
            return queryset.filter(current_holder=self.request.user)
        return queryset.filter(current_holder_id=int(value))

    def filter_q(self, queryset, name, value):
        return selectors.dossier_search(queryset, value)
