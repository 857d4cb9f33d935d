"""The personal data store (kho quản lý dữ liệu điện tử, QN 15): services used by views and other apps.

Other apps call:

* :func:`owned_documents` — a user's stored documents (the queryset to offer in a "pick from my data store" field);
* :func:`stored_document_to_upload` — a stored document as a
  :class:`workflow.dossiers.services.Upload`, to attach to a new dossier (or a
  supplement) without uploading it again::

      docs = owned_documents(request.user).filter(pk__in=picked_ids)
      files = [stored_document_to_upload(d, procedure_document_id=pd.pk) for d in docs]
      services.dossier_submit_online(applicant_user=request.user, ..., files=files)
"""

import os

from django.core.files.base import ContentFile
from django.db import transaction

from portal.citizens.accounts.dossiers import INTERNAL_ACTIONS
from portal.citizens.models import DocumentType, StoredDocument
from portal.core.uploads import validate_upload
from workflow.dossiers.services import Upload
from workflow.models import DocumentKind, DossierDocument

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}

#: Kinds of a user's dossier files that appear in their data store (QN 15.4: results; and the slips).
STORE_DOSSIER_KINDS = (DocumentKind.RESULT, DocumentKind.SLIP)


def owned_documents(user):
    if not user.is_authenticated:
        return StoredDocument.objects.none()
    return StoredDocument.objects.filter(owner=user).select_related("doc_type")


def document_types():
    return DocumentType.objects.filter(is_active=True)


@transaction.atomic
def add_stored_document(*, owner, doc_type, title, file, source_dossier=None) -> StoredDocument:
    """Check the file by content and size (:func:`portal.core.uploads.validate_upload`) and keep it privately."""
    extension = validate_upload(file)
    name = os.path.basename(file.name)
    document = StoredDocument(
        owner=owner,
        doc_type=doc_type,
        title=(title or name)[:255],
        original_name=name[:255],
        size=file.size,
        content_type=CONTENT_TYPES[extension],
        source_dossier=source_dossier,
    )
    document.file.save(name, file, save=False)
    document.save()
    return document


def delete_stored_document(document: StoredDocument):
    """Remove the entry and its file. Dossiers hold their own copies, so none of them loses a file."""
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name) if name and storage.exists(name) else None)


def stored_document_to_upload(
    doc: StoredDocument, *, kind=DocumentKind.SUBMITTED, procedure_document_id=None, name=None
) -> Upload:
    """The stored document as a :class:`~workflow.dossiers.services.Upload` (a copy; the store keeps its own bytes).

    ``name`` (default: the document's title with the file's extension) is the
    display name in the dossier. The caller is responsible for checking that
    the document belongs to the applicant (use :func:`owned_documents`).
    """
    extension = os.path.splitext(doc.original_name)[1]
    display = name or (doc.title if doc.title.lower().endswith(extension.lower()) else f"{doc.title}{extension}")
    with doc.file.open("rb") as handle:
        content = ContentFile(handle.read(), name=doc.original_name)
    return Upload(display, content, kind, procedure_document_id)


def dossier_files(user):
    """Results and slips of the user's own dossiers, shown in the data store next to what they uploaded."""
    if not user.is_authenticated:
        return DossierDocument.objects.none()
    return (
        DossierDocument.objects.filter(dossier__applicant_user=user, kind__in=STORE_DOSSIER_KINDS)
        .exclude(events__action__in=INTERNAL_ACTIONS)
        .select_related("dossier", "dossier__procedure")
        .order_by("-created_at", "-pk")
    )
