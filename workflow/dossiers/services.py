"""Dossier processing: one function per state change (QT 14-22, DESIGN §5).

Every action follows the same shape, in one transaction:
check the actor's rights and the dossier's state on the *locked* row, change
it, append an immutable event, and queue the applicant's notification (sent
after commit by huey). The admin screens, the API and the tasks all call
these functions; none of them re-implements a rule.

Time rules (working time from :mod:`workflow.worktime`):

* the clock starts at reception, at the next working moment (QT 18.2);
  due = start + the procedure's allowance; appointment = start of the session
  after the one the due time falls in (QT 18.3);
* a supplement request stops the clock and the resubmission counts from the
  beginning as a new reception (QT 19.3); after the appointment it needs an
  apology first and the dossier counts as late;
* an apology moves the appointment and marks the dossier late (QT 19.1);
* refusal, stop or withdrawal counts as a returned result at that moment (QT 19.2);
* each stay at a step is a :class:`StepRun`; time at a step runs from arrival
  to departure, and a dossier sent back for explanation counts for the step it
  returns to, the one that sent it forward (QT 20.1b); runs carry the agency
  so inter-agency time splits per agency (QT 20.2);
* on time = result recorded no later than the due time (QT 18.4).
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Agency, Procedure
from catalog.officials.scoping import acting_agency_ids, manages_agency, user_agency_id, visible_agency_ids
from workflow import notifications
from workflow.errors import ActionNotAllowed, ConcurrentChange, InvalidInput, InvalidState, SlipRequired
from workflow.models import (
    Action,
    Channel,
    Delivery,
    DocumentKind,
    Dossier,
    DossierCodeCounter,
    DossierDocument,
    DossierEvent,
    Process,
    Status,
    StepKind,
    StepRun,
    Timeliness,
)
from workflow.models.dossier import OPEN_STATUSES
from workflow.worktime import DAY_MINUTES, get_calendar

#: QN 13.2a: an online dossier is received (or answered) within 8 working hours.
ONLINE_RECEPTION_MINUTES = 8 * 60


@dataclass
class Upload:
    """A file handed to an action: its display name and its content (any Django File)."""

    name: str
    content: File
    kind: str = DocumentKind.SUBMITTED
    procedure_document_id: int | None = None


@dataclass
class Applicant:
    name: str
    kind: int = 1
    id_number: str = ""
    organisation: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


# --- helpers ---------------------------------------------------------------------


def _now(at):
    return (at or timezone.now()).replace(second=0, microsecond=0)


def _lock(dossier_id, revision):
    """The dossier row, locked for this transaction; refuses a stale form (one wins, the other is told)."""
    try:
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure", "agency", "current_step", "process")
            .get(pk=dossier_id)
        )
    except Dossier.DoesNotExist:
        raise ActionNotAllowed(_("Dossier not found.")) from None
    if revision is not None and int(revision) != dossier.revision:
        raise ConcurrentChange()
    return dossier


def _require_visible(actor, dossier):
    """Every action checks this first: the actor's own unit received or holds the dossier.

    Acting uses :func:`catalog.officials.scoping.acting_agency_ids`, not the wider seeing scope, so a supervisor who
    reads every unit's dossiers changes none of them (TN 8.2).
    """
    ids = visible_agency_ids(actor)
    if ids is not None and dossier.agency_id not in ids and dossier.current_agency_id not in ids:
        raise ActionNotAllowed(_("Dossier not found."))
    ids = acting_agency_ids(actor)
    if ids is not None and dossier.agency_id not in ids and dossier.current_agency_id not in ids:
        raise ActionNotAllowed(_("Supervisors can read this dossier but not act on it."))


def _may_hold(actor, step, agency_id):
    """Who may act at a step: its listed officials, or any official of the step's unit when none is listed."""
    if actor.is_superuser:
        return True
    listed = list(step.officials.values_list("pk", flat=True))
    if listed:
        return actor.pk in listed
    return user_agency_id(actor) == (step.agency_id or agency_id)


