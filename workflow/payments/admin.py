"""The reconciliation screen (AG 31.7; issue 18 item 6), registered by ``workflow/wagtail_hooks.py`` and listed in
the Reports menu: pick an agency and a day, import a provider's statement, see what matched and the discrepancies
(open first), resolve one with a note, download the day as .xlsx.

Thin views over :mod:`workflow.payments.reconciliation`. Who may open it is the reports' rule (an official of a
unit or a supervisor, ``require_reports``); what it shows is scoped by ``visible_agency_ids``, what it changes by
the services (the own unit's).
"""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from catalog.models import Agency
from catalog.officials.scoping import ALL, acting_agency_ids
from portal.core.widgets import QuickSelect
from workflow.errors import DossierError
from workflow.models import Discrepancy, Statement
from workflow.payments import providers, reconciliation
from workflow.payments.export import reconciliation_workbook
from workflow.reports.views import require_reports


def _agencies(user):
    return Agency.objects.visible_to(user).order_by("name")


class DayForm(forms.Form):
    agency = forms.ModelChoiceField(label=gettext_lazy("Agency"), queryset=Agency.objects.none(), widget=QuickSelect)
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies(user)


class StatementForm(forms.Form):
    provider = forms.ChoiceField(label=gettext_lazy("Provider"), choices=())
    file = forms.FileField(
        label=gettext_lazy("Statement (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(name, name) for name in providers.KNOWN]


def _chosen(request):
    """(agency, day) from the query string, defaults: the user's only / first agency and yesterday."""
    user = request.user
    agencies = _agencies(user)
    data = request.GET.copy()
    data.setdefault("day", (timezone.localdate() - timedelta(days=1)).isoformat())
    if "agency" not in data and agencies.exists():
        data["agency"] = str(agencies.first().pk)
    form = DayForm(data, user=user)
    if not form.is_valid():
        return form, None, None
    return form, form.cleaned_data["agency"], form.cleaned_data["day"]


def _day_url(agency, day):
    return f"{reverse('reconciliation:index')}?{urlencode({'agency': agency.pk, 'day': day.isoformat()})}"


class ReconciliationView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "workflow/payments/reconciliation.html"
    page_title = gettext_lazy("Payment reconciliation")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        require_reports(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, agency, day = _chosen(self.request)
        context.update({"form": form, "agency": agency, "day": day})
        if agency is None:
            return context
        ids = acting_agency_ids(self.request.user)
        discrepancies = (
            Discrepancy.objects.visible_to(self.request.user)
            .filter(agency=agency, day=day)
            .select_related("payment", "line", "resolved_by")
        )
        context.update(
            {
                "match": reconciliation.match_day(agency=agency, day=day),
                "statements": Statement.objects.visible_to(self.request.user)
                .filter(agency=agency, day=day)
                .select_related("imported_by"),
                "discrepancies": discrepancies,
                "open_count": sum(1 for d in discrepancies if d.is_open),
                "can_act": ids is ALL or agency.pk in ids,
                "statement_form": StatementForm(),
                "export_url": f"{reverse('reconciliation:export')}?{urlencode({'agency': agency.pk, 'day': day})}",
                "previous_url": _day_url(agency, day - timedelta(days=1)),
                "next_url": _day_url(agency, day + timedelta(days=1)),
            }
        )
        return context

    def post(self, request):
        form, agency, day = _chosen(request)
        if agency is None:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "import":
                statement_form = StatementForm(request.POST, request.FILES)
                if not statement_form.is_valid():
                    messages.error(request, _("Choose the provider and the statement file."))
                    return redirect(_day_url(agency, day))
                upload = statement_form.cleaned_data["file"]
                statement = reconciliation.statement_import(
                    actor=request.user,
                    agency=agency,
                    provider=statement_form.cleaned_data["provider"],
                    day=day,
                    file_name=upload.name,
                    data=upload.read(),
                )
                messages.success(
                    request,
                    _("The statement “%(name)s” was imported (%(rows)s rows) and the day reconciled.")
                    % {"name": statement.file_name, "rows": statement.row_count},
                )
            elif action == "reconcile":
                reconciliation.reconcile_as(actor=request.user, agency=agency, day=day)
                messages.success(request, _("The day was reconciled."))
            elif action == "resolve":
                reconciliation.discrepancy_resolve(
                    actor=request.user,
                    discrepancy_id=request.POST.get("discrepancy", ""),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("The discrepancy was resolved."))
            else:
                raise Http404
        except DossierError as error:
            messages.error(request, error.message)
        return redirect(_day_url(agency, day))


class ReconciliationExportView(View):
    """The day's reconciliation as an .xlsx workbook: the matched payments and the discrepancies."""

    def get(self, request):
        require_reports(request.user)
        form, agency, day = _chosen(request)
        if agency is None:
            raise Http404
        match = reconciliation.match_day(agency=agency, day=day)
        discrepancies = Discrepancy.objects.visible_to(request.user).filter(agency=agency, day=day)
        response = HttpResponse(
            reconciliation_workbook(agency, day, match, discrepancies),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="doi-soat-{agency.code or agency.pk}-{day}.xlsx"'
        return response


class ReconciliationViewSet(ViewSet):
    """``/admin/reports/reconciliation/`` — in the Reports menu (``workflow/reports/admin.py``), not a menu of its
    own."""

    name = "reconciliation"
    url_prefix = "reports/reconciliation"
    icon = "table"

    def get_urlpatterns(self):
        return [
            path("", ReconciliationView.as_view(), name="index"),
            path("export/", ReconciliationExportView.as_view(), name="export"),
        ]
