"""Slips (QT 15; DESIGN 5.4, 6): filled from the dossier, DB templates per agency, PDF and Word, downloads."""

import logging
import re
import shutil
import subprocess
import zipfile
import zlib
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
import segno
from django.contrib.auth.models import Permission
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.translation import gettext

from catalog.models import TimeUnit
from tests.factories import AgencyFactory, ProcedureDocumentFactory
from tests.factories.workflow import official
from tests.factories.world import build_unit, member, permission_group
from workflow import slips
from workflow.dossiers import services
from workflow.dossiers.services import Applicant, Upload
from workflow.models import DocumentKind, Dossier, DossierDocument, SlipKind, SlipTemplate, Status
from workflow.slips.views import slip_url

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def t(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


def admin_access(user):
    user.groups.add(permission_group("Admin access (slips tests)", "wagtailadmin.access_admin"))
    return user


@pytest.fixture
def unit():
    u = build_unit(
        "000.00.15.H99",
        "Sở Xây dựng",
        phone="0203 3835 000",
        address="Số 1 đường Trần Hưng Đạo, thành phố Hạ Long",
        procedure={
            "name": "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
            "processing_time": Decimal("1"),
            "processing_time_unit": TimeUnit.DAY,
        },
        officials={
            "officer": member(username="motcua", position="Cán bộ một cửa", first_name="Cường", last_name="Lê Văn")
        },
        holders={0: ["officer"], 3: ["officer"]},
    )
    u.form_document = ProcedureDocumentFactory(
        procedure=u.procedure, name="Đơn đề nghị cấp giấy phép (Mẫu số 01)", originals=1
    )
    ProcedureDocumentFactory(
        procedure=u.procedure, name="Bản sao giấy chứng nhận quyền sử dụng đất", originals=0, copies=1
    )
    return u


@pytest.fixture
def dossier(unit):
    """Received Monday 2026-0105 08:30; 1 working day → due Tuesday 08:30 → appointment Tuesday 13:00."""
    return services.dossier_receive_at_counter(
        actor=unit.officer,
        procedure=unit.procedure,
        agency=unit.agency,
        applicant=Applicant(
            name="Trần Thị Bình",
            id_number="001190012345",
            phone="0912345678",
            email="binh@example.com",
            address="Số 5 phố Lê Lợi, phường Hồng Gai",
        ),
        files=[
            Upload(
                "don-de-nghi.pdf",
                ContentFile(b"%PDF-1.4 don", name="don-de-nghi.pdf"),
                DocumentKind.SUBMITTED,
                unit.form_document.pk,
            )
        ],
        at=t("2026-01-05 08:30"),
    )


def pdf_text(pdf: bytes, tmp_path):
    """The PDF's text (pdftotext) with white space collapsed, or None when poppler is not installed."""
    if not shutil.which("pdftotext"):
        return None
    path = tmp_path / "slip.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    return " ".join(text.decode("utf-8").split())


def pdf_expanded(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (font names live in compressed object streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(parts)


def pdf_mapped_characters(pdf: bytes) -> dict:
    """Characters the PDF's embedded fonts map back to (ToUnicode CMaps) → the glyph ids drawing them.

    A character drawn with a real glyph of an embedded font appears here with a glyph id other than 0
    (``.notdef``, the empty box a missing glyph becomes); this needs no PDF tool.
    """
    mapped = {}
    for stream in re.findall(rb"beginbfchar\s*(.*?)endbfchar", pdf_expanded(pdf), re.S):
        for glyph, code in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", stream):
            text = bytes.fromhex(code.decode()).decode("utf-16-be")
            mapped.setdefault(text, set()).add(int(glyph, 16))
    return mapped


def assert_vietnamese_glyphs(pdf: bytes, *texts):
    mapped = pdf_mapped_characters(pdf)
    for character in sorted({c for text in texts for c in text if ord(c) > 127}):
        assert character in mapped and 0 not in mapped[character], f"{character!r} has no glyph in the PDF"


def render_pdf_checking_glyphs(caplog, render):
    """``render()``'s PDF; fails when WeasyPrint had to draw a character with no font's glyph (an empty box)."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render()
    missing = [r.getMessage() for r in caplog.records if "notdef" in r.getMessage()]
    assert missing == []
    return pdf


def docx_text(data: bytes):
    with zipfile.ZipFile(BytesIO(data)) as archive:
        assert archive.testzip() is None
        root = ElementTree.fromstring(archive.read("word/document.xml"))
    return " ".join("".join(n.text or "" for n in p.iter(f"{W}t")) for p in root.iter(f"{W}p"))


# --- context -------------------------------------------------------------------------------------


def test_receipt_context_follows_the_an_giang_fields(dossier, unit):
    assert dossier.appointment_at == t("2026-01-06 13:00")
    context = slips.slip_context(dossier, SlipKind.RECEIPT)
    assert context["code"] == dossier.code
    assert context["applicant_name"] == "Trần Thị Bình"
    assert context["applicant_phone"] == "0912345678" and context["applicant_email"] == "binh@example.com"
    assert context["agency"]["name"] == "Sở Xây dựng" and context["agency"]["phone"] == "0203 3835 000"
    assert context["procedure"]["name"] == unit.procedure.name
    assert context["processing_time"] == "1 ngày làm việc"
    assert context["received_at"] == "05/01/2026 08:30"
    assert context["appointment_at"] == "06/01/2026 13:00"
    assert context["appointment_at_text"] == "13 giờ 00 phút, ngày 06 tháng 01 năm 2026"
    assert context["date_text"] == "ngày 05 tháng 01 năm 2026"
    assert context["place"] == "Hạ Long"
    # The QR encodes the public lookup link, with the dossier's token (portal.lookup).
    assert dossier.lookup_token
    assert context["lookup_url"] == f"http://127.0.0.1:8000/tra-cuu/?code={dossier.code}&t={dossier.lookup_token}"
    assert context["qr"] == segno.make(context["lookup_url"], error="m", micro=False).png_data_uri(scale=6, border=2)
    assert context["number"] == "1" and context["slip_symbol"] == "BPTNTKQ"  # "Số: 1/BPTNTKQ", as in the appendix
    assert context["sets"] == 1
    assert (context["register_book"], context["register_number"]) == ("2026", "1")
    assert "Nhận trực tiếp" in context["result_place"] and "Sở Xây dựng" in context["result_place"]
    # The submitted file counts for its required document; the paper dossier brings the other one.
    assert [(d["name"], d["paper"]) for d in context["documents"]] == [
        ("Đơn đề nghị cấp giấy phép (Mẫu số 01)", False),
        ("Bản sao giấy chứng nhận quyền sử dụng đất", True),
    ]
    # The signature block: the official who received it.
    assert context["official_name"] == "Lê Văn Cường"
    assert context["official_position"] == "Cán bộ một cửa"
    # Plain values only: an edited template cannot reach model objects (password hashes, tokens...).
    assert isinstance(context["dossier"], dict) and "lookup_token" not in context["dossier"]


def test_register_number_counts_the_agency_dossiers_of_the_year(dossier, unit):
    second = services.dossier_receive_at_counter(
        actor=unit.officer,
        procedure=unit.procedure,
        agency=unit.agency,
        applicant=Applicant(name="Phạm Văn Đức"),
        at=t("2026-01-05 09:00"),
    )
    assert slips.slip_context(second, SlipKind.RECEIPT)["register_number"] == "2"


def test_extra_values_fill_an_apology_before_the_action(dossier):
    context = slips.slip_context(
        dossier, SlipKind.APOLOGY, reason="Chờ ý kiến liên ngành.", new_appointment=t("2026-01-09 13:00")
    )
    assert context["old_appointment_text"] == "13 giờ 00 phút, ngày 06 tháng 01 năm 2026"
    assert context["new_appointment"] == "09/01/2026 13:00"
    assert context["reason"] == "Chờ ý kiến liên ngành."
    supplement = slips.slip_context(dossier, SlipKind.SUPPLEMENT, comment="- Bản vẽ mặt bằng\n- Bản sao sổ đỏ")
    assert supplement["missing_documents"] == ["Bản vẽ mặt bằng", "Bản sao sổ đỏ"]


# --- HTML and PDF --------------------------------------------------------------------------------


def test_receipt_html_has_the_national_header_the_fields_and_the_qr(dossier):
    html = slips.render_slip_html(dossier, SlipKind.RECEIPT)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Độc lập - Tự do - Hạnh phúc" in html
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in html
    assert dossier.code in html and "Trần Thị Bình" in html
    assert "13 giờ 00 phút, ngày 06 tháng 01 năm 2026" in html
    assert re.search(r'<img class="qr" src="data:image/png;base64,[A-Za-z0-9+/=]+"', html)
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: 2026" in html


def test_the_glyph_check_catches_a_character_no_font_has(caplog):
    with pytest.raises(AssertionError):
        render_pdf_checking_glyphs(caplog, lambda: slips.html_to_pdf("<p>Trần \U000f0000</p>"))


def test_receipt_pdf_contains_the_vietnamese_text(dossier, tmp_path, caplog):
    pdf = render_pdf_checking_glyphs(caplog, lambda: slips.render_slip_pdf(dossier, SlipKind.RECEIPT))
    assert pdf.startswith(b"%PDF")
    assert b"DejaVu-Serif" in pdf_expanded(pdf)  # the font with the Vietnamese glyphs is embedded
    # Every accented letter of the slip is drawn with a real glyph (precomposed Vietnamese: ầ ị ộ ừ ễ ...).
    assert_vietnamese_glyphs(
        pdf,
        "Trần Thị Bình",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Đơn đề nghị cấp giấy phép",
    )
    text = pdf_text(pdf, tmp_path)
    if text is None:
        pytest.skip("pdftotext is not installed: only the PDF header and fonts were checked")
    assert dossier.code in text
    assert "Trần Thị Bình" in text
    assert "13 giờ 00 phút, ngày 06 tháng 01 năm 2026" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Đơn đề nghị cấp giấy phép (Mẫu số 01)" in text


@pytest.mark.parametrize("kind", [k for k in SlipKind if k != SlipKind.RECEIPT])
def test_every_built_in_slip_renders(dossier, kind, caplog):
    html = slips.render_slip_html(
        dossier, kind, comment="Bổ sung bản vẽ.", reason="Hồ sơ không hợp lệ.", new_appointment=t("2026-01-09 13:00")
    )
    assert slips.SLIP_TITLES[kind] in html and dossier.code in html and "Trần Thị Bình" in html
    pdf = render_pdf_checking_glyphs(caplog, lambda: slips.render_slip_pdf(dossier, kind, reason="Lý do."))
    assert pdf.startswith(b"%PDF")
    assert_vietnamese_glyphs(pdf, slips.SLIP_TITLES[kind], "Trần Thị Bình")
    text = docx_text(slips.render_slip_doc(dossier, kind, reason="Hồ sơ không hợp lệ."))
    assert slips.SLIP_TITLES[kind] in text and dossier.code in text and "Trần Thị Bình" in text


# --- templates in the database ---------------------------------------------------------------------


def test_agency_template_wins_over_the_default_which_wins_over_the_file(dossier, unit):
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in slips.render_slip_html(dossier, SlipKind.RECEIPT)  # the built-in file
    SlipTemplate.objects.create(kind=SlipKind.RECEIPT, title="Mặc định tỉnh", body="<p>MẶC ĐỊNH {{ code }}</p>")
    assert f"MẶC ĐỊNH {dossier.code}" in slips.render_slip_html(dossier, SlipKind.RECEIPT)
    own = SlipTemplate.objects.create(
        kind=SlipKind.RECEIPT,
        title="Riêng",
        agency=unit.agency,
        body="<p>RIÊNG {{ agency.name }} – {{ applicant_name }}</p>",
    )
    other_agency = AgencyFactory()
    SlipTemplate.objects.create(
        kind=SlipKind.RECEIPT, title="Đơn vị khác", agency=other_agency, body="<p>ĐƠN VỊ KHÁC</p>"
    )
    html = slips.render_slip_html(dossier, SlipKind.RECEIPT)
    assert "RIÊNG Sở Xây dựng – Trần Thị Bình" in html and "MẶC ĐỊNH" not in html
    assert "ĐƠN VỊ KHÁC" not in html
    assert "RIÊNG Sở Xây dựng" in docx_text(slips.render_slip_doc(dossier, SlipKind.RECEIPT))
    own.is_active = False
    own.save()
    assert "MẶC ĐỊNH" in slips.render_slip_html(dossier, SlipKind.RECEIPT)


def test_template_is_checked_and_an_empty_body_starts_from_the_built_in_one():
    broken = SlipTemplate(kind=SlipKind.REFUSAL, title="Hỏng", body="<p>{% if %}</p>")
    with pytest.raises(ValidationError) as error:
        broken.full_clean()
    assert "body" in error.value.message_dict
    for tag in ("{% debug %}", '{% include "base.html" %}', "{% load static %}"):
        with pytest.raises(ValidationError):
            SlipTemplate(kind=SlipKind.REFUSAL, title="Cấm", body=f"<p>{tag}</p>").full_clean()
    template = SlipTemplate.objects.create(kind=SlipKind.REFUSAL, title="Từ chối")
    assert template.body == slips.default_template_source(SlipKind.REFUSAL)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in template.body
    assert template.history.count() == 1


def test_one_active_template_per_kind_and_agency(unit):
    SlipTemplate.objects.create(kind=SlipKind.APOLOGY, title="A", agency=unit.agency, body="<p>A</p>")
    with pytest.raises(ValidationError):
        SlipTemplate(kind=SlipKind.APOLOGY, title="B", agency=unit.agency, body="<p>B</p>").full_clean()
    SlipTemplate(kind=SlipKind.APOLOGY, title="C", agency=unit.agency, body="<p>C</p>", is_active=False).full_clean()


def test_preview_renders_the_sample_dossier():
    template = SlipTemplate(kind=SlipKind.SUPPLEMENT, title="Xem thử", body="")
    response = template.serve_preview(None, "")
    html = response.content.decode()
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in html and "Nguyễn Văn An" in html
    assert (
        "script-src" not in response["Content-Security-Policy"]
        and "default-src 'none'" in response["Content-Security-Policy"]
    )
    assert template.serve_preview(None, "pdf").content.startswith(b"%PDF")


def test_a_template_cannot_fetch_urls_into_the_pdf(dossier, unit, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("BÍ MẬT")
    SlipTemplate.objects.create(
        kind=SlipKind.RECEIPT,
        title="Dò",
        agency=unit.agency,
        body=f'<p>X</p><iframe src="file://{secret}"></iframe><img src="file://{secret}">'
        f'<link rel="stylesheet" href="file://{secret}">',
    )
    text = pdf_text(slips.render_slip_pdf(dossier, SlipKind.RECEIPT), tmp_path)
    if text is not None:
        assert "BÍ MẬT" not in text


# --- Word ----------------------------------------------------------------------------------------------


def test_receipt_docx_is_a_valid_package_with_the_text_and_the_qr(dossier):
    data = slips.render_slip_doc(dossier, SlipKind.RECEIPT)
    with zipfile.ZipFile(BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert {
            "[Content_Types].xml",
            "_rels/.rels",
            "word/document.xml",
            "word/styles.xml",
            "word/_rels/document.xml.rels",
        } <= names
        assert archive.read("word/media/image1.png").startswith(b"\x89PNG")
        for name in names - {"word/media/image1.png"}:
            ElementTree.fromstring(archive.read(name))  # every part is well-formed XML
        root = ElementTree.fromstring(archive.read("word/document.xml"))
        # Every table cell ends with a paragraph (Word refuses the file otherwise).
        for cell in root.iter(f"{W}tc"):
            assert list(cell)[-1].tag == f"{W}p"
    text = docx_text(data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert dossier.code in text and "Trần Thị Bình" in text
    assert "13 giờ 00 phút, ngày 06 tháng 01 năm 2026" in text
    assert "1. Đơn đề nghị cấp giấy phép (Mẫu số 01)" in text


def test_html_to_docx_keeps_formatting_tables_and_lists():
    data = slips.html_to_docx(
        '<p class="center"><b>Đậm</b> và <i>nghiêng</i></p><ul><li>một</li><li>hai</li></ul>'
        '<table class="grid"><tr><td style="width: 30%">A</td><td>B &amp; C</td></tr>'
        '<tr><td colspan="2">gộp</td></tr></table>'
    )
    with zipfile.ZipFile(BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert '<w:jc w:val="center"/>' in xml and "<w:b/>" in xml and "<w:i/>" in xml
    text = docx_text(data)
    assert "- một" in text and "- hai" in text and "Đậm và nghiêng" in text
    assert 'w:gridSpan w:val="2"' in xml and 'w:val="single"' in xml and "B &amp; C" in xml


# --- upload into the actions -----------------------------------------------------------------------


def test_slip_upload_is_accepted_by_the_supplement_action(dossier, unit):
    upload = slips.slip_upload(dossier, SlipKind.SUPPLEMENT, comment="Bổ sung bản vẽ mặt bằng.", official=unit.officer)
    assert upload.kind == DocumentKind.SLIP
    assert upload.name == f"phieu-yeu-cau-bo-sung-{dossier.code}.pdf"
    result = services.dossier_request_supplement(
        actor=unit.officer, dossier_id=dossier.pk, comment="Bổ sung bản vẽ.", files=[upload], at=t("2026-01-05 10:00")
    )
    assert result.status == Status.SUPPLEMENT
    document = DossierDocument.objects.get(dossier=dossier, kind=DocumentKind.SLIP)
    assert document.name == upload.name
    with document.file.open("rb") as stored:
        assert stored.read(4) == b"%PDF"
    # Printed again later, the slip is filled from the recorded action.
    context = slips.slip_context(result, SlipKind.SUPPLEMENT)
    assert context["missing_documents"] == ["Bổ sung bản vẽ."]
    assert context["official_name"] == "Lê Văn Cường"


def test_word_upload_name_and_type(dossier):
    upload = slips.slip_upload(dossier, SlipKind.RECEIPT, fmt="doc")
    assert upload.name == f"giay-tiep-nhan-va-hen-tra-ket-qua-{dossier.code}.docx"
    assert zipfile.is_zipfile(upload.content)


# --- downloads --------------------------------------------------------------------------------------


def test_download_for_the_unit_official(client, dossier, unit):
    client.force_login(admin_access(unit.officer))
    url = slip_url(dossier, "receipt", "pdf")
    assert url == f"/admin/dossiers/{dossier.pk}/slip/receipt.pdf"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "inline" in response["Content-Disposition"] and dossier.code in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]

    response = client.get(slip_url(dossier, "supplement", "doc"), {"comment": "Bổ sung bản vẽ."})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    assert "Bổ sung bản vẽ." in docx_text(response.content)

    assert client.get(f"/admin/dossiers/{dossier.pk}/slip/unknown.pdf").status_code == 404
    assert client.get(f"/admin/dossiers/{dossier.pk}/slip/receipt.exe").status_code == 404


def test_download_is_scoped_to_the_unit(client, dossier):
    stranger = admin_access(official(AgencyFactory(), "donvikhac"))
    client.force_login(stranger)
    assert client.get(slip_url(dossier, "receipt", "pdf")).status_code == 404
    assert client.get(slip_url(dossier.pk + 1000, "receipt", "pdf")).status_code == 404


def test_download_needs_an_admin_login(client, dossier):
    response = client.get(slip_url(dossier, "receipt", "pdf"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Dossier.objects.count() == 1


# --- admin screens ------------------------------------------------------------------------------------


def unit_admin(agency, username):
    user = admin_access(official(agency, username))
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="workflow",
            codename__in=["add_sliptemplate", "change_sliptemplate", "delete_sliptemplate", "view_sliptemplate"],
        )
    )
    return user


def test_admin_edit_screen_lists_the_variables_and_previews(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "Mat-khau-2026!"))
    response = client.get("/admin/snippets/workflow/sliptemplate/add/")
    assert response.status_code == 200
    page = response.content.decode()
    assert gettext("Available variables") in page and "appointment_at" in page and "missing_documents" in page
    data = {
        "kind": "receipt",
        "title": "Giấy tiếp nhận",
        "agency": "",
        "is_active": "on",
        "body": "<p>Mã: {{ code }} – {{ applicant_name }}</p>",
    }
    preview = "/admin/snippets/workflow/sliptemplate/preview/"
    assert client.post(preview, data).json() == {"is_valid": True, "is_available": True}
    shown = client.get(preview, {"mode": ""})
    assert shown.status_code == 200 and "Mã: 000.00.15.H99-260105-0012 – Nguyễn Văn An" in shown.content.decode()
    assert client.get(preview, {"mode": "pdf"}).content.startswith(b"%PDF")
    assert client.post(preview, {**data, "body": "{% if %}"}).json()["is_valid"] is False


def assert_permission_denied(response):
    """Wagtail's permission-denied response: back to the dashboard with an error message, no form shown."""
    assert response.status_code == 302 and response["Location"] == "/admin/"
    errors = [str(m).strip() for m in get_messages(response.wsgi_request) if m.level == message_levels.ERROR]
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert errors and set(errors) == {gettext("Sorry, you do not have permission to access this area.")}


def test_unit_admin_manages_only_own_templates(client, unit):
    default = SlipTemplate.objects.create(kind=SlipKind.RECEIPT, title="Mặc định tỉnh", body="<p>MẶC ĐỊNH</p>")
    other = SlipTemplate.objects.create(
        kind=SlipKind.RECEIPT, title="Của đơn vị khác", agency=AgencyFactory(), body="<p>KHÁC</p>"
    )
    client.force_login(unit_admin(unit.agency, "quantri"))
    base = "/admin/snippets/workflow/sliptemplate"
    listing = client.get(f"{base}/").content.decode()
    assert "Mặc định tỉnh" in listing and "Của đơn vị khác" not in listing
    assert f"{base}/edit/{default.pk}/" not in listing and f"{base}/delete/{default.pk}/" not in listing
    # The province-wide default: read only (inspect and copy), editing and deleting refused, nothing changes.
    assert client.get(f"{base}/inspect/{default.pk}/").status_code == 200
    assert client.get(f"{base}/copy/{default.pk}/").status_code == 200
    assert_permission_denied(client.get(f"{base}/edit/{default.pk}/"))
    assert_permission_denied(client.get(f"{base}/delete/{default.pk}/"))
    edit = {
        "kind": "receipt",
        "title": "Sửa trộm",
        "agency": unit.agency.pk,
        "is_active": "on",
        "body": "<p>SỬA TRỘM</p>",
    }
    assert_permission_denied(client.post(f"{base}/edit/{default.pk}/", edit))
    assert_permission_denied(client.post(f"{base}/delete/{default.pk}/"))
    default.refresh_from_db()
    assert (default.title, default.body, default.agency_id) == ("Mặc định tỉnh", "<p>MẶC ĐỊNH</p>", None)
    # Another unit's template: not even its existence shows (404, like another unit's dossier), nothing changes.
    for view in ("edit", "delete", "inspect", "copy", "history", "usage"):
        assert client.get(f"{base}/{view}/{other.pk}/").status_code == 404, view
    assert client.post(f"{base}/edit/{other.pk}/", edit).status_code == 404
    assert client.post(f"{base}/delete/{other.pk}/").status_code == 404
    other.refresh_from_db()
    assert (other.title, other.body) == ("Của đơn vị khác", "<p>KHÁC</p>")
    assert client.get(f"{base}/edit/abc/").status_code == 404
    # Writing for another unit or province-wide is refused; for their own unit it works.
    data = {"kind": "receipt", "title": "Riêng", "is_active": "on", "body": "<p>RIÊNG {{ code }}</p>"}
    response = client.post(f"{base}/add/", {**data, "agency": other.agency_id})
    assert response.status_code == 200 and not SlipTemplate.objects.filter(title="Riêng").exists()
    client.post(f"{base}/add/", {**data, "agency": ""})
    assert not SlipTemplate.objects.filter(title="Riêng").exists()
    response = client.post(f"{base}/add/", {**data, "agency": unit.agency.pk})
    assert response.status_code == 302
    own = SlipTemplate.objects.get(title="Riêng")
    assert own.agency == unit.agency
    assert client.get(f"{base}/edit/{own.pk}/").status_code == 200
    response = client.post(
        f"{base}/edit/{own.pk}/", {**data, "agency": unit.agency.pk, "body": "<p>ĐÃ SỬA {{ code }}</p>"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.body == "<p>ĐÃ SỬA {{ code }}</p>"
    assert client.post(f"{base}/delete/{own.pk}/").status_code == 302
    assert not SlipTemplate.objects.filter(pk=own.pk).exists()
