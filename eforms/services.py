"""State changes of e-forms: building and publishing versions, filling, and the online submission.

Versions (QN 16, DESIGN 4): a form has at most one draft and one published
version. Publishing checks the whole definition, retires the version in
force and freezes the draft; a change afterwards is made on a new draft
copied from the published one. Fillings (``FormDraft``) keep the version they
started on, so a dossier is always read with the questions it was filled with.

The final submit is idempotent: it locks the filling, and a filling that
already produced a dossier returns that dossier instead of a second one.
"""

import os

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from eforms import definition, engine, selectors
from eforms.checks import version_problems
from eforms.errors import (
    DraftExists,
    InvalidDefinition,
    NoPublishedVersion,
    NotADraft,
    NotAllowed,
    NothingToCopy,
    SubmissionRefused,
)
from eforms.files import delete_reference
from eforms.models import (
    ApplicantField,
    DraftStatus,
    EForm,
    FormDraft,
    FormField,
    FormSection,
    FormVersion,
    VersionStatus,
)
from portal.core.names import display_name
from workflow.dossiers import services as dossier_services
from workflow.dossiers.services import Applicant, Upload
from workflow.errors import DossierError
from workflow.models import ApplicantKind, Delivery

# --- building -------------------------------------------------------------------------------------------


def _require_manageable(actor, eform):
    if not selectors.eform_queryset_for(actor).filter(pk=eform.pk).exists():
        raise NotAllowed()


@transaction.atomic
def eform_create(*, actor, procedure, symbol, title, requires_signature=False) -> EForm:
    """A new form of ``procedure`` with an empty draft version 1 to build."""
    if not selectors.procedures_for(actor).filter(pk=procedure.pk).exists():
        raise NotAllowed()
    eform = EForm(procedure=procedure, symbol=symbol, title=title, requires_signature=requires_signature)
    eform.full_clean()
    eform.save()
    FormVersion.objects.create(eform=eform, number=1)
    return eform


def _locked_version(version_id):
    return FormVersion.objects.select_for_update(of=("self",)).select_related("eform").get(pk=version_id)


@transaction.atomic
def version_publish(*, actor, version_id) -> FormVersion:
    """Publish a draft: checked as a whole, then frozen; the version in force is retired."""
    version = _locked_version(version_id)
    _require_manageable(actor, version.eform)
    if version.status != VersionStatus.DRAFT:
        raise NotADraft()
    problems = version_problems(version)
    if problems:
        raise InvalidDefinition(problems)
    for previous in FormVersion.objects.select_for_update().filter(eform=version.eform, status=VersionStatus.PUBLISHED):
        previous.status = VersionStatus.RETIRED
        previous._status_transition = True
        previous.save(update_fields=["status"])
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "is_authenticated", False) else None
    version._status_transition = True
    version.save(update_fields=["status", "published_at", "published_by"])
    return version


