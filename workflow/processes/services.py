"""Internal process versions (quy trình nội bộ, QT 22): the state changes made from the process designer.

Process definitions are versioned like forms: a draft is edited freely; once
published it is frozen (dossiers started on it keep their steps), and a change
is made on a new draft version copied from it. Publishing a version retires the
version published before it for the same procedure and agency, so exactly one
is in force.

Each function runs in one transaction on locked rows and checks that the
actor may manage the process (DESIGN §1: unit admins build processes for their
own unit's procedures; :func:`process_queryset_for` is the one scoping rule).
Errors are the domain errors of :mod:`workflow.errors`, shown by the screens
as messages.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Agency, Procedure
from catalog.officials.scoping import ALL, visible_agency_ids
from portal.core.names import display_name
from workflow.errors import ActionNotAllowed, InvalidInput, InvalidState
from workflow.models import Process, ProcessStatus, ProcessStep, StepKind

# --- scoping -------------------------------------------------------------------------------------


def process_queryset_for(user):
    """The processes ``user`` may see and manage in the designer.

    Supervisors and superusers: all. A unit admin: the processes of their unit
    (``agency`` is theirs), and the procedure-wide default processes
    (``agency`` empty) of procedures their unit implements.
    """
    agency_ids = visible_agency_ids(user)
    queryset = Process.objects.all()
    if agency_ids is ALL:
        return queryset
    implemented = Procedure.objects.filter(agencies__in=agency_ids).values("pk")
    return queryset.filter(Q(agency_id__in=agency_ids) | Q(agency__isnull=True, procedure_id__in=implemented))


def process_manageable_queryset(user):
    """The processes ``user`` may change (edit, delete, publish, copy into a new draft).

    A unit admin changes only their own unit's processes; the procedure-wide
    default processes (``agency`` empty) are shared by every unit implementing
    the procedure, so only supervisors change them. A unit admin still sees
    them (:func:`process_queryset_for`) and builds their own unit's process instead.
    """
    agency_ids = visible_agency_ids(user)
    if agency_ids is ALL:
        return Process.objects.all()
    return Process.objects.filter(agency_id__in=agency_ids)


def process_is_manageable(user, process) -> bool:
    return process_manageable_queryset(user).filter(pk=process.pk).exists()


def process_check_manageable(actor, process):
    """Refuse a change to a process ``actor`` may only look at."""
    if not process_is_manageable(actor, process):
        if process.agency_id is None:
            raise ActionNotAllowed(
                _(
                    "The procedure's default process is shared by every unit: only supervisors "
                    "change it. Create your unit's own process instead."
                )
            )
        raise ActionNotAllowed(_("You can only manage the processes of your own unit's procedures."))


def procedures_for(user):
    """The procedures ``user`` may build processes for."""
    return Procedure.objects.implemented_for(user)


def agencies_for(user):
    """The agencies ``user`` may attach a process to (their own unit; all for supervisors)."""
    agency_ids = visible_agency_ids(user)
    if agency_ids is ALL:
        return Agency.objects.all()
    return Agency.objects.filter(pk__in=agency_ids)


def _require_manageable(actor, process):
    process_check_manageable(actor, process)


def process_check_create(actor, procedure, agency):
    """Refuse a new process of ``procedure`` at ``agency`` that ``actor`` may not manage."""
    agency_ids = visible_agency_ids(actor)
    if agency_ids is ALL:
        return
    if agency is None:
        raise InvalidInput(_("Choose your unit: only supervisors create procedure-wide default processes."))
    if agency.pk not in agency_ids:
        raise ActionNotAllowed(_("You can only manage the processes of your own unit's procedures."))
    if not procedure.agencies.filter(pk=agency.pk).exists():
        raise InvalidInput(_("Your unit does not implement this procedure."))


# --- reads used by the designer screens ------------------------------------------------------------


def next_version(procedure, agency) -> int:
    """The version number a new process of ``procedure`` at ``agency`` gets (versions are never reused)."""
    latest = Process.objects.filter(procedure=procedure, agency=agency).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


def process_allowance_check(process):
    """(sum of the steps' allowances, the procedure's processing time), both in working minutes.

    The designer warns when they differ: the steps must share the whole
    processing time (QT 20.1) — no more, no less.
    """
    steps_total = sum(step.allowance_minutes for step in process.steps.all())
    return steps_total, process.procedure.processing_minutes


def process_allowance_mismatch(process) -> bool:
    steps_total, expected = process_allowance_check(process)
    return steps_total != expected


# --- designer rules (QT 22) -------------------------------------------------------------------------
# The one place they are written: the designer's form shows them field by field, and every way a process is
# built (the short-process shortcut, the demo loader, the load seed) or published goes through them.


@dataclass
class StepSpec:
    """A step to build: what the designer's step form holds."""

    name: str
    kind: str
    allowance_hours: Decimal
    agency: Agency | None = None
    officials: list = field(default_factory=list)
    holder_role: str = ""  # the group holding the step; "" = the kind's (workflow.models.process.holder_role_for)


