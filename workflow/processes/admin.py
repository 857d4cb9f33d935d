"""The process designer in the Wagtail admin (QT 22), registered by ``workflow/wagtail_hooks.py``.

``/admin/snippets/workflow/process/`` is a :class:`~wagtail.snippets.views.snippets.SnippetViewSet` scoped to the
user's unit, with publish (on the process's page and as “Save and publish” on the edit page), new draft version,
copy of the default process for a unit and the three-stage short process (views in
:mod:`workflow.processes.admin_views`); its forms are :mod:`workflow.processes.forms`, the diagram on the process's
page :mod:`workflow.processes.diagram`.
"""

from django import forms
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.panels.base import get_form_for_model
from wagtail.snippets.action_menu import ActionMenuItem
from wagtail.snippets.views.snippets import SnippetViewSet

from catalog.officials.permissions import UnitScopedChooserViewSet, UnitScopedPermissionPolicy
from workflow.models import Process, ProcessStatus
from workflow.processes import admin_views as process_views
from workflow.processes.forms import ProcessAdminForm, ProcessStepAdminForm
from workflow.processes.services import process_is_manageable, process_manageable_queryset, process_queryset_for


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
def process_permission_policy():
    return UnitScopedPermissionPolicy(
        Process,
        visible=process_queryset_for,
        manageable=process_manageable_queryset,
        deletable=lambda user: process_manageable_queryset(user).filter(status=ProcessStatus.DRAFT),
    )


class PublishProcessMenuItem(ActionMenuItem):
    """“Save and publish” in the edit page's action menu: the draft is saved, then published
    (:meth:`workflow.processes.admin_views.ProcessEditView.save_action`); registered by workflow/wagtail_hooks.py."""

    name = process_views.PUBLISH_ACTION
    label = _("Save and publish")
    icon_name = "upload"
    order = 10

    def is_shown(self, context):
        instance = context.get("instance")
        request = context["request"]
        return (
            context.get("view") == "edit"
            and isinstance(instance, Process)
            and instance.status == ProcessStatus.DRAFT
            and process_permission_policy().user_has_permission(request.user, "change")
            and process_is_manageable(request.user, instance)
        )


def publish_menu_item(model):
    """The ``register_snippet_action_menu_item`` hook: the publish item for processes only."""
    return PublishProcessMenuItem() if model is Process else None


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
    create_template_name = "workflow/admin/process_create.html"
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
                heading=_("Steps"),
                label=_("step"),
                min_num=1,
                help_text=_(
                    "Steps run in this order. Move a step with its ↑ and ↓ buttons (Tab to them, then Enter) or drag "
                    "it by its handle. Give each step its allowance in working hours (a working day is 8 hours): "
                    "the total is compared with the procedure's processing time as you type."
                ),
                panels=[
                    FieldRowPanel([FieldPanel("name"), FieldPanel("position")]),
                    FieldRowPanel(
                        [
                            FieldPanel("kind"),
                            FieldPanel(
                                "allowance_hours",
                                widget=forms.NumberInput(
                                    attrs={"step": "0.25", "min": "0", "inputmode": "decimal", "data-step-hours": ""}
                                ),
                                classname="process-step-hours",
                            ),
                        ]
                    ),
                    FieldPanel("agency", widget=forms.Select, classname="process-step-agency"),
                    MultiFieldPanel(
                        [
                            FieldPanel("holder_role", widget=forms.RadioSelect),
                            FieldPanel("officials", widget=forms.CheckboxSelectMultiple),
                        ],
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
            path("copy-for-unit/<int:pk>/", view(process_views.ProcessCopyForUnitView), name="copy_for_unit"),
        ]