def _require_holder(actor, dossier):
    """Only the official holding the current step (or its group while unassigned) acts on it."""
    _require_visible(actor, dossier)
    if actor.is_superuser:
        return
    if dossier.current_holder_id:
        if dossier.current_holder_id != actor.pk:
            raise ActionNotAllowed(_("Only the official holding this dossier can act on it now."))
        return
    if dossier.current_step is None or not _may_hold(actor, dossier.current_step, dossier.agency_id):
        raise ActionNotAllowed()


def _require_status(dossier, *statuses):
    if dossier.status not in statuses:
        raise InvalidState(
            _("This action is not possible while the dossier is “%(status)s”.")
            % {"status": dossier.get_status_display()}
        )


def _require_slip(files):
    if not any(f.kind == DocumentKind.SLIP for f in files):
        raise SlipRequired()


def _save_files(dossier, actor, files):
    documents = []
    for upload in files:
        document = DossierDocument(
            dossier=dossier,
            kind=upload.kind,
            name=upload.name[:500],
            uploaded_by=actor,
            procedure_document_id=upload.procedure_document_id,
        )
        document.file.save(getattr(upload.content, "name", None) or upload.name, upload.content, save=False)
        document.save()
        documents.append(document)
    return documents


def _record(
    dossier,
    action,
    actor,
    at,
    *,
    from_status,
    from_step=None,
    comment="",
    documents=(),
    data=None,
    step_used_minutes=None,
):
    official = getattr(actor, "official", None) if actor is not None and actor.is_authenticated else None
    event = DossierEvent.objects.create(
        dossier=dossier,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=(actor.get_full_name() or actor.get_username())
        if actor is not None and actor.is_authenticated
        else dossier.applicant_name,
        actor_position=official.position if official else "",
        actor_agency_id=official.agency_id if official else None,
        at=at,
        from_status=from_status,
        to_status=dossier.status,
        from_step=from_step,
        to_step=dossier.current_step,
        to_holder=dossier.current_holder,
        step_used_minutes=step_used_minutes,
        comment=comment,
        data=data or {},
    )
    if documents:
        event.documents.set(documents)
    return event


def _bump(dossier):
    """Save the locked row with a new revision, so forms opened before this action are refused."""
    dossier.revision += 1
    dossier.save()


# --- codes -------------------------------------------------------------------------


def allocate_code(agency: Agency, at: datetime) -> str:
    """``<agency code>-<yymmdd>-<daily sequence>`` (TT 01/2018 Art. 19), gap-free under concurrency.

    The counter row is locked for the rest of the caller's transaction: a
    rollback gives the number back, so numbers are never skipped or reused.
    """
    day = timezone.localdate(at)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                counter, _created = DossierCodeCounter.objects.select_for_update().get_or_create(agency=agency, day=day)
            break
        except IntegrityError:  # created concurrently: lock the winner's row instead
            continue
    DossierCodeCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    number = DossierCodeCounter.objects.values_list("last", flat=True).get(pk=counter.pk)
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


# --- clock and step timers ---------------------------------------------------------------


def _start_clock(dossier, at):
    """(Re)start the processing clock as a new reception (QT 18.2, 18.3, 19.3)."""
    calendar = get_calendar()
    start = calendar.next_working_moment(at)
    dossier.cycle += 1
    dossier.allowance_minutes = dossier.procedure.processing_minutes
    dossier.clock_started_at = start
    dossier.clock_running_since = start
    dossier.clock_used_minutes = 0
    dossier.clock_paused_at = None
    dossier.due_at = calendar.add_working_minutes(start, dossier.allowance_minutes)
    dossier.appointment_at = calendar.appointment_for(dossier.due_at)


def _pause_clock(dossier, at):
    calendar = get_calendar()
    dossier.clock_used_minutes += calendar.working_minutes_between(dossier.clock_running_since, at)
    dossier.clock_paused_at = at


def _resume_clock(dossier, at):
    calendar = get_calendar()
    start = calendar.next_working_moment(at)
    dossier.clock_running_since = start
    dossier.clock_paused_at = None
    left = dossier.allowance_minutes - dossier.clock_used_minutes
    dossier.due_at = calendar.add_working_minutes(start, max(left, 0)) if left > 0 else dossier.due_at
    if not dossier.counts_as_late:
        dossier.appointment_at = calendar.appointment_for(dossier.due_at)


