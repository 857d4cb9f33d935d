"""Real, small files of every accepted type, for upload tests (the upload check parses them: DESIGN 10).

``PDF`` is a one-page PDF made with pypdf; the others are built on demand. Below them, the attack files of
issue 15.7 (an HTML page with a PDF header, a DOCX "zip bomb", a ZIP with ``../``, an image bomb's header).
"""

import io
import struct
import zipfile
import zlib
from functools import cache

from django.core.files.uploadedfile import SimpleUploadedFile


@cache
def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = pdf_bytes()


def docx_bytes(text="Đơn đề nghị") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Mã", "Tên"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def image_bytes(fmt="PNG", size=(40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def zip_bytes(entries: dict) -> bytes:
    """A ZIP of ``{name: bytes}``, deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return out.getvalue()


def upload(name, content, content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_upload(name="giay-to.pdf", content=None) -> SimpleUploadedFile:
    return upload(name, PDF if content is None else content, "application/pdf")


# --- attacks (tests/core/test_uploads.py; each upload path refuses them) --------------------------------------------

#: An HTML page with ``%PDF-`` in its first kilobyte: passed the old first-bytes check as a PDF.
HTML_AS_PDF = b"<!doctype html><html><body><!-- %PDF-1.7 --><script>alert(document.cookie)</script></body></html>"

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


@cache
def inflating_docx(unpacked_bytes=200 * 1024 * 1024) -> bytes:
    """A DOCX whose document part is ``unpacked_bytes`` of zeros: ~200 KB on the wire for 200 MB unpacked."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unpacked_bytes // len(chunk)):
                part.write(chunk)
    return out.getvalue()


def zip_with_traversal() -> bytes:
    """A ZIP with an HTML page and an entry that climbs out of the folder it is unpacked in."""
    return zip_bytes({"to-khai.pdf": PDF, "index.html": HTML_AS_PDF, "../../var/www/index.html": HTML_AS_PDF})


def png_header(width, height) -> bytes:
    """A PNG that declares ``width`` × ``height`` pixels (a decompression bomb's header)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


#: The attacks every upload path must refuse (``attack(kind)`` builds the file when a test runs, not at collection).
ATTACKS = ["html-as-pdf", "docx-bomb", "zip-traversal", "image-bomb"]


def attack(kind) -> SimpleUploadedFile:
    name, content = {
        "html-as-pdf": lambda: ("ban-ve.pdf", HTML_AS_PDF),
        "docx-bomb": lambda: ("don.docx", inflating_docx()),
        "zip-traversal": lambda: ("ho-so.zip", zip_with_traversal()),
        "image-bomb": lambda: ("anh.png", png_header(40_000, 25_000)),
    }[kind]()
    return upload(name, content)
