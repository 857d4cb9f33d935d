"""Slips (phiếu) filled from a dossier: HTML, PDF and an editable Word document (QT 15; DESIGN 5.4, 6).

The six kinds (:class:`~workflow.models.SlipKind`): receipt and appointment
(giấy tiếp nhận hồ sơ và hẹn trả kết quả, laid out per the An Giang appendix),
guidance (phiếu hướng dẫn), supplement request (phiếu yêu cầu bổ sung, hoàn
thiện hồ sơ), refusal (phiếu từ chối tiếp nhận giải quyết hồ sơ), apology and
new appointment (phiếu xin lỗi và hẹn lại ngày trả kết quả) and withdrawal
confirmation (phiếu xác nhận rút hồ sơ).

Which template: the agency's own active :class:`~workflow.models.SlipTemplate`,
else the province-wide default one, else the file
``workflow/templates/workflow/slips/<kind>.html``. A template is the *body*
(a Django template string, HTML); it is wrapped in
``workflow/slips/_page.html``, which holds the print stylesheet (A4, DejaVu
fonts so Vietnamese diacritics render).

The context holds plain values only (dicts and strings, never model
objects), so a template edited in the admin cannot reach anything but what
:data:`VARIABLES` lists. Slips are Vietnamese documents: they are rendered
with Vietnamese active, whatever the official's interface language.

Public API::

    slip_context(dossier, kind, **extra) -> dict
    render_slip_html(dossier, kind, **extra) -> str
    render_slip_pdf(dossier, kind, **extra) -> bytes          # WeasyPrint
    render_slip_doc(dossier, kind, **extra) -> bytes          # .docx (see its docstring)
    render_slip(dossier, kind, fmt="pdf", **extra) -> RenderedSlip(content, content_type, filename)
    slip_upload(dossier, kind, *, fmt="pdf", **extra) -> services.Upload(kind=DocumentKind.SLIP)

``extra`` keywords understood by the built-in templates: ``comment``,
``reason``, ``missing_documents`` (list or text, one per line),
``new_appointment`` (aware datetime), ``old_appointment``, ``official`` (the
user issuing the slip: fills the signature block), ``sets``, ``issued_at``,
``register_book``, ``register_number``. Any other keyword is passed through to
the template as is.
"""

import base64
import binascii
import logging
import re
from collections import namedtuple
from datetime import datetime
from decimal import Decimal
from html import escape as html_escape
from html.parser import HTMLParser
from io import BytesIO
from xml.sax.saxutils import escape as xml_escape
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.template import TemplateSyntaxError, engines
from django.template.base import Lexer, TokenType
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Action, Delivery, DocumentKind, DossierEvent, SlipKind, SlipTemplate

logger = logging.getLogger(__name__)

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

BLOCKED_TAGS = {"debug", "include", "extends", "load", "ssi"}


class SlipTemplateError(ValueError):
    """A slip template that does not compile or uses a forbidden tag."""


RenderedSlip = namedtuple("RenderedSlip", "content content_type filename")


# --- formatting ------------------------------------------------------------------------------------


def _local(value):
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, TZ)
    return value.astimezone(TZ)


def format_datetime(value) -> str:
    """``dd/mm/yyyy HH:MM`` in Vietnam time, or ``""``."""
    value = _local(value)
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


