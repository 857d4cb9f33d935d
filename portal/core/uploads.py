"""Checks on files people upload — to a dossier, an e-form, the data store or feedback (DESIGN 10: "uploaded
files are checked by content").

:func:`validate_upload` is a plain Django validator, usable on a form field, a
DRF serializer field or called directly; it raises
:class:`django.core.exceptions.ValidationError` with a translated message that
names the file and the reason. Every upload path calls it before anything is
stored. A file must be what its extension says, checked by its structure, not
only its first bytes:

* PDF — parsed with pypdf: a document catalogue and at least one page
  (an HTML page with ``%PDF-`` near its start is refused); password-protected
  files are refused, the agency could not read them.
* DOCX/XLSX — a ZIP holding ``[Content_Types].xml`` and the main part of its
  kind, no macros; like every ZIP, bounded in unpacked size, compression ratio
  and number of entries (against "zip bombs") and without unsafe paths.
* ZIP — the e-forms and dossier forms accept it today (``eforms.models.FILE_TYPES``),
  so it stays, but only holding accepted document types (no HTML, programs or
  nested archives) and with the bounds above. RAR and 7z are not accepted.
* JPEG/PNG — decoded with Pillow (verify, then load), with a bound on the
  pixel count (against decompression bombs); the format must match the name.
* DOC/XLS (legacy Office) — the OLE signature only.

The bounds are settings (``UPLOAD_*`` below) with the defaults here.
"""

import os
import stat
import warnings
import zipfile
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.core.formatting import format_file_size, format_number

#: 20 MB unless the settings say otherwise.
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: What all the entries of a ZIP (or DOCX/XLSX) may unpack to, together.
DEFAULT_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
#: Unpacked size / packed size, per entry and for the whole archive. Office text compresses ~10:1.
DEFAULT_MAX_COMPRESSION_RATIO = 100
DEFAULT_MAX_ARCHIVE_ENTRIES = 1000
#: Width × height of an image: 50 megapixels (a 300 dpi A3 scan is ~17).
DEFAULT_MAX_IMAGE_PIXELS = 50_000_000

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

#: Office Open XML: extension -> the folder of its main part inside the package.
_OOXML_MAIN = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
#: What a plain .zip may hold: the accepted documents, not another archive.
_ARCHIVE_MEMBERS = sorted(ext for ext in ALLOWED_EXTENSIONS if ext != "zip")

