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

from catalog.models import Agency, Official, Procedure
from catalog.officials import roles
from catalog.officials.scoping import ALL, visible_agency_ids
from portal.core.formatting import format_number
from portal.core.names import display_name
from workflow.errors import ActionNotAllowed, InvalidInput, InvalidState
from workflow.models import Process, ProcessStatus, ProcessStep, StepKind
from workflow.models.process import holder_role_for

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
    # Whether the unit implements the procedure is a rule of the process itself: process_review.


# --- reads used by the designer screens ------------------------------------------------------------


def next_version(procedure, agency) -> int:
    """The version number a new process of ``procedure`` at ``agency`` gets (versions are never reused)."""
    latest = Process.objects.filter(procedure=procedure, agency=agency).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


def version_for_draft(draft, procedure, agency) -> int:
    """The version a draft has once saved for ``procedure`` at ``agency``: its own, unless it is new or moved to
    another procedure or agency, where it takes that pair's next version (versions are never reused)."""
    moved = (draft.procedure_id, draft.agency_id) != (procedure.pk, getattr(agency, "pk", None))
    if draft.pk is None or moved:
        return next_version(procedure, agency)
    return draft.version


def hours_text(minutes) -> str:
    """Working minutes as hours the Vietnamese way (``36``, ``2,4``)."""
    return format_number((Decimal(int(minutes)) / 60).quantize(Decimal("0.01")))


def process_allowance_check(process):
    """(sum of the steps' allowances, the procedure's processing time), both in working minutes."""
    review = process_review_of(process)
    return review.steps_minutes, review.expected_minutes


def process_allowance_mismatch(process) -> bool:
    return process_review_of(process).allowance_mismatch


# --- designer rules (QT 22) -------------------------------------------------------------------------
# The one place they are written: process_review checks a whole process — its steps, their kinds, agencies,
# holders, and their allowances against the procedure's processing time. The designer's form puts its findings
# on its fields; building (the short-process shortcut, the demo loader, the load seed), copying for a unit and
# publishing refuse what it refuses (process_build, process_copy_for_unit, process_publish).


@dataclass
class StepSpec:
    """A step to build or check: what the designer's step form holds."""

    name: str
    kind: str
    allowance_hours: Decimal | None
    agency: Agency | None = None
    officials: list = field(default_factory=list)
    holder_role: str = ""  # the group holding the step; "" = the kind's (workflow.models.process.holder_role_for)
    position: str = ""

    @classmethod
    def of(cls, step):
        """The spec of a saved step (its officials as prefetched)."""
        return cls(
            name=step.name,
            kind=step.kind,
            allowance_hours=step.allowance_hours,
            agency=step.agency,
            officials=list(step.officials.all()),
            holder_role=step.holder_role,
            position=step.position,
        )

    @property
    def allowance_minutes(self) -> int:
        return int(self.allowance_hours * 60) if self.allowance_hours is not None else 0


def step_problems(*, kind, agency, process_agency, officials=()) -> dict[str, str]:
    """What is wrong with a step's agency and holders, by form field ("agency", "officials"); empty when fine.

    An inter-agency hand-off step (QT 20.2) names the other agency that handles it and is then held by that
    agency's officials: its group there (``holder_role`` at ``agency``) or officials of that agency by name.
    """
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
    not_officials = [user for user in officials if getattr(user, "official", None) is None]
    outsiders = [
        user
        for user in officials
        if unit is not None and user not in not_officials and user.official.agency_id != unit.pk
    ]
    if not_officials:
        problems["officials"] = _("Only officials can hold a step: %(names)s.") % {
            "names": ", ".join(display_name(u) for u in not_officials)
        }
    elif outsiders:  # without a unit (a procedure-wide default process) any unit's officials may hold it
        problems["officials"] = _("Only officials of %(unit)s can hold this step: %(names)s.") % {
            "unit": unit.name,
            "names": ", ".join(display_name(u) for u in outsiders),
        }
    return problems


