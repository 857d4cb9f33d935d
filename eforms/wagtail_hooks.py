"""The e-form builder in the Wagtail admin (declared viewsets; custom screens in :mod:`eforms.admin_views`)."""

from django import forms
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from catalog.officials.permissions import UnitScopedChooserViewSet
from eforms import admin_views as views
from eforms import builder
from eforms.models import EForm, FormVersion
from eforms.selectors import procedures_for

register_permission_policy(EForm, views.EFormPermissionPolicy())
register_permission_policy(FormVersion, views.VersionPermissionPolicy())


class EFormAdminForm(WagtailAdminModelForm):
    """Procedures limited to the user's unit; procedure and symbol fixed once created (the code is the key)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "procedure" in self.fields and self.for_user is not None:
            self.fields["procedure"].queryset = procedures_for(self.for_user).order_by("national_code")
        if "symbol" in self.fields:
            # People type "tk1"; the code uses capitals (1.001612.TK1).
            self.fields["symbol"].to_python = lambda value: (value or "").strip().upper()
        if self.instance.pk:
            for name in ("procedure", "symbol"):
                if name in self.fields:
                    self.fields[name].disabled = True


class EFormViewSet(SnippetViewSet):
    model = EForm
    chooser_viewset_class = UnitScopedChooserViewSet
    icon = "form"
    menu_label = _("E-forms")
    menu_name = "eforms"
    menu_order = 120
    add_to_admin_menu = True
    list_display = ["code", "title", "procedure", "updated_at"]
    search_fields = ["code", "title", "procedure__name", "procedure__national_code"]
    inspect_view_enabled = True
    copy_view_enabled = False
    add_view_class = views.EFormCreateView
    edit_view_class = views.EFormEditView
    delete_view_class = views.EFormDeleteView
    inspect_view_class = views.EFormInspectView
    history_view_class = views.EFormHistoryView
    usage_view_class = views.EFormUsageView
    edit_handler = ObjectList(
        [
            FieldPanel("procedure", widget=forms.Select),
            FieldRowPanel([FieldPanel("symbol"), FieldPanel("requires_signature")]),
            FieldPanel("title"),
        ],
        base_form_class=EFormAdminForm,
    )

    def get_queryset(self, request):
        from eforms.selectors import eform_queryset_for

        return eform_queryset_for(request.user).select_related("procedure")


register_snippet(EFormViewSet)


class FormVersionViewSet(ModelViewSet):
    """The builder of one version (reached from the form's page; not a menu item of its own)."""

    model = FormVersion
    name = "eform_versions"
    url_prefix = "eforms/versions"
    icon = "form"
    add_to_admin_menu = False
    menu_label = _("E-form versions")
    list_display = ["eform", "number", "status", "published_at"]
    exclude_form_fields = []
    index_view_class = views.VersionIndexView
    delete_view_class = views.VersionDeleteView
    history_view_class = views.VersionHistoryView
    usage_view_class = views.VersionUsageView
    inspect_view_enabled = False
    copy_view_enabled = False
    # Edited in the builder (eforms.builder), which replaces the generic edit view; only the note is a form field.
    edit_handler = ObjectList([FieldPanel("note")])

    def get_urlpatterns(self):
        def view(view_class):
            return view_class.as_view(viewset=self)

        return [p for p in super().get_urlpatterns() if p.name != "edit"] + [
            path("edit/<int:pk>/", view(builder.BuilderView), name="edit"),
            path("live-preview/<int:pk>/", view(builder.LivePreviewView), name="live_preview"),
            path("document/<int:pk>/", view(builder.DocumentView), name="document"),
            path("preview/<int:pk>/", view(views.VersionPreviewView), name="preview"),
            path("publish/<int:pk>/", view(views.VersionPublishView), name="publish"),
            path("new-draft/<int:pk>/", view(views.VersionNewDraftView), name="new_draft"),
            path("export/<int:pk>/", view(views.VersionExportView), name="export"),
            path("import/<int:pk>/", view(views.DefinitionImportView), name="import"),
        ]


@hooks.register("register_admin_viewset")
def register_version_viewset():
    return FormVersionViewSet()
