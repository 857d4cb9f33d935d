"""The upload check (portal.core.uploads, DESIGN 10): files are checked by their structure, not their first bytes.

Each attack file is built here; each must be refused with a message naming the file, while real PDF, DOCX,
XLSX, PNG, JPEG and ZIP files still pass.
"""

import io

import pytest
from django.core.exceptions import ValidationError

from portal.core.uploads import validate_upload
from tests.factories.files import (
    CONTENT_TYPES,
    HTML_AS_PDF,
    PDF,
    docx_bytes,
    image_bytes,
    inflating_docx,
    png_header,
    upload,
    xlsx_bytes,
    zip_bytes,
)


def refusal(name, content) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_upload(upload(name, content))
    error = caught.value
    assert name in " ".join(error.messages)  # the message names the file
    return error


# --- what still passes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content",
    [
        ("to-khai.pdf", PDF),
        ("don.docx", docx_bytes()),
        ("bang-ke.xlsx", xlsx_bytes()),
        ("anh.png", image_bytes("PNG")),
        ("anh.jpg", image_bytes("JPEG")),
        ("anh.jpeg", image_bytes("JPEG")),
        ("ho-so.zip", zip_bytes({"ho-so/": b"", "ho-so/to-khai.pdf": PDF, "ho-so/anh.jpg": image_bytes("JPEG")})),
    ],
)
def test_real_documents_of_every_accepted_type_pass(name, content):
    file = upload(name, content)
    assert validate_upload(file) == name.rsplit(".", 1)[1]
    assert file.tell() == 0  # the caller can still store the whole file


# --- the attacks of issue 15.7 ---------------------------------------------------------------------------------------


def test_an_html_page_with_a_pdf_header_in_its_first_kilobyte_is_refused():
    assert refusal("ban-ve.pdf", HTML_AS_PDF).code == "file_content"


def test_a_pdf_header_followed_by_junk_is_refused():
    assert refusal("giay-phep.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").code == "file_content"


def test_a_password_protected_pdf_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    writer.encrypt("mat-khau")
    out = io.BytesIO()
    writer.write(out)
    error = refusal("khoa.pdf", out.getvalue())
    assert "password" in error.messages[0] or "mật khẩu" in error.messages[0]


def test_a_small_docx_that_inflates_to_200_mb_is_refused():
    bomb = inflating_docx(200 * 1024 * 1024)
    assert len(bomb) < 400 * 1024  # small on the wire (the attack: ~204 KB)
    assert refusal("don.docx", bomb).code == "file_too_large"


def test_a_docx_compressed_beyond_the_ratio_is_refused_though_small_when_unpacked(settings):
    settings.UPLOAD_MAX_COMPRESSION_RATIO = 50
    assert refusal("don.docx", inflating_docx(8 * 1024 * 1024)).code == "file_too_large"


def test_the_unpacked_size_bound_is_a_setting(settings):
    settings.UPLOAD_MAX_UNPACKED_BYTES = 1024
    assert refusal("bang-ke.xlsx", xlsx_bytes()).code == "file_too_large"


def test_a_zip_renamed_docx_without_office_parts_is_refused():
    assert refusal("don.docx", zip_bytes({"readme.txt": b"hello"})).code == "file_content"


def test_a_docx_with_macros_is_refused():
    parts = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"}
    content = zip_bytes(parts)
    assert refusal("don.docx", content).code == "file_content"


def test_a_zip_with_an_html_page_is_refused():
    error = refusal("ho-so.zip", zip_bytes({"to-khai.pdf": PDF, "index.html": HTML_AS_PDF}))
    assert error.code == "file_type" and "index.html" in error.messages[0]


def test_a_zip_inside_a_zip_is_refused():
    assert refusal("ho-so.zip", zip_bytes({"trong.zip": zip_bytes({"a.pdf": PDF})})).code == "file_type"


@pytest.mark.parametrize("entry", ["../../etc/cron.d/x.pdf", "/etc/passwd.pdf", "ho-so\\..\\..\\x.pdf", "C:/x.pdf"])
def test_a_zip_with_an_unsafe_path_is_refused(entry):
    error = refusal("ho-so.zip", zip_bytes({"to-khai.pdf": PDF, entry: PDF}))
    assert error.code == "file_unsafe_path" and entry in error.messages[0]


def test_an_office_file_with_an_unsafe_path_is_refused():
    content = zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w/>", "../evil.xml": b"x"})
    assert refusal("don.docx", content).code == "file_unsafe_path"


def test_a_broken_zip_is_refused():
    assert refusal("don.docx", b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml").code == "file_content"


@pytest.mark.parametrize("name", ["ho-so.rar", "ho-so.7z", "trang.html", "trinh.exe"])
def test_other_archives_and_types_are_refused(name):
    assert refusal(name, b"Rar!\x1a\x07\x00 or 7z or anything").code == "file_type"


def test_an_image_declaring_a_billion_pixels_is_refused():
    assert refusal("anh.png", png_header(40_000, 25_000)).code == "file_too_large"


def test_the_pixel_bound_is_a_setting(settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 1000
    assert refusal("anh.jpg", image_bytes("JPEG", size=(40, 30))).code == "file_too_large"


def test_a_truncated_image_is_refused():
    jpeg = image_bytes("JPEG", size=(200, 200))
    assert refusal("anh.jpg", jpeg[: len(jpeg) // 2]).code == "file_content"


def test_a_truncated_image_is_refused_after_a_slip_was_rendered():
    """WeasyPrint (the slips' PDF renderer) makes Pillow accept truncated images process-wide on import."""
    import weasyprint.images  # noqa: F401
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    jpeg = image_bytes("JPEG", size=(200, 200))
    assert refusal("anh.jpg", jpeg[: len(jpeg) // 2]).code == "file_content"
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # left as WeasyPrint wants it


def test_a_png_named_jpg_is_refused():
    assert refusal("anh.jpg", b"\xff\xd8\xff" + image_bytes("PNG")).code == "file_content"
