"""The e-form builder screen (issue 17): a department admin builds a draft without learning any syntax.

The page edits the version as its definition document (:mod:`eforms.definition`) in the browser
(``eforms/static/eforms/builder.js``): choices and table columns as rows, checks picked by name, defaults with
the field's own widget, conditions from drop-downs, drag or move buttons to reorder, ready blocks, a live preview
beside it. Saving posts the document; :func:`eforms.services.version_replace_definition` checks all of it and
writes it, or answers every problem with where it is. The preview renders the unsaved document with the same
engine as the wizard.
"""

import json

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from eforms import definition, divisions, engine, presets, selectors, services
from eforms.admin_views import SAMPLE_PROFILE
from eforms.errors import EFormError, InvalidDefinition
from eforms.models import (
    APPLICANT_FIELD_TYPES,
    FILE_TYPES,
    ApplicantField,
    ConditionOperator,
    FieldType,
    PrefillSource,
    TableColumnType,
    VersionStatus,
)

MAX_BODY = definition.MAX_BYTES


def _choices(text_choices):
    return [{"value": value, "label": str(label)} for value, label in text_choices.choices]


def identity_block():
    """The applicant's identity, prefilled from the signed-in account and recorded as the dossier's applicant."""
    return [
        {
            "code": "ho_ten",
            "label": _("Full name"),
            "type": FieldType.TEXT,
            "required": True,
            "prefill": PrefillSource.FULL_NAME,
            "applicant_field": ApplicantField.FULL_NAME,
            "max_length": 100,
        },
        {
            "code": "so_cccd",
            "label": _("Citizen ID number (CCCD)"),
            "type": FieldType.CITIZEN_ID,
            "required": True,
            "prefill": PrefillSource.ID_NUMBER,
            "applicant_field": ApplicantField.ID_NUMBER,
        },
        {
            "code": "ngay_sinh",
            "label": _("Date of birth"),
            "type": FieldType.DATE,
            "preset": presets.Preset.PAST_DATE,
            "prefill": PrefillSource.DATE_OF_BIRTH,
        },
        {
            "code": "dia_chi",
            "label": _("Address"),
            "type": FieldType.TEXT,
            "prefill": PrefillSource.ADDRESS,
            "applicant_field": ApplicantField.ADDRESS,
        },
        {
            "code": "dien_thoai",
            "label": _("Phone number"),
            "type": FieldType.PHONE,
            "required": True,
            "prefill": PrefillSource.PHONE,
            "applicant_field": ApplicantField.PHONE,
        },
        {
            "code": "thu_dien_tu",
            "label": _("E-mail"),
            "type": FieldType.EMAIL,
            "prefill": PrefillSource.EMAIL,
            "applicant_field": ApplicantField.EMAIL,
        },
    ]


def config(request, version):
    """What the page's script needs: the lists to pick from (translated), ready blocks, sources to copy, URLs."""
    sources = (
        selectors.version_queryset_for(request.user)
        .exclude(pk=version.pk)
        .select_related("eform")
        .order_by("eform__code", "-number")[:300]
    )
    return {
        "types": _choices(FieldType),
        "presets": {
            kind: [{"value": p.value, "label": str(p.label)} for p in offered]
            for kind, offered in presets.PRESETS_BY_TYPE.items()
        },
        "prefill": _choices(PrefillSource),
        "applicant": [
            {"value": a.value, "label": str(a.label), "types": sorted(APPLICANT_FIELD_TYPES[a])} for a in ApplicantField
        ],
        "column_types": _choices(TableColumnType),
        "operators": {o.value: str(o.label) for o in ConditionOperator},
        "provinces": [{"value": code, "label": name} for code, name in divisions.provinces()],
        "file_types": list(FILE_TYPES),
        "blocks": [{"key": "identity", "label": _("Applicant's identity (6 fields)"), "fields": identity_block()}],
        "sources": [
            {"id": v.pk, "label": f"{v.eform.code} – {v.eform.title} (v{v.number}, {v.get_status_display()})"}
            for v in sources
        ],
        "urls": {
            "save": reverse("eform_versions:edit", args=[version.pk]),
            "preview": reverse("eform_versions:live_preview", args=[version.pk]),
            "publish": reverse("eform_versions:publish", args=[version.pk]),
            "document": reverse("eform_versions:document", args=[0]),
        },
    }


