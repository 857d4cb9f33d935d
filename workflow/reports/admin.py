"""The reports area and the dashboard panels (registered by ``workflow/wagtail_hooks.py``).

* ``/admin/reports/`` — report with filters and charts, drill-down, Excel
  export, the 766 index with its formulas, the monthly late lists;
* two dashboard panels: this month's figures and the backlog by warning level.
"""

from urllib.parse import urlencode

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.base import ViewSet

from catalog.officials.scoping import ALL, visible_agency_ids
from workflow.dossiers.queries import can_use_inbox
from workflow.reports import charts, figures, views
from workflow.reports.periods import Period

PANEL_CACHE_SECONDS = 300


def _cached(user, name, compute):
    """Dashboard figures per scope (every unit, or a unit's ids), recomputed at most every few minutes."""
    from django.core.cache import cache

    ids = visible_agency_ids(user)
    scope = "all" if ids is ALL else "-".join(str(i) for i in sorted(ids)) or "none"
    now = timezone.now()
    key = f"reports:panel:{name}:{scope}:{now:%Y%m%d%H}{now.minute // 5}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, PANEL_CACHE_SECONDS)
    return value


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_use_inbox(request.user)


class ReportsMenu(SubmenuMenuItem):
    def is_shown(self, request):
        return can_use_inbox(request.user)


class ReportsViewSet(ViewSet):
    name = "reports"
    url_prefix = "reports"
    icon = "table"
    menu_label = gettext_lazy("Reports")
    menu_name = "reports"
    menu_order = 120
    add_to_admin_menu = True

    def get_urlpatterns(self):
        return [
            path("", views.ReportView.as_view(), name="index"),
            path("dossiers/", views.DrilldownView.as_view(), name="dossiers"),
            path("backlog/", views.BacklogView.as_view(), name="backlog"),
            path("export/", views.ExportView.as_view(), name="export"),
            path("index-766/", views.Index766View.as_view(), name="index766"),
            path("late-lists/", views.LateListsView.as_view(), name="late_lists"),
        ]

    def get_menu_item(self, order=None):
        def item(label, url_name, icon, item_order):
            return ReportsMenuItem(
                label,
                reverse(self.get_url_name(url_name)),
                name=f"reports-{url_name}",
                icon_name=icon,
                order=item_order,
            )

        submenu = Menu(
            items=[
                item(_("Figures and charts"), "index", "table", 1),
                item(_("Service index (Decision 766)"), "index766", "pick", 2),
                item(_("Monthly late lists"), "late_lists", "warning", 3),
                ReportsMenuItem(
                    _("Payment reconciliation"),
                    reverse("reconciliation:index"),
                    name="reports-reconciliation",
                    icon_name="tasks",
                    order=4,
                ),
            ]
        )
        return ReportsMenu(
            self.menu_label, submenu, name=self.menu_name, icon_name=self.icon, order=self.get_menu_item_order(order)
        )


class MonthFiguresPanel(Component):
    """This month's figures for the user's scope, each linking to its dossiers (one aggregate query)."""

    name = "report_month"
    template_name = "workflow/reports/dashboard_month.html"
    order = 60

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        period = Period.current_month()
        user = self.request.user
        total = _cached(
            user, f"month:{period.key}", lambda: figures.report(user=user, period=period, group_by=None).total
        )
        drill = reverse("reports:dossiers")

        def url(figure):
            return f"{drill}?{urlencode({'period': period.key, 'figure': figure})}"

        return {
            "period": period,
            "items": [
                (figures.FIGURES[f], total.counts[f], url(f))
                for f in ("received", "new", "resolved", "late", "in_progress", "overdue")
            ],
            "on_time_rate": total.on_time_rate,
            "resolution_rate": total.resolution_rate,
            "reports_url": reverse("reports:index"),
        }


class BacklogPanel(Component):
    name = "report_backlog"
    template_name = "workflow/reports/dashboard_backlog.html"
    order = 61

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        user = self.request.user
        counts = _cached(user, "backlog", lambda: figures.backlog(user=user, now=timezone.now()))
        url = reverse("reports:backlog")
        segments = [
            (level, str(label), counts[level], f"{url}?{urlencode({'level': level})}")
            for level, label in figures.BACKLOG_LEVELS.items()
        ]
        return {
            "svg": charts.stacked_bar(segments, title=_("Open dossiers by warning level")),
            "total": sum(counts.values()),
        }


def add_report_panels(request, panels):
    """The ``construct_homepage_panels`` hook: both panels for officials who use the inbox."""
    if can_use_inbox(request.user):
        panels.append(MonthFiguresPanel(request))
        panels.append(BacklogPanel(request))