_SIGNATURES = [
    (_JPEG, b"\xff\xd8\xff"),
    (_PNG, b"\x89PNG\r\n\x1a\n"),
    (_OLE, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
    (_ZIP, b"PK\x03\x04"),
    (_ZIP, b"PK\x05\x06"),  # empty archive
    (_ZIP, b"PK\x07\x08"),  # spanned archive
]
_HEAD_BYTES = 1024  # a PDF header may follow some junk within the first kilobyte


def _setting(name, default) -> int:
    return int(getattr(settings, name, default))


def max_upload_bytes() -> int:
    return _setting("DOSSIER_UPLOAD_MAX_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


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


class _Refused(Exception):
    """A structural check failed: ``message`` and ``params`` (besides the file's name) for the ValidationError."""

    def __init__(self, message, code="file_content", **params):
        super().__init__(message)
        self.message, self.code, self.params = message, code, params


def validate_upload(file) -> str:
    """Refuse files over the size limit, with another extension, or whose content is not what the name says.

    Returns the lower-case extension of an accepted file. An ``.exe`` renamed
    ``.pdf`` is refused, and so is an HTML page with a PDF header, a DOCX that
    unpacks to hundreds of megabytes or a ZIP with a ``../`` entry.
    """
    allowed = ", ".join(sorted(ALLOWED_EXTENSIONS))
    size = getattr(file, "size", None)
    limit = max_upload_bytes()
    name = os.path.basename(getattr(file, "name", "") or "")
    if size is not None and size > limit:
        raise ValidationError(
            _("The file “%(name)s” is %(size)s; files may be at most %(limit)s."),
            code="file_too_large",
            params={"name": name, "size": format_file_size(size), "limit": format_file_size(limit)},
        )
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
    check = _STRUCTURE_CHECKS.get(family)
    if check is not None:
        position = file.tell() if hasattr(file, "tell") else 0
        try:
            file.seek(0)
            check(file, extension)
        except _Refused as refused:
            raise ValidationError(refused.message, code=refused.code, params={"name": name, **refused.params}) from None
        finally:
            file.seek(position)
    return extension


# --- PDF ---------------------------------------------------------------------------------------------------------


def _check_pdf(file, extension):
    import logging

    from pypdf import PdfReader

    not_pdf = _Refused(
        _("“%(name)s” is not a readable PDF document: its structure is damaged or it is not a PDF at all.")
    )
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # pypdf warns about every repair it attempts; the refusal says enough
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(file, strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise _Refused(_("“%(name)s” is protected by a password; upload it without the password."))
            if "/Root" not in reader.trailer or len(reader.pages) < 1:
                raise not_pdf
    except _Refused:
        raise
    except Exception:  # pypdf raises many kinds (PdfReadError, KeyError, ValueError…) on a broken file
        raise not_pdf from None
    finally:
        pypdf_log.setLevel(level)


# --- ZIP and Office Open XML -------------------------------------------------------------------------------------


def _unsafe_path(filename: str) -> bool:
    if "\\" in filename or filename.startswith("/") or (len(filename) > 1 and filename[1] == ":"):
        return True
    return ".." in filename.split("/")


def _check_zip(file, extension):
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _Refused(
            _("“%(name)s” is not a readable ZIP archive (%(extension)s files are ZIP packages)."),
            extension=extension.upper(),
        ) from None
    with archive:
        entries = archive.infolist()
        max_entries = _setting("UPLOAD_MAX_ARCHIVE_ENTRIES", DEFAULT_MAX_ARCHIVE_ENTRIES)
        if len(entries) > max_entries:
            raise _Refused(
                _("“%(name)s” holds %(count)s entries; at most %(limit)s are accepted."),
                count=len(entries),
                limit=max_entries,
            )
        max_ratio = _setting("UPLOAD_MAX_COMPRESSION_RATIO", DEFAULT_MAX_COMPRESSION_RATIO)
        unpacked = packed = 0
        for info in entries:
            if _unsafe_path(info.filename):
                raise _Refused(
                    _(
                        "“%(name)s” holds an entry with an unsafe path (“%(entry)s”): "
                        "absolute paths, “..” and backslashes are not accepted."
                    ),
                    code="file_unsafe_path",
                    entry=info.filename,
                )
            if stat.S_ISLNK(info.external_attr >> 16):
                raise _Refused(
                    _("“%(name)s” holds a symbolic link (“%(entry)s”), which is not accepted."),
                    code="file_unsafe_path",
                    entry=info.filename,
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024 * 1024 and ratio > max_ratio:
                raise _too_compressed(ratio, max_ratio)
            unpacked += info.file_size
            packed += info.compress_size
        max_unpacked = _setting("UPLOAD_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)
        if unpacked > max_unpacked:
            raise _Refused(
                _("“%(name)s” would unpack to %(size)s; at most %(limit)s is accepted."),
                code="file_too_large",
                size=format_file_size(unpacked),
                limit=format_file_size(max_unpacked),
            )
        if unpacked > 1024 * 1024 and unpacked / max(packed, 1) > max_ratio:
            raise _too_compressed(unpacked / max(packed, 1), max_ratio)
        names = [info.filename for info in entries]
        if extension in _OOXML_MAIN:
            _check_ooxml(names, extension)
        else:
            _check_archive_members(entries)


def _too_compressed(ratio, limit):
    return _Refused(
        _("“%(name)s” is compressed too strongly (%(ratio)s to 1; at most %(limit)s to 1 is accepted)."),
        code="file_too_large",
        ratio=format_number(round(ratio)),
        limit=format_number(limit),
    )


def _check_ooxml(names, extension):
    main = _OOXML_MAIN[extension]
    if "[Content_Types].xml" not in names or not any(n.startswith(main) for n in names):
        raise _Refused(
            _("“%(name)s” is not a valid %(extension)s document: it lacks the parts of an Office file."),
            extension=extension.upper(),
        )
    if any(os.path.basename(n).lower() == "vbaproject.bin" for n in names):
        raise _Refused(_("“%(name)s” contains macros, which are not accepted."))


def _check_archive_members(entries):
    for info in entries:
        if info.is_dir():
            continue
        member = os.path.splitext(info.filename)[1].lower().lstrip(".")
        if member not in _ARCHIVE_MEMBERS:
            raise _Refused(
                _("“%(name)s” holds “%(entry)s”, which is not accepted; an archive may hold only: %(allowed)s."),
                code="file_type",
                entry=info.filename,
                allowed=", ".join(_ARCHIVE_MEMBERS),
            )


# --- Images ------------------------------------------------------------------------------------------------------

_PILLOW_FORMATS = {_JPEG: "JPEG", _PNG: "PNG"}


@contextmanager
def _truncated_images_refused():
    """Pillow's switch to accept truncated images off while decoding: WeasyPrint turns it on for the whole
    process when it is imported (weasyprint/images.py), so once a slip was rendered a cut-off image passed."""
    from PIL import ImageFile

    previous, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _check_image(file, extension):
    from PIL import Image

    family = ALLOWED_EXTENSIONS[extension]
    not_image = _Refused(
        _("“%(name)s” is not a readable %(extension)s image: it could not be decoded."), extension=extension.upper()
    )
    max_pixels = _setting("UPLOAD_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)
    too_many_pixels = _Refused(
        _("“%(name)s” has too many pixels; images may have at most %(limit)s megapixels."),
        code="file_too_large",
        limit=format_number(Decimal(max_pixels) / 1_000_000),
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:  # reads the header only
                if image.format != _PILLOW_FORMATS[family]:
                    raise not_image
                width, height = image.size
                if width * height > max_pixels:
                    raise too_many_pixels
                image.verify()
            file.seek(0)
            with Image.open(file) as image, _truncated_images_refused():
                image.load()
    except _Refused:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise too_many_pixels from None
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError… on a broken image
        raise not_image from None


_STRUCTURE_CHECKS = {_PDF: _check_pdf, _ZIP: _check_zip, _JPEG: _check_image, _PNG: _check_image}
