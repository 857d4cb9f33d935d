"""Endings: stop, withdrawal, the result and its return (QT 19.2, 18.4; DESIGN §5)."""

from django.db import transaction
from django.utils.translation import gettext as _

from workflow import notifications
from workflow.dossiers import transitions
from workflow.dossiers.services.base import (
    Upload,
    at_minute,
    bump,
    close,
    enter_step,
    leave_step,
    lock,
    pause_clock,
    record,
    save_files,
)
from workflow.dossiers.services.guards import at_decision_step, steps_after
from workflow.errors import InvalidInput, InvalidState
from workflow.models import Action, Delivery, DocumentKind, Dossier, Status


@transaction.atomic
def dossier_stop(*, actor, dossier_id, revision=None, reason, files=(), at=None) -> Dossier:
    """Refuse to resolve / stop processing, with the reason (QT 17.4); counts as returned (QT 19.2)."""
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.STOP)
    if not reason.strip():
        raise InvalidInput(_("A reason is required."))
    from_status, from_step = dossier.status, dossier.current_step
    dossier.status = Status.STOPPED
    used = close(dossier, at)
    bump(dossier)
    documents = save_files(dossier, actor, files)
    record(
        dossier,
        Action.STOP,
        actor,
        at,
        from_status=from_status,
        from_step=from_step,
        comment=reason,
        documents=documents,
        step_used_minutes=used,
    )
    notifications.queue(dossier, "stopped", comment=reason)
    return dossier


@transaction.atomic
def dossier_request_withdrawal(*, actor, dossier_id, revision=None, reason, files=(), at=None) -> Dossier:
    """The applicant asks online to withdraw their dossier (status 7); an official then closes it."""
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, transitions.REQUEST_WITHDRAWAL)
    if not reason.strip():
        raise InvalidInput(_("Give a reason for the withdrawal."))
    files = [Upload(f.name, f.content, DocumentKind.WITHDRAWAL) for f in files]
    from_status = dossier.status
    if (
        dossier.clock_running_since
        and not dossier.clock_paused_at
        and dossier.status in (Status.RECEIVED, Status.PROCESSING)
    ):
        pause_clock(dossier, at)
    dossier.status = Status.WITHDRAWAL
    bump(dossier)
    documents = save_files(dossier, actor, files)
    record(
        dossier,
        Action.WITHDRAW,
        actor,
        at,
        from_status=from_status,
        from_step=dossier.current_step,
        comment=reason,
        documents=documents,
        data={"requested_by_applicant": True},
    )
    return dossier


@transaction.atomic
def dossier_withdraw(*, actor, dossier_id, revision=None, files=(), comment="", at=None) -> Dossier:
    """Close a dossier on the applicant's written withdrawal request (status 7).

    Either the applicant asked online (status 7 already, their request is on
    file) or the officer records a request brought on paper, attached here.
    """
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.WITHDRAW)
    if not files and dossier.status != Status.WITHDRAWAL:
        raise InvalidInput(_("Attach the applicant's written withdrawal request."))
    files = [Upload(f.name, f.content, DocumentKind.WITHDRAWAL) for f in files]
    from_status, from_step = dossier.status, dossier.current_step
    dossier.status = Status.WITHDRAWAL
    used = close(dossier, at)
    bump(dossier)
    documents = save_files(dossier, actor, files)
    record(
        dossier,
        Action.WITHDRAW,
        actor,
        at,
        from_status=from_status,
        from_step=from_step,
        comment=comment,
        documents=documents,
        step_used_minutes=used,
    )
    notifications.queue(dossier, "withdrawn")
    return dossier


@transaction.atomic
def dossier_record_result(*, actor, dossier_id, revision=None, signer, files=(), comment="", at=None) -> Dossier:
    """Record the signed result (QT 18.4: this moment decides early / on time / late)."""
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.RECORD_RESULT)
    if not at_decision_step(dossier):
        raise InvalidState(_("The dossier has not reached its decision step yet."))
    remaining = steps_after(dossier)
    if not signer.strip():
        raise InvalidInput(_("Enter who signed the result."))
    if not files:
        raise InvalidInput(_("Attach the result file."))
    files = [Upload(f.name, f.content, DocumentKind.RESULT) for f in files]
    from_status, from_step = dossier.status, dossier.current_step
    used = leave_step(dossier, at)
    dossier.status = Status.RESOLVED
    dossier.result_recorded_at = at
    dossier.result_signer = signer.strip()
    if remaining:
        enter_step(dossier, remaining[0], None, at)
    bump(dossier)
    documents = save_files(dossier, actor, files)
    record(
        dossier,
        Action.RECORD_RESULT,
        actor,
        at,
        from_status=from_status,
        from_step=from_step,
        comment=comment,
        documents=documents,
        step_used_minutes=used,
    )
    notifications.queue(dossier, "result_ready")
    return dossier


@transaction.atomic
def dossier_return_result(
    *, actor, dossier_id, revision=None, method=None, consignment_number="", comment="", at=None
) -> Dossier:
    """Hand over the result at the counter, online or by post (status 10)."""
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.RETURN_RESULT)
    method = method or dossier.delivery
    if method not in Delivery.values:
        raise InvalidInput(_("Unknown delivery method."))
    if method == Delivery.POST and not consignment_number.strip():
        raise InvalidInput(_("Enter the postal consignment number."))
    from_step = dossier.current_step
    dossier.status = Status.RETURNED
    dossier.consignment_number = consignment_number.strip()
    close(dossier, at)
    bump(dossier)
    record(
        dossier,
        Action.RETURN_RESULT,
        actor,
        at,
        from_status=Status.RESOLVED,
        from_step=from_step,
        comment=comment,
        data={"method": method, "consignment_number": dossier.consignment_number},
    )
    notifications.queue(dossier, "returned")
    return dossier