def step_problems(*, kind, agency, process_agency, officials=()) -> dict[str, str]:
    """What is wrong with a step, by form field ("agency", "officials"); empty when it is fine."""
    problems = {}
    if kind == StepKind.HANDOFF and agency is None:
        problems["agency"] = _("An inter-agency hand-off step needs the agency that handles it.")
    elif kind and kind != StepKind.HANDOFF and agency is not None:
        problems["agency"] = _(
            "Only an inter-agency hand-off step is handled by another agency: leave this empty or change the kind."
        )
    elif agency is not None and process_agency is not None and agency.pk == process_agency.pk:
        problems["agency"] = _("A hand-off goes to another agency, not to the process's own agency.")
    unit = agency or process_agency
    outsiders = [
        user
        for user in officials
        if unit is not None and getattr(getattr(user, "official", None), "agency_id", None) != unit.pk
    ]
    if outsiders:  # without a unit (a procedure-wide default process) any unit's officials may hold it
        problems["officials"] = _("Only officials of %(unit)s can hold this step: %(names)s.") % {
            "unit": unit.name,
            "names": ", ".join(display_name(u) for u in outsiders),
        }
    return problems


def _refuse_step(step_name, problems):
    if problems:
        raise InvalidInput(
            _("Step “%(step)s”: %(problem)s") % {"step": step_name, "problem": "; ".join(problems.values())}
        )


def process_check_steps(process):
    """Refuse a process one of whose steps breaks a designer rule (publishing checks this)."""
    for step in process.steps.select_related("agency").prefetch_related("officials__official"):
        _refuse_step(
            step.name,
            step_problems(
                kind=step.kind, agency=step.agency, process_agency=process.agency, officials=list(step.officials.all())
            ),
        )


def renumber_steps(steps):
    """Number saved steps 0, 1, 2 … in the order given (``sort_order`` decides where forwarding goes)."""
    for index, step in enumerate(steps):
        if step.pk and step.sort_order != index:
            step.sort_order = index
            ProcessStep.objects.filter(pk=step.pk).update(sort_order=index)


@transaction.atomic
def process_build(
    *, procedure, agency=None, name, steps, is_short=False, status=ProcessStatus.DRAFT, version=None, at=None
) -> Process:
    """Create a process version with its steps, numbered in order, every step checked by the designer rules.

    For system callers (the demo loader, the load seed, the short-process service) that have already decided
    the actor may do it; ``status=PUBLISHED`` publishes it at once (a new procedure has nothing to retire).
    """
    for spec in steps:
        _refuse_step(
            spec.name,
            step_problems(kind=spec.kind, agency=spec.agency, process_agency=agency, officials=spec.officials),
        )
    published = status == ProcessStatus.PUBLISHED
    process = Process.objects.create(
        procedure=procedure,
        agency=agency,
        name=name,
        is_short=is_short,
        version=version or next_version(procedure, agency),
        status=status,
        published_at=(at or timezone.now()) if published else None,
    )
    for index, spec in enumerate(steps):
        step = ProcessStep.objects.create(
            process=process,
            sort_order=index,
            name=spec.name,
            kind=spec.kind,
            agency=spec.agency,
            holder_role=spec.holder_role,
            allowance_hours=spec.allowance_hours,
        )
        if spec.officials:
            step.officials.set(spec.officials)
            step.officials.commit()
    return process


# --- state changes -----------------------------------------------------------------------------------


def _locked(process_id):
    try:
        return Process.objects.select_for_update(of=("self",)).select_related("procedure", "agency").get(pk=process_id)
    except Process.DoesNotExist:
        raise ActionNotAllowed(_("Process not found.")) from None


@transaction.atomic
def process_publish(*, actor, process_id, at=None) -> Process:
    """Publish a draft: it is frozen from now on and the previously published version is retired."""
    process = _locked(process_id)
    _require_manageable(actor, process)
    if process.status != ProcessStatus.DRAFT:
        raise InvalidState(
            _("Only a draft can be published; this version is already %(status)s.")
            % {"status": process.get_status_display().lower()}
        )
    steps = list(process.steps.all())
    if not steps:
        raise InvalidState(_("Add at least one step before publishing."))
    if any(step.allowance_hours is None or step.allowance_hours < 0 for step in steps):
        raise InvalidInput(_("Every step needs a time allowance."))
    process_check_steps(process)
    at = at or timezone.now()
    previous = (
        Process.objects.select_for_update()
        .filter(procedure_id=process.procedure_id, agency_id=process.agency_id, status=ProcessStatus.PUBLISHED)
        .exclude(pk=process.pk)
    )
    for old in previous:
        old.status = ProcessStatus.RETIRED
        old.save(update_fields=["status"])
    process.status = ProcessStatus.PUBLISHED
    process.published_at = at
    process.save(update_fields=["status", "published_at"])
    return process


