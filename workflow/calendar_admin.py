"""Working calendar screens in the Wagtail admin (DESIGN §5.5), registered by ``workflow/wagtail_hooks.py``.

Statutory holidays are not listed here: they come from the ``holidays``
package. Admins edit only what the province decides itself.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
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