def _new_version(eform, note) -> FormVersion:
    """A new draft numbered after the form's last version (the caller holds the form's row lock)."""
    number = (eform.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return FormVersion.objects.create(eform=eform, number=number, note=note)


@transaction.atomic
def version_new_draft(*, actor, eform_id) -> FormVersion:
    """A new draft copied from the latest version (normally the published one)."""
    eform = EForm.objects.select_for_update().get(pk=eform_id)
    _require_manageable(actor, eform)
    draft = eform.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        raise DraftExists(draft)
    source = eform.versions.filter(status=VersionStatus.PUBLISHED).first() or eform.versions.order_by("-number").first()
    if source is None:
        raise NothingToCopy()
    draft = _new_version(eform, _("Copy of version %(n)s") % {"n": source.number})
    copied_fields = []
    for section in source.sections.all().prefetch_related("fields"):
        fields = list(section.fields.all())
        section.pk = None
        section.id = None
        section.version = draft
        section.save()
        for row in fields:
            row.pk = None
            row.id = None
            row.section = section
            copied_fields.append(row)
    FormField.objects.bulk_create(copied_fields)
    return draft


@transaction.atomic
def version_replace_definition(*, actor, version_id, document) -> FormVersion:
    """Replace a draft's sections and fields with those of a definition document (the builder's save, an
    import); the whole document is checked first and nothing is written when anything is wrong."""
    version = _locked_version(version_id)
    _require_manageable(actor, version.eform)
    if version.status != VersionStatus.DRAFT:
        raise NotADraft(_("Only a draft version can be changed: create a new draft to edit this form."))
    try:
        sections, problems = definition.read(document)
    except definition.DocumentRefused as refused:
        raise InvalidDefinition(refused.problems, _("Nothing was saved: the definition cannot be read.")) from None
    if problems:
        raise InvalidDefinition(problems, _("Nothing was saved: fix these problems first."))
    FormField.objects.filter(section__version=version).delete()
    FormSection.objects.filter(version=version).delete()
    for section, fields in sections:
        section.version = version
        section.save()
        for row in fields:
            row.section = section
        FormField.objects.bulk_create(fields)
    return version


@transaction.atomic
def definition_import(*, actor, eform_id, data: bytes) -> FormVersion:
    """An exported definition file into the form's draft (a new draft when there is none). A file that cannot be
    read, was changed after export or breaks a rule changes nothing."""
    eform = EForm.objects.select_for_update().get(pk=eform_id)
    _require_manageable(actor, eform)
    try:
        document = definition.parse_file(data)
    except definition.DocumentRefused as refused:
        raise InvalidDefinition(refused.problems, _("The file was not imported.")) from None
    draft = eform.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        source_code = (document.get("form") or {}).get("code", "")
        draft = _new_version(eform, _("Imported from %(code)s") % {"code": source_code})
    try:
        return version_replace_definition(actor=actor, version_id=draft.pk, document=document)
    except InvalidDefinition as error:
        raise InvalidDefinition(error.problems, _("The file was not imported: fix these problems first.")) from None


def version_delete_draft(*, actor, version_id):
    version = FormVersion.objects.select_related("eform").get(pk=version_id)
    _require_manageable(actor, version.eform)
    if version.status != VersionStatus.DRAFT:
        raise NotADraft()
    with transaction.atomic():
        FormField.objects.filter(section__version=version).delete()
        FormSection.objects.filter(version=version).delete()
        version.delete()


# --- filling --------------------------------------------------------------------------------------------


def draft_start(*, user, eform_code, profile=None) -> FormDraft:
    """A new filling of the published version, prefilled from the profile and the applicant's earlier answers."""
    version = selectors.published_version(eform_code)
    if version is None:
        raise NoPublishedVersion()
    definition = engine.load_definition(version)
    prefill = engine.resolve_prefill(definition, engine.profile_values(profile), selectors.last_values(user))
    return FormDraft.objects.create(user=user, version=version, prefill=prefill)


def draft_checkpoint(*, draft, state, current_step):
    """Keep the wizard's state on the filling (one UPDATE), so it can be resumed on another day or device."""
    FormDraft.objects.filter(pk=draft.pk, status=DraftStatus.OPEN).update(
        state=state, current_step=current_step or "", updated_at=timezone.now()
    )
    draft.state, draft.current_step = state, current_step or ""


def _state_files(state):
    for step_files in (state or {}).get("step_files", {}).values():
        for info in step_files.values():
            if info.get("tmp_name"):
                yield {"name": info.get("name", ""), "ref": info["tmp_name"]}


def draft_delete(*, draft):
    """Forget an unfinished filling and the files uploaded to it."""
    if draft.status != DraftStatus.OPEN:
        raise SubmissionRefused(_("A submitted form cannot be deleted."))
    references = list(_state_files(draft.state))
    draft.delete()
    for reference in references:
        transaction.on_commit(lambda ref=reference: delete_reference(ref))


def applicant_from(profile, user, definition=None, values=None) -> Applicant:
    """The dossier's applicant: the form's answers where the designer mapped them, else the citizen's profile.

    A form field marked "fills the applicant's …" (:class:`eforms.models.ApplicantField`) wins over the
    profile. Whether the dossier is filed by an organisation is what the form says: its "files as an
    organisation" yes/no field, else whether its organisation-name field was answered; the organisation is
    then a business when a tax code is given (the tax code is its ID number, as on the national portal) and
    an "other organisation" without one. A form that maps nothing keeps the profile's rule: an organisation
    when the profile has both an organisation name and a tax code.
    """
    if profile is None:
        person = Applicant(name=display_name(user), email=user.email or "")
        organisation, tax_code = "", ""
    else:
        person = Applicant(
            name=profile.full_name,
            id_number=profile.id_number,
            address=profile.address,
            phone=profile.phone,
            email=profile.email or user.email,
        )
        organisation, tax_code = (profile.organisation_name or "").strip(), (profile.tax_code or "").strip()
    answers = engine.applicant_answers(definition, values or {}) if definition is not None else {}
    for detail, (attribute, length) in _PERSON_DETAILS.items():
        if answers.get(detail):
            setattr(person, attribute, answers[detail][:length])
    if ApplicantField.AS_ORGANISATION in answers:
        as_organisation = answers[ApplicantField.AS_ORGANISATION] == "yes"
    elif ApplicantField.ORGANISATION_NAME in answers:
        as_organisation = bool(answers[ApplicantField.ORGANISATION_NAME])
    else:  # the form does not ask: the profile decides
        if organisation and tax_code:
            person.kind, person.id_number = ApplicantKind.BUSINESS, tax_code
        person.organisation = organisation
        return person
    if not as_organisation:
        return person
    organisation = answers.get(ApplicantField.ORGANISATION_NAME) or organisation
    if ApplicantField.TAX_CODE in answers:
        tax_code = answers[ApplicantField.TAX_CODE]
    person.organisation = organisation[:255]
    person.kind = ApplicantKind.BUSINESS if tax_code else ApplicantKind.OTHER
    if tax_code:
        person.id_number = tax_code[:20]
    return person


#: The applicant details a form answer gives directly: detail → (``Applicant`` attribute, the dossier's length).
_PERSON_DETAILS = {
    ApplicantField.FULL_NAME: ("name", 255),
    ApplicantField.ID_NUMBER: ("id_number", 20),
    ApplicantField.ADDRESS: ("address", 500),
    ApplicantField.PHONE: ("phone", 20),
    ApplicantField.EMAIL: ("email", 254),
}


def _file_upload(label, file) -> Upload:
    if hasattr(file, "seek"):
        file.seek(0)
    name = os.path.basename(getattr(file, "name", "") or "file")
    return Upload(name=f"{label} – {name}"[:500], content=ContentFile(file.read(), name=name))


@transaction.atomic
def draft_submit(
    *,
    user,
    draft_id,
    token,
    values,
    form_files=(),
    documents=(),
    agency,
    delivery=Delivery.ONLINE,
    delivery_address="",
    applicant: Applicant,
    at=None,
):
    """Turn a filled form into a dossier in status 1 (``workflow.dossiers.services.dossier_submit_online``).

    ``form_files``: ``[(label, File)]`` from the form's file fields.
    ``documents``: ``[(procedure_document, File | StoredDocument)]`` for the required documents.
    The PDF of the filled form is attached first. Returns ``(dossier, created)``.
    """
    draft = (
        FormDraft.objects.select_for_update(of=("self",))
        .select_related("version", "version__eform", "version__eform__procedure")
        .filter(pk=draft_id, user=user)
        .first()
    )
    if draft is None:
        raise SubmissionRefused(_("This form was not found."))
    if draft.dossier_id:
        return draft.dossier, False  # a second click or a retry: the dossier already exists
    if draft.status != DraftStatus.OPEN:
        raise SubmissionRefused()
    if str(token) != str(draft.submission_token):
        raise SubmissionRefused(_("This page is out of date. Please review the form again and submit."))
    version = draft.version
    procedure = version.eform.procedure
    definition = engine.load_definition(version)

    from eforms.pdf import render_form_pdf

    pdf = render_form_pdf(definition, values, applicant_name=applicant.name, at=at or timezone.now())
    uploads = [
        Upload(
            name=f"{definition.form_code} – {definition.title}.pdf"[:500],
            content=ContentFile(pdf, name=f"{definition.form_code}.pdf"),
        )
    ]
    uploads += [_file_upload(label, file) for label, file in form_files]
    for procedure_document, source in documents:
        uploads.append(_document_upload(user, procedure_document, source))
    form_data = {
        "form_code": definition.form_code,
        "form_title": definition.title,
        "version": definition.version_number,
        "version_id": definition.version_id,
        "values": values,
    }
    try:
        dossier = dossier_services.dossier_submit_online(
            applicant_user=user,
            procedure=procedure,
            agency=agency,
            applicant=applicant,
            files=uploads,
            delivery=delivery,
            delivery_address=delivery_address,
            form_data=form_data,
            at=at,
        )
    except DossierError as error:
        raise SubmissionRefused(str(error.message)) from error
    references = list(_state_files(draft.state))
    draft.status = DraftStatus.SUBMITTED
    draft.values = values
    draft.dossier = dossier
    draft.submitted_at = dossier.submitted_at
    draft.state = {}
    draft.save(update_fields=["status", "values", "dossier", "submitted_at", "state", "updated_at"])
    # The dossier holds its own copies; the wizard's temporary files go once the dossier is committed.
    for reference in references:
        transaction.on_commit(lambda ref=reference: delete_reference(ref))
    return dossier, True


def _document_upload(user, procedure_document, source) -> Upload:
    from portal.citizens.models import StoredDocument

    if isinstance(source, StoredDocument):
        if source.owner_id != user.pk:
            raise SubmissionRefused(_("This document is not in your data store."))
        try:
            from portal.citizens.accounts.store import stored_document_to_upload
        except ImportError:  # pragma: no cover - the data store module is optional
            with source.file.open("rb") as handle:
                content = ContentFile(handle.read(), name=os.path.basename(source.file.name))
            return Upload(name=procedure_document.name, content=content, procedure_document_id=procedure_document.pk)
        return stored_document_to_upload(
            source,
            procedure_document_id=procedure_document.pk,
            name=f"{procedure_document.name}{os.path.splitext(source.original_name)[1]}",
        )
    upload = _file_upload(procedure_document.name, source)
    upload.procedure_document_id = procedure_document.pk
    return upload