def _step_field_problems(spec) -> dict[str, str]:
    """The rules of a step's own fields: a name, a kind, a group that holds steps, an allowance of 0 or more."""
    problems = {}
    if not (spec.name or "").strip():
        problems["name"] = _("Give the step a name.")
    if spec.kind not in StepKind.values:
        problems["kind"] = _("Choose the step's kind.")
    if spec.holder_role and spec.holder_role not in roles.STEP_ROLES:
        problems["holder_role"] = _("Choose one of the groups that hold steps.")
    if spec.allowance_hours is None:
        problems["allowance_hours"] = _("Every step needs a time allowance.")
    elif spec.allowance_hours < 0:
        problems["allowance_hours"] = _("The allowance cannot be negative.")
    return problems


@dataclass
class ProcessReview:
    """What :func:`process_review` found: ``errors`` refuse the process, ``warnings`` are shown with it.

    ``errors`` maps a step's index (in the order given) to its problems by field; the key ``None`` holds the
    problems of the whole process (by field too: "steps", "agency").
    """

    errors: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    steps_minutes: int = 0
    expected_minutes: int | None = None
    step_names: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def allowance_over(self) -> bool:
        return self.expected_minutes is not None and self.steps_minutes > self.expected_minutes

    @property
    def allowance_mismatch(self) -> bool:
        return self.expected_minutes is not None and self.steps_minutes != self.expected_minutes

    def messages(self) -> list[str]:
        """Every error as one sentence (naming its step), the whole process's first."""
        found = list(self.errors.get(None, {}).values())
        for index in sorted(key for key in self.errors if key is not None):
            name = self.step_names[index] if index < len(self.step_names) else str(index + 1)
            problems = "; ".join(self.errors[index].values())
            found.append(_("Step “%(step)s”: %(problem)s") % {"step": name, "problem": problems})
        return found

    def refuse(self):
        """Raise :class:`InvalidInput` with every error, if there is any."""
        if self.errors:
            raise InvalidInput(" ".join(self.messages()))


def _groups_present(unit_ids, role_codes) -> set:
    """The (agency id, role code) pairs having at least one active official (one query)."""
    if not unit_ids or not role_codes:
        return set()
    return set(
        Official.objects.filter(
            agency_id__in=unit_ids, user__is_active=True, user__groups__role__code__in=role_codes
        ).values_list("agency_id", "user__groups__role__code")
    )


def process_review(*, procedure, agency, steps) -> ProcessReview:
    """Check a whole process (QT 22): the one function every way of building, copying or publishing one calls.

    ``steps`` are :class:`StepSpec` in their order. Errors (the process is refused): no step; a step without a
    name, a kind, or an allowance of 0 or more working hours, or held by a group that holds no steps; a hand-off
    step without the other agency, another agency on a step that is no hand-off, a hand-off to the process's own
    agency; a named holder who is no official, or an official of another unit than the step's
    (:func:`step_problems`); a unit's process for a procedure the unit does not implement. Warnings (shown, not
    refused): the steps' allowances do not add up to the procedure's processing time (QT 20.1: the steps share
    it); a step held by a group in which its unit has no official (nobody could take its dossiers).
    """
    review = ProcessReview(step_names=[spec.name for spec in steps])
    whole = {}
    if not steps:
        whole["steps"] = _("A process needs at least one step.")
    if procedure is not None and agency is not None and not procedure.agencies.filter(pk=agency.pk).exists():
        whole["agency"] = _("%(agency)s does not implement this procedure.") % {"agency": agency.name}
    if whole:
        review.errors[None] = whole
    for index, spec in enumerate(steps):
        problems = _step_field_problems(spec)
        held = step_problems(kind=spec.kind, agency=spec.agency, process_agency=agency, officials=spec.officials)
        for name, message in held.items():
            problems.setdefault(name, message)
        if problems:
            review.errors[index] = problems
    review.steps_minutes = sum(spec.allowance_minutes for spec in steps)
    if procedure is not None:
        review.expected_minutes = procedure.processing_minutes
        if review.allowance_mismatch:
            review.warnings.append(
                _(
                    "The steps' allowances add up to %(steps)s working hours, but the procedure's processing time "
                    "is %(expected)s working hours. Adjust the steps so that they share the whole processing time."
                )
                % {"steps": hours_text(review.steps_minutes), "expected": hours_text(review.expected_minutes)}
            )
    # A step no one names is held by its group in the step's unit (unknown for a default process's own steps:
    # the receiving unit's).
    by_group = [
        (spec, spec.agency or agency, spec.holder_role or holder_role_for(spec.kind))
        for spec in steps
        if not spec.officials and (spec.agency or agency) is not None and spec.kind in StepKind.values
    ]
    present = _groups_present({unit.pk for _s, unit, _r in by_group}, {role for _s, _u, role in by_group})
    for spec, unit, role in by_group:
        if (unit.pk, role) not in present:
            review.warnings.append(
                _(
                    "Step “%(step)s”: no official of %(unit)s is in the group “%(group)s”, so nobody could take "
                    "its dossiers. Add officials to the group or name the officials who hold the step."
                )
                % {"step": spec.name, "unit": unit.name, "group": roles.LABELS.get(role, role)}
            )
    return review


