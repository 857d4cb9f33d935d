"""The personal data store pages: list, upload, download (owner only), delete."""

import mimetypes
import os
import re

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.citizens.accounts.decorators import citizen_required
from portal.citizens.accounts.forms import DeleteForm, StoredDocumentForm
from portal.citizens.accounts.store import add_stored_document, delete_stored_document, dossier_files, owned_documents
from portal.citizens.models import StoredDocument

_TOKEN_PREFIX = re.compile(r"^[0-9a-f]{16}-")


def download_name(display: str, stored_name: str) -> str:
    """A download file name: the display name, with the stored file's extension when it lacks one."""
    stored = _TOKEN_PREFIX.sub("", os.path.basename(stored_name or ""))
    extension = os.path.splitext(stored)[1]
    display = (display or stored or "file").strip()
    if extension and not display.lower().endswith(extension.lower()):
        display += extension
    return display


def private_file_response(file_field, filename, content_type=None):
    """Stream a private file as an attachment (never rendered inline); not cached by shared caches."""
    try:
        handle = file_field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@citizen_required
def store_list(request):
    return render(
        request,
        "portal/accounts/store_list.html",
        {
            "profile": request.citizen,
            "documents": owned_documents(request.user),
            "dossier_files": dossier_files(request.user),
        },
    )


@citizen_required
def store_upload(request):
    form = StoredDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        document = add_stored_document(
            owner=request.user, doc_type=data["doc_type"], title=data["title"], file=data["file"]
        )
        messages.success(request, _("“%(title)s” was added to your data store.") % {"title": document.title})
        return redirect("citizen:store")
    return render(request, "portal/accounts/store_upload.html", {"form": form}, status=400 if form.errors else 200)


def _owned(request, pk) -> StoredDocument:
    return get_object_or_404(StoredDocument.objects.select_related("doc_type"), pk=pk, owner=request.user)


@citizen_required
def store_download(request, pk):
    document = _owned(request, pk)
    return private_file_response(
        document.file, download_name(document.original_name, document.file.name), document.content_type
    )


@citizen_required
def store_delete(request, pk):
    document = _owned(request, pk)
    form = DeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        title = document.title
        delete_stored_document(document)
        messages.success(request, _("“%(title)s” was deleted from your data store.") % {"title": title})
        return redirect("citizen:store")
    return render(request, "portal/accounts/store_delete.html", {"document": document, "form": form})
