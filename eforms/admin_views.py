"""Screens of the form builder in the Wagtail admin, scoped to the user's unit (DESIGN 4, 10).

* the e-form snippet (procedure, symbol, title): creating one also creates
  its draft version 1 and opens it in the builder;
* the version builder: sections (wizard steps) and their fields, edited with
  nested inline panels, only while the version is a draft;
* preview (the citizen's pages filled with a sample applicant, checked on
  POST exactly as the wizard checks, and the PDF), publish, new draft.
State changes are :mod:`eforms.services`; this module maps their errors to messages.
"""

import django_filters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log
from wagtail.snippets.views import snippets as snippet_views

from catalog.officials.permissions import UnitScopedPermissionPolicy
from eforms import definition, engine, selectors, services
from eforms.errors import EFormError, InvalidDefinition
from eforms.models import EForm, FormVersion, PrefillSource, VersionStatus


def _deletable_eforms(user):
    """As on the delete screen: a form that has been published is kept (dossiers may use it)."""
    published = FormVersion.objects.exclude(status=VersionStatus.DRAFT).values("eform_id")
    return selectors.eform_queryset_for(user).exclude(pk__in=published)


class EFormPermissionPolicy(UnitScopedPermissionPolicy):
    """Model permissions, narrowed per instance to the forms of the user's unit's procedures."""

    def __init__(self, model=EForm):
        super().__init__(model, visible=selectors.eform_queryset_for, deletable=_deletable_eforms)


class VersionPermissionPolicy(UnitScopedPermissionPolicy):
    """A version is managed with the rights on its form (``eforms.change_eform`` …), within the same scope."""

    def __init__(self):
        super().__init__(FormVersion, auth_model=EForm, visible=selectors.version_queryset_for)

    def user_has_permission(self, user, action):
        if action == "add":
            return False  # versions are created by the services (new form, new draft), never by hand
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if action in ("change", "delete") and instance.status != VersionStatus.DRAFT:
            return False
        return super().user_has_permission_for_instance(user, action, instance)


# --- e-form snippet views ---------------------------------------------------------------------------------


class ScopedEFormMixin:
    def get_queryset(self):
        return selectors.eform_queryset_for(self.request.user)