def builder_text():
    """The page script's words, in the official's language."""
    return {
        "addChoice": _("Add a choice"),
        "addColumn": _("Add a column"),
        "addField": _("+ Add a field…"),
        "addFieldTo": _("Add a field to section %(section)s"),
        "always": _("Always"),
        "anyProvince": _("Any province"),
        "applicantField": _("The dossier records this answer as the applicant's"),
        "block": _("Ready block"),
        "check": _("Check the answer"),
        "choiceLabel": _("Choice shown to the applicant"),
        "choiceN": _("Choice %(n)s"),
        "choices": _("Choices"),
        "codeIs": _("Name of the answer in the data: %(code)s (set from the label)"),
        "columnLabel": _("Column heading"),
        "columnN": _("Column %(n)s"),
        "columnTypeN": _("Type of column %(n)s"),
        "columns": _("Table columns"),
        "conditionGone": _("The field this depends on is no longer before it: choose again."),
        "conditional": _("shown only if…"),
        "confirmCopy": _("Replace the sections and fields of this draft with the chosen form's?"),
        "confirmRemoveSection": _("Remove this section and its fields?"),
        "content": _("Text shown"),
        "copied": _("Copied: check, then save."),
        "copySuffix": _("(copy)"),
        "defaultValue": _("Default answer"),
        "duplicate": _("Duplicate"),
        "editableAfterPrefill": _("The applicant may change the prefilled answer"),
        "fileTypes": _("Allowed file types"),
        "helpText": _("Help for the applicant"),
        "label": _("Question (label)"),
        "maxDate": _("Latest date"),
        "maxFileMb": _("Largest file (MB)"),
        "maxLength": _("At most (characters)"),
        "maxRows": _("At most (rows)"),
        "maxValue": _("At most"),
        "minDate": _("Earliest date"),
        "minLength": _("At least (characters)"),
        "minRows": _("At least (rows)"),
        "minValue": _("At least"),
        "moreOptions": _("More options (help, default, prefill)"),
        "moveDown": _("Move down"),
        "dragSection": _("Drag to move the section (or use the arrows)"),
        "moveUp": _("Move up"),
        "moved": _("Moved."),
        "no": _("No"),
        "noCheck": _("No special check"),
        "none": _("— None —"),
        "operator": _("Condition"),
        "pattern": _("Pattern"),
        "patternHelp": _("For experts: a regular expression the whole answer must match."),
        "patternMessage": _("Message when it does not match"),
        "prefill": _("Prefill from"),
        "province": _("Only addresses in"),
        "remove": _("Remove"),
        "removeRow": _("Remove row %(n)s"),
        "required": _("Required"),
        "requiredShort": _("required"),
        "saveFailed": _("Could not save: check the connection and try again."),
        "saving": _("Saving…"),
        "sectionN": _("Section %(n)s"),
        "sectionOptions": _("Section help and condition"),
        "sectionTitle": _("Section title"),
        "sectionTitlePlaceholder": _("e.g. Applicant's details"),
        "showFieldIf": _("Show this field"),
        "showSectionIf": _("Show this section"),
        "stepN": _("Step %(n)s"),
        "type": _("Type of answer"),
        "unsaved": _("Unsaved changes"),
        "untitled": _("(no label yet)"),
        "value": _("Value"),
        "values": _("Values"),
        "yes": _("Yes"),
    }


