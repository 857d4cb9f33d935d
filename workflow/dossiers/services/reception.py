"""Entry of a dossier: at the counter, online, its reception, guidance or refusal (QT 15-16; QN 13.2a)."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from catalog.models import Agency, Procedure
from catalog.officials.scoping import user_agency_id
from workflow import notifications
from workflow.dossiers import transitions
from workflow.dossiers.services.base import (
    ONLINE_RECEPTION_MINUTES,
    Applicant,
    allocate_code,
    at_minute,
    bump,
    close,
    enter_step,
    lock,
    record,
    require_slip,
    save_files,
    start_clock,
)
from workflow.dossiers.services.guards import may_hold
from workflow.errors import ActionNotAllowed, InvalidInput, InvalidState
from workflow.models import Action, Channel, Delivery, Dossier, Process, Status
from workflow.worktime import get_calendar


def _process_for(procedure, agency):
    process = Process.objects.for_procedure(procedure, agency)
    if process is None:
        raise InvalidState(_("This procedure has no published internal process for this agency yet."))
    steps = list(process.steps.all())
    if not steps:
        raise InvalidState(_("The internal process has no steps."))
    return process, steps


def _apply_applicant(dossier, applicant: Applicant):
    if not applicant.name.strip():
        raise InvalidInput(_("The applicant's full name is required."))
    dossier.applicant_name = applicant.name.strip()
    dossier.applicant_kind = applicant.kind
    dossier.applicant_id_number = applicant.id_number
    dossier.organisation_name = applicant.organisation
    dossier.applicant_address = applicant.address
    dossier.applicant_phone = applicant.phone
    dossier.applicant_email = applicant.email


def _check_delivery(delivery, address, procedure):
    if delivery == Delivery.POST:
        if not procedure.postal_return:
            raise InvalidInput(_("This procedure does not return results by post."))
        if not address.strip():
            raise InvalidInput(_("A delivery address is required for delivery by post."))


@transaction.atomic
def dossier_receive_at_counter(
    *,
    actor,
    procedure: Procedure,
    agency: Agency,
    applicant: Applicant,
    files=(),
    channel=Channel.COUNTER,
    delivery=Delivery.COUNTER,
    delivery_address="",
    paper_dossier=True,
    comment="",
    at=None,
) -> Dossier:
    """A one-stop officer receives a paper or postal dossier and issues the receipt (QT 17.4a)."""
    at = at_minute(at)
    if not actor.is_superuser and user_agency_id(actor) != agency.pk:
        raise ActionNotAllowed(_("You can only receive dossiers for your own unit."))
    if not procedure.agencies.filter(pk=agency.pk).exists():
        raise InvalidInput(_("This agency does not handle this procedure."))
    if channel not in (Channel.COUNTER, Channel.POST):
        raise InvalidInput(_("Counter reception is for dossiers brought in person or by post."))
    _check_delivery(delivery, delivery_address, procedure)
    process, steps = _process_for(procedure, agency)
    if not may_hold(actor, steps[0], agency.pk):
        raise ActionNotAllowed(_("You are not in the reception group of this procedure."))
    dossier = Dossier(
        procedure=procedure,
        agency=agency,
        process=process,
        channel=channel,
        delivery=delivery,
        delivery_address=delivery_address,
        paper_dossier=paper_dossier,
    )
    _apply_applicant(dossier, applicant)
    dossier.code = allocate_code(agency, at)
    dossier.status = Status.RECEIVED
    dossier.submitted_at = at
    dossier.received_at = at
    start_clock(dossier, at)
    dossier.save()
    enter_step(dossier, steps[0], actor, at)
    dossier.save()
    documents = save_files(dossier, actor, files)
    record(dossier, Action.RECEIVE, actor, at, from_status=None, comment=comment, documents=documents)
    Procedure.objects.filter(pk=procedure.pk).update(usage_count=F("usage_count") + 1)
    notifications.queue(dossier, "received")
    return dossier


@transaction.atomic
def dossier_submit_online(
    *,
    applicant_user,
    procedure: Procedure,
    agency: Agency,
    applicant: Applicant,
    files=(),
    delivery=Delivery.ONLINE,
    delivery_address="",
    form_data=None,
    at=None,
) -> Dossier:
    """A citizen submits online: status 1, with its code and the 8-working-hour reception deadline (QN 13.2a)."""
    at = at_minute(at)
    if not procedure.agencies.filter(pk=agency.pk).exists():
        raise InvalidInput(_("This agency does not handle this procedure."))
    _check_delivery(delivery, delivery_address, procedure)
    process, steps = _process_for(procedure, agency)
    dossier = Dossier(
        procedure=procedure,
        agency=agency,
        process=process,
        channel=Channel.ONLINE,
        delivery=delivery,
        delivery_address=delivery_address,
        applicant_user=applicant_user,
        form_data=form_data or {},
    )
    _apply_applicant(dossier, applicant)
    dossier.code = allocate_code(agency, at)
    dossier.status = Status.NEW
    dossier.submitted_at = at
    calendar = get_calendar()
    dossier.reception_due_at = calendar.add_working_minutes(calendar.next_working_moment(at), ONLINE_RECEPTION_MINUTES)
    dossier.current_step = steps[0]
    dossier.current_agency = agency
    dossier.save()
    documents = save_files(dossier, applicant_user, files)
    record(dossier, Action.SUBMIT, applicant_user, at, from_status=None, documents=documents)
    notifications.queue(dossier, "submitted")
    return dossier


@transaction.atomic
def dossier_receive_online(*, actor, dossier_id, revision=None, comment="", at=None) -> Dossier:
    """Accept an online dossier (1 → 2): the clock starts and the receipt is issued."""
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.RECEIVE)
    dossier.status = Status.RECEIVED
    dossier.received_at = at
    start_clock(dossier, at)
    enter_step(dossier, dossier.current_step, actor, at)
    bump(dossier)
    record(dossier, Action.RECEIVE, actor, at, from_status=Status.NEW, comment=comment)
    Procedure.objects.filter(pk=dossier.procedure_id).update(usage_count=F("usage_count") + 1)
    notifications.queue(dossier, "received")
    return dossier


@transaction.atomic
def dossier_guide(*, actor, dossier_id, revision=None, comment, files=(), at=None) -> Dossier:
    """Answer an online dossier with a guidance slip instead of receiving it (QN 13.2a, QT 15 slip a)."""
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.GUIDE)
    if not comment.strip():
        raise InvalidInput(_("Explain what the applicant must complete."))
    dossier.status = Status.SUPPLEMENT
    bump(dossier)
    documents = save_files(dossier, actor, files)
    record(dossier, Action.GUIDE, actor, at, from_status=Status.NEW, comment=comment, documents=documents)
    notifications.queue(dossier, "guidance", comment=comment)
    return dossier


@transaction.atomic
def dossier_refuse_reception(*, actor, dossier_id, revision=None, reason, files=(), at=None) -> Dossier:
    """Refuse to receive (phiếu từ chối, QT 15.3); counts as a returned result (QT 19.2)."""
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.REFUSE_RECEPTION)
    if not reason.strip():
        raise InvalidInput(_("A reason is required."))
    require_slip(files)
    from_status, from_step = dossier.status, dossier.current_step
    dossier.status = Status.NOT_ACCEPTED
    used = close(dossier, at)
    bump(dossier)
    documents = save_files(dossier, actor, files)
    record(
        dossier,
        Action.REFUSE_RECEPTION,
        actor,
        at,
        from_status=from_status,
        from_step=from_step,
        comment=reason,
        documents=documents,
        step_used_minutes=used,
    )
    notifications.queue(dossier, "not_accepted", comment=reason)
    return dossier
