"""State changes of payments (issue 18): start a payment, take a provider's message, continue the dossier.

A provider's message is logged first, whatever it says (``PaymentCallback``, append-only); its signature is checked
before anything is read from it; then, on the locked payment row, the reference, amount and currency must match.
The same message twice, or the payer's return racing the server notification, records one payment: the second
finds the row already settled. A failed attempt followed by a successful one ends paid. When the dossier's
requested amount is paid, the dossier continues (status 6 → 4, the clock resumes) in the same transaction.
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.formatting import format_vnd
from workflow.dossiers import services as dossier_services
from workflow.dossiers.services.guards import is_applicant, require_applicant
from workflow.errors import ActionNotAllowed, InvalidInput, InvalidState
from workflow.models import (
    Action,
    CallbackOutcome,
    Dossier,
    DossierEvent,
    Payment,
    PaymentCallback,
    PaymentStatus,
    ReceiptCounter,
    Refund,
    RefundReason,
    RefundStatus,
    Status,
)
from workflow.payments import providers


def _payment_request(dossier):
    """The dossier's open payment request: its last "payment requested" event (or None)."""
    return DossierEvent.objects.filter(dossier=dossier, action=Action.REQUEST_PAYMENT).order_by("-at", "-pk").first()


def _amount_of(request) -> int:
    return int((request.data or {}).get("amount", 0)) if request else 0


def requested_amount(dossier) -> int:
    """The amount of the dossier's open payment request, in đồng."""
    return _amount_of(_payment_request(dossier))


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _new_reference() -> str:
    # Unique, short enough for every provider's reference field (VNPay: 100; a bank transfer note: 25), no
    # personal data; the dossier is found from the row, not parsed from the reference.
    return f"TT{timezone.localtime():%y%m%d}{secrets.token_hex(5).upper()}"


@transaction.atomic
def payment_start(*, actor, dossier_id, provider_name, return_url, notify_url, client_ip="127.0.0.1"):
    """Start paying the dossier's requested fees with ``provider_name``: ``(payment, address to send the payer)``.

    A pending payment of the same provider and amount is reused, so a double click starts one payment."""
    dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
    require_applicant(actor, dossier)
    if dossier.status != Status.PAYMENT:
        raise InvalidState(_("This dossier is not waiting for a payment."))
    try:
        provider = providers.get(provider_name)
    except KeyError:
        raise InvalidInput(_("This payment method is not offered.")) from None
    amount = requested_amount(dossier)
    if amount <= 0:
        raise InvalidState(_("No amount is due on this dossier."))
    payment = Payment.objects.filter(
        dossier=dossier, provider=provider.name, amount=amount, status=PaymentStatus.PENDING
    ).first()
    if payment is None:
        payment = Payment.objects.create(
            dossier=dossier,
            agency_id=dossier.agency_id,
            provider=provider.name,
            reference=_new_reference(),
            amount=amount,
            created_by=_user(actor),
        )
    return payment, provider.start(payment, return_url=return_url, notify_url=notify_url, client_ip=client_ip)


COUNTER = "counter"


@transaction.atomic
def payment_record_at_counter(*, actor, dossier_id, revision=None, method, reference=""):
    """Cash or card taken at the counter by an official: a paid payment with its e-receipt number, and the dossier
    goes on (the official's own confirmation, checked as such)."""
    if method not in ("cash", "card"):
        raise InvalidInput(_("Choose cash or card."))
    dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
    amount = requested_amount(dossier)
    # Another state (or unit) is refused by the confirmation below, with its own message.
    if dossier.status == Status.PAYMENT and amount <= 0:
        raise InvalidState(_("No amount is due on this dossier."))
    now = timezone.now()
    payment = Payment(
        dossier=dossier,
        agency_id=dossier.agency_id,
        provider=COUNTER,
        reference=_new_reference(),
        amount=amount,
        status=PaymentStatus.PAID,
        settled_at=now,
        provider_reference=f"{method}:{reference}".strip(":")[:100],
        created_by=_user(actor),
    )
    # The confirmation checks who may confirm and the dossier's state; the payment is written only if it passes.
    dossier_services.dossier_confirm_payment(
        actor=actor, dossier_id=dossier.pk, revision=revision, reference=payment.reference
    )
    payment.receipt_number = _next_receipt_number(payment.agency_id, now)
    payment.save()
    return payment


