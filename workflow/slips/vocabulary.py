"""What slips are called and hold: titles, symbols, file names, the action each one records, the texts of
channels and deliveries, the output formats, and the variables and CSS classes a template may use (QT 15;
DESIGN 5.4). Vietnamese document text, not UI, except the descriptions shown on the template edit screen.
"""

from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from workflow.models import Action, Delivery, SlipKind

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# --- what each kind is called on paper (Vietnamese document text, not UI) ---------------------

SLIP_TITLES = {
    SlipKind.RECEIPT: "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    SlipKind.GUIDANCE: "PHIẾU HƯỚNG DẪN HOÀN THIỆN HỒ SƠ",
    SlipKind.SUPPLEMENT: "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    SlipKind.REFUSAL: "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    SlipKind.APOLOGY: "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    SlipKind.WITHDRAWAL: "PHIẾU XÁC NHẬN RÚT HỒ SƠ",
}
#: The symbol after the number ("Số: 12/PYCBS").
SLIP_SYMBOLS = {
    SlipKind.RECEIPT: "BPTNTKQ",  # the An Giang appendix: "Số: …/TTPVHCC (BPTNTKQ)"
    SlipKind.GUIDANCE: "PHD",
    SlipKind.SUPPLEMENT: "PYCBS",
    SlipKind.REFUSAL: "PTC",
    SlipKind.APOLOGY: "PXL",
    SlipKind.WITHDRAWAL: "PRHS",
}
#: File names of the generated slips: ``<slug>-<dossier code>.<ext>``.
SLIP_FILE_SLUGS = {
    SlipKind.RECEIPT: "giay-tiep-nhan-va-hen-tra-ket-qua",
    SlipKind.GUIDANCE: "phieu-huong-dan-hoan-thien-ho-so",
    SlipKind.SUPPLEMENT: "phieu-yeu-cau-bo-sung",
    SlipKind.REFUSAL: "phieu-tu-choi-tiep-nhan",
    SlipKind.APOLOGY: "phieu-xin-loi-va-hen-lai",
    SlipKind.WITHDRAWAL: "phieu-xac-nhan-rut-ho-so",
}
#: The action whose record fills the slip when it is printed again later (who signed, the reason...).
SLIP_ACTIONS = {
    SlipKind.RECEIPT: [Action.RECEIVE, Action.RESUBMIT],
    SlipKind.GUIDANCE: [Action.GUIDE],
    SlipKind.SUPPLEMENT: [Action.REQUEST_SUPPLEMENT],
    SlipKind.REFUSAL: [Action.REFUSE_RECEPTION, Action.STOP],
    SlipKind.APOLOGY: [Action.APOLOGIZE],
    SlipKind.WITHDRAWAL: [Action.WITHDRAW],
}
CHANNEL_TEXT = {"counter": "Trực tiếp tại Bộ phận Một cửa", "online": "Trực tuyến", "post": "Qua dịch vụ bưu chính"}
DELIVERY_TEXT = {
    Delivery.COUNTER: "Nhận trực tiếp tại Bộ phận Tiếp nhận và Trả kết quả",
    Delivery.POST: "Nhận qua dịch vụ bưu chính công ích",
    Delivery.ONLINE: "Nhận trực tuyến trên Cổng Dịch vụ công",
}
TIME_UNIT_TEXT = {"day": "ngày làm việc", "hour": "giờ làm việc"}

FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "doc": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "html": ("text/html; charset=utf-8", "html"),
}
FORMATS["docx"] = FORMATS["doc"]

#: Template variables, listed on the template edit screen (name, description).
VARIABLES = [
    ("slip_title", _("Title of the slip, e.g. GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")),
    ("number, slip_symbol", _("Slip number (the dossier's number in the register) and its symbol, e.g. 12/BPTNTKQ")),
    ("code", _("Dossier code")),
    ("qr", _('QR code of the public lookup link, as a PNG data URI: <img class="qr" src="{{ qr }}">')),
    ("qr_svg", _("The same QR code as inline SVG (HTML and PDF only)")),
    ("lookup_url", _("Public lookup link of the dossier")),
    (
        "agency.name, agency.parent_name, agency.address, agency.phone, agency.hotline, agency.email",
        _("Receiving agency and its governing body"),
    ),
    (
        "procedure.name, procedure.national_code, procedure.processing_time, procedure.processing_time_note, "
        "procedure.result_type",
        _("Procedure (the request to resolve)"),
    ),
    (
        "applicant_name, organisation_name, applicant_id_number, applicant_address, applicant_phone, applicant_email",
        _("Applicant"),
    ),
    (
        "applicant_kind, tax_code",
        _("The applicant's type (citizen, business, …) and a business's tax code"),
    ),
    (
        "channel, delivery, delivery_code, delivery_address, result_place",
        _("How the dossier came in, how the result is delivered and where to get it"),
    ),
    ("documents", _("Documents received: a list of {name, originals, copies, file_name, paper}")),
    ("procedure_documents", _("Documents the procedure requires: a list of {name, originals, copies, mandatory}")),
    ("sets", _("Number of sets of the dossier")),
    ("processing_time", _("Processing time set by the procedure, e.g. 15 ngày làm việc")),
    (
        "submitted_at, received_at, due_at, appointment_at",
        _("Dates as dd/mm/yyyy HH:MM (Asia/Ho_Chi_Minh); add _text for “08 giờ 30 phút, ngày 05 tháng 01 năm 2026”"),
    ),
    ("register_book, register_number", _("Register of dossiers: book and entry number")),
    ("place, date_text, issued_at", _("Place and date of issue: “Hạ Long”, “ngày 05 tháng 01 năm 2026”")),
    ("official_name, official_position", _("The official issuing the slip")),
    ("comment", _("Guidance or supplement request: what the applicant must do")),
    ("missing_documents", _("Supplement request: list of documents to add or complete")),
    ("reason", _("Refusal, apology or withdrawal: the reason")),
    ("old_appointment, new_appointment", _("Apology: the missed and the new appointment (add _text for words)")),
    ("status", _("Current status of the dossier")),
    ("dossier", _("All of the above about the dossier, e.g. {{ dossier.code }}")),
]
#: CSS classes of the print stylesheet, also understood by the Word export.
CSS_CLASSES = [
    ("header", _("table with the agency (left) and the national motto (right)")),
    ("title", _("the slip's title")),
    ("center, right, justify, bold, italic, small", _("alignment and emphasis")),
    ("short", _("on <hr>: the short rule under a heading")),
    ("grid", _("table with borders")),
    ("signatures", _('table of signature blocks; <div class="sign-space"></div> leaves room to sign')),
    ("qr", _("the QR image")),
]