class EFormCreateView(snippet_views.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        eform = services.eform_create(
            actor=self.request.user,
            procedure=data["procedure"],
            symbol=data["symbol"],
            title=data["title"],
            requires_signature=data.get("requires_signature", False),
        )
        log(instance=eform, action="wagtail.create", user=self.request.user)
        return eform

    def get_success_url(self):
        return reverse("eform_versions:edit", args=[self.object.versions.get(status=VersionStatus.DRAFT).pk])

    def get_success_message(self, instance=None):
        return _("Form %(code)s created. Add its sections and fields, preview it, then publish it.") % {
            "code": (instance or self.object).code
        }


class EFormEditView(ScopedEFormMixin, snippet_views.EditView):
    pass


class EFormDeleteView(ScopedEFormMixin, snippet_views.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        eform = get_object_or_404(selectors.eform_queryset_for(request.user), pk=unquote(str(kwargs.get("pk"))))
        if eform.versions.exclude(status=VersionStatus.DRAFT).exists():
            messages.error(request, _("A form that has been published cannot be deleted: dossiers may use it."))
            return redirect("wagtailsnippets_eforms_eform:inspect", eform.pk)
        return super().dispatch(request, *args, **kwargs)


class EFormInspectView(snippet_views.InspectView):
    template_name = "eforms/admin/eform_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.eform_queryset_for(self.request.user), pk=unquote(str(self.pk)))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        eform = self.object
        can_change = self.permission_policy.user_has_permission(self.request.user, "change")
        versions = list(eform.versions.select_related("published_by").order_by("-number"))
        context.update(
            eform=eform,
            versions=versions,
            can_change=can_change,
            has_draft=any(v.status == VersionStatus.DRAFT for v in versions),
            new_draft_url=reverse("eform_versions:new_draft", args=[eform.pk]),
            import_url=reverse("eform_versions:import", args=[eform.pk]),
        )
        return context


# --- version views --------------------------------------------------------------------------------------


def _eforms_of_request(request):
    return selectors.eform_queryset_for(request.user).order_by("code")


class VersionFilterSet(WagtailFilterSet):
    """The versions index's filters: the e-form choices are the user's unit's forms only."""

    eform = django_filters.ModelChoiceFilter(queryset=_eforms_of_request)  # label: the field's verbose name

    class Meta:
        model = FormVersion
        fields = ["eform", "status"]


class VersionIndexView(generic.IndexView):
    """All versions of the user's unit's forms (Wagtail's ModelViewSet has no per-request queryset hook)."""

    filterset_class = VersionFilterSet

    def get_base_queryset(self):
        return selectors.version_queryset_for(self.request.user).select_related("eform")


class ScopedVersionMixin:
    def get_queryset(self):
        return selectors.version_queryset_for(self.request.user).select_related("eform")


class ScopedObjectMixin:
    """Delete, history and usage screens look the object up in the user's scope: another unit's is a 404."""

    def get_object(self, queryset=None):
        return get_object_or_404(self.scope(self.request.user), pk=unquote(str(self.kwargs["pk"])))


class VersionDeleteView(ScopedObjectMixin, generic.DeleteView):
    scope = staticmethod(selectors.version_queryset_for)


class VersionHistoryView(ScopedObjectMixin, generic.HistoryView):
    scope = staticmethod(selectors.version_queryset_for)


class VersionUsageView(ScopedObjectMixin, generic.UsageView):
    scope = staticmethod(selectors.version_queryset_for)


class EFormHistoryView(ScopedObjectMixin, snippet_views.HistoryView):
    scope = staticmethod(selectors.eform_queryset_for)


class EFormUsageView(ScopedObjectMixin, snippet_views.UsageView):
    scope = staticmethod(selectors.eform_queryset_for)


def _inspect_url(version):
    return _inspect_url_of(version.eform_id)


class VersionOperationView(View):
    """POST-only publish / new draft / delete draft, checked against the model permission and the unit scope."""

    http_method_names = ["post"]
    viewset = None

    def dispatch(self, request, *args, **kwargs):
        if not self.viewset.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class VersionPublishView(VersionOperationView):
    def post(self, request, pk):
        version = get_object_or_404(selectors.version_queryset_for(request.user), pk=pk)
        try:
            services.version_publish(actor=request.user, version_id=version.pk)
        except InvalidDefinition as error:
            messages.error(request, str(error), buttons=None)
            for problem in error.problems:
                messages.error(request, str(problem))
            return redirect("eform_versions:edit", version.pk)
        except EFormError as error:
            messages.error(request, str(error))
            return redirect(_inspect_url(version))
        messages.success(
            request,
            _("Version %(n)s of %(code)s is published; citizens now fill this version.")
            % {"n": version.number, "code": version.eform.code},
        )
        return redirect(_inspect_url(version))


class VersionNewDraftView(VersionOperationView):
    def post(self, request, pk):
        eform = get_object_or_404(selectors.eform_queryset_for(request.user), pk=pk)
        try:
            draft = services.version_new_draft(actor=request.user, eform_id=eform.pk)
        except EFormError as error:
            messages.error(request, str(error))
            return redirect("wagtailsnippets_eforms_eform:inspect", eform.pk)
        messages.success(
            request,
            _("Draft version %(n)s created from the published one: edit it, preview it, then publish it.")
            % {"n": draft.number},
        )
        return redirect("eform_versions:edit", draft.pk)


class VersionExportView(View):
    """The version as a definition file (JSON with a checksum), to import under another procedure or elsewhere."""

    viewset = None

    def get(self, request, pk):
        policy = self.viewset.permission_policy
        if not (policy.user_has_permission(request.user, "view") or policy.user_has_permission(request.user, "change")):
            raise PermissionDenied
        version = get_object_or_404(selectors.version_queryset_for(request.user).select_related("eform"), pk=pk)
        response = HttpResponse(definition.export(version), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{version.eform.code}-v{version.number}.json"'
        return response


class DefinitionImportView(VersionOperationView):
    """A definition file into the form's draft; a refused file changes nothing and lists every problem."""

    def post(self, request, pk):
        eform = get_object_or_404(selectors.eform_queryset_for(request.user), pk=pk)
        upload = request.FILES.get("definition")
        if upload is None:
            messages.error(request, _("Choose a definition file (.json) exported from an e-form."))
            return redirect(_inspect_url_of(eform.pk))
        try:
            draft = services.definition_import(actor=request.user, eform_id=eform.pk, data=upload.read())
        except InvalidDefinition as error:
            messages.error(request, str(error.message))
            for problem in error.problems[:50]:
                messages.error(request, str(problem))
            return redirect(_inspect_url_of(eform.pk))
        except EFormError as error:
            messages.error(request, str(error.message))
            return redirect(_inspect_url_of(eform.pk))
        messages.success(
            request,
            _("The definition was imported into draft version %(n)s: check it in the builder, then publish it.")
            % {"n": draft.number},
        )
        return redirect("eform_versions:edit", draft.pk)


def _inspect_url_of(eform_pk):
    return reverse("wagtailsnippets_eforms_eform:inspect", args=[eform_pk])


SAMPLE_PROFILE = {
    PrefillSource.FULL_NAME: "Nguyễn Văn An",
    PrefillSource.ID_NUMBER: "022090001234",
    PrefillSource.DATE_OF_BIRTH: "1990-05-17",
    PrefillSource.GENDER: "male",
    PrefillSource.ADDRESS: "Số 1 đường Trần Hưng Đạo",
    PrefillSource.PHONE: "0912345678",
    PrefillSource.EMAIL: "nguyenvanan@example.vn",
    PrefillSource.ORGANISATION_NAME: "Công ty TNHH An Bình",
    PrefillSource.TAX_CODE: "0101234567",
}


class VersionPreviewView(WagtailAdminTemplateMixin, View):
    """The citizen's pages, all sections on one screen, prefilled from a sample applicant.

    POST checks the answers exactly as the wizard does (conditions included)
    and, with "PDF", returns the filled form as the applicant would get it.
    """

    viewset = None
    template_name = "eforms/admin/version_preview.html"
    header_icon = "view"

    def dispatch(self, request, pk):
        if not self.viewset.permission_policy.user_has_permission(
            request.user, "view"
        ) and not self.viewset.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        self.version = get_object_or_404(selectors.version_queryset_for(request.user).select_related("eform"), pk=pk)
        self.definition = engine.load_definition(self.version)
        self.prefill = engine.resolve_prefill(self.definition, dict(SAMPLE_PROFILE), {})
        return super().dispatch(request, pk)

    def get_page_title(self):
        return _("Preview of %(code)s, version %(n)s") % {"code": self.version.eform.code, "n": self.version.number}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wagtailsnippets_eforms_eform:list"), "label": _("E-forms")},
            {"url": _inspect_url(self.version), "label": str(self.version.eform)},
            {"url": "", "label": self.get_page_title()},
        ]

    def render_forms(self, forms, outcome=None, status=200):
        context = self.get_context_data(
            version=self.version,
            definition=self.definition,
            forms=forms,
            outcome=outcome,
            edit_url=reverse("eform_versions:edit", args=[self.version.pk])
            if self.version.status == VersionStatus.DRAFT
            else None,
            inspect_url=_inspect_url(self.version),
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        forms = [
            (section, engine.section_form_class(self.definition, section)(prefix=section.key, prefill=self.prefill))
            for section in self.definition.sections
        ]
        return self.render_forms(forms)

    def post(self, request, pk):
        step_data = {s.key: request.POST for s in self.definition.sections}
        step_files = {s.key: request.FILES for s in self.definition.sections}
        outcome = engine.validate_all(self.definition, step_data, step_files, prefill=self.prefill)
        if not outcome.errors and "pdf" in request.POST:
            from eforms.pdf import render_form_pdf

            response = HttpResponse(
                render_form_pdf(
                    self.definition, outcome.values, applicant_name=SAMPLE_PROFILE[PrefillSource.FULL_NAME]
                ),
                content_type="application/pdf",
            )
            response["Content-Disposition"] = f'inline; filename="{self.definition.form_code}-preview.pdf"'
            return response
        forms = [
            (section, outcome.forms[section.key])
            for section in self.definition.sections
            if section.key in outcome.forms
        ]
        if not outcome.errors:
            messages.success(request, _("All answers are valid. Nothing is saved in a preview."))
        return self.render_forms(forms, outcome, status=200 if not outcome.errors else 400)
