"""Checks on files people upload — to a dossier, an e-form, the data store or feedback (DESIGN 10: "uploaded
files are checked by content").

:func:`validate_upload` is a plain Django validator, usable on a form field, a
DRF serializer field or called directly; it raises
:class:`django.core.exceptions.ValidationError` with a translated message.
"""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

#: 20 MB unless the settings say otherwise.
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024

_PDF = "pdf"
_JPEG = "jpeg"
_PNG = "png"
_OLE = "ole"  # legacy Office: .doc, .xls
_ZIP = "zip"  # .zip and Office Open XML: .docx, .xlsx

#: Allowed extension -> the content family its bytes must show.
ALLOWED_EXTENSIONS = {
    "pdf": _PDF,
    "jpg": _JPEG,
    "jpeg": _JPEG,
    "png": _PNG,
    "doc": _OLE,
    "xls": _OLE,
    "docx": _ZIP,
    "xlsx": _ZIP,
    "zip": _ZIP,
}

_SIGNATURES = [
    (_JPEG, b"\xff\xd8\xff"),
    (_PNG, b"\x89PNG\r\n\x1a\n"),
    (_OLE, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    (_ZIP, b"PK\x03\x04"),
    (_ZIP, b"PK\x05\x06"),  # empty archive
    (_ZIP, b"PK\x07\x08"),  # spanned archive
]
_HEAD_BYTES = 1024  # a PDF header may follow some junk within the first kilobyte


def max_upload_bytes() -> int:
    return int(getattr(settings, "DOSSIER_UPLOAD_MAX_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def sniff(head: bytes) -> str | None:
    """The content family of a file from its first bytes, or None when it is none of the allowed ones."""
    for family, signature in _SIGNATURES:
        if head.startswith(signature):
            return family
    if b"%PDF-" in head[:_HEAD_BYTES]:
        return _PDF
    return None


def _read_head(file) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        return file.read(_HEAD_BYTES) or b""
    finally:
        file.seek(position)


def validate_upload(file) -> str:
    """Refuse files over the size limit, with another extension, or whose content is not what the name says.

    Returns the lower-case extension of an accepted file. An ``.exe`` renamed
    ``.pdf`` is refused: the content must start like a PDF.
    """
    allowed = ", ".join(sorted(ALLOWED_EXTENSIONS))
    size = getattr(file, "size", None)
    limit = max_upload_bytes()
    if size is not None and size > limit:
        raise ValidationError(
            _("The file “%(name)s” is %(size)s; files may be at most %(limit)s."),
            code="file_too_large",
            params={"name": file.name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    name = os.path.basename(getattr(file, "name", "") or "")
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    family = ALLOWED_EXTENSIONS.get(extension)
    if family is None:
        raise ValidationError(
            _("The file “%(name)s” is not an accepted type. Accepted: %(allowed)s."),
            code="file_type",
            params={"name": name, "allowed": allowed},
        )
    if size == 0 or sniff(_read_head(file)) != family:
        raise ValidationError(
            _("The content of “%(name)s” is not a valid %(extension)s file."),
            code="file_content",
            params={"name": name, "extension": extension.upper()},
        )
    return extension
