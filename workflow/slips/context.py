"""The context a slip template is filled with: plain values (dicts and strings, never model objects) read
from the dossier, its procedure and agency, the last recorded action of the slip's kind and the ``extra``
keywords (QT 15; DESIGN 5.4). See :data:`~workflow.slips.vocabulary.VARIABLES` for what a template may use.
"""

import re
from datetime import datetime

import segno
from django.conf import settings
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from portal.core.formatting import date_text, datetime_text, format_datetime, format_number
from portal.core.names import display_name
from workflow.models import ApplicantKind, Delivery, DocumentKind, DossierEvent, SlipKind
from workflow.slips.vocabulary import (
    CHANNEL_TEXT,
    DELIVERY_TEXT,
    SLIP_ACTIONS,
    SLIP_SYMBOLS,
    SLIP_TITLES,
    TIME_UNIT_TEXT,
)


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
    time = format_number(procedure.processing_time)
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
    from workflow.models import Dossier

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
    name = display_name(user)
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
            # A business files under its tax code, kept as its ID number (as on the national portal).
            "tax_code": dossier.applicant_id_number if dossier.applicant_kind == ApplicantKind.BUSINESS else "",
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