def process_review_of(process, steps=None) -> ProcessReview:
    """:func:`process_review` of a saved process (``steps``: its steps already read with their agency and
    officials, sparing the queries)."""
    if steps is None:
        steps = process.steps.select_related("agency").prefetch_related("officials__official")
    return process_review(procedure=process.procedure, agency=process.agency, steps=[StepSpec.of(s) for s in steps])


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
    :func:`process_review` refuses what the designer's form refuses.
    """
    process_review(procedure=procedure, agency=agency, steps=steps).refuse()
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
            position=spec.position,
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
    """Publish a draft: it is frozen from now on and the previously published version is retired.

    Refused when :func:`process_review` finds an error; its warnings (allowances that do not add up to the
    processing time) are the screen's to show."""
    process = _locked(process_id)
    _require_manageable(actor, process)
    if process.status != ProcessStatus.DRAFT:
        raise InvalidState(
            _("Only a draft can be published; this version is already %(status)s.")
            % {"status": process.get_status_display().lower()}
        )
    process_review_of(process).refuse()
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


@transaction.atomic
def process_copy_for_unit(*, actor, process_id, agency) -> Process:
    """A draft process of ``agency`` copied from the province's default process of the procedure (``agency``
    empty), steps, groups, allowances and hand-offs included, in one action: the unit then adjusts and
    publishes it; until then its dossiers keep following the default.

    The actor must see the default process and may create processes for ``agency`` (a unit admin: their own
    unit, which implements the procedure); a unit with a draft of the procedure already edits that one.
    Officials named in the default process who are not of the step's unit are left out — the step is then held
    by its group — and listed in the copy's ``left_out`` (step name → names) for the screen to say so. The copy
    is checked by :func:`process_review` like any process (a hand-off to the unit itself is refused).
    """
    source = _locked(process_id)
    if not process_queryset_for(actor).filter(pk=source.pk).exists():
        raise ActionNotAllowed(_("Process not found."))
    if source.agency_id is not None:
        raise InvalidState(
            _("Only a procedure's default process is copied for a unit; this one already belongs to %(agency)s.")
            % {"agency": source.agency.name}
        )
    if agency is None:
        raise InvalidInput(_("Choose the unit the copy is for."))
    process_check_create(actor, source.procedure, agency)
    existing = Process.objects.filter(
        procedure_id=source.procedure_id, agency=agency, status=ProcessStatus.DRAFT
    ).first()
    if existing is not None:
        raise InvalidState(
            _("%(agency)s already has a draft of this process (version %(version)s): edit that one.")
            % {"agency": agency.name, "version": existing.version}
        )
    steps = list(source.steps.select_related("agency").prefetch_related("officials__official"))
    specs, left_out = [], {}
    for step in steps:
        spec = StepSpec.of(step)
        unit = spec.agency or agency
        kept = [u for u in spec.officials if getattr(getattr(u, "official", None), "agency_id", None) == unit.pk]
        if len(kept) != len(spec.officials):
            left_out[spec.name] = [display_name(u) for u in spec.officials if u not in kept]
            spec.officials = kept
        specs.append(spec)
    draft = process_build(
        procedure=source.procedure, agency=agency, name=source.name, is_short=source.is_short, steps=specs
    )
    draft.left_out = left_out
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
    "ProcessReview",
    "hours_text",
    "process_copy_for_unit",
    "process_review",
    "process_review_of",
    "version_for_draft",
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