def payment_message(*, provider_name, params: dict, kind: str):
    """Take one message of a provider (``kind``: return or notify). Returns ``(outcome, payment)``.

    Never raises for what the provider sent: a forged, unknown or mismatched message changes nothing and is
    logged with why."""
    provider = providers.get(provider_name)
    params = {str(k): str(v) for k, v in dict(params).items()}
    return _take(provider, kind, params, lambda: provider.read(params))


def payment_poll(payment_id):
    """Ask the provider about a pending payment (its answer verified by the provider plugin); ``(outcome, payment)``
    or None when the provider cannot be asked or did not answer (the payment stays pending, asked again later)."""
    payment = Payment.objects.select_related("dossier").get(pk=payment_id)
    if payment.status != PaymentStatus.PENDING:
        return None
    provider = providers.get(payment.provider)
    message = provider.query(payment)
    if message is None:
        return None
    return _take(provider, "query", dict(message.raw), lambda: message)


def poll_pending(*, older_than_minutes=5, within_hours=24) -> int:
    """Poll every pending payment started between ``within_hours`` and ``older_than_minutes`` ago; how many."""
    now = timezone.now()
    pending = Payment.objects.filter(
        status=PaymentStatus.PENDING,
        created_at__lte=now - timedelta(minutes=older_than_minutes),
        created_at__gte=now - timedelta(hours=within_hours),
        provider__in=providers.enabled(),
    ).values_list("pk", flat=True)
    count = 0
    for payment_id in pending:
        payment_poll(payment_id)
        count += 1
    return count


def _take(provider, kind, params, read):
    outcome, payment, detail, reference = CallbackOutcome.ERROR, None, "", ""
    try:
        message = read()
        reference = message.reference[:40]
        outcome, payment, detail = _settle(provider, message)
    except providers.InvalidSignature:
        outcome, detail = CallbackOutcome.FORGED, _("The signature does not match.")
    finally:
        PaymentCallback.objects.create(
            provider=provider.name,
            kind=kind,
            payload=params,
            reference=reference,
            outcome=outcome,
            detail=str(detail)[:255],
            payment=payment,
        )
    return outcome, payment


@transaction.atomic
def _settle(provider, message):
    payment = Payment.objects.select_for_update().filter(reference=message.reference, provider=provider.name).first()
    if payment is None:
        return CallbackOutcome.UNKNOWN, None, _("No payment has this reference.")
    if message.amount != payment.amount or message.currency != payment.currency:
        detail = _("%(amount)s %(currency)s sent for %(expected)s VND.") % {
            "amount": message.amount,
            "currency": message.currency,
            "expected": payment.amount,
        }
        return CallbackOutcome.MISMATCH, payment, detail
    if payment.status == PaymentStatus.PAID:
        return CallbackOutcome.DUPLICATE, payment, ""
    if not message.final:
        return CallbackOutcome.PENDING, payment, ""
    now = timezone.now()
    if not message.success:
        if payment.status == PaymentStatus.PENDING:
            payment.status, payment.settled_at = PaymentStatus.FAILED, now
            payment.save(update_fields=["status", "settled_at"])
        return CallbackOutcome.DECLINED, payment, ""
    # A success after a failure (the payer tried again on the provider's page) ends paid.
    payment.status, payment.settled_at = PaymentStatus.PAID, now
    payment.provider_reference = message.provider_reference[:100]
    payment.receipt_number = _next_receipt_number(payment.agency_id, now)
    payment.save(update_fields=["status", "settled_at", "provider_reference", "receipt_number"])
    _continue_dossier(payment, now)
    return CallbackOutcome.ACCEPTED, payment, ""