def _step_used_in_cycle(dossier, step):
    return (
        StepRun.objects.filter(dossier=dossier, step=step, cycle=dossier.cycle, departed_at__isnull=False).aggregate(
            total=Sum("used_minutes")
        )["total"]
        or 0
    )


def _enter_step(dossier, step, holder, at):
    calendar = get_calendar()
    left = max(step.allowance_minutes - _step_used_in_cycle(dossier, step), 0)
    start = calendar.next_working_moment(at)
    StepRun.objects.create(
        dossier=dossier,
        step=step,
        cycle=dossier.cycle,
        agency_id=step.agency_id or dossier.agency_id,
        holder=holder,
        arrived_at=at,
        allowance_minutes=step.allowance_minutes,
        due_at=calendar.add_working_minutes(start, left),
    )
    dossier.current_step = step
    dossier.current_holder = holder
    dossier.current_agency_id = step.agency_id or dossier.agency_id


def _leave_step(dossier, at):
    """Close the open step timer; returns the working minutes used during this stay."""
    run = StepRun.objects.filter(dossier=dossier, departed_at__isnull=True).order_by("-arrived_at", "-pk").first()
    if run is None:
        return None
    run.used_minutes = get_calendar().working_minutes_between(run.arrived_at, at)
    run.departed_at = at
    previous = _step_used_in_cycle(dossier, run.step) if run.cycle == dossier.cycle else 0
    run.overdue = previous + run.used_minutes > run.allowance_minutes
    run.save(update_fields=["used_minutes", "departed_at", "overdue"])
    return run.used_minutes


def _steps(dossier):
    return list(dossier.process.steps.all()) if dossier.process_id else []


def _step_after(dossier, step):
    steps = _steps(dossier)
    for index, candidate in enumerate(steps):
        if candidate.pk == step.pk and index + 1 < len(steps):
            return steps[index + 1]
    return None


def _timeliness(dossier, at):
    """QT 18.4: on time = no later than the due time; early = done on an earlier day than the due day."""
    if dossier.counts_as_late or dossier.due_at is None or at > dossier.due_at:
        return Timeliness.LATE
    if timezone.localdate(at) < timezone.localdate(dossier.due_at):
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def _close(dossier, at, *, returned=True):
    """Refusal, stop, withdrawal and return all count as a returned result at that moment (QT 19.2)."""
    _leave_step(dossier, at)
    if returned:
        dossier.returned_at = at
        if not dossier.timeliness:
            dossier.timeliness = _timeliness(dossier, at)
    dossier.closed_at = at
    dossier.current_holder = None
    dossier.current_agency_id = dossier.agency_id


# --- entry: reception ----------------------------------------------------------------------


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
    at = _now(at)
    if not actor.is_superuser and user_agency_id(actor) != agency.pk:
        raise ActionNotAllowed(_("You can only receive dossiers for your own unit."))
    if not procedure.agencies.filter(pk=agency.pk).exists():
        raise InvalidInput(_("This agency does not handle this procedure."))
    if channel not in (Channel.COUNTER, Channel.POST):
        raise InvalidInput(_("Counter reception is for dossiers brought in person or by post."))
    _check_delivery(delivery, delivery_address, procedure)
    process, steps = _process_for(procedure, agency)
    if not _may_hold(actor, steps[0], agency.pk):
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
    _start_clock(dossier, at)
    dossier.save()
    _enter_step(dossier, steps[0], actor, at)
    dossier.save()
    documents = _save_files(dossier, actor, files)
    _record(dossier, Action.RECEIVE, actor, at, from_status=None, comment=comment, documents=documents)
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
    at = _now(at)
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
    documents = _save_files(dossier, applicant_user, files)
    _record(dossier, Action.SUBMIT, applicant_user, at, from_status=None, documents=documents)
    notifications.queue(dossier, "submitted")
    return dossier


@transaction.atomic
def dossier_receive_online(*, actor, dossier_id, revision=None, comment="", at=None) -> Dossier:
    """Accept an online dossier (1 → 2): the clock starts and the receipt is issued."""
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_visible(actor, dossier)
    _require_status(dossier, Status.NEW)
    if not _may_hold(actor, dossier.current_step, dossier.agency_id):
        raise ActionNotAllowed(_("You are not in the reception group of this procedure."))
    dossier.status = Status.RECEIVED
    dossier.received_at = at
    _start_clock(dossier, at)
    _enter_step(dossier, dossier.current_step, actor, at)
    _bump(dossier)
    _record(dossier, Action.RECEIVE, actor, at, from_status=Status.NEW, comment=comment)
    Procedure.objects.filter(pk=dossier.procedure_id).update(usage_count=F("usage_count") + 1)
    notifications.queue(dossier, "received")
    return dossier


