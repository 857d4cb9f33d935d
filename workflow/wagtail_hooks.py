"""Everything workflow puts in the Wagtail admin, registered here and only here: the sub-packages' admin modules
define the screens (workflow/dossiers/admin.py, workflow/processes/admin.py, workflow/slips/admin.py,
workflow/reports/admin.py, workflow/payments/admin.py, workflow/calendar_admin.py); this module adds them to menus,
URLs and policies."""

from django.urls import include, path
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from workflow.calendar_admin import WorkingCalendarGroup
from workflow.dossiers.admin import add_dossier_counts_panel, dossier_viewset
from workflow.models import Process, SlipTemplate
from workflow.payments.admin import ReconciliationViewSet
from workflow.processes.admin import ProcessViewSet, process_permission_policy, publish_menu_item
from workflow.reports.admin import ReportsViewSet, add_report_panels
from workflow.slips.admin import SlipTemplatePermissionPolicy, SlipTemplateViewSet

# Snippets. Wagtail's generic views (chooser, bulk delete, edit links) ask the model's policy: a process is seen
# within process_queryset_for and changed within process_manageable_queryset (catalog/officials/permissions.py).
register_permission_policy(Process, process_permission_policy())
register_snippet(ProcessViewSet)
hooks.register("register_snippet_action_menu_item", publish_menu_item)  # “Save and publish” on a draft's edit page
register_permission_policy(SlipTemplate, SlipTemplatePermissionPolicy())
register_snippet(SlipTemplateViewSet)
register_snippet(WorkingCalendarGroup)

# Viewsets: the dossier inboxes and screens, the reports.
hooks.register("register_admin_viewset", dossier_viewset)
hooks.register("register_admin_viewset", ReportsViewSet)
hooks.register("register_admin_viewset", ReconciliationViewSet)

# Dashboard panels: the official's counts, the reports' summary.
hooks.register("construct_homepage_panels", add_dossier_counts_panel)
hooks.register("construct_homepage_panels", add_report_panels)


@hooks.register("register_admin_urls")
def register_slip_urls():
    return [path("", include("workflow.slips.urls"))]
