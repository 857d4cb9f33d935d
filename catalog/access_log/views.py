"""Admin screens of the personal data access log (DESIGN 10; TN 17.10d; BN 7.4), registered here with hooks.

* ``/admin/access-log/`` — "Personal data access log": every entry (who,
  unit, when, what, dossier, IP), filtered and paginated, CSV/XLSX export;
  supervisors and the system admin (``catalog.view_personaldataaccess``).
  Read-only: there is no add, edit or delete screen anywhere (the model is not
  a snippet, not in ModelAdmin, not in the Django admin).
* ``/admin/access-log/statistics/`` — "Access statistics": counts per unit,
  per day or month and per kind, and how many officials, aggregated in SQL;
  the police role (``catalog.view_access_statistics``), supervisors and the
  system admin. No names, no dossier codes.

A police-only account (statistics, not the list) sees only the statistics in
the admin menu (``construct_main_menu`` below). Other accounts get 403.

Also here: citizens' accounts opened in the admin's user editor are logged
(``before_edit_user``), like the other views of citizens' data.

Query counts (tests/catalog/access_log/test_access_log.py): the list costs the same whatever the
number of rows (one page query with the unit joined, one count, the unit
choices of the filter); the statistics screen costs four aggregate queries.
"""

from datetime import timedelta

import django_filters
import tablib
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin
from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets import AdminDateInput

from catalog.access_log.services import (
    PERIODS,
    access_log_list,
    access_statistics,
    can_read_access_log,
    can_read_access_statistics,
    record_access,
)
from catalog.models import AccessKind, Agency, PersonalDataAccess

MENU_NAME = "access-log"


def statistics_only(user) -> bool:
    """The police role: the statistics and nothing else in the admin menu (BN 7.4)."""
    return bool(can_read_access_statistics(user) and not can_read_access_log(user) and not user.is_superuser)


# --- the list --------------------------------------------------------------------------------------------


class AccessLogFilterSet(WagtailFilterSet):
    at = django_filters.DateFromToRangeFilter(label=_("Date"), field_name="at", widget=DateRangePickerWidget)
    agency = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=Agency.objects.order_by("name").only("pk", "name")
    )
    official = django_filters.CharFilter(label=_("Official"), field_name="user_name", lookup_expr="icontains")
    dossier_code = django_filters.CharFilter(
        label=_("Dossier code"), field_name="dossier_code", lookup_expr="icontains"
    )
    kind = django_filters.ChoiceFilter(label=_("What"), choices=AccessKind.choices, empty_label=_("All"))

    class Meta:
        model = PersonalDataAccess
        fields = []


class DateTimeColumn(Column):
    cell_template_name = "catalog/access_log/cells/datetime.html"


