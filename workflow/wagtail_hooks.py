"""Working calendar screens in the Wagtail admin (design 5.5).

Statutory holidays are not listed here: they come from the ``holidays``
package. Admins edit only what the province decides itself.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from workflow.models import ExtraDayOff, SwappedWorkingDay, WorkingSchedule


class WorkingScheduleViewSet(SnippetViewSet):
    model = WorkingSchedule
    icon = "time"
    menu_label = _("Working sessions")
    list_display = ["name", "valid_from", "valid_to", "note"]
    search_fields = ["name"]
    inspect_view_enabled = True


class ExtraDayOffViewSet(SnippetViewSet):
    model = ExtraDayOff
    icon = "date"
    menu_label = _("Extra days off")
    list_display = ["date", "note"]
    list_filter = ["date"]
    search_fields = ["note"]
    panels = [FieldPanel("date"), FieldPanel("note")]


class SwappedWorkingDayViewSet(SnippetViewSet):
    model = SwappedWorkingDay
    icon = "calendar-check"
    menu_label = _("Swapped working days")
    list_display = ["date", "sessions_like", "note"]
    list_filter = ["date"]
    search_fields = ["note"]
    panels = [FieldPanel("date"), FieldPanel("sessions_like"), FieldPanel("note")]


class WorkingCalendarGroup(SnippetViewSetGroup):
    menu_label = _("Working calendar")
    menu_icon = "calendar-alt"
    menu_order = 300
    items = (WorkingScheduleViewSet, ExtraDayOffViewSet, SwappedWorkingDayViewSet)


register_snippet(WorkingCalendarGroup)
# --- slips: templates (workflow/slips/admin.py) and the download URLs (workflow/slips/urls.py) ---
from django.urls import include, path  # noqa: E402
from wagtail.permissions import register_permission_policy  # noqa: E402

from workflow.models import SlipTemplate  # noqa: E402
from workflow.slips.admin import SlipTemplatePermissionPolicy, SlipTemplateViewSet  # noqa: E402

register_permission_policy(SlipTemplate, SlipTemplatePermissionPolicy())
register_snippet(SlipTemplateViewSet)


@hooks.register("register_admin_urls")
def register_slip_urls():
    return [path("", include("workflow.slips.urls"))]


from workflow.dossiers import admin as dossier_admin  # noqa: F401,E402
from workflow.reports.admin import ReportsViewSet, add_report_panels  # noqa: E402


@hooks.register("register_admin_viewset")
def register_reports_viewset():
    return ReportsViewSet()


hooks.register("construct_homepage_panels", add_report_panels)