def _problems(error):
    return [
        {
            "section": p.section_index,
            "field": p.field_index,
            "attribute": p.attribute,
            "message": str(p.message),
            "text": str(p),
        }
        for p in error.problems
    ]


def _document_from(request):
    if len(request.body) > MAX_BODY:
        return None
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def changeable_version(viewset, request, pk):
    """A version of a form the user may change (the model permission and the unit scope), or 403 / 404."""
    if not viewset.permission_policy.user_has_permission(request.user, "change"):
        raise PermissionDenied
    return get_object_or_404(selectors.version_queryset_for(request.user).select_related("eform"), pk=pk)


class BuilderView(WagtailAdminTemplateMixin, View):
    """GET: the builder of a draft; POST (JSON): save the document, or answer its problems (nothing saved)."""

    viewset = None
    template_name = "eforms/admin/builder.html"
    header_icon = "form"

    def dispatch(self, request, pk):
        self.version = changeable_version(self.viewset, request, pk)
        return super().dispatch(request, pk)

    def get_page_title(self):
        return _("Build %(code)s, version %(n)s") % {"code": self.version.eform.code, "n": self.version.number}

    def inspect_url(self):
        return reverse("wagtailsnippets_eforms_eform:inspect", args=[self.version.eform_id])

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wagtailsnippets_eforms_eform:list"), "label": _("E-forms")},
            {"url": self.inspect_url(), "label": str(self.version.eform)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, pk):
        if self.version.status != VersionStatus.DRAFT:
            messages.warning(
                request,
                _(
                    "This version is published or retired and cannot be changed. "
                    "Create a new draft version to make changes."
                ),
            )
            return redirect(self.inspect_url())
        context = self.get_context_data(
            version=self.version,
            document=definition.version_document(self.version),
            builder_config=config(request, self.version),
            builder_text=builder_text(),
            inspect_url=self.inspect_url(),
            preview_url=reverse("eform_versions:preview", args=[self.version.pk]),
            export_url=reverse("eform_versions:export", args=[self.version.pk]),
        )
        return TemplateResponse(request, self.template_name, context)

    def post(self, request, pk):
        document = _document_from(request)
        if document is None:
            return JsonResponse({"ok": False, "message": _("The form could not be read; reload the page.")}, status=400)
        try:
            services.version_replace_definition(actor=request.user, version_id=self.version.pk, document=document)
        except InvalidDefinition as error:
            return JsonResponse({"ok": False, "message": str(error.message), "problems": _problems(error)}, status=400)
        except EFormError as error:
            return JsonResponse({"ok": False, "message": str(error.message), "problems": []}, status=409)
        return JsonResponse({"ok": True, "message": _("Saved.")})


class LivePreviewView(View):
    """POST a document, get the wizard's steps rendered from it (unsaved), prefilled from the sample applicant."""

    viewset = None

    def post(self, request, pk):
        version = changeable_version(self.viewset, request, pk)
        document = _document_from(request)
        problems = []
        sections = []
        if document is not None:
            try:
                sections, problems = definition.read(document)
            except definition.DocumentRefused as refused:
                problems = refused.problems
        form_definition = engine.definition_of(version, sections, unsaved=True)
        prefill = engine.resolve_prefill(form_definition, dict(SAMPLE_PROFILE), {})
        steps = []
        for section in form_definition.sections:
            try:
                form = engine.section_form_class(form_definition, section)(prefix=section.key, prefill=prefill)
            except (ValueError, TypeError):
                continue  # a field the reader already reported
            steps.append((section, form))
        html = render_to_string(
            "eforms/admin/builder_preview.html", {"steps": steps, "problems": problems[:20]}, request=request
        )
        return HttpResponse(html)


class DocumentView(View):
    """GET: the document of a version the user may see (to copy into the builder)."""

    viewset = None

    def get(self, request, pk):
        return JsonResponse(definition.version_document(changeable_version(self.viewset, request, pk)))