class AccessLogView(SpreadsheetExportMixin, BaseListingView):
    page_title = _("Personal data access log")
    header_icon = "view"
    template_name = "catalog/access_log/list.html"
    paginate_by = 50
    filterset_class = AccessLogFilterSet
    default_ordering = "-at"
    verbose_name = _("access")
    verbose_name_plural = _("accesses")
    index_url_name = "access_log:index"
    index_results_url_name = "access_log:results"
    export_filename = "nhat-ky-truy-cap-du-lieu"
    list_export = ["at", "user_name", "unit", "kind", "dossier_code", "object_id", "ip_address"]

    def dispatch(self, request, *args, **kwargs):
        if not can_read_access_log(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def export_headings(self):
        return {
            "at": _("When"),
            "user_name": _("Official"),
            "unit": _("Unit"),
            "kind": _("What"),
            "dossier_code": _("Dossier code"),
            "object_id": _("Object"),
            "ip_address": _("IP address"),
        }

    def get_base_queryset(self):
        return access_log_list(user=self.request.user)

    def order_queryset(self, queryset):
        return queryset.order_by("-at", "-pk")

    def to_row_dict(self, item):
        return {
            "at": timezone.localtime(item.at).replace(tzinfo=None),  # local time in the file, not UTC
            "user_name": item.user_name,
            "unit": item.agency.name if item.agency else "",
            "kind": str(item.get_kind_display()),
            "dossier_code": item.dossier_code,
            "object_id": item.object_id,
            "ip_address": item.ip_address or "",
        }

    @cached_property
    def columns(self):
        return [
            DateTimeColumn("at", label=_("When")),
            Column("user_name", label=_("Official")),
            Column("agency", label=_("Unit"), accessor=lambda e: e.agency.name if e.agency else "–"),
            Column("kind", label=_("What"), accessor=lambda e: e.get_kind_display()),
            Column("dossier_code", label=_("Dossier code"), accessor=lambda e: e.dossier_code or "–"),
            Column("object_id", label=_("Object")),
            Column("ip_address", label=_("IP address"), accessor=lambda e: e.ip_address or "–"),
        ]

    def render_to_response(self, context, **response_kwargs):
        if self.is_export:
            return self.as_spreadsheet(context["object_list"], self.request.GET.get("export"))
        return super().render_to_response(context, **response_kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statistics_url"] = reverse("access_log:statistics")
        return context


# --- the statistics --------------------------------------------------------------------------------------


class StatisticsForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=AdminDateInput)
    until = forms.DateField(label=_("To"), required=False, widget=AdminDateInput)
    period = forms.ChoiceField(label=_("Group by"), required=False, choices=[("day", _("Day")), ("month", _("Month"))])

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


def statistics_window(params):
    """(since, until, period, form) from query parameters; the last 30 days by day when none are given."""
    today = timezone.localdate()
    initial = {"since": today - timedelta(days=29), "until": today, "period": "day"}
    form = StatisticsForm(params or None, initial=initial)
    if params and form.is_valid():
        data = form.cleaned_data
        return data.get("since"), data.get("until"), data.get("period") or "day", form
    if not params:
        form = StatisticsForm(initial=initial)
    return initial["since"], initial["until"], "day", form


class AccessStatisticsView(WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Access statistics")
    header_icon = "table"
    template_name = "catalog/access_log/statistics.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_read_access_statistics(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            params = request.GET.copy()
            params.pop("export")
            since, until, period, _form = statistics_window(params or None)
            figures = access_statistics(user=request.user, since=since, until=until, period=period)
            return statistics_workbook(figures, since, until, period)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        since, until, period, form = statistics_window(self.request.GET)
        figures = access_statistics(user=self.request.user, since=since, until=until, period=period)
        export = self.request.GET.copy()
        export["export"] = "xlsx"
        context.update(
            form=form,
            since=since,
            until=until,
            period=period,
            figures=figures,
            periods=PERIODS,
            export_url=f"?{export.urlencode()}",
            list_url=reverse("access_log:index") if can_read_access_log(self.request.user) else None,
        )
        return context


def statistics_workbook(figures, since, until, period):
    """The statistics as an .xlsx workbook: one sheet per unit, per day/month and per kind."""

    def sheet(title, first, rows, label):
        data = tablib.Dataset(headers=[str(first), str(_("Views")), str(_("Officials"))], title=str(title)[:31])
        for row in rows:
            data.append([label(row), row["count"], row["officials"]])
        return data

    no_unit = str(_("No unit (system accounts)"))
    fmt = "%m/%Y" if period == "month" else "%d/%m/%Y"
    book = tablib.Databook(
        [
            sheet(_("Per unit"), _("Unit"), figures.by_unit, lambda row: row["agency__name"] or no_unit),
            sheet(
                _("Per month") if period == "month" else _("Per day"),
                _("Month") if period == "month" else _("Day"),
                figures.by_period,
                lambda row: row["period"].strftime(fmt) if row["period"] else "",
            ),
            sheet(_("Per kind"), _("What"), figures.by_kind, lambda row: str(row["label"])),
        ]
    )
    response = HttpResponse(
        book.export("xlsx"), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="thong-ke-khai-thac-du-lieu-{since or ""}-{until or ""}.xlsx"'
    )
    return response


# --- registration ----------------------------------------------------------------------------------------


class LogMenuItem(MenuItem):
    def is_shown(self, request):
        return can_read_access_log(request.user)


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_read_access_statistics(request.user)


class AccessMenu(SubmenuMenuItem):
    def is_shown(self, request):
        return can_read_access_statistics(request.user) or can_read_access_log(request.user)


class AccessLogViewSet(ViewSet):
    name = "access_log"
    url_prefix = "access-log"
    icon = "view"
    menu_label = _("Personal data access")
    menu_name = MENU_NAME
    menu_order = 900
    add_to_admin_menu = True

    def get_urlpatterns(self):
        return [
            path("", AccessLogView.as_view(), name="index"),
            path("results/", AccessLogView.as_view(results_only=True), name="results"),
            path("statistics/", AccessStatisticsView.as_view(), name="statistics"),
        ]

    def get_menu_item(self, order=None):
        submenu = Menu(
            items=[
                LogMenuItem(
                    _("Personal data access log"),
                    reverse("access_log:index"),
                    name="access-log-list",
                    icon_name="list-ul",
                    order=1,
                ),
                StatisticsMenuItem(
                    _("Access statistics"),
                    reverse("access_log:statistics"),
                    name="access-log-statistics",
                    icon_name="table",
                    order=2,
                ),
            ]
        )
        return AccessMenu(
            self.menu_label, submenu, name=self.menu_name, icon_name=self.icon, order=self.get_menu_item_order(order)
        )


def police_sees_only_the_statistics(request, menu_items):
    """BN 7.4: the police account follows how units use citizens' data and sees nothing else."""
    if statistics_only(request.user):
        menu_items[:] = [item for item in menu_items if item.name == MENU_NAME]


def log_citizen_account_view(request, user):
    """A citizen's account opened in the admin's user editor shows their name and e-mail: log it."""
    if request.method == "GET" and not (user.is_staff or user.is_superuser) and user.pk != request.user.pk:
        record_access(request, AccessKind.CITIZEN_ACCOUNT, object_id=f"user:{user.pk}")
