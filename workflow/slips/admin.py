"""Slip templates in the Wagtail admin (DESIGN 5.4): the snippet viewset, its panels and permission policy,
registered in :mod:`workflow.wagtail_hooks` together with the slip download URLs.

Scoping (DESIGN 10): supervisors (all units) manage every template, the
province-wide defaults included. A unit's admin sees the defaults (read only:
inspect, preview, copy) and manages only the templates of their own unit.
"""

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel, ObjectList
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from catalog.models import Agency
from catalog.officials.permissions import UnitScopedChooserViewSet, UnitScopedPermissionPolicy
from catalog.officials.scoping import ALL, visible_agency_ids
from workflow.models import SlipTemplate
from workflow.slips.vocabulary import CSS_CLASSES, VARIABLES


class SlipTemplatePermissionPolicy(UnitScopedPermissionPolicy):
    """Model permissions, narrowed per instance to the user's unit (defaults: view only outside supervisors)."""

    def __init__(self, model=SlipTemplate):
        super().__init__(
            model,
            visible=lambda user: SlipTemplate.objects.visible_to(user),
            manageable=lambda user: SlipTemplate.objects.managed_by(user),
        )

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and instance.in_scope(user, change=action != "view")


class SlipTemplateForm(WagtailAdminModelForm):
    """A unit's admin can only write templates for their own unit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("agency")
        if field is None or self.for_user is None:
            return
        agency_ids = visible_agency_ids(self.for_user)
        if agency_ids is ALL:
            return
        field.queryset = Agency.objects.filter(pk__in=agency_ids)
        field.required = True
        field.empty_label = None
        if agency_ids and not self.instance.agency_id:
            self.initial["agency"] = agency_ids[0]


INTRO = _(
    "The body is HTML with Django template syntax: {variable}, {if_tag}, {for_tag} and the built-in filters "
    "(default, upper, linebreaksbr…). The tags include, extends, load and debug are not allowed. Leave the body "
    "empty to start from the built-in template of the chosen kind; check the result in the preview, filled with a "
    "sample dossier."
)


class SlipVariablesPanel(HelpPanel):
    """The variables and CSS classes a template may use."""

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context.update(
                variables=VARIABLES,
                css_classes=CSS_CLASSES,
                intro=format_html(
                    str(INTRO),
                    variable=format_html("<code>{}</code>", "{{ variable }}"),
                    if_tag=format_html("<code>{}</code>", "{% if %}"),
                    for_tag=format_html("<code>{}</code>", "{% for %}"),
                ),
            )
            return context


class _InstanceScopedMixin:
    """Instance views opened by URL: another unit's template is a 404 (as for dossiers and processes: its
    existence is not revealed); a visible template the user may not ``instance_action`` (a unit admin editing or
    deleting a province-wide default) is refused with Wagtail's permission-denied response (a redirect to the
    dashboard with an error message; 403 for XHR)."""

    instance_action = "change"

    def get_object(self, queryset=None):
        pk = unquote(str(self.kwargs[getattr(self, "pk_url_kwarg", "pk")]))
        try:
            seen = SlipTemplate.objects.filter(pk=pk).only("pk", "agency_id").first()
        except (ValueError, ValidationError):
            seen = None
        if seen is None or not seen.in_scope(self.request.user):
            raise Http404
        instance = super().get_object() if queryset is None else super().get_object(queryset)
        if not self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.instance_action, instance
        ):
            raise PermissionDenied
        return instance


class SlipTemplateIndexView(snippet_views.IndexView):
    def get_edit_url(self, instance):
        if self.permission_policy.user_has_permission_for_instance(self.request.user, "change", instance):
            return super().get_edit_url(instance)
        return None

    def get_delete_url(self, instance):
        if self.permission_policy.user_has_permission_for_instance(self.request.user, "delete", instance):
            return super().get_delete_url(instance)
        return None


class SlipTemplateEditView(_InstanceScopedMixin, snippet_views.EditView):
    pass


class SlipTemplateDeleteView(_InstanceScopedMixin, snippet_views.DeleteView):
    instance_action = "delete"


class SlipTemplateInspectView(_InstanceScopedMixin, snippet_views.InspectView):
    instance_action = "view"


class SlipTemplateHistoryView(_InstanceScopedMixin, snippet_views.HistoryView):
    instance_action = "view"


class SlipTemplateUsageView(_InstanceScopedMixin, snippet_views.UsageView):
    instance_action = "view"


class SlipTemplateCopyView(_InstanceScopedMixin, snippet_views.CopyView):
    instance_action = "view"  # copying a default into one's own unit is the way to start a unit template


class SlipTemplatePreviewOnEditView(_InstanceScopedMixin, snippet_views.PreviewOnEditView):
    pass


class SlipTemplateViewSet(SnippetViewSet):
    model = SlipTemplate
    chooser_viewset_class = UnitScopedChooserViewSet
    icon = "doc-full-inverse"
    menu_label = _("Slip templates")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["title", "kind", "agency", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["title"]
    inspect_view_enabled = True
    inspect_view_fields = ["title", "kind", "agency", "is_active", "updated_at", "body"]
    copy_view_enabled = True
    index_view_class = SlipTemplateIndexView
    edit_view_class = SlipTemplateEditView
    delete_view_class = SlipTemplateDeleteView
    inspect_view_class = SlipTemplateInspectView
    history_view_class = SlipTemplateHistoryView
    usage_view_class = SlipTemplateUsageView
    copy_view_class = SlipTemplateCopyView
    preview_on_edit_view_class = SlipTemplatePreviewOnEditView

    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("kind"), FieldPanel("is_active")]),
            FieldPanel("title"),
            FieldPanel("agency", widget=forms.Select),
            FieldPanel(
                "body",
                widget=forms.Textarea(
                    attrs={"rows": 30, "spellcheck": "false", "style": "font-family: monospace; font-size: 13px"}
                ),
            ),
            MultiFieldPanel(
                [SlipVariablesPanel(template="workflow/admin/slip_variables.html")],
                heading=_("Available variables"),
                classname="collapsed",
            ),
        ],
        base_form_class=SlipTemplateForm,
    )

    def get_queryset(self, request):
        return SlipTemplate.objects.visible_to(request.user).select_related("agency")
