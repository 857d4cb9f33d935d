"""Catalog screens in the Wagtail admin (declared, not hand-written)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from catalog.access_log.views import AccessLogViewSet, log_citizen_account_view, police_sees_only_the_statistics
from catalog.admin_views import ProcedureIndexView
from catalog.import_views import CatalogImportViewSet
from catalog.models import Agency, FaqEntry, MaintenanceNotice, Procedure, Sector
from catalog.officials import services as accounts
from catalog.officials.permissions import UnitScopedDeleteBulkAction
from catalog.officials.views import OfficialsViewSet
from portal.core.admin_columns import local_datetime, yes_no


class AgencyViewSet(SnippetViewSet):
    model = Agency
    icon = "group"
    menu_label = _("Agencies")
    list_display = ["name", "code", "level", "parent", "hotline", yes_no(Agency, "is_active")]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "short_name", "code"]
    list_export = ["code", "name", "short_name", "level", "parent", "address", "phone", "email", "hotline"]
    inspect_view_enabled = True
    panels = [
        FieldRowPanel([FieldPanel("code"), FieldPanel("level")]),
        FieldPanel("name"),
        FieldPanel("short_name"),
        FieldPanel("parent"),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("hotline"),
                FieldPanel("working_hours_note"),
            ],
            heading=_("Contacts"),
        ),
        FieldPanel("is_active"),
    ]


class SectorViewSet(SnippetViewSet):
    model = Sector
    icon = "folder-open-inverse"
    menu_label = _("Sectors")
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    list_export = ["code", "name"]


class ProcedureViewSet(SnippetViewSet):
    model = Procedure
    index_view_class = ProcedureIndexView  # searches with the public catalog search
    icon = "doc-full"
    menu_label = _("Procedures")
    list_display = ["national_code", "name", "sector", "level", "online_level", "status"]
    list_filter = ["sector", "level", "online_level", "status", "agencies"]
    search_fields = ["national_code", "name"]
    list_export = [
        "national_code",
        "name",
        "sector",
        "level",
        "online_level",
        "processing_time",
        "processing_time_unit",
        "status",
    ]
    inspect_view_enabled = True
    inspect_view_fields_exclude = ["search_text"]  # the folded copy the search reads, not for readers
    list_per_page = 50
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("national_code"), FieldPanel("status")]),
                    FieldPanel("name"),
                    FieldRowPanel([FieldPanel("sector"), FieldPanel("level"), FieldPanel("online_level")]),
                    FieldPanel("agencies"),
                    FieldRowPanel(
                        [FieldPanel("processing_time"), FieldPanel("processing_time_unit")],
                        heading=_("Processing time"),
                    ),
                    FieldPanel("processing_time_note"),
                    FieldPanel("applicant_subjects"),
                    FieldPanel("result_type"),
                ],
                heading=_("General"),
            ),
            ObjectList(
                [
                    InlinePanel("documents", label=_("Required documents")),
                    InlinePanel("fees", label=_("Fees and charges")),
                ],
                heading=_("Documents and fees"),
            ),
            ObjectList(
                [
                    MultiFieldPanel(
                        [
                            FieldPanel("submit_online"),
                            FieldPanel("submit_counter"),
                            FieldPanel("submit_post"),
                            FieldPanel("postal_return"),
                        ],
                        heading=_("Channels"),
                    ),
                    FieldPanel("applicant_steps"),
                    FieldPanel("requirements"),
                    FieldPanel("legal_basis"),
                    FieldPanel("publishing_decision"),
                ],
                heading=_("Steps and legal basis"),
            ),
        ]
    )


class FaqEntryViewSet(SnippetViewSet):
    model = FaqEntry
    icon = "help"
    menu_label = _("FAQ")
    list_display = ["question", "sector", "procedure", yes_no(FaqEntry, "is_published")]
    list_filter = ["sector", "is_published"]
    search_fields = ["question"]
    panels = [
        FieldPanel("sector"),
        FieldPanel("procedure"),
        FieldPanel("question"),
        FieldPanel("answer"),
        FieldRowPanel([FieldPanel("is_published"), FieldPanel("sort_order")]),
    ]


class MaintenanceNoticeViewSet(SnippetViewSet):
    model = MaintenanceNotice
    icon = "warning"
    menu_label = _("Maintenance notices")
    list_display = [
        "title",
        local_datetime(MaintenanceNotice, "starts_at"),
        local_datetime(MaintenanceNotice, "ends_at"),
        yes_no(MaintenanceNotice, "is_published"),
    ]
    panels = [
        FieldPanel("title"),
        FieldPanel("body"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
        FieldPanel("is_published"),
    ]


class CatalogGroup(SnippetViewSetGroup):
    menu_label = _("Catalog")
    menu_icon = "list-ul"
    menu_order = 200
    items = (ProcedureViewSet, AgencyViewSet, SectorViewSet, FaqEntryViewSet, MaintenanceNoticeViewSet)


register_snippet(CatalogGroup)


# --- Catalog import / export (catalog/import_views.py), officials' accounts (catalog/officials/views.py), the
# personal-data access log (catalog/access_log/views.py): the screens are defined there and registered here.
hooks.register("register_admin_viewset", CatalogImportViewSet)
hooks.register("register_admin_viewset", OfficialsViewSet)
hooks.register("register_admin_viewset", AccessLogViewSet)
# BN 7.4: the police account sees the access statistics and nothing else.
hooks.register("construct_main_menu", police_sees_only_the_statistics)
# A citizen's account opened in the user editor shows personal data: the view is logged.
hooks.register("before_edit_user", log_citizen_account_view)
# After Wagtail's own DeleteBulkAction (order 0): the registry keeps the last class per model and action.
hooks.register("register_bulk_action", UnitScopedDeleteBulkAction, order=100)


@hooks.register("register_log_actions")
def register_account_log_actions(actions):
    actions.register_action(accounts.LOG_CREATE, _("Account creation"), _("Account created"))
    actions.register_action(accounts.LOG_ROLES, _("Role change"), _("Roles changed"))
    actions.register_action(accounts.LOG_REVOKE, _("Account revocation"), _("Account revoked"))
    actions.register_action(accounts.LOG_RESET_OTP, _("Second factor reset"), _("Second factor reset"))
