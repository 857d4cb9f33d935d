"""Demo citizen side: a published e-form for two building-permit procedures and a citizen account with a profile
and a stored document, so the online submission can be tried right after ``make run``."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from catalog.models import Procedure
from eforms.models import EForm, FieldType, FormField, FormSection, FormVersion
from eforms.services import version_publish
from portal.citizens.models import CitizenProfile, DocumentType, StoredDocument
from portal.demo.files import demo_pdf

CITIZEN = ("congdan", "congdan@example.com", "0912345678")

#: (code, type, label, extra attributes) per section; the last section is shown only for organisations.
#: ``applicant_field`` maps the answers to the dossier's applicant (kind, organisation, tax code, contacts).
FORM_SECTIONS = [
    (
        "Thông tin người đề nghị",
        {},
        [
            (
                "ho_ten",
                FieldType.TEXT,
                "Họ và tên",
                dict(required=True, prefill_source="full_name", applicant_field="full_name", max_length=100),
            ),
            (
                "so_cccd",
                FieldType.CITIZEN_ID,
                "Số định danh cá nhân (CCCD)",
                dict(required=True, prefill_source="id_number", applicant_field="id_number"),
            ),
            ("ngay_sinh", FieldType.DATE, "Ngày sinh", dict(prefill_source="date_of_birth")),
            (
                "dien_thoai",
                FieldType.PHONE,
                "Số điện thoại",
                dict(required=True, prefill_source="phone", applicant_field="phone"),
            ),
            ("thu_dien_tu", FieldType.EMAIL, "Thư điện tử", dict(prefill_source="email", applicant_field="email")),
            (
                "dia_chi",
                FieldType.TEXT,
                "Địa chỉ liên hệ",
                dict(required=True, prefill_source="address", applicant_field="address"),
            ),
            (
                "la_to_chuc",
                FieldType.YES_NO,
                "Đề nghị với tư cách tổ chức, doanh nghiệp?",
                dict(required=True, applicant_field="as_organisation"),
            ),
        ],
    ),
    (
        "Thông tin công trình",
        {},
        [
            (
                "dia_diem",
                FieldType.TEXTAREA,
                "Địa điểm xây dựng (số thửa, tờ bản đồ, địa chỉ)",
                dict(required=True, max_length=1000, prefill_source="last_value"),
            ),
            (
                "loai_cong_trinh",
                FieldType.CHOICE,
                "Loại công trình",
                dict(
                    required=True,
                    choices="nha_o|Nhà ở riêng lẻ\ndan_dung|Công trình dân dụng\ncong_nghiep|Công trình công nghiệp",
                ),
            ),
            (
                "dien_tich",
                FieldType.NUMBER,
                "Diện tích xây dựng tầng 1 (m²)",
                dict(required=True, min_value=10, max_value=100000),
            ),
            ("so_tang", FieldType.NUMBER, "Số tầng", dict(required=True, min_value=1, max_value=80)),
            ("ban_ve", FieldType.FILE, "Bản vẽ mặt bằng công trình", dict(file_types="pdf", max_file_mb=10)),
            (
                "don_vi_thiet_ke",
                FieldType.TABLE,
                "Đơn vị, cá nhân thiết kế",
                dict(
                    table_columns=[
                        {"code": "ten", "label": "Tên đơn vị, cá nhân", "type": "text"},
                        {"code": "chung_chi", "label": "Số chứng chỉ hành nghề", "type": "text"},
                    ]
                ),
            ),
        ],
    ),
    (
        "Thông tin tổ chức",
        dict(condition_field="la_to_chuc", condition_operator="equals", condition_value="yes"),
        [
            (
                "ten_to_chuc",
                FieldType.TEXT,
                "Tên tổ chức",
                dict(required=True, prefill_source="organisation_name", applicant_field="organisation_name"),
            ),
            (
                "ma_so_thue",
                FieldType.TAX_CODE,
                "Mã số thuế",
                dict(required=True, prefill_source="tax_code", applicant_field="tax_code"),
            ),
        ],
    ),
]


def load_eforms(actor):
    """A published ``TK1`` form for the first building-permit procedures (idempotent)."""
    for national_code in ("1.009972", "1.011876"):
        procedure = Procedure.objects.filter(national_code=national_code).first()
        if procedure is None or EForm.objects.filter(procedure=procedure).exists():
            continue
        eform = EForm.objects.create(
            procedure=procedure, symbol="TK1", title="Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01)"
        )
        version = FormVersion.objects.create(eform=eform, number=1, note="Bản đầu tiên")
        for order, (title, condition, fields) in enumerate(FORM_SECTIONS):
            section = FormSection.objects.create(version=version, title=title, sort_order=order, **condition)
            for position, (code, kind, label, extra) in enumerate(fields):
                FormField.objects.create(
                    section=section, code=code, type=kind, label=label, sort_order=position, **extra
                )
        version_publish(actor=actor, version_id=version.pk)


def load_citizen(password):
    """The demo citizen ``congdan`` with a verified-looking profile and one stored ID card scan."""
    User = get_user_model()
    username, email, phone = CITIZEN
    user, created = User.objects.get_or_create(
        username=username, defaults=dict(email=email, first_name="An", last_name="Nguyễn Văn")
    )
    if created:
        user.set_password(password)
        user.save()
    CitizenProfile.objects.get_or_create(
        user=user,
        defaults=dict(
            full_name="Nguyễn Văn An",
            id_number="038090001234",
            date_of_birth=date(1990, 5, 17),
            gender="male",
            address="12 Lê Lợi, phường Trung Tâm",
            phone=phone,
            email=email,
        ),
    )
    doc_type = DocumentType.objects.filter(name__startswith="Căn cước").first() or DocumentType.objects.first()
    if doc_type and not StoredDocument.objects.filter(owner=user).exists():
        body = demo_pdf("Căn cước – bản chụp hai mặt")
        StoredDocument.objects.create(
            owner=user,
            doc_type=doc_type,
            title="Căn cước – bản chụp hai mặt",
            file=ContentFile(body, name="can-cuoc.pdf"),
            original_name="can-cuoc.pdf",
            size=len(body),
            content_type="application/pdf",
        )
    return user
