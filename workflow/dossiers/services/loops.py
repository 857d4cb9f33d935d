"""The applicant loops: supplement, payment of fees, and the apology with a new appointment (QT 19)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow import notifications
from workflow.dossiers import transitions
from workflow.dossiers.services.base import (
    ONLINE_RECEPTION_MINUTES,
    Upload,
    at_minute,
    bump,
    enter_step,
    leave_step,
    lock,
    pause_clock,
    record,
    require_slip,
    resume_clock,
    save_files,
    start_clock,
)
from workflow.dossiers.services.guards import supplement_possible
from workflow.errors import InvalidInput, InvalidState
from workflow.models import Action, DocumentKind, Dossier, DossierEvent, Status
from workflow.worktime import get_calendar


@transaction.atomic
def dossier_request_supplement(*, actor, dossier_id, revision=None, comment, files=(), at=None) -> Dossier:
    """Ask for missing documents (phiếu yêu cầu bổ sung): stops the clock (QT 19.3a) and returns the dossier,
    which counts as a returned result at this moment (QT 19.2); the resubmission is a new reception.

    Before the due time (QT 19.3b: "thời gian hạn trả kết quả") it is on time; after it only once an apology
    slip has been recorded, and the return then counts as late.
    """
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.REQUEST_SUPPLEMENT)
    if not comment.strip():
        raise InvalidInput(_("List the documents the applicant must add."))
    require_slip(files)
    if not supplement_possible(dossier, at):
        raise InvalidState(_("The due time has passed: record an apology and new appointment first (QT 19.3b)."))
    from_status, from_step = dossier.status, dossier.current_step
    used = leave_step(dossier, at)
    pause_clock(dossier, at)
    dossier.status = Status.SUPPLEMENT
    dossier.supplement_count += 1
    bump(dossier)
    documents = save_files(dossier, actor, files)
    record(
        dossier,
        Action.REQUEST_SUPPLEMENT,
        actor,
        at,
        from_status=from_status,
        from_step=from_step,
        comment=comment,
        documents=documents,
        step_used_minutes=used,
    )
    notifications.queue(dossier, "supplement", comment=comment)
    return dossier


@transaction.atomic
def dossier_resubmit(*, actor, dossier_id, revision=None, files=(), comment="", at=None) -> Dossier:
    """The applicant brings the missing documents.

    After a guidance slip the online dossier is simply submitted again (status 1).
    After a supplement request the clock restarts from the beginning as a new
    reception (QT 19.3) and the dossier returns to the step that asked.
    """
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.RESUBMIT)
    if not files:
        raise InvalidInput(_("Attach the requested documents."))
    files = [Upload(f.name, f.content, DocumentKind.SUPPLEMENT, f.procedure_document_id) for f in files]
    if dossier.received_at is None:  # guidance before reception
        dossier.status = Status.NEW
        dossier.submitted_at = at
        calendar = get_calendar()
        dossier.reception_due_at = calendar.add_working_minutes(
            calendar.next_working_moment(at), ONLINE_RECEPTION_MINUTES
        )
    else:
        asking = (
            DossierEvent.objects.filter(dossier=dossier, action=Action.REQUEST_SUPPLEMENT)
            .select_related("from_step", "actor")
            .order_by("-at", "-pk")
            .first()
        )
        dossier.status = Status.PROCESSING
        dossier.received_at = at
        start_clock(dossier, at)
        # Back to the official who asked, unless their account was revoked meanwhile (then to whoever the
        # dossier was reassigned to, see dossier_reassign).
        holder = asking.actor if asking.actor is None or asking.actor.is_active else dossier.current_holder
        enter_step(dossier, asking.from_step, holder, at)
    bump(dossier)
    documents = save_files(dossier, actor if actor is not None and actor.is_authenticated else None, files)
    record(dossier, Action.RESUBMIT, actor, at, from_status=Status.SUPPLEMENT, comment=comment, documents=documents)
    if dossier.status == Status.PROCESSING:
        notifications.queue(dossier, "received")
    return dossier


def fee_lines(fees, items) -> list[dict]:
    """``[(fee id, quantity), …]`` of the procedure's catalogued ``fees`` → the lines of a payment request."""
    fees = {fee.pk: fee for fee in fees}
    lines = []
    for fee_id, quantity in items:
        fee = fees.get(int(fee_id))
        if fee is None:
            raise InvalidInput(_("This fee is not one of the procedure's fees."))
        if not 1 <= int(quantity) <= 999:
            raise InvalidInput(_("The quantity of each fee is between 1 and 999."))
        unit = int(fee.amount)
        lines.append(
            {
                "fee": fee.pk,
                "name": fee.name,
                "unit_amount": unit,
                "quantity": int(quantity),
                "amount": unit * int(quantity),
            }
        )
    return lines