def _next_receipt_number(agency_id, at) -> str:
    """The next number of the agency's e-receipt series for the year, ``2026-000123``: taken on the locked counter
    row, in the payment's transaction, so two payments never share a number and none is skipped."""
    year = timezone.localtime(at).year
    counter, _created = ReceiptCounter.objects.select_for_update().get_or_create(agency_id=agency_id, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:06d}"


def _continue_dossier(payment, at):
    dossier = Dossier.objects.select_for_update().get(pk=payment.dossier_id)
    if dossier.status != Status.PAYMENT:
        return  # confirmed by hand meanwhile, or withdrawn: the payment stays recorded
    request = _payment_request(dossier)
    if request is None:
        return
    paid = Payment.objects.filter(dossier=dossier, status=PaymentStatus.PAID, settled_at__gte=request.at).aggregate(
        total=Sum("amount")
    )["total"]
    if (paid or 0) >= _amount_of(request):
        dossier_services.dossier_payment_received(dossier_id=dossier.pk, reference=payment.reference, at=at)


# --- refunds (QN 13.3c) -------------------------------------------------------------------------------------------


def _refundable(payment) -> int:
    given = payment.refunds.exclude(status=RefundStatus.REJECTED).aggregate(total=Sum("amount"))["total"]
    return payment.amount - (given or 0)


@transaction.atomic
def refund_request(*, actor, payment_id, amount, reason, note=""):
    """Ask to give money back from a paid payment: the applicant, or an official of the dossier's unit."""
    payment = Payment.objects.select_for_update().select_related("dossier").get(pk=payment_id)
    dossier = payment.dossier
    if not (is_applicant(actor, dossier) or Dossier.objects.visible_to(actor).filter(pk=dossier.pk).exists()):
        raise ActionNotAllowed()
    if payment.status != PaymentStatus.PAID:
        raise InvalidState(_("Only a paid payment can be refunded."))
    if reason not in RefundReason.values:
        raise InvalidInput(_("Choose why the money is given back."))
    amount = int(amount or 0)
    if amount <= 0:
        raise InvalidInput(_("Enter the amount to give back."))
    left = _refundable(payment)
    if amount > left:
        message = _("At most %(amount)s can still be given back from this payment.")
        raise InvalidInput(message % {"amount": format_vnd(left)})
    return Refund.objects.create(
        payment=payment,
        amount=amount,
        reason=reason,
        note=note.strip()[:500],
        requested_by=_user(actor),
    )


@transaction.atomic
def refund_decide(*, actor, refund_id, approve: bool, note=""):
    """The unit approves (the money goes back through the provider when it can, else it is recorded as paid back
    by hand, with an e-receipt number) or rejects a refund request."""
    refund = Refund.objects.select_for_update().select_related("payment__dossier").get(pk=refund_id)
    dossier = refund.payment.dossier
    if not Dossier.objects.visible_to(actor).filter(pk=dossier.pk).exists() or not getattr(actor, "official", None):
        raise ActionNotAllowed()
    if refund.status != RefundStatus.REQUESTED:
        raise InvalidState(_("This refund has already been decided."))
    now = timezone.now()
    refund.decided_at, refund.decided_by = now, actor
    if not approve:
        refund.status = RefundStatus.REJECTED
        refund.note = (note or refund.note)[:500]
        refund.save(update_fields=["status", "decided_at", "decided_by", "note"])
        return refund
    provider_ref = None
    if refund.payment.provider in providers.enabled():
        provider_ref = providers.get(refund.payment.provider).refund(refund.payment, refund.amount)
    refund.status = RefundStatus.REFUNDED
    refund.manual = provider_ref is None
    refund.provider_reference = (provider_ref or "")[:100]
    refund.receipt_number = _next_receipt_number(refund.payment.agency_id, now)
    refund.save()
    return refund
