"""Registration of the officials' screens in the Wagtail admin (imported by ``workflow/wagtail_hooks.py``).

* ``/admin/dossiers/`` — a custom :class:`~wagtail.admin.viewsets.base.ViewSet`
  ("Dossiers" menu with a submenu): the four inboxes, the dossier detail with
  its action forms, the scoped document download, counter reception and bulk
  actions (views in :mod:`workflow.dossiers.admin_views`);
* ``/admin/snippets/workflow/process/`` — the process designer, a
  :class:`~wagtail.snippets.views.snippets.SnippetViewSet` scoped to the
  user's unit, with publish / new draft version / three-stage short process
  (views in :mod:`workflow.processes.admin_views`);
* the dashboard panel with the official's counts (``construct_homepage_panels``).

Query counts (pinned in tests/workflow/dossiers/test_admin.py): an inbox page costs 13
queries whatever its length — the rows with their procedure, step, holder,
QT 21 warning and step warning come in one query (warnings computed in SQL
against two instants taken once per request); the rest is session, user,
profile, menu and filter choices. A dossier detail costs 18 whatever the
number of events, documents and step timers (prefetched). The dashboard panel
adds one aggregate query.
"""

from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.panels.base import get_form_for_model
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from catalog.officials.permissions import UnitScopedChooserViewSet, UnitScopedPermissionPolicy
from workflow.dossiers import admin_views as dossier_views
from workflow.dossiers.forms import ProcessAdminForm, ProcessStepAdminForm
from workflow.dossiers.queries import can_use_inbox, dashboard_counts
from workflow.dossiers.selectors import WarningThresholds
from workflow.models import Process, ProcessStatus
from workflow.processes import admin_views as process_views
from workflow.processes.services import process_manageable_queryset, process_queryset_for

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


@hooks.register("register_admin_viewset")
def register_dossier_viewset():
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


@hooks.register("construct_homepage_panels")
def add_dossier_counts_panel(request, panels):
    if can_use_inbox(request.user):
        panels.append(DossierCountsPanel(request))


# --- process designer (QT 22) --------------------------------------------------------------------------


class StepsInlinePanel(InlinePanel):
    """The steps of a process: officials chosen among officials only, steps kept in the arranged order."""

    def get_form_options(self):
        options = super().get_form_options()
        formset = options["formsets"][self.relation_name]
        base = formset.get("form")
        if base is None or not issubclass(base, ProcessStepAdminForm):
            # Wagtail may already pass a generated form (deferred required fields); rebuild it on our base form,
            # keeping its Meta options, so the officials chooser is scoped in every case.
            meta = {}
            if base is not None:
                meta = {
                    key: value
                    for key, value in vars(base.Meta).items()
                    if not key.startswith("_") and key not in ("model", "fields", "exclude")
                }
            formset["form"] = get_form_for_model(
                self.db_field.related_model, form_class=ProcessStepAdminForm, fields=formset.get("fields", []), **meta
            )
        formset["inherit_kwargs"] = ["for_user"]
        formset["can_order"] = True
        return options


# Wagtail's generic views (chooser, bulk delete, editing sessions, edit links) ask the model's policy: a process is
# seen within process_queryset_for and changed within process_manageable_queryset (catalog/officials/permissions.py).
# Only a draft is deleted (as on the delete screen): dossiers may use a published or retired version.
register_permission_policy(
    Process,
    UnitScopedPermissionPolicy(
        Process,
        visible=process_queryset_for,
        manageable=process_manageable_queryset,
        deletable=lambda user: process_manageable_queryset(user).filter(status=ProcessStatus.DRAFT),
    ),
)


class ProcessViewSet(SnippetViewSet):
    model = Process
    chooser_viewset_class = UnitScopedChooserViewSet
    icon = "tasks"
    menu_label = _("Internal processes")
    menu_name = "internal-processes"
    menu_order = 110
    add_to_admin_menu = True
    list_display = ["name", "procedure", "agency", "version", "status", "published_at"]
    list_filter = ["status", "is_short", "agency"]
    search_fields = ["name", "procedure__name", "procedure__national_code"]
    list_per_page = 50
    inspect_view_enabled = True
    copy_view_enabled = False
    inspect_view_fields = ["name", "procedure", "agency", "version", "status", "is_short", "published_at"]
    edit_template_name = "workflow/admin/process_edit.html"
    inspect_template_name = "workflow/admin/process_inspect.html"

    index_view_class = process_views.ProcessIndexView
    add_view_class = process_views.ProcessCreateView
    edit_view_class = process_views.ProcessEditView
    inspect_view_class = process_views.ProcessInspectView
    delete_view_class = process_views.ProcessDeleteView
    history_view_class = process_views.ProcessHistoryView
    usage_view_class = process_views.ProcessUsageView

    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("procedure", widget=forms.Select), FieldPanel("agency", widget=forms.Select)]),
            FieldPanel("is_short"),
            StepsInlinePanel(
                "steps",
                label=_("Steps"),
                min_num=1,
                panels=[
                    FieldRowPanel([FieldPanel("name"), FieldPanel("position")]),
                    FieldRowPanel(
                        [FieldPanel("kind"), FieldPanel("allowance_hours"), FieldPanel("agency", widget=forms.Select)]
                    ),
                    MultiFieldPanel(
                        [FieldPanel("officials", widget=forms.CheckboxSelectMultiple)],
                        heading=_("Who may hold the step"),
                    ),
                ],
            ),
        ],
        base_form_class=ProcessAdminForm,
    )

    def get_queryset(self, request):
        return process_queryset_for(request.user).select_related("procedure", "agency")

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(viewset=self, **kwargs)

    def get_urlpatterns(self):
        def view(view_class):
            return view_class.as_view(viewset=self)

        return super().get_urlpatterns() + [
            path("publish/<int:pk>/", view(process_views.ProcessPublishView), name="publish"),
            path("new-version/<int:pk>/", view(process_views.ProcessNewVersionView), name="new_version"),
            path("short/", view(process_views.ShortProcessView), name="short"),
        ]


register_snippet(ProcessViewSet)
