"""The e-receipt (biên lai điện tử) of a paid payment: a PDF rendered from the recorded payment, so the same
receipt comes out every time it is downloaded (number in the agency's series, payer, dossier, amount, provider
and its transaction number)."""

from django.template.loader import render_to_string
from django.utils import timezone

from portal.core.formatting import format_vnd
from workflow.slips.rendering import html_to_pdf


def receipt_html(payment) -> str:
    dossier = payment.dossier
    return render_to_string(
        "workflow/payments/receipt.html",
        {
            "payment": payment,
            "dossier": dossier,
            "agency": payment.agency,
            "amount": format_vnd(payment.amount),
            "paid_at": timezone.localtime(payment.settled_at),
        },
    )


def receipt_pdf(payment) -> bytes:
    return html_to_pdf(receipt_html(payment))


def receipt_filename(payment) -> str:
    return f"bien-lai-{payment.receipt_number}.pdf"