@transaction.atomic
def dossier_guide(*, actor, dossier_id, revision=None, comment, files=(), at=None) -> Dossier:
    """Answer an online dossier with a guidance slip instead of receiving it (QN 13.2a, QT 15 slip a)."""
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_visible(actor, dossier)
    _require_status(dossier, Status.NEW)
    if not comment.strip():
        raise InvalidInput(_("Explain what the applicant must complete."))
    dossier.status = Status.SUPPLEMENT
    _bump(dossier)
    documents = _save_files(dossier, actor, files)
    _record(dossier, Action.GUIDE, actor, at, from_status=Status.NEW, comment=comment, documents=documents)
    notifications.queue(dossier, "guidance", comment=comment)
    return dossier


@transaction.atomic
def dossier_refuse_reception(*, actor, dossier_id, revision=None, reason, files=(), at=None) -> Dossier:
    """Refuse to receive (phiếu từ chối, QT 15.3); counts as a returned result (QT 19.2)."""
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_visible(actor, dossier)
    _require_status(dossier, Status.NEW, Status.RECEIVED)
    if dossier.status == Status.RECEIVED:
        _require_holder(actor, dossier)
    if not reason.strip():
        raise InvalidInput(_("A reason is required."))
    _require_slip(files)
    from_status, from_step = dossier.status, dossier.current_step
    dossier.status = Status.NOT_ACCEPTED
    _close(dossier, at)
    _bump(dossier)
    documents = _save_files(dossier, actor, files)
    _record(
        dossier,
        Action.REFUSE_RECEPTION,
        actor,
        at,
        from_status=from_status,
        from_step=from_step,
        comment=reason,
        documents=documents,
    )
    notifications.queue(dossier, "not_accepted", comment=reason)
    return dossier


# --- moving between steps -------------------------------------------------------------------


def _holder_for(step, dossier, to_holder):
    if to_holder is None:
        return None  # the whole group of the step (QT 22.2b)
    if not _may_hold(to_holder, step, dossier.agency_id) or not to_holder.is_active:
        raise InvalidInput(
            _("%(name)s cannot hold the step “%(step)s”.")
            % {"name": to_holder.get_full_name() or to_holder.get_username(), "step": step.name}
        )
    return to_holder


@transaction.atomic
def dossier_forward(
    *, actor, dossier_id, revision=None, to_step_id=None, to_holder=None, comment="", files=(), at=None
) -> Dossier:
    """Send the dossier on to the next step, to its group or one named official (QT 17.4, 22.2b)."""
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_holder(actor, dossier)
    _require_status(dossier, Status.RECEIVED, Status.PROCESSING)
    next_step = _step_after(dossier, dossier.current_step)
    if to_step_id is not None:
        candidates = {s.pk: s for s in _steps(dossier)}
        next_step = candidates.get(int(to_step_id))
        if next_step is None or next_step.sort_order <= dossier.current_step.sort_order:
            raise InvalidInput(_("That step is not a later step of this dossier's process."))
    if next_step is None:
        raise InvalidState(_("This is the last step: record the result instead."))
    holder = _holder_for(next_step, dossier, to_holder)
    from_status, from_step = dossier.status, dossier.current_step
    used = _leave_step(dossier, at)
    _enter_step(dossier, next_step, holder, at)
    dossier.status = Status.PROCESSING
    _bump(dossier)
    documents = _save_files(dossier, actor, files)
    _record(
        dossier,
        Action.FORWARD,
        actor,
        at,
        from_status=from_status,
        from_step=from_step,
        comment=comment,
        documents=documents,
        step_used_minutes=used,
    )
    return dossier


