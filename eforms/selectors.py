"""Reads of the e-form app: what a user may see, the form a procedure offers, an applicant's fillings."""

from catalog.models import Procedure
from catalog.officials.scoping import ALL, visible_agency_ids
from eforms.models import DraftStatus, EForm, FormDraft, FormVersion, VersionStatus


def procedures_for(user):
    """The procedures ``user`` may build e-forms for."""
    return Procedure.objects.implemented_for(user)


def eform_queryset_for(user):
    """The forms a back-office user may see and manage: those of their unit's procedures (DESIGN 10)."""
    agency_ids = visible_agency_ids(user)
    queryset = EForm.objects.all()
    if agency_ids is ALL:
        return queryset
    return queryset.filter(procedure__in=procedures_for(user).values("pk"))


def version_queryset_for(user):
    return FormVersion.objects.filter(eform__in=eform_queryset_for(user).values("pk"))


def published_forms(procedure):
    """The forms of ``procedure`` that citizens can fill now (a published version exists), by code."""
    return (
        EForm.objects.filter(procedure=procedure, versions__status=VersionStatus.PUBLISHED).order_by("code").distinct()
    )


def published_version(eform_code):
    """The version citizens fill for a form code, or None."""
    return (
        FormVersion.objects.select_related("eform", "eform__procedure")
        .filter(eform__code=eform_code, status=VersionStatus.PUBLISHED)
        .first()
    )


def open_drafts(user):
    """An applicant's unfinished fillings, newest first (shown in "My dossiers" to resume)."""
    return (
        FormDraft.objects.owned_by(user).open().select_related("version", "version__eform", "version__eform__procedure")
    )


def draft_for_owner(user, draft_id):
    """One filling of ``user``; another user's id is simply not found."""
    return (
        FormDraft.objects.owned_by(user)
        .select_related("version", "version__eform", "version__eform__procedure")
        .filter(pk=draft_id)
        .first()
    )


def last_values(user, limit=20) -> dict:
    """code → the value the applicant gave most recently in a field with that code (BN 11.3 reuse)."""
    rows = (
        FormDraft.objects.owned_by(user)
        .filter(status=DraftStatus.SUBMITTED)
        .order_by("-submitted_at")
        .values_list("values", flat=True)[:limit]
    )
    result = {}
    for values in rows:
        for code, value in (values or {}).items():
            # Files are tied to the dossier they were sent with; they are not offered again.
            if isinstance(value, dict) and "content_type" in value:
                continue
            result.setdefault(code, value)
    return result


def dossier_answers(dossier):
    """The applicant's e-form answers of an online dossier, section by section, for the officials' detail screen;
    None for a dossier that came without an e-form."""
    from eforms import engine

    data = dossier.form_data or {}
    if not data.get("version_id"):
        return None
    version = FormVersion.objects.filter(pk=data["version_id"]).first()
    if version is None:
        return None
    definition = engine.load_definition(version)
    return {
        "code": data.get("form_code", ""),
        "title": data.get("form_title", ""),
        "version": data.get("version"),
        "sections": engine.display_sections(definition, data.get("values") or {}),
    }
