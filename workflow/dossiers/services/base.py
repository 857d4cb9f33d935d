"""What every dossier action shares: the files and applicant it is given, the locked row, the event it
appends, the dossier code, and the processing clock and step timers (QT 18-20)."""

from dataclasses import dataclass
from datetime import datetime

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Agency
from portal.core.names import display_name
from workflow.dossiers import cycles
from workflow.errors import ActionNotAllowed, ConcurrentChange, SlipRequired
from workflow.models import (
    Action,
    DocumentKind,
    Dossier,
    DossierCodeCounter,
    DossierDocument,
    DossierEvent,
    Status,
    StepRun,
)
from workflow.worktime import get_calendar

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


def at_minute(at):
    return (at or timezone.now()).replace(second=0, microsecond=0)


def lock(dossier_id, revision):
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


def require_slip(files):
    if not any(f.kind == DocumentKind.SLIP for f in files):
        raise SlipRequired()


def save_files(dossier, actor, files):
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


def record(
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
    data = dict(data or {})
    if action in (Action.SUBMIT, Action.RESUBMIT) and dossier.status == Status.NEW and dossier.reception_due_at:
        data["reception_due_at"] = dossier.reception_due_at.isoformat()
    event = DossierEvent.objects.create(
        dossier=dossier,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=display_name(actor) if actor is not None and actor.is_authenticated else dossier.applicant_name,
        actor_position=official.position if official else "",
        actor_agency_id=official.agency_id if official else None,
        at=at,
        effective_at=get_calendar().next_working_moment(at),
        due_at=dossier.due_at,
        from_status=from_status,
        to_status=dossier.status,
        from_step=from_step,
        to_step=dossier.current_step,
        to_holder=dossier.current_holder,
        step_used_minutes=step_used_minutes,
        comment=comment,
        data=data,
    )
    if documents:
        event.documents.set(documents)
    cycles.refresh(dossier)
    return event


def bump(dossier):
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


def start_clock(dossier, at):
    """(Re)start the processing clock as a new reception (QT 18.2, 18.3, 19.3)."""
    calendar = get_calendar()
    start = calendar.next_working_moment(at)
    dossier.cycle += 1
    dossier.allowance_minutes = dossier.procedure.processing_minutes
    dossier.clock_started_at = start
    dossier.clock_running_since = start
    dossier.clock_used_minutes = 0
    dossier.clock_paused_at = None
    dossier.counts_as_late = False  # a new reception (QT 19.3a): an earlier apology concerned the earlier cycle
    dossier.timeliness = ""
    dossier.due_at = calendar.add_working_minutes(start, dossier.allowance_minutes)
    dossier.appointment_at = calendar.appointment_for(dossier.due_at)


def pause_clock(dossier, at):
    calendar = get_calendar()
    dossier.clock_used_minutes += calendar.working_minutes_between(dossier.clock_running_since, at)
    dossier.clock_paused_at = at


def resume_clock(dossier, at):
    calendar = get_calendar()
    start = calendar.next_working_moment(at)
    dossier.clock_running_since = start
    dossier.clock_paused_at = None
    left = dossier.allowance_minutes - dossier.clock_used_minutes
    dossier.due_at = calendar.add_working_minutes(start, max(left, 0)) if left > 0 else dossier.due_at
    if not dossier.counts_as_late:
        dossier.appointment_at = calendar.appointment_for(dossier.due_at)


def step_used_in_cycle(dossier, step):
    return (
        StepRun.objects.filter(dossier=dossier, step=step, cycle=dossier.cycle, departed_at__isnull=False).aggregate(
            total=Sum("used_minutes")
        )["total"]
        or 0
    )


def enter_step(dossier, step, holder, at):
    calendar = get_calendar()
    left = max(step.allowance_minutes - step_used_in_cycle(dossier, step), 0)
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


def leave_step(dossier, at):
    """Close the open step timer; returns the working minutes used during this stay."""
    run = StepRun.objects.filter(dossier=dossier, departed_at__isnull=True).order_by("-arrived_at", "-pk").first()
    if run is None:
        return None
    run.used_minutes = get_calendar().working_minutes_between(run.arrived_at, at)
    run.departed_at = at
    previous = step_used_in_cycle(dossier, run.step) if run.cycle == dossier.cycle else 0
    run.overdue = previous + run.used_minutes > run.allowance_minutes
    run.save(update_fields=["used_minutes", "departed_at", "overdue"])
    return run.used_minutes


def process_steps(dossier):
    return list(dossier.process.steps.all()) if dossier.process_id else []


def step_after(dossier, step):
    steps = process_steps(dossier)
    for index, candidate in enumerate(steps):
        if candidate.pk == step.pk and index + 1 < len(steps):
            return steps[index + 1]
    return None


def past_due(dossier, at) -> bool:
    """More than 0 working minutes past the due time (QT 18.2: 13:00 is not past a due time of 11:30)."""
    return dossier.due_at is not None and get_calendar().working_minutes_between(dossier.due_at, at) > 0


def close(dossier, at, *, returned=True):
    """Close the dossier; returns the working minutes of the step it left. Whether it ended a cycle with a
    returned result (QT 19.2) and how that is classified is read from the log (:mod:`workflow.dossiers.cycles`)."""
    used = leave_step(dossier, at)
    if returned:
        dossier.returned_at = at
    dossier.closed_at = at
    dossier.current_holder = None
    dossier.current_agency_id = dossier.agency_id
    return used