@transaction.atomic
def dossier_request_payment(*, actor, dossier_id, revision=None, amount=None, items=(), comment="", at=None) -> Dossier:
    """Ask for the fees due (status 6); the clock waits for the applicant.

    The amount is the sum of the procedure's catalogued fees chosen (``items``: fee id and quantity, QN 14), or an
    amount with its reason in ``comment`` (a fee the catalog does not list)."""
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.REQUEST_PAYMENT)
    fees = list(dossier.procedure.fees.all())
    lines = fee_lines(fees, items)
    extra = int(amount) if amount else 0
    if not lines and extra <= 0:
        message = _("Choose at least one fee, or enter the amount due.") if fees else _("Enter the amount due.")
        raise InvalidInput(message)
    if fees and extra and not comment.strip():
        raise InvalidInput(_("Say why this amount is asked for."))  # a fee the procedure's list does not have
    amount = sum(line["amount"] for line in lines) + extra
    from_status = dossier.status
    used = leave_step(dossier, at)
    step, holder = dossier.current_step, dossier.current_holder
    pause_clock(dossier, at)
    dossier.status = Status.PAYMENT
    dossier.current_holder = holder
    bump(dossier)
    record(
        dossier,
        Action.REQUEST_PAYMENT,
        actor,
        at,
        from_status=from_status,
        from_step=step,
        comment=comment,
        data={"amount": int(amount), "items": lines} if lines else {"amount": int(amount)},
        step_used_minutes=used,
    )
    notifications.queue(dossier, "payment", comment=comment, amount=int(amount))
    return dossier


@transaction.atomic
def dossier_confirm_payment(*, actor, dossier_id, revision=None, reference="", files=(), at=None) -> Dossier:
    """Payment received (confirmed by an official): the clock goes on with the time left."""
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.CONFIRM_PAYMENT)
    return _payment_received(dossier, actor, at, reference, files)


@transaction.atomic
def dossier_payment_received(*, dossier_id, reference, at=None) -> Dossier:
    """The requested amount was paid online (a provider's verified message, workflow/payments/services.py): the
    dossier continues with no official's hand; the event names the payment reference."""
    at = at_minute(at)
    dossier = lock(dossier_id, None)
    if dossier.status != Status.PAYMENT:
        raise InvalidState(_("This dossier is not waiting for a payment."))
    return _payment_received(dossier, None, at, reference, ())


def _payment_received(dossier, actor, at, reference, files):
    resume_clock(dossier, at)
    dossier.status = Status.PROCESSING
    enter_step(dossier, dossier.current_step, dossier.current_holder, at)
    bump(dossier)
    files = [Upload(f.name, f.content, DocumentKind.PAYMENT) for f in files]
    documents = save_files(dossier, actor, files)
    record(
        dossier,
        Action.CONFIRM_PAYMENT,
        actor,
        at,
        from_status=Status.PAYMENT,
        comment=reference,
        documents=documents,
        data={"reference": reference},
    )
    return dossier


@transaction.atomic
def dossier_apologize(
    *, actor, dossier_id, revision=None, new_appointment: datetime, reason, files=(), at=None
) -> Dossier:
    """Apology and new appointment (phiếu xin lỗi và hẹn lại): the dossier counts as late (QT 19.1)."""
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.APOLOGIZE)
    if not reason.strip():
        raise InvalidInput(_("A reason is required."))
    require_slip(files)
    if new_appointment is None or timezone.is_naive(new_appointment) or new_appointment <= at:
        raise InvalidInput(_("The new appointment must be in the future."))
    if dossier.appointment_at and new_appointment <= dossier.appointment_at:
        raise InvalidInput(_("The new appointment must be later than the current one."))
    old = dossier.appointment_at
    dossier.appointment_at = get_calendar().next_working_moment(new_appointment)
    dossier.counts_as_late = True
    dossier.apology_count += 1
    bump(dossier)
    documents = save_files(dossier, actor, files)
    record(
        dossier,
        Action.APOLOGIZE,
        actor,
        at,
        from_status=dossier.status,
        from_step=dossier.current_step,
        comment=reason,
        documents=documents,
        data={
            "old_appointment": old.isoformat() if old else None,
            "new_appointment": dossier.appointment_at.isoformat(),
        },
    )
    notifications.queue(dossier, "apology", comment=reason)
    return dossier