def _copy_step(step, process, sort_order):
    copy = ProcessStep.objects.create(
        process=process,
        sort_order=sort_order,
        name=step.name,
        position=step.position,
        kind=step.kind,
        agency_id=step.agency_id,
        holder_role=step.holder_role,
        allowance_hours=step.allowance_hours,
    )
    officials = list(step.officials.all())
    if officials:
        # ParentalManyToManyField only changes memory until committed (ProcessStep is not a ClusterableModel).
        copy.officials.set(officials)
        copy.officials.commit()
    return copy


@transaction.atomic
def process_new_draft(*, actor, process_id) -> Process:
    """A new draft version copied from a published or retired one, steps and officials included."""
    source = _locked(process_id)
    _require_manageable(actor, source)
    if source.status == ProcessStatus.DRAFT:
        raise InvalidState(_("This version is still a draft: edit it directly."))
    existing = Process.objects.filter(
        procedure_id=source.procedure_id, agency_id=source.agency_id, status=ProcessStatus.DRAFT
    ).first()
    if existing is not None:
        raise InvalidState(
            _("A draft version already exists (version %(version)s): edit that one.") % {"version": existing.version}
        )
    draft = Process.objects.create(
        procedure_id=source.procedure_id,
        agency_id=source.agency_id,
        name=source.name,
        is_short=source.is_short,
        version=next_version(source.procedure, source.agency),
        status=ProcessStatus.DRAFT,
    )
    for index, step in enumerate(source.steps.all()):
        _copy_step(step, draft, index)
    return draft


#: The three stages of an on-the-spot procedure (QT 22.2c), with their share of the processing time.
SHORT_STAGES = [
    (StepKind.RECEPTION, Decimal("0.25")),
    (StepKind.APPROVAL, Decimal("0.50")),
    (StepKind.RESULT, Decimal("0.25")),
]


def short_stage_hours(total_minutes: int) -> list[Decimal]:
    """Split the processing time over the three stages so that the allowances add up exactly.

    Hours are stored with two decimals, i.e. exactly in steps of 3 minutes:
    the outer stages get a quarter each, rounded down to 3 minutes, and the
    middle stage the rest.
    """
    total = int(total_minutes)
    outer = int(total * SHORT_STAGES[0][1]) // 3 * 3
    minutes = [outer, total - 2 * outer, outer]
    return [(Decimal(m) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for m in minutes]


@transaction.atomic
def process_create_short(
    *,
    actor,
    procedure,
    agency=None,
    name="",
    stage_names=None,
    reception_officials=(),
    resolution_officials=(),
    return_officials=(),
) -> Process:
    """A draft three-stage process (receive → resolve → return) for a procedure decided on the spot (QT 22.2c).

    The stages share the procedure's processing time (a quarter, a half, a
    quarter), so the designer shows no allowance mismatch. Without officials
    a stage may be held by any official of the unit.
    """
    process_check_create(actor, procedure, agency)
    if Process.objects.filter(procedure=procedure, agency=agency, status=ProcessStatus.DRAFT).exists():
        raise InvalidState(_("A draft process already exists for this procedure and agency: edit that one."))
    names = stage_names or [_("Receive the dossier"), _("Resolve"), _("Return the result")]
    officials = [reception_officials, resolution_officials, return_officials]
    hours_per_stage = short_stage_hours(procedure.processing_minutes)
    return process_build(
        procedure=procedure,
        agency=agency,
        name=name.strip() or _("Short process: %(procedure)s") % {"procedure": procedure.name},
        is_short=True,
        steps=[
            StepSpec(names[index], kind, hours, officials=list(officials[index]))
            for index, ((kind, _share), hours) in enumerate(zip(SHORT_STAGES, hours_per_stage))
        ],
    )


def process_check_editable(process):
    """Refuse to change a frozen (published or retired) version."""
    if process.is_frozen:
        raise InvalidState(
            _("This version is %(status)s and frozen: create a new draft version to change it.")
            % {"status": process.get_status_display().lower()}
        )


__all__ = [
    "StepSpec",
    "process_build",
    "process_check_steps",
    "renumber_steps",
    "step_problems",
    "agencies_for",
    "next_version",
    "process_check_manageable",
    "process_is_manageable",
    "process_manageable_queryset",
    "process_check_create",
    "procedures_for",
    "process_allowance_check",
    "process_allowance_mismatch",
    "process_check_editable",
    "process_create_short",
    "process_new_draft",
    "process_publish",
    "process_queryset_for",
    "short_stage_hours",
]
