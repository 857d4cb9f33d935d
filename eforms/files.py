"""Files in e-forms: the per-field upload check, and references to stored files.

A file value in a submission is a JSON *reference*::

    {"name": "ban-ve.pdf", "size": 12345, "content_type": "application/pdf", "ref": "eforms/drafts/…"}

``ref`` is the path in the ``private`` storage; it is absent while the file is
only an upload in the request (the engine hands such files back separately,
and whoever keeps them adds the ``ref``). This module stores files only for
saved drafts; the dossier's files are stored by the submit flow.
"""

import os
import uuid

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from portal.core.storage import private_storage
from portal.core.uploads import validate_upload

DRAFT_PREFIX = "eforms/drafts"
WIZARD_PREFIX = "eforms/wizard"


def extension_of(name) -> str:
    return os.path.splitext(os.path.basename(name or ""))[1].lower().lstrip(".")


def validate_field_upload(file, *, allowed_types, max_bytes):
    """The field's own rules (types, size), then the content check shared with dossiers (magic bytes)."""
    name = os.path.basename(getattr(file, "name", "") or "")
    extension = extension_of(name)
    if extension not in allowed_types:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type here. Accepted: %(types)s."),
            code="file_type",
            params={"name": name, "types": ", ".join(allowed_types)},
        )
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("“%(name)s” is %(size)s; this field accepts at most %(limit)s."),
            code="file_too_large",
            params={"name": name, "size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
        )
    validate_upload(file)  # content must match the extension (an .exe renamed .pdf is refused)


def is_reference(value) -> bool:
    return isinstance(value, dict) and "name" in value


def describe_upload(file) -> dict:
    """The JSON value of a fresh upload (no ``ref`` yet)."""
    return {
        "name": os.path.basename(file.name or ""),
        "size": getattr(file, "size", None),
        "content_type": getattr(file, "content_type", "") or "",
    }


def store_file(file, *, prefix) -> dict:
    """Save an upload in private storage under ``prefix`` and return its reference."""
    name = get_valid_filename(os.path.basename(file.name or "file")) or "file"
    if hasattr(file, "seek"):
        file.seek(0)
    path = private_storage().save(f"{prefix}/{uuid.uuid4().hex}/{name}", file)
    return {**describe_upload(file), "ref": path}


def open_reference(reference):
    """The stored file of a reference, opened for reading (a Django ``File``)."""
    return private_storage().open(reference["ref"], "rb")


def delete_reference(reference):
    if is_reference(reference) and reference.get("ref"):
        private_storage().delete(reference["ref"])


class WizardFileStorage:
    """Where django-formtools keeps uploads between wizard steps: private storage, under its own prefix.

    formtools only calls ``save``, ``open`` and ``delete``; the private storage
    is local disk or an S3 bucket depending on the settings, so this works on
    several app servers too.
    """

    def save(self, name, content, max_length=None):
        safe = get_valid_filename(os.path.basename(name or "file")) or "file"
        return private_storage().save(f"{WIZARD_PREFIX}/{uuid.uuid4().hex}/{safe}", content)

    def open(self, name, mode="rb"):
        return private_storage().open(name, mode)

    def delete(self, name):
        private_storage().delete(name)