def date_text(value) -> str:
    """``ngày 05 tháng 01 năm 2026``: day below 10 and months 1-2 take a leading zero (Nghị định 30/2020)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def datetime_text(value) -> str:
    """``08 giờ 30 phút, ngày 05 tháng 01 năm 2026`` (the An Giang receipt's wording)."""
    value = _local(value)
    if value is None:
        return ""
    return f"{value.hour:02d} giờ {value.minute:02d} phút, {date_text(value)}"


def _number(value) -> str:
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


def _place_name(agency) -> str:
    """Where a slip is signed: ``settings.SLIP_PLACE_NAME``, else the locality at the end of the agency's address."""
    configured = getattr(settings, "SLIP_PLACE_NAME", "")
    if configured:
        return configured
    address = (getattr(agency, "address", "") or "").strip().rstrip(".")
    if not address:
        return ""
    last = address.split(",")[-1].strip()
    return re.sub(
        r"^(thành phố|tp\.?|tỉnh|thị xã|thị trấn|huyện|quận|phường|xã|đặc khu)\s+", "", last, flags=re.IGNORECASE
    ).strip()


def lookup_url(dossier) -> str:
    """The public lookup link the QR encodes: ``/tra-cuu/?code=<code>&t=<lookup_token>`` (see
    :func:`portal.lookup.lookup_url`; the token lets a scanned receipt skip the lookup's rate limit)."""
    from portal.lookup import lookup_url as public_lookup_url

    return public_lookup_url(dossier)


def _qr(url):
    qr = segno.make(url, error="m", micro=False)
    return qr.png_data_uri(scale=6, border=2), qr.svg_inline(scale=3, border=2, omitsize=True)


def _lines(value):
    """A list of non-empty lines from a list or a text (bullets and numbering removed)."""
    if not value:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    result = []
    for item in value:
        text = re.sub(r"^\s*(?:[-–•*+]|\d+[.)])\s*", "", str(item)).strip()
        if text:
            result.append(text)
    return result


# --- context -------------------------------------------------------------------------------------


def _agency_values(agency):
    if agency is None:
        return {
            "name": "",
            "short_name": "",
            "code": "",
            "address": "",
            "phone": "",
            "hotline": "",
            "email": "",
            "parent_name": "",
        }
    parent = agency.parent if getattr(agency, "parent_id", None) else None
    return {
        "name": agency.name,
        "short_name": agency.short_name,
        "code": agency.code,
        "address": agency.address,
        "phone": agency.phone or agency.hotline,
        "hotline": agency.hotline,
        "email": agency.email,
        "parent_name": parent.name if parent else "",
    }


def _procedure_values(procedure):
    time = _number(procedure.processing_time)
    unit = TIME_UNIT_TEXT.get(procedure.processing_time_unit, "")
    return {
        "name": procedure.name,
        "national_code": procedure.national_code,
        "processing_time": f"{time} {unit}".strip() if time else "",
        "processing_time_number": time,
        "processing_time_unit": unit,
        "processing_time_note": procedure.processing_time_note,
        "result_type": procedure.result_type,
    }


def _procedure_documents(procedure):
    if procedure.pk is None:
        return []
    return [
        {"name": d.name, "originals": d.originals, "copies": d.copies, "mandatory": d.mandatory, "pk": d.pk}
        for d in procedure.documents.all()
    ]


def _received_documents(dossier, procedure_documents):
    """Files submitted (and supplemented), one line per required document; for a paper dossier, also the
    required documents that came on paper only."""
    rows, by_required = [], {}
    files = dossier.documents.filter(kind__in=[DocumentKind.SUBMITTED, DocumentKind.SUPPLEMENT]).select_related(
        "procedure_document"
    )
    for document in files:
        required = document.procedure_document
        if required is not None:
            if required.pk in by_required:
                by_required[required.pk]["file_name"] += f", {document.name}"
                continue
            row = {
                "name": required.name,
                "originals": required.originals,
                "copies": required.copies,
                "file_name": document.name,
                "paper": False,
            }
            by_required[required.pk] = row
        else:
            row = {"name": document.name, "originals": None, "copies": None, "file_name": document.name, "paper": False}
        rows.append(row)
    if dossier.paper_dossier:
        for required in procedure_documents:
            if required["mandatory"] and required["pk"] not in by_required:
                rows.append(
                    {
                        "name": required["name"],
                        "originals": required["originals"],
                        "copies": required["copies"],
                        "file_name": "",
                        "paper": True,
                    }
                )
    return rows


def _register(dossier):
    """Register book (the year of the code) and entry number (rank of the dossier among the agency's that year)."""
    from .models import Dossier

    match = re.search(r"-(\d{2})\d{4}-\d+$", dossier.code or "")
    if not match or dossier.pk is None:
        return "", ""
    prefix = f"{dossier.code[: match.start()]}-{match.group(1)}"
    number = Dossier.objects.filter(agency_id=dossier.agency_id, code__startswith=prefix, pk__lte=dossier.pk).count()
    return f"20{match.group(1)}", str(number)


def _last_event(dossier, kind):
    if dossier.pk is None:
        return None
    return DossierEvent.objects.filter(dossier=dossier, action__in=SLIP_ACTIONS[kind]).order_by("-at", "-pk").first()


def _official(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return "", ""
    name = user.get_full_name() or user.get_username()
    official = getattr(user, "official", None)  # None for accounts that are not officials
    return name, (official.position if official else "")


def _dates(prefix, value):
    return {prefix: format_datetime(value), f"{prefix}_text": datetime_text(value)}


def _parse_when(value):
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def slip_context(dossier, kind, *, documents=None, procedure_documents=None, **extra) -> dict:
    """Everything a slip template may use (see :data:`VARIABLES`); ``extra`` is added last and wins.

    ``documents`` / ``procedure_documents`` replace what would be read from the
    database (used for the sample dossier of the preview).
    """
    kind = SlipKind(kind)
    agency, procedure = dossier.agency, dossier.procedure
    with translation.override("vi"):
        procedure_docs = procedure_documents if procedure_documents is not None else _procedure_documents(procedure)
        if documents is None:
            documents = _received_documents(dossier, procedure_docs) if dossier.pk else []
        event = _last_event(dossier, kind)
        official_name, official_position = _official(extra.pop("official", None))
        if not official_name and event is not None:
            official_name, official_position = event.actor_name, event.actor_position
        register_book, register_number = _register(dossier)

        url = lookup_url(dossier)
        qr_png, qr_svg = _qr(url)
        delivery_code = dossier.delivery
        if delivery_code == Delivery.POST:
            result_place = f"{DELIVERY_TEXT[Delivery.POST]}, địa chỉ: {dossier.delivery_address}".rstrip(", :")
        elif delivery_code == Delivery.ONLINE:
            result_place = f"{DELIVERY_TEXT[Delivery.ONLINE]} ({url})"
        else:
            place = ", ".join(p for p in (agency.name, agency.address) if p)
            result_place = f"{DELIVERY_TEXT[Delivery.COUNTER]} – {place}"

        # Apology: before the action the new date comes in ``extra``; afterwards from its record.
        new_appointment = _parse_when(extra.pop("new_appointment", None))
        old_appointment = _parse_when(extra.pop("old_appointment", None))
        if kind == SlipKind.APOLOGY:
            if new_appointment is not None:
                old_appointment = old_appointment or dossier.appointment_at
            elif event is not None:
                new_appointment = _parse_when(event.data.get("new_appointment"))
                old_appointment = old_appointment or _parse_when(event.data.get("old_appointment"))
        comment = extra.pop("comment", None)
        reason = extra.pop("reason", None)
        if event is not None:
            if comment is None and kind in (SlipKind.GUIDANCE, SlipKind.SUPPLEMENT):
                comment = event.comment
            if reason is None and kind in (SlipKind.REFUSAL, SlipKind.APOLOGY, SlipKind.WITHDRAWAL):
                reason = event.comment
        missing = _lines(extra.pop("missing_documents", None))
        if not missing and kind == SlipKind.SUPPLEMENT:
            missing = _lines(comment)
        issued_at = _parse_when(extra.pop("issued_at", None))
        if issued_at is None:
            issued_at = (event.at if event is not None else None) or timezone.now()

        values = {
            "code": dossier.code,
            "status": dossier.get_status_display() if dossier.status else "",
            "applicant_name": dossier.applicant_name,
            "applicant_kind": dossier.get_applicant_kind_display(),
            "organisation_name": dossier.organisation_name,
            "applicant_id_number": dossier.applicant_id_number,
            "applicant_address": dossier.applicant_address,
            "applicant_phone": dossier.applicant_phone,
            "applicant_email": dossier.applicant_email,
            "channel": CHANNEL_TEXT.get(dossier.channel, ""),
            "delivery": DELIVERY_TEXT.get(delivery_code, ""),
            "delivery_code": delivery_code,
            "delivery_address": dossier.delivery_address,
            "result_place": result_place,
            "paper_dossier": dossier.paper_dossier,
            **_dates("submitted_at", dossier.submitted_at),
            **_dates("received_at", dossier.received_at),
            **_dates("due_at", dossier.due_at),
            **_dates("appointment_at", dossier.appointment_at),
        }
        context = {
            "kind": kind.value,
            "slip_title": SLIP_TITLES[kind],
            "slip_symbol": SLIP_SYMBOLS[kind],
            "number": extra.get("register_number") or register_number,
            "lookup_url": url,
            "qr": qr_png,
            "qr_svg": mark_safe(qr_svg),  # generated by segno from our own URL
            "agency": _agency_values(agency),
            "procedure": _procedure_values(procedure),
            "documents": documents,
            "procedure_documents": procedure_docs,
            "sets": 1,
            "processing_time": _procedure_values(procedure)["processing_time"],
            "register_book": register_book,
            "register_number": register_number,
            "place": _place_name(agency),
            "issued_at": format_datetime(issued_at),
            "date_text": date_text(issued_at),
            "official_name": official_name,
            "official_position": official_position,
            "comment": comment or "",
            "reason": reason or "",
            "missing_documents": missing,
            **_dates("new_appointment", new_appointment),
            **_dates("old_appointment", old_appointment),
            **values,
        }
        context["dossier"] = {
            **values,
            "agency": context["agency"],
            "procedure": context["procedure"],
            "documents": documents,
        }
        context.update(extra)
    return context


# --- templates -----------------------------------------------------------------------------------


def default_template_name(kind) -> str:
    return f"workflow/slips/{SlipKind(kind).value}.html"


def default_template_source(kind) -> str:
    """The text of the built-in template of ``kind`` (the starting point of an admin's own)."""
    return get_template(default_template_name(kind)).template.source


def template_source(kind, agency=None):
    """``(source, SlipTemplate or None)``: the agency's template, else the default one, else the built-in file."""
    template = SlipTemplate.objects.for_kind(kind, agency)
    if template is not None and template.body.strip():
        return template.body, template
    return default_template_source(kind), None


def _compile(source):
    for token in Lexer(source).tokenize():
        words = token.split_contents() if token.token_type == TokenType.BLOCK else []
        if words and words[0] in BLOCKED_TAGS:
            raise SlipTemplateError(_("The tag {%% %(tag)s %%} is not allowed in a slip template.") % {"tag": words[0]})
    try:
        return engines["django"].from_string(source)
    except TemplateSyntaxError as error:
        raise SlipTemplateError(_("Template error: %(error)s") % {"error": error}) from None


def check_template_source(source, kind, agency=None):
    """Compile and fill ``source`` with the sample dossier; raises :class:`SlipTemplateError`."""
    template = _compile(source)
    try:
        with translation.override("vi"):
            template.render(sample_context(kind, agency=agency))
    except Exception as error:  # noqa: BLE001 - shown to the admin as a form error
        raise SlipTemplateError(_("Template error: %(error)s") % {"error": error}) from None


def _render_body(source, context, db_template=None):
    try:
        template = _compile(source)
    except SlipTemplateError:
        if db_template is None:
            raise
        # A broken edited template must not block issuing the slip: fall back to the built-in one.
        logger.exception("Slip template %s does not compile; using the built-in template", db_template.pk)
        template = _compile(default_template_source(context["kind"]))
    with translation.override("vi"):
        return template.render(context)


def _wrap(body, context):
    with translation.override("vi"):
        return render_to_string(
            "workflow/slips/_page.html",
            {"body": mark_safe(body), "title": f"{context['slip_title']} – {context['code']}"},
        )


def render_slip_body(dossier, kind, **extra) -> str:
    """The filled body (an HTML fragment, without the page and its stylesheet)."""
    source, db_template = template_source(kind, dossier.agency)
    return _render_body(source, slip_context(dossier, kind, **extra), db_template)


def render_slip_html(dossier, kind, **extra) -> str:
    """The slip as a complete HTML page (print stylesheet included)."""
    context = slip_context(dossier, kind, **extra)
    source, db_template = template_source(kind, dossier.agency)
    return _wrap(_render_body(source, context, db_template), context)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Only inline data (the QR code): an edited template cannot make the server fetch URLs or read files.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def render_slip_pdf(dossier, kind, **extra) -> bytes:
    """The slip as PDF (A4, WeasyPrint, DejaVu fonts embedded)."""
    return html_to_pdf(render_slip_html(dossier, kind, **extra))


def render_slip_doc(dossier, kind, **extra) -> bytes:
    """The slip as an editable Word document: a real ``.docx`` (Office Open XML).

    Choice: a minimal WordprocessingML package written with the standard
    library (``zipfile``): ``[Content_Types].xml``, ``_rels/.rels``,
    ``word/document.xml``, ``word/styles.xml``, ``word/_rels/document.xml.rels``
    and the QR image under ``word/media/``. The filled template's HTML is
    converted by :func:`html_to_docx`: paragraphs and headings (alignment,
    bold, italic, underline, size), line breaks, lists (numbered as text),
    tables (borders for ``class="grid"``, widths from ``style="width: N%"``,
    ``colspan``) and PNG/JPEG data-URI images. A4 page, Times New Roman 13 pt
    (the font of Vietnamese administrative documents). Word and LibreOffice
    open it for editing; CSS beyond these is ignored.
    """
    context = slip_context(dossier, kind, **extra)
    source, db_template = template_source(kind, dossier.agency)
    body = _render_body(source, context, db_template)
    return html_to_docx(body, title=f"{context['slip_title']} – {context['code']}")


def render_slip(dossier, kind, fmt="pdf", **extra) -> RenderedSlip:
    """Content, content type and file name of a slip in ``fmt`` (``pdf``, ``doc``/``docx`` or ``html``)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown slip format: {fmt}")
    content_type, ext = FORMATS[fmt]
    if fmt == "pdf":
        content = render_slip_pdf(dossier, kind, **extra)
    elif ext == "docx":
        content = render_slip_doc(dossier, kind, **extra)
    else:
        content = render_slip_html(dossier, kind, **extra).encode("utf-8")
    return RenderedSlip(content, content_type, slip_file_name(dossier, kind, ext))


def slip_file_name(dossier, kind, ext="pdf") -> str:
    return f"{SLIP_FILE_SLUGS[SlipKind(kind)]}-{dossier.code}.{ext}"


def slip_upload(dossier, kind, *, fmt="pdf", **extra):
    """The filled slip as a :class:`workflow.services.Upload` of kind SLIP, ready for an action's ``files``.

    ``slip_upload(dossier, "supplement", comment=..., official=request.user)`` →
    ``Upload("phieu-yeu-cau-bo-sung-<code>.pdf", <ContentFile>, DocumentKind.SLIP)``.
    """
    from .services import Upload

    rendered = render_slip(dossier, kind, fmt, **extra)
    return Upload(rendered.filename, ContentFile(rendered.content, name=rendered.filename), DocumentKind.SLIP)


# --- sample dossier (admin preview) -------------------------------------------------------------


def _sample_objects(agency=None):
    from catalog.models import Agency, Procedure

    from .models import Dossier, Status

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
        body = _render_body(source, context)
    except SlipTemplateError as error:
        body = f'<p style="color:#b00">{html_escape(str(error))}</p>'
    html = _wrap(body, context)
    return html_to_pdf(html) if fmt == "pdf" else html


# --- HTML → .docx ------------------------------------------------------------------------------------

_VOID = {"br", "img", "hr", "meta", "link", "input", "col", "wbr", "area", "base", "source"}
_SKIP = {"head", "style", "script", "title", "svg", "template", "noscript"}
_BLOCK = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "section",
    "header",
    "footer",
    "article",
    "main",
    "address",
    "center",
    "figure",
    "figcaption",
    "dl",
    "dt",
    "dd",
    "pre",
    "body",
    "html",
}
_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
}
_PAGE_W, _PAGE_H = 11906, 16838  # A4 in twentieths of a point
_MARGINS = {"top": 1021, "right": 1021, "bottom": 1021, "left": 1701}  # 1.8 cm, 1.8 cm, 1.8 cm, 3 cm
_TEXT_WIDTH = _PAGE_W - _MARGINS["left"] - _MARGINS["right"]
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SPACES = re.compile(r"[ \t\n\r\f]+")


class _Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag, attrs):
        self.tag, self.attrs, self.children = tag, attrs, []

    @property
    def classes(self):
        return set((self.attrs.get("class") or "").split())

    def style(self, name):
        for declaration in (self.attrs.get("style") or "").split(";"):
            key, _sep, value = declaration.partition(":")
            if key.strip().lower() == name:
                return value.strip().lower()
        return ""


class _TreeBuilder(HTMLParser):
    """A forgiving HTML → tree parser (implicitly closes p, li, td, th, tr like browsers do)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {})
        self.stack = [self.root]

    def _close_open(self, tags, stop):
        for index in range(len(self.stack) - 1, 0, -1):
            tag = self.stack[index].tag
            if tag in stop:
                return
            if tag in tags:
                del self.stack[index:]
                return

    def handle_starttag(self, tag, attrs):
        if tag == "p" or tag in _BLOCK - {"div", "body", "html"}:
            self._close_open({"p"}, {"div", "td", "th", "li", "table", "body"})
        elif tag == "li":
            self._close_open({"li"}, {"ul", "ol"})
        elif tag in ("td", "th"):
            self._close_open({"td", "th"}, {"tr", "table"})
        elif tag == "tr":
            self._close_open({"tr"}, {"table"})
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _parse_html(html):
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def _xml_text(text):
    return xml_escape(_INVALID_XML.sub("", text))


def _size(value):
    """A CSS font size in pt (``12pt``, ``16px``) as Word half-points, or None."""
    match = re.match(r"([\d.]+)\s*(pt|px)?", value or "")
    if not match:
        return None
    size = float(match.group(1)) * (0.75 if match.group(2) == "px" else 1)
    return max(2, round(size * 2))


def _length_emu(value, default):
    match = re.match(r"([\d.]+)\s*(px|mm|cm|pt|in)?", value or "")
    if not match:
        return default
    number, unit = float(match.group(1)), match.group(2) or "px"
    per_unit = {"px": 9525, "pt": 12700, "mm": 36000, "cm": 360000, "in": 914400}[unit]
    return int(number * per_unit)


class _DocxWriter:
    def __init__(self):
        self.images = []  # (target name, bytes, content type)

    # styles inherited down the tree ---------------------------------------------------------
    @staticmethod
    def _run_style(node, style):
        style = dict(style)
        classes = node.classes
        if (
            node.tag in ("b", "strong", "th")
            or "bold" in classes
            or "title" in classes
            or node.style("font-weight") in ("bold", "bolder", "600", "700", "800", "900")
        ):
            style["b"] = True
        if node.style("font-weight") in ("normal", "400"):
            style["b"] = False
        if node.tag in ("i", "em", "cite") or "italic" in classes or node.style("font-style") == "italic":
            style["i"] = True
        if node.style("font-style") == "normal":
            style["i"] = False
        if node.tag == "u" or "underline" in node.style("text-decoration"):
            style["u"] = True
        if node.tag in ("h1", "h2") or "title" in classes:
            style["sz"] = 28
        elif node.tag in ("h3", "h4"):
            style["sz"] = 26
        if node.tag == "small" or classes & {"small", "note"}:
            style["sz"] = 22
        if node.style("font-size"):
            style["sz"] = _size(node.style("font-size")) or style.get("sz")
        if node.style("text-transform") == "uppercase":
            style["caps"] = True
        return style

    @staticmethod
    def _para_style(node, style):
        style = dict(style)
        classes = node.classes
        align = node.style("text-align") or node.attrs.get("align", "").lower()
        for name in ("center", "right", "justify", "left"):
            if name in classes or f"text-{name}" in classes:
                align = name
        if node.tag in ("h1", "h2", "center") or "title" in classes:
            align = align or "center"
        if align:
            style["jc"] = {"center": "center", "right": "right", "justify": "both", "left": "left"}.get(align)
        if node.tag in ("h1", "h2", "h3") or "title" in classes:
            style["before"], style["after"] = 120, 60
        return style

    # inline content ----------------------------------------------------------------------------
    def _inline(self, node, runs, rstyle):
        for child in node.children:
            if isinstance(child, str):
                runs.append(("text", child, rstyle))
            elif child.tag in _SKIP:
                continue
            elif child.tag == "br":
                runs.append(("br",))
            elif child.tag == "img":
                image = self._image(child)
                if image:
                    runs.append(image)
            else:
                self._inline(child, runs, self._run_style(child, rstyle))

    def _image(self, node):
        match = re.match(r"data:image/(png|jpeg|jpg);base64,(.*)$", node.attrs.get("src", "").strip(), re.S)
        if not match:
            return None
        try:
            data = base64.b64decode(match.group(2), validate=False)
        except (binascii.Error, ValueError):
            return None
        ext = "png" if match.group(1) == "png" else "jpeg"
        name = f"image{len(self.images) + 1}.{ext}"
        self.images.append((name, data, f"image/{ext}"))
        default = 26 * 36000 if "qr" in node.classes else 96 * 9525  # the QR: 26 mm
        width = _length_emu(node.style("width") or node.attrs.get("width"), default)
        height = _length_emu(node.style("height") or node.attrs.get("height"), width)
        return ("img", f"rIdImg{len(self.images)}", width, height, len(self.images), name)

    # blocks --------------------------------------------------------------------------------------
    def blocks(self, node, pstyle, rstyle, width, prefix=None):
        """Word blocks (XML strings) for the children of ``node``."""
        out, runs = [], []
        if prefix:
            runs.append(("text", prefix, rstyle))

        def flush(force=False):
            paragraph = self._paragraph(runs, pstyle, force)
            if paragraph:
                out.append(paragraph)
            runs.clear()

        for child in node.children:
            if isinstance(child, str):
                runs.append(("text", child, rstyle))
                continue
            tag = child.tag
            if tag in _SKIP:
                continue
            if tag == "br":
                runs.append(("br",))
            elif tag == "img":
                image = self._image(child)
                if image:
                    runs.append(image)
            elif tag == "table":
                flush()
                out.append(self._table(child, pstyle, rstyle, width))
            elif tag == "hr":
                flush()
                out.append(self._rule(child, width))
            elif tag in ("ul", "ol"):
                flush()
                number = int(child.attrs.get("start") or 1) if tag == "ol" else None
                for item in child.children:
                    if isinstance(item, str) or item.tag in _SKIP:
                        continue
                    mark = f"{number}. " if number is not None else "- "
                    item_p = {**self._para_style(item, pstyle), "ind": 284}
                    out.extend(
                        self.blocks(item, item_p, self._run_style(item, rstyle), width, prefix=mark)
                        or [self._paragraph([("text", mark, rstyle)], item_p, True)]
                    )
                    if number is not None:
                        number += 1
            elif "sign-space" in child.classes:
                flush()
                out.extend(self._paragraph([], pstyle, True) for _line in range(3))
            elif tag in _BLOCK or tag == "li":
                flush()
                child_p = self._para_style(child, pstyle)
                child_r = self._run_style(child, rstyle)
                produced = self.blocks(child, child_p, child_r, width)
                if not produced and tag == "p":
                    produced = [self._paragraph([], child_p, True)]
                out.extend(produced)
            else:
                self._inline_node(child, runs, rstyle)
        flush()
        return out

    def _inline_node(self, node, runs, rstyle):
        wrapper = _Node("span", {})
        wrapper.children = [node]
        self._inline(wrapper, runs, rstyle)

    def _paragraph(self, runs, pstyle, force=False):
        # Collapse white space like a browser: inside text, and none at the start, the end or around line breaks.
        items = []
        for item in runs:
            if item[0] == "text":
                text = _SPACES.sub(" ", item[1])
                if items and items[-1][0] == "text" and items[-1][1].endswith(" ") and text.startswith(" "):
                    text = text[1:]
                if (not items or items[-1][0] == "br") and text.startswith(" "):
                    text = text[1:]
                if text:
                    items.append(("text", text, item[2]))
            else:
                if item[0] == "br" and items and items[-1][0] == "text":
                    items[-1] = ("text", items[-1][1].rstrip(" "), items[-1][2])
                items.append(item)
        while items and items[-1][0] == "text" and items[-1][1].endswith(" "):
            stripped = items[-1][1].rstrip(" ")
            if stripped:
                items[-1] = ("text", stripped, items[-1][2])
                break
            items.pop()
        if not items and not force:
            return ""
        xml = ["<w:p>", self._ppr(pstyle)]
        for item in items:
            if item[0] == "text":
                xml.append(f'<w:r>{self._rpr(item[2])}<w:t xml:space="preserve">{_xml_text(item[1])}</w:t></w:r>')
            elif item[0] == "br":
                xml.append("<w:r><w:br/></w:r>")
            elif item[0] == "img":
                xml.append(self._drawing(*item[1:]))
        xml.append("</w:p>")
        return "".join(xml)

    @staticmethod
    def _ppr(pstyle):
        parts = []
        if pstyle.get("keep"):
            parts.append("<w:keepNext/>")
        if pstyle.get("border_bottom"):
            parts.append('<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>')
        parts.append(f'<w:spacing w:before="{pstyle.get("before", 0)}" w:after="{pstyle.get("after", 40)}"/>')
        if pstyle.get("ind") or pstyle.get("ind_right"):
            parts.append(f'<w:ind w:left="{pstyle.get("ind", 0)}" w:right="{pstyle.get("ind_right", 0)}"/>')
        if pstyle.get("jc"):
            parts.append(f'<w:jc w:val="{pstyle["jc"]}"/>')
        if pstyle.get("sz"):
            parts.append(f'<w:rPr><w:sz w:val="{pstyle["sz"]}"/></w:rPr>')
        return f"<w:pPr>{''.join(parts)}</w:pPr>"

    @staticmethod
    def _rpr(rstyle):
        parts = []
        if rstyle.get("b"):
            parts.append("<w:b/><w:bCs/>")
        if rstyle.get("i"):
            parts.append("<w:i/><w:iCs/>")
        if rstyle.get("caps"):
            parts.append("<w:caps/>")
        if rstyle.get("u"):
            parts.append('<w:u w:val="single"/>')
        if rstyle.get("sz"):
            parts.append(f'<w:sz w:val="{rstyle["sz"]}"/><w:szCs w:val="{rstyle["sz"]}"/>')
        return f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""

    def _rule(self, node, width):
        """``<hr>``: a bottom border; ``class="short"`` keeps the middle third, under a heading."""
        side = width // 3 if "short" in node.classes else 0
        return self._ppr_only({"border_bottom": True, "ind": side, "ind_right": side, "after": 80, "sz": 4})

    def _ppr_only(self, pstyle):
        return f"<w:p>{self._ppr(pstyle)}</w:p>"

    def _drawing(self, rid, cx, cy, number, name):
        return (
            f'<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/>'
            f'<wp:docPr id="{number}" name="Picture {number}"/><wp:cNvGraphicFramePr>'
            '<a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
            f'<pic:nvPicPr><pic:cNvPr id="{number}" name="{name}"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>'
            "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
        )

    def _table(self, node, pstyle, rstyle, width):
        rows = []

        def collect(parent):
            for child in parent.children:
                if isinstance(child, str):
                    continue
                if child.tag == "tr":
                    rows.append(child)
                elif child.tag in ("thead", "tbody", "tfoot"):
                    collect(child)

        collect(node)
        grid = [[c for c in row.children if not isinstance(c, str) and c.tag in ("td", "th")] for row in rows]
        grid = [cells for cells in grid if cells]
        if not grid:
            return self._ppr_only({})

        def span(cell):
            try:
                return max(1, int(cell.attrs.get("colspan") or 1))
            except ValueError:
                return 1

        columns = max(sum(span(c) for c in cells) for cells in grid)
        # Column widths: from the first row that has as many cells as columns (style="width: N%").
        widths = [None] * columns
        for cells in grid:
            if len(cells) == columns:
                for index, cell in enumerate(cells):
                    match = re.match(r"([\d.]+)\s*%", cell.style("width") or cell.attrs.get("width", ""))
                    if match:
                        widths[index] = int(width * float(match.group(1)) / 100)
                break
        known = sum(w for w in widths if w)
        unknown = [i for i, w in enumerate(widths) if not w]
        for index in unknown:
            widths[index] = max(200, (width - known) // len(unknown))
        bordered = "grid" in node.classes or (node.attrs.get("border") not in (None, "", "0"))
        border = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>' if bordered else '<w:{0} w:val="nil"/>'
        borders = "".join(border.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        xml = [
            '<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblLayout w:type="fixed"/>',
            f"<w:tblBorders>{borders}</w:tblBorders>",
            '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>',
            '<w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>',
            "".join(f'<w:gridCol w:w="{w}"/>' for w in widths),
            "</w:tblGrid>",
        ]
        for cells in grid:
            xml.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
            column = 0
            for cell in cells:
                cspan = min(span(cell), columns - column) or 1
                cell_width = sum(widths[column : column + cspan])
                column += cspan
                cell_p = {k: v for k, v in pstyle.items() if k == "jc"}
                cell_r = dict(rstyle)
                if node.classes & {"header", "signatures"} or cell.tag == "th":
                    cell_p["jc"] = "center"
                if "header" in node.classes:
                    cell_r["sz"] = 24  # the national header: 12 pt
                cell_p = self._para_style(cell, cell_p)
                cell_r = self._run_style(cell, cell_r)
                content = self.blocks(cell, cell_p, cell_r, cell_width - 114) or [self._ppr_only(cell_p)]
                if content[-1].startswith("<w:tbl>"):
                    content.append(self._ppr_only({}))  # a cell must end with a paragraph
                grid_span = f'<w:gridSpan w:val="{cspan}"/>' if cspan > 1 else ""
                xml.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{cell_width}" w:type="dxa"/>{grid_span}</w:tcPr>'
                    f"{''.join(content)}</w:tc>"
                )
            if column < columns:  # a short row: pad it so the grid stays rectangular
                rest = sum(widths[column:])
                xml.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{rest}" w:type="dxa"/>'
                    f'<w:gridSpan w:val="{columns - column}"/></w:tcPr><w:p/></w:tc>'
                )
            xml.append("</w:tr>")
        xml.append("</w:tbl>")
        return "".join(xml)


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<w:styles xmlns:w="{_NS["w"]}">'
    "<w:docDefaults><w:rPrDefault><w:rPr>"
    '<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" '
    'w:cs="Times New Roman"/><w:sz w:val="26"/><w:szCs w:val="26"/><w:lang w:val="vi-VN" w:eastAsia="vi-VN"/>'
    "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
    '<w:spacing w:after="40" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>'
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
    '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
    '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
    "</w:tblCellMar></w:tblPr></w:style>"
    "</w:styles>"
)


