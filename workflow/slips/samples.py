"""The made-up dossier that fills a slip template in the admin preview and when a template is checked."""

from datetime import datetime
from decimal import Decimal
from html import escape as html_escape

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from workflow.slips.context import slip_context
from workflow.slips.rendering import (
    SlipTemplateError,
    compile_template,
    default_template_source,
    html_to_pdf,
    render_body,
    wrap_page,
)
from workflow.slips.vocabulary import TZ


def _sample_objects(agency=None):
    from catalog.models import Agency, Procedure
    from workflow.models import Dossier, Status

    if agency is None:
        agency = Agency(
            code="000.00.15.H99",
            name="Sở Xây dựng",
            address="Số 1 đường Trần Hưng Đạo, thành phố Hạ Long",
            phone="0203 3835 000",
            email="soxaydung@example.gov.vn",
            hotline="1900 1234",
        )
    procedure = Procedure(
        national_code="1.009972",
        name="Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        processing_time=Decimal("15"),
        processing_time_unit="day",
        processing_time_note="Kể từ ngày nhận đủ hồ sơ hợp lệ",
        result_type="Giấy phép xây dựng",
    )
    received = datetime(2026, 1, 5, 8, 30, tzinfo=TZ)
    dossier = Dossier(
        code=f"{agency.code}-260105-0012",
        procedure=procedure,
        agency=agency,
        channel="counter",
        applicant_name="Nguyễn Văn An",
        applicant_id_number="022090001234",
        applicant_address="Số 5 phố Lê Lợi, phường Hồng Gai, thành phố Hạ Long",
        applicant_phone="0912 345 678",
        applicant_email="an.nv@example.com",
        delivery="counter",
        status=Status.RECEIVED,
        submitted_at=received,
        received_at=received,
        due_at=datetime(2026, 1, 26, 8, 30, tzinfo=TZ),
        appointment_at=datetime(2026, 1, 26, 13, 0, tzinfo=TZ),
    )
    return dossier


SAMPLE_PROCEDURE_DOCUMENTS = [
    {"name": "Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01)", "originals": 1, "copies": 0, "mandatory": True, "pk": 1},
    {"name": "Bản sao giấy tờ chứng minh quyền sử dụng đất", "originals": 0, "copies": 1, "mandatory": True, "pk": 2},
    {"name": "Hai bộ bản vẽ thiết kế xây dựng", "originals": 2, "copies": 0, "mandatory": True, "pk": 3},
]


def sample_context(kind, agency=None, **extra) -> dict:
    """The context of a made-up dossier, for the admin preview and template checks."""
    dossier = _sample_objects(agency)
    documents = [
        {"name": d["name"], "originals": d["originals"], "copies": d["copies"], "file_name": "", "paper": True}
        for d in SAMPLE_PROCEDURE_DOCUMENTS
    ]
    defaults = {
        "register_number": "12",
        "register_book": "2026",
        "issued_at": dossier.received_at,
        "official_name": "Lê Văn Cường",
        "official_position": "Cán bộ Bộ phận Một cửa",
        "comment": "Bổ sung bản sao giấy chứng nhận quyền sử dụng đất có chứng thực.",
        "missing_documents": [
            "Bản sao có chứng thực giấy chứng nhận quyền sử dụng đất",
            "Bản vẽ mặt bằng vị trí công trình trên lô đất",
        ],
        "reason": "Hồ sơ cần lấy ý kiến của cơ quan liên quan nên chưa thể trả kết quả đúng hẹn.",
        "new_appointment": datetime(2026, 2, 2, 13, 0, tzinfo=TZ),
    }
    return slip_context(
        dossier, kind, documents=documents, procedure_documents=SAMPLE_PROCEDURE_DOCUMENTS, **{**defaults, **extra}
    )


def render_sample(template, fmt="html") -> bytes | str:
    """A (possibly unsaved) :class:`SlipTemplate` filled with the sample dossier: HTML page or PDF."""
    context = sample_context(template.kind, agency=template.agency)
    source = template.body if template.body.strip() else default_template_source(template.kind)
    try:
        body = render_body(source, context)
    except SlipTemplateError as error:
        body = f'<p style="color:#b00">{html_escape(str(error))}</p>'
    html = wrap_page(body, context)
    return html_to_pdf(html) if fmt == "pdf" else html


def check_template_source(source, kind, agency=None):
    """Compile and fill ``source`` with the sample dossier; raises :class:`SlipTemplateError`."""
    template = compile_template(source)
    try:
        with translation.override("vi"):
            template.render(sample_context(kind, agency=agency))
    except Exception as error:  # noqa: BLE001 - shown to the admin as a form error
        raise SlipTemplateError(_("Template error: %(error)s") % {"error": error}) from None