@transaction.atomic
def dossier_return_previous(*, actor, dossier_id, revision=None, comment, at=None) -> Dossier:
    """Send back to the step (and official) that forwarded it, for explanation (QT 17.4, 20.1b)."""
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_holder(actor, dossier)
    _require_status(dossier, Status.PROCESSING)
    if not comment.strip():
        raise InvalidInput(_("Say what needs explaining."))
    previous = (
        DossierEvent.objects.filter(dossier=dossier, to_step=dossier.current_step, action=Action.FORWARD)
        .select_related("from_step", "actor")
        .order_by("-at", "-pk")
        .first()
    )
    if previous is None or previous.from_step is None:
        raise InvalidState(_("There is no previous step to return to."))
    from_step = dossier.current_step
    used = _leave_step(dossier, at)
    # The time from now on counts for the step that sent it forward (QT 20.1b).
    # A revoked sender cannot answer: the dossier then waits for the group of that step.
    sender = previous.actor if previous.actor is not None and previous.actor.is_active else None
    _enter_step(dossier, previous.from_step, sender, at)
    _bump(dossier)
    _record(
        dossier,
        Action.RETURN_PREVIOUS,
        actor,
        at,
        from_status=dossier.status,
        from_step=from_step,
        comment=comment,
        step_used_minutes=used,
    )
    return dossier


@transaction.atomic
def dossier_handover(*, actor, dossier_id, revision=None, colleague, comment="", at=None) -> Dossier:
    """Hand the dossier to a colleague of the same unit at the same step."""
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_holder(actor, dossier)
    _require_status(dossier, Status.RECEIVED, Status.PROCESSING)
    if colleague.pk == actor.pk:
        raise InvalidInput(_("Choose another official."))
    if user_agency_id(colleague) != (dossier.current_step.agency_id or dossier.agency_id):
        raise InvalidInput(_("You can only hand over to a colleague of the same unit."))
    holder = _holder_for(dossier.current_step, dossier, colleague)
    step = dossier.current_step
    used = _leave_step(dossier, at)
    _enter_step(dossier, step, holder, at)
    _bump(dossier)
    _record(
        dossier,
        Action.HANDOVER,
        actor,
        at,
        from_status=dossier.status,
        from_step=step,
        comment=comment,
        step_used_minutes=used,
    )
    return dossier


# --- applicant loops: supplement, payment ----------------------------------------------------------