def _zip_write(archive, name, data):
    info = ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: the same slip gives the same bytes
    info.compress_type = ZIP_DEFLATED
    archive.writestr(info, data)


def html_to_docx(html: str, title: str = "") -> bytes:
    """A ``.docx`` package from an HTML fragment (see :func:`render_slip_doc` for what is kept)."""
    writer = _DocxWriter()
    root = _parse_html(html)
    body = writer.blocks(root, {}, {}, _TEXT_WIDTH)
    if not body or body[-1].startswith("<w:tbl>"):
        body.append("<w:p/>")
    margins = " ".join(f'w:{side}="{value}"' for side, value in _MARGINS.items())
    namespaces = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in _NS.items())
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"<w:document {namespaces}><w:body>{''.join(body)}"
        f'<w:sectPr><w:pgSz w:w="{_PAGE_W}" w:h="{_PAGE_H}"/>'
        f'<w:pgMar {margins} w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>'
        "</w:body></w:document>"
    )
    image_types = {name.rsplit(".", 1)[1]: content_type for name, _data, content_type in writer.images}
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Default Extension="{ext}" ContentType="{ct}"/>' for ext, ct in sorted(image_types.items()))
        + '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/word/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        "</Types>"
    )
    package_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        "</Relationships>"
    )
    document_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'styles" Target="styles.xml"/>'
        + "".join(
            f'<Relationship Id="rIdImg{index}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/image" Target="media/{name}"/>'
            for index, (name, _data, _ct) in enumerate(writer.images, start=1)
        )
        + "</Relationships>"
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_xml_text(title)}</dc:title><dc:language>vi-VN</dc:language>"
        "</cp:coreProperties>"
    )
    buffer = BytesIO()
    with ZipFile(buffer, "w") as archive:
        _zip_write(archive, "[Content_Types].xml", content_types)
        _zip_write(archive, "_rels/.rels", package_rels)
        _zip_write(archive, "docProps/core.xml", core)
        _zip_write(archive, "word/document.xml", document)
        _zip_write(archive, "word/styles.xml", _STYLES)
        _zip_write(archive, "word/_rels/document.xml.rels", document_rels)
        for name, data, _ct in writer.images:
            _zip_write(archive, f"word/media/{name}", data)
    return buffer.getvalue()


__all__ = [
    "CSS_CLASSES",
    "FORMATS",
    "RenderedSlip",
    "SLIP_TITLES",
    "SlipTemplateError",
    "VARIABLES",
    "check_template_source",
    "date_text",
    "datetime_text",
    "default_template_source",
    "format_datetime",
    "html_to_docx",
    "html_to_pdf",
    "lookup_url",
    "render_sample",
    "render_slip",
    "render_slip_body",
    "render_slip_doc",
    "render_slip_html",
    "render_slip_pdf",
    "sample_context",
    "slip_context",
    "slip_file_name",
    "slip_upload",
    "template_source",
]
