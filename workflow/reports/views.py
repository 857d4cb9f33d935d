"""Admin screens of the reports area (DESIGN §8): report, drill-down, Excel export, 766 index, late lists.

Thin views over :mod:`workflow.reports.figures`, :mod:`workflow.reports.index766` and
:mod:`workflow.reports.services`. Every query is scoped by the user (unit
officials see their unit, supervisors all units) through the engine, which
uses ``Dossier.objects.visible_to``.
"""

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from catalog.models import Agency, Procedure, Sector
from catalog.officials.scoping import ALL, sees_all_units, visible_agency_ids
from portal.core.formatting import format_number, format_percent
from portal.core.widgets import QuickSelect
from workflow.dossiers.queries import can_use_inbox
from workflow.errors import InvalidState
from workflow.models import FigureKind, LateList, LateListKind
from workflow.reports import charts, figures, index766, snapshots
from workflow.reports.export import report_workbook
from workflow.reports.figures import FIGURES, GROUPINGS, RATES
from workflow.reports.periods import Period, last_months


def _rate(row, name):
    """A rate cell: a percentage, or the average processing time in working days (``2,5``)."""
    if name == "avg_processing_days":
        return format_number(row.avg_processing_days) or "–"
    return format_percent(row.rates()[name])


def _cells_html(cells, row):
    """A row's figure and rate cells (the table's 50 × 32 cells through the template were most of the page)."""
    figures_html = format_html_join(
        "",
        "<td>{}</td>",
        ((format_html('<a href="{}">{}</a>', url, localize(value)) if value else "0",) for value, url in cells),
    )
    rates_html = format_html_join("", "<td>{}</td>", ((_rate(row, r),) for r in RATES))
    return figures_html + rates_html


def require_reports(user):
    if not can_use_inbox(user):
        raise PermissionDenied


class ReportFilterForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Period"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("2026-05 (month), 2026-Q2 (quarter), 2026 (year) or 2026-05-01..2026-05-20."),
    )
    group_by = forms.ChoiceField(label=gettext_lazy("Group by"), choices=list(GROUPINGS.items()), required=False)
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Agency"), queryset=Agency.objects.none(), required=False, widget=QuickSelect
    )
    sector = forms.ModelChoiceField(
        label=gettext_lazy("Sector"), queryset=Sector.objects.all(), required=False, widget=QuickSelect
    )
    procedure = forms.ModelChoiceField(
        label=gettext_lazy("Procedure"), queryset=Procedure.objects.none(), required=False, widget=QuickSelect
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = visible_agency_ids(user)
        self.fields["agency"].queryset = Agency.objects.visible_to(user).order_by("name")
        procedures = Procedure.objects.published() if ids is ALL else Procedure.objects.filter(agencies__in=ids)
        self.fields["procedure"].queryset = (
            procedures.only("pk", "national_code", "name").order_by("national_code").distinct()
        )

    def clean_period(self):
        value = self.cleaned_data.get("period") or Period.current_month().key
        try:
            return Period.parse(value)
        except ValueError:
            raise forms.ValidationError(_("Unknown period “%(value)s”.") % {"value": value}) from None

    def values(self):
        """(period, group_by, filters) from valid data, defaults otherwise."""
        data = self.cleaned_data if self.is_valid() else {}
        filters = {key: data[key].pk for key in ("agency", "sector", "procedure") if data.get(key)}
        return data.get("period") or Period.current_month(), data.get("group_by") or "agency", filters


def _query(period, group_by, filters, **extra):
    params = {"period": period.key, "group_by": group_by or "", **dict(filters.items()), **extra}
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


class ReportsMixin(WagtailAdminTemplateMixin):
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        require_reports(request.user)
        return super().dispatch(request, *args, **kwargs)

    def form(self):
        return ReportFilterForm(self.request.GET or None, user=self.request.user)

    def get_breadcrumbs_items(self):
        # The header shows the last crumb: without this every reports screen was titled "Home".
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class ReportView(ReportsMixin, TemplateView):
    template_name = "workflow/reports/report.html"
    page_title = gettext_lazy("Reports")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, form = self.request.user, self.form()
        period, group_by, filters = form.values()
        now = timezone.now()
        report = figures.report(user=user, period=period, group_by=group_by, filters=filters, now=now)
        drill = reverse("reports:dossiers")

        base = f"{drill}?{_query(period, group_by, filters)}"

        def key_part(key=None):
            # Encoded once per row, not per cell (50 rows × 24 figures).
            return f"&{urlencode({'key': 'none' if key is None else key})}" if key is not None or group_by else ""

        def link(figure, key=None):
            return f"{base}&figure={figure}{key_part(key)}"

        rows = []
        for row in report.rows:
            tail = key_part(row.key)
            cells = [(row.counts[f], f"{base}&figure={f}{tail}") for f in FIGURES]
            rows.append({"row": row, "cells_html": _cells_html(cells, row)})
        total = report.total
        total_cells = [(total.counts[f], f"{drill}?{_query(period, None, filters, figure=f)}") for f in FIGURES]
        total_rates = [_rate(total, r) for r in RATES]
        months = list(last_months(12, period.last))
        trend = figures.trend(
            user=user, months=months, filters=filters, now=now, known={period.key: report.total.counts}
        )
        by_agency = (
            report
            if group_by == "agency"
            else figures.report(user=user, period=period, group_by="agency", filters=filters, now=now)
        )
        on_time_items = [
            (row.label, row.on_time_rate, link("resolved", row.key) if group_by == "agency" else None)
            for row in sorted(by_agency.rows, key=lambda r: (r.on_time_rate is None, r.on_time_rate or 0))
        ]
        backlog = figures.backlog(user=user, filters=filters, now=now)
        backlog_url = reverse("reports:backlog")
        segments = [
            (level, str(label), backlog[level], f"{backlog_url}?{urlencode({'level': level, **filters})}")
            for level, label in figures.BACKLOG_LEVELS.items()
        ]
        context.update(
            {
                "form": form,
                "period": period,
                "group_by": group_by,
                "group_label": GROUPINGS[group_by],
                "figures": FIGURES,
                "rates": RATES,
                "rows": rows,
                "total_cells": total_cells,
                "total_rates": total_rates,
                "total": total,
                "export_url": f"{reverse('reports:export')}?{_query(period, group_by, filters)}",
                "trend_svg": charts.trend_chart(
                    trend,
                    title=_("Trend by month"),
                    labels={"new": _("New"), "resolved": _("Resolved"), "rate": _("On-time rate")},
                ),
                "on_time_svg": charts.hbar_chart(on_time_items, title=_("On-time rate by agency"), max_value=1),
                "backlog_svg": charts.stacked_bar(segments, title=_("Open dossiers by warning level")),
                "quick_periods": [
                    (_("This month"), Period.current_month().key),
                    (_("Last month"), Period.previous_month().key),
                    (_("This year"), str(timezone.localdate().year)),
                ],
                "sees_all": sees_all_units(self.request.user),
            }
        )
        return context


class DrilldownView(ReportsMixin, TemplateView):
    template_name = "workflow/reports/dossiers.html"
    page_title = gettext_lazy("Dossiers behind a figure")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.form()
        period, group_by, filters = form.values()
        params = self.request.GET
        level = params.get("level")
        if level:
            if level not in figures.BACKLOG_LEVELS:
                raise PermissionDenied
            qs = figures.backlog_drilldown(user=self.request.user, level=level, filters=filters)
            qs = qs.select_related("procedure", "agency").order_by("-received_at", "-pk")
            heading = figures.BACKLOG_LEVELS[level]
        else:
            figure = params.get("figure")
            if figure not in FIGURES:
                raise PermissionDenied
            key = params.get("key") if "key" in params else None
            if "key" not in params:
                group_by = None
            qs = figures.drilldown(
                user=self.request.user, period=period, figure=figure, group_by=group_by, key=key, filters=filters
            )
            qs = qs.select_related("dossier__procedure", "dossier__agency").order_by("-entered_at", "-pk")
            heading = FIGURES[figure]
        page = Paginator(qs, 50).get_page(params.get("p"))
        query = params.copy()
        query.pop("p", None)
        context.update(
            {
                "page": page,
                "rows": [(row, None) if level else (row.dossier, row) for row in page],
                "heading": heading,
                "period": period,
                "count": page.paginator.count,
                "query": query.urlencode(),
                "back_url": f"{reverse('reports:index')}?{_query(period, group_by or 'agency', filters)}",
            }
        )
        return context


class BacklogView(DrilldownView):
    pass


class ExportView(View):
    """The report as an .xlsx workbook (workflow/reports/export.py)."""

    def get(self, request):
        require_reports(request.user)
        form = ReportFilterForm(request.GET or None, user=request.user)
        period, group_by, filters = form.values()
        report = figures.report(user=request.user, period=period, group_by=group_by, filters=filters)
        response = HttpResponse(
            report_workbook(report, group_by),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="bao-cao-{period.key}-{group_by}.xlsx"'
        return response


class Index766View(ReportsMixin, TemplateView):
    template_name = "workflow/reports/index766.html"
    page_title = gettext_lazy("Service index (Decision 766)")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.form()
        period, _group_by, _filters = form.values()
        # a published month shows its figures as published, with any revision beside them (DESIGN §8)
        shown = snapshots.shown(FigureKind.INDEX_766, period, visible_agency_ids(self.request.user))
        rows = [] if shown else index766.index_766(user=self.request.user, period=period)
        context.update(
            {
                "form": form,
                "period": period,
                "rows": rows,
                "shown": shown,
                "groups": index766.GROUPS,
                "indicators": index766.INDICATORS,
            }
        )
        return context


class LateListsView(ReportsMixin, TemplateView):
    template_name = "workflow/reports/late_lists.html"
    page_title = gettext_lazy("Monthly late lists")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lists = list(LateList.objects.all()[:24])
        selected = None
        key = self.request.GET.get("month")
        if key:
            selected = next((item for item in lists if item.key == key), None)
        selected = selected or (lists[0] if lists else None)
        entries = list(selected.entries.all()) if selected else []
        ids = visible_agency_ids(self.request.user)
        if ids is not ALL:
            entries = [e for e in entries if e.agency_id in ids]
        shown = snapshots.shown(FigureKind.LATE_LIST, selected.key, ids) if selected else None
        context.update(
            {
                "lists": lists,
                "selected": selected,
                "shown": shown,
                "revised_agencies": shown.revised_entries(LateListKind.AGENCY) if shown else [],
                "revised_officials": shown.revised_entries(LateListKind.OFFICIAL) if shown else [],
                "agencies": [e for e in entries if e.kind == LateListKind.AGENCY],
                "officials": [e for e in entries if e.kind == LateListKind.OFFICIAL],
                "can_publish": sees_all_units(self.request.user),
                "default_month": Period.previous_month().key,
            }
        )
        return context

    def post(self, request):
        if not sees_all_units(request.user):
            raise PermissionDenied
        from workflow.reports.services import late_list_publish

        try:
            period = Period.parse(request.POST.get("month", ""))
        except ValueError:
            messages.error(request, _("Choose a month, e.g. 2026-05."))
            return redirect("reports:late_lists")
        now = timezone.now()
        if period.key != f"{period.first:%Y-%m}":
            messages.error(request, _("Choose a month, e.g. 2026-05."))
            return redirect("reports:late_lists")
        published = LateList.objects.filter(month=period.first).exists()
        try:
            late_list = late_list_publish(month=period.first, now=now, by=request.user)
        except InvalidState as error:
            messages.error(request, error.message)
            return redirect("reports:late_lists")
        if not published:
            messages.success(request, _("The late list for %(month)s was published.") % {"month": str(late_list)})
        elif snapshots.recheck(FigureKind.LATE_LIST, period, now=now):
            messages.warning(
                request,
                _("The recomputed list for %(month)s differs; it is shown as a revision beside the published one.")
                % {"month": str(late_list)},
            )
        else:
            messages.success(
                request, _("The recomputed list for %(month)s is the same as published.") % {"month": str(late_list)}
            )
        return redirect(f"{reverse('reports:late_lists')}?month={late_list.key}")
