"""The officials' dossier screens in the Wagtail admin (registered by ``workflow/wagtail_hooks.py``).

* ``/admin/dossiers/`` — a custom :class:`~wagtail.admin.viewsets.base.ViewSet`
  ("Dossiers" menu with a submenu): the four inboxes, the dossier detail with
  its action forms, the scoped document download, counter reception and bulk
  actions (views in :mod:`workflow.dossiers.admin_views`);
* the dashboard panel with the official's counts (``construct_homepage_panels``).

Query counts (pinned in tests/workflow/dossiers/test_admin.py): an inbox page costs 13
queries whatever its length — the rows with their procedure, step, holder,
QT 21 warning and step warning come in one query (warnings computed in SQL
against two instants taken once per request); the rest is session, user,
profile, menu and filter choices. A dossier detail costs 18 whatever the
number of events, documents and step timers (prefetched). The dashboard panel
adds one aggregate query.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.base import ViewSet

from workflow.dossiers import admin_views as dossier_views
from workflow.dossiers.queries import can_use_inbox, dashboard_counts
from workflow.dossiers.selectors import WarningThresholds

# --- dossiers ----------------------------------------------------------------------------------------


class InboxMenuItem(MenuItem):
    def is_shown(self, request):
        return can_use_inbox(request.user)


class CounterMenuItem(MenuItem):
    def is_shown(self, request):
        from catalog.officials.scoping import user_agency_id

        return bool(user_agency_id(request.user))


class DossierViewSet(ViewSet):
    """The officials' working screens (DESIGN §5): inboxes, detail, actions."""

    name = "dossiers"
    url_prefix = "dossiers"
    icon = "folder-open-inverse"
    menu_label = _("Dossiers")
    menu_name = "dossiers"
    menu_order = 100
    add_to_admin_menu = True

    def view(self, view_class, **kwargs):
        return view_class.as_view(viewset=self, **kwargs)

    def get_urlpatterns(self):
        urls = [path("", self.view(dossier_views.InboxView, inbox="mine"), name="index")]
        for inbox in ("mine", "unit", "reception", "all"):
            urls += [
                path(f"{inbox}/", self.view(dossier_views.InboxView, inbox=inbox), name=inbox),
                path(
                    f"{inbox}/results/",
                    self.view(dossier_views.InboxView, inbox=inbox, results_only=True),
                    name=f"{inbox}_results",
                ),
            ]
        urls += [
            path("receive/", self.view(dossier_views.CounterReceptionView), name="receive"),
            path("bulk/", self.view(dossier_views.BulkActionView), name="bulk"),
            path("<int:pk>/", self.view(dossier_views.DossierDetailView), name="detail"),
            path("<int:pk>/actions/<slug:action>/", self.view(dossier_views.DossierActionView), name="action"),
            path(
                "<int:pk>/documents/<int:document_pk>/", self.view(dossier_views.DocumentDownloadView), name="document"
            ),
        ]
        return urls

    def get_menu_item(self, order=None):
        def item(label, url_name, icon, item_order, item_class=InboxMenuItem):
            return item_class(
                label,
                reverse(self.get_url_name(url_name)),
                name=f"dossiers-{url_name}",
                icon_name=icon,
                order=item_order,
            )

        submenu = Menu(
            items=[
                item(dossier_views.INBOX_TITLES["mine"], "mine", "user", 1),
                item(dossier_views.INBOX_TITLES["unit"], "unit", "group", 2),
                item(dossier_views.INBOX_TITLES["reception"], "reception", "download", 3),
                item(dossier_views.INBOX_TITLES["all"], "all", "folder-inverse", 4),
                item(_("Receive at the counter"), "receive", "plus", 5, CounterMenuItem),
            ]
        )
        return DossierMenu(
            self.menu_label,
            submenu,
            name=self.menu_name,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
        )


class DossierMenu(SubmenuMenuItem):
    def is_shown(self, request):
        return can_use_inbox(request.user)


def dossier_viewset():
    return DossierViewSet()


# --- dashboard ---------------------------------------------------------------------------------------


class DossierCountsPanel(Component):
    """The official's numbers on the dashboard, each linking to its filtered inbox (one aggregate query)."""

    name = "dossier_counts"
    template_name = "workflow/admin/dashboard_panel.html"
    order = 50

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        counts = dashboard_counts(self.request.user, WarningThresholds.at())

        def url(name, query=""):
            return reverse(f"dossiers:{name}") + (f"?{query}" if query else "")

        return {
            "items": [
                {"label": _("Held by me"), "count": counts["held"], "url": url("mine", "holder=me")},
                {"label": _("Waiting for reception in my unit"), "count": counts["waiting"], "url": url("reception")},
                {
                    "label": _("Overdue"),
                    "count": counts["overdue"],
                    "url": url("mine", "warning=overdue"),
                    "level": "overdue",
                },
                {
                    "label": _("Less than one working day left"),
                    "count": counts["due_soon"],
                    "url": url("mine", "warning=due_soon"),
                    "level": "due_soon",
                },
            ],
            "mine_count": counts["mine"],
            "mine_url": url("mine"),
        }


def add_dossier_counts_panel(request, panels):
    if can_use_inbox(request.user):
        panels.append(DossierCountsPanel(request))