@transaction.atomic
def dossier_request_supplement(*, actor, dossier_id, revision=None, comment, files=(), at=None) -> Dossier:
    """Ask for missing documents (phiếu yêu cầu bổ sung): stops the clock (QT 19.3).

    Before the appointment time it is a plain pause; afterwards only once an
    apology slip has been recorded, and the dossier then counts as late.
    """
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_holder(actor, dossier)
    _require_status(dossier, Status.RECEIVED, Status.PROCESSING)
    if not comment.strip():
        raise InvalidInput(_("List the documents the applicant must add."))
    _require_slip(files)
    if dossier.appointment_at and at > dossier.appointment_at:
        if not dossier.apology_count:
            raise InvalidState(_("The appointment has passed: record an apology and new appointment first (QT 19.3)."))
        dossier.counts_as_late = True
    from_status, from_step = dossier.status, dossier.current_step
    used = _leave_step(dossier, at)
    _pause_clock(dossier, at)
    dossier.status = Status.SUPPLEMENT
    dossier.supplement_count += 1
    _bump(dossier)
    documents = _save_files(dossier, actor, files)
    _record(
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
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_status(dossier, Status.SUPPLEMENT)
    is_applicant = actor is not None and actor.is_authenticated and actor.pk == dossier.applicant_user_id
    if not is_applicant:
        _require_visible(actor, dossier)  # an officer types in a supplement brought to the counter
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
        _start_clock(dossier, at)
        # Back to the official who asked, unless their account was revoked meanwhile (then to whoever the
        # dossier was reassigned to, see dossier_reassign).
        holder = asking.actor if asking.actor is None or asking.actor.is_active else dossier.current_holder
        _enter_step(dossier, asking.from_step, holder, at)
    _bump(dossier)
    documents = _save_files(dossier, actor if actor is not None and actor.is_authenticated else None, files)
    _record(dossier, Action.RESUBMIT, actor, at, from_status=Status.SUPPLEMENT, comment=comment, documents=documents)
    if dossier.status == Status.PROCESSING:
        notifications.queue(dossier, "received")
    return dossier


@transaction.atomic
def dossier_request_payment(*, actor, dossier_id, revision=None, amount, comment="", at=None) -> Dossier:
    """Ask for the fees due (status 6); the clock waits for the applicant."""
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_holder(actor, dossier)
    _require_status(dossier, Status.RECEIVED, Status.PROCESSING)
    if amount is None or int(amount) <= 0:
        raise InvalidInput(_("Enter the amount due."))
    from_status = dossier.status
    used = _leave_step(dossier, at)
    step, holder = dossier.current_step, dossier.current_holder
    _pause_clock(dossier, at)
    dossier.status = Status.PAYMENT
    dossier.current_holder = holder
    _bump(dossier)
    _record(
        dossier,
        Action.REQUEST_PAYMENT,
        actor,
        at,
        from_status=from_status,
        from_step=step,
        comment=comment,
        data={"amount": int(amount)},
        step_used_minutes=used,
    )
    notifications.queue(dossier, "payment", comment=comment, amount=int(amount))
    return dossier


@transaction.atomic
def dossier_confirm_payment(*, actor, dossier_id, revision=None, reference="", files=(), at=None) -> Dossier:
    """Payment received: the clock goes on with the time left."""
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_visible(actor, dossier)
    _require_status(dossier, Status.PAYMENT)
    _resume_clock(dossier, at)
    dossier.status = Status.PROCESSING
    _enter_step(dossier, dossier.current_step, dossier.current_holder, at)
    _bump(dossier)
    files = [Upload(f.name, f.content, DocumentKind.PAYMENT) for f in files]
    documents = _save_files(dossier, actor, files)
    _record(
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
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_holder(actor, dossier)
    _require_status(dossier, Status.RECEIVED, Status.PROCESSING)
    if not reason.strip():
        raise InvalidInput(_("A reason is required."))
    _require_slip(files)
    if new_appointment is None or timezone.is_naive(new_appointment) or new_appointment <= at:
        raise InvalidInput(_("The new appointment must be in the future."))
    if dossier.appointment_at and new_appointment <= dossier.appointment_at:
        raise InvalidInput(_("The new appointment must be later than the current one."))
    old = dossier.appointment_at
    dossier.appointment_at = get_calendar().next_working_moment(new_appointment)
    dossier.counts_as_late = True
    dossier.apology_count += 1
    _bump(dossier)
    documents = _save_files(dossier, actor, files)
    _record(
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


# --- endings ---------------------------------------------------------------------------------------


@transaction.atomic
def dossier_stop(*, actor, dossier_id, revision=None, reason, files=(), at=None) -> Dossier:
    """Refuse to resolve / stop processing, with the reason (QT 17.4); counts as returned (QT 19.2)."""
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_holder(actor, dossier)
    _require_status(dossier, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT)
    if not reason.strip():
        raise InvalidInput(_("A reason is required."))
    from_status, from_step = dossier.status, dossier.current_step
    dossier.status = Status.STOPPED
    _close(dossier, at)
    _bump(dossier)
    documents = _save_files(dossier, actor, files)
    _record(
        dossier,
        Action.STOP,
        actor,
        at,
        from_status=from_status,
        from_step=from_step,
        comment=reason,
        documents=documents,
    )
    notifications.queue(dossier, "stopped", comment=reason)
    return dossier


@transaction.atomic
def dossier_request_withdrawal(*, actor, dossier_id, revision=None, reason, files=(), at=None) -> Dossier:
    """The applicant asks online to withdraw their dossier (status 7); an official then closes it."""
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    if actor is None or not actor.is_authenticated or actor.pk != dossier.applicant_user_id:
        raise ActionNotAllowed(_("Dossier not found."))
    _require_status(dossier, Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT)
    if not reason.strip():
        raise InvalidInput(_("Give a reason for the withdrawal."))
    files = [Upload(f.name, f.content, DocumentKind.WITHDRAWAL) for f in files]
    from_status = dossier.status
    if (
        dossier.clock_running_since
        and not dossier.clock_paused_at
        and dossier.status in (Status.RECEIVED, Status.PROCESSING)
    ):
        _pause_clock(dossier, at)
    dossier.status = Status.WITHDRAWAL
    _bump(dossier)
    documents = _save_files(dossier, actor, files)
    _record(
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
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_visible(actor, dossier)
    _require_status(
        dossier, Status.NEW, Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT, Status.WITHDRAWAL
    )
    if dossier.closed_at:
        raise InvalidState(_("This dossier is already closed."))
    if not files and dossier.status != Status.WITHDRAWAL:
        raise InvalidInput(_("Attach the applicant's written withdrawal request."))
    files = [Upload(f.name, f.content, DocumentKind.WITHDRAWAL) for f in files]
    from_status, from_step = dossier.status, dossier.current_step
    dossier.status = Status.WITHDRAWAL
    _close(dossier, at)
    _bump(dossier)
    documents = _save_files(dossier, actor, files)
    _record(
        dossier,
        Action.WITHDRAW,
        actor,
        at,
        from_status=from_status,
        from_step=from_step,
        comment=comment,
        documents=documents,
    )
    notifications.queue(dossier, "withdrawn")
    return dossier


@transaction.atomic
def dossier_record_result(*, actor, dossier_id, revision=None, signer, files=(), comment="", at=None) -> Dossier:
    """Record the signed result (QT 18.4: this moment decides early / on time / late)."""
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_holder(actor, dossier)
    _require_status(dossier, Status.RECEIVED, Status.PROCESSING)
    remaining = [s for s in _steps(dossier) if s.sort_order > dossier.current_step.sort_order]
    if any(s.kind != StepKind.RESULT for s in remaining):
        raise InvalidState(_("The dossier has not reached its decision step yet."))
    if not signer.strip():
        raise InvalidInput(_("Enter who signed the result."))
    if not files:
        raise InvalidInput(_("Attach the result file."))
    files = [Upload(f.name, f.content, DocumentKind.RESULT) for f in files]
    from_status, from_step = dossier.status, dossier.current_step
    used = _leave_step(dossier, at)
    dossier.status = Status.RESOLVED
    dossier.result_recorded_at = at
    dossier.result_signer = signer.strip()
    dossier.timeliness = _timeliness(dossier, at)
    if remaining:
        _enter_step(dossier, remaining[0], None, at)
    _bump(dossier)
    documents = _save_files(dossier, actor, files)
    _record(
        dossier,
        Action.RECORD_RESULT,
        actor,
        at,
        from_status=from_status,
        from_step=from_step,
        comment=comment,
        documents=documents,
        step_used_minutes=used,
        data={"timeliness": dossier.timeliness},
    )
    notifications.queue(dossier, "result_ready")
    return dossier


@transaction.atomic
def dossier_return_result(
    *, actor, dossier_id, revision=None, method=None, consignment_number="", comment="", at=None
) -> Dossier:
    """Hand over the result at the counter, online or by post (status 10)."""
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    _require_visible(actor, dossier)
    _require_status(dossier, Status.RESOLVED)
    if dossier.current_step and dossier.current_step.kind == StepKind.RESULT:
        if not (actor.is_superuser or _may_hold(actor, dossier.current_step, dossier.agency_id)):
            raise ActionNotAllowed()
    method = method or dossier.delivery
    if method not in Delivery.values:
        raise InvalidInput(_("Unknown delivery method."))
    if method == Delivery.POST and not consignment_number.strip():
        raise InvalidInput(_("Enter the postal consignment number."))
    from_step = dossier.current_step
    dossier.status = Status.RETURNED
    dossier.consignment_number = consignment_number.strip()
    _close(dossier, at)
    _bump(dossier)
    _record(
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


# --- reassignment when an official leaves (QN 12, TN 17.10đ) ---------------------------------------


@transaction.atomic
def dossier_reassign(*, actor, dossier_id, to_holder, from_holder=None, revision=None, comment="", at=None) -> Dossier:
    """Give an open dossier held by a leaving official to a colleague of the same unit who may hold its step.

    Called by :func:`catalog.officials.services.official_revoke`; only whoever administers the holder's unit may do it.
    ``from_holder`` (and ``revision``) say what the caller saw: if the dossier moved on meanwhile, nothing is
    changed and :class:`ConcurrentChange` is raised. The stay at the step is split (the leaving holder's timer
    closes, the colleague's opens) and an immutable ``reassign`` event names both. A dossier waiting for the
    applicant (supplement, payment) has no running step timer: the colleague becomes its holder and gets it
    back when the applicant answers.
    """
    at = _now(at)
    dossier = _lock(dossier_id, revision)
    previous = dossier.current_holder
    if from_holder is not None and dossier.current_holder_id != from_holder.pk:
        raise ConcurrentChange()
    if previous is None or dossier.closed_at is not None or dossier.status not in OPEN_STATUSES:
        raise InvalidState(_("Only an open dossier with a holder can be reassigned."))
    if not manages_agency(actor, user_agency_id(previous)):
        raise ActionNotAllowed(_("Only the administrator of the holder's unit can reassign the dossier."))
    if to_holder is None or to_holder.pk == previous.pk or not to_holder.is_active:
        raise InvalidInput(_("Choose another, active official."))
    if user_agency_id(to_holder) != user_agency_id(previous):
        raise InvalidInput(_("You can only hand over to a colleague of the same unit."))
    step = dossier.current_step
    if step is not None and not _may_hold(to_holder, step, dossier.agency_id):
        raise InvalidInput(
            _("%(name)s cannot hold the step “%(step)s”.")
            % {"name": to_holder.get_full_name() or to_holder.get_username(), "step": step.name}
        )
    used = None
    open_run = StepRun.objects.filter(dossier=dossier, departed_at__isnull=True).exists()
    if step is not None and open_run:
        used = _leave_step(dossier, at)
        _enter_step(dossier, step, to_holder, at)
    else:  # waiting for the applicant (supplement, payment): the colleague takes it when it comes back
        dossier.current_holder = to_holder
    _bump(dossier)
    _record(
        dossier,
        Action.REASSIGN,
        actor,
        at,
        from_status=dossier.status,
        from_step=step,
        comment=comment,
        step_used_minutes=used,
        data={
            "from_holder": previous.pk,
            "from_holder_name": previous.get_full_name() or previous.get_username(),
            "to_holder": to_holder.pk,
            "to_holder_name": to_holder.get_full_name() or to_holder.get_username(),
        },
    )
    return dossier


# --- several at once (QT 17.5) -----------------------------------------------------------------------


@dataclass
class BulkOutcome:
    done: list
    failed: list  # (dossier code or id, message)


def dossiers_bulk(action, *, actor, dossier_ids, **kwargs) -> BulkOutcome:
    """Apply one action to several dossiers, each in its own transaction: one failure does not undo the others."""
    from workflow.errors import DossierError

    done, failed = [], []
    for dossier_id in dossier_ids:
        try:
            done.append(action(actor=actor, dossier_id=dossier_id, **kwargs))
        except DossierError as error:
            code = Dossier.objects.filter(pk=dossier_id).values_list("code", flat=True).first() or dossier_id
            failed.append((code, str(error.message)))
    return BulkOutcome(done=done, failed=failed)


# --- reading helpers used by screens and reports -------------------------------------------------------


def dossier_warning(dossier, now=None):
    """QT 21 colour: overdue / due soon / ok for the whole dossier (open ones only)."""
    from workflow.worktime import WarningLevel

    if not dossier.is_open or dossier.due_at is None or dossier.status in (Status.SUPPLEMENT, Status.PAYMENT):
        if dossier.status == Status.NEW and dossier.reception_due_at:
            return get_calendar().warning_level(dossier.reception_due_at, now or timezone.now())
        return WarningLevel.OK
    return get_calendar().warning_level(dossier.due_at, now or timezone.now())


def time_by_agency(dossier):
    """Working minutes used per agency (QT 20.2), from the step timers."""
    calendar, now = get_calendar(), timezone.now()
    totals = {}
    for run in dossier.step_runs.select_related("agency"):
        used = run.used_minutes if run.departed_at else calendar.working_minutes_between(run.arrived_at, now)
        totals[run.agency] = totals.get(run.agency, 0) + used
    return totals


__all__ = [name for name in dir() if name.startswith("dossier")] + [
    "Applicant",
    "BulkOutcome",
    "Upload",
    "allocate_code",
    "time_by_agency",
    "DAY_MINUTES",
]
