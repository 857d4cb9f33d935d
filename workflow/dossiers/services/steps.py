"""Moving a dossier between steps and officials: forward, return for explanation, hand-over, and
reassignment when an official leaves (QT 17.4, 20.1b, 22.2b; QN 12, TN 17.10đ)."""

from django.db import transaction
from django.utils.translation import gettext as _

from catalog.officials.scoping import manages_agency, user_agency_id
from portal.core.names import display_name
from workflow.dossiers import transitions
from workflow.dossiers.services.base import (
    at_minute,
    bump,
    enter_step,
    leave_step,
    lock,
    process_steps,
    record,
    save_files,
    step_after,
)
from workflow.dossiers.services.guards import may_hold, previous_forward
from workflow.errors import ActionNotAllowed, ConcurrentChange, InvalidInput, InvalidState
from workflow.models import Action, Dossier, Status, StepRun
from workflow.models.dossier import OPEN_STATUSES


def _holder_for(step, dossier, to_holder):
    if to_holder is None:
        return None  # the whole group of the step (QT 22.2b)
    if not may_hold(to_holder, step, dossier.agency_id) or not to_holder.is_active:
        raise InvalidInput(
            _("%(name)s cannot hold the step “%(step)s”.") % {"name": display_name(to_holder), "step": step.name}
        )
    return to_holder


@transaction.atomic
def dossier_forward(
    *, actor, dossier_id, revision=None, to_step_id=None, to_holder=None, comment="", files=(), at=None
) -> Dossier:
    """Send the dossier on to the next step, to its group or one named official (QT 17.4, 22.2b)."""
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.FORWARD)
    next_step = step_after(dossier, dossier.current_step)
    if to_step_id is not None:
        candidates = {s.pk: s for s in process_steps(dossier)}
        next_step = candidates.get(int(to_step_id))
        if next_step is None or next_step.sort_order <= dossier.current_step.sort_order:
            raise InvalidInput(_("That step is not a later step of this dossier's process."))
    if next_step is None:
        raise InvalidState(_("This is the last step: record the result instead."))
    holder = _holder_for(next_step, dossier, to_holder)
    from_status, from_step = dossier.status, dossier.current_step
    used = leave_step(dossier, at)
    enter_step(dossier, next_step, holder, at)
    dossier.status = Status.PROCESSING
    bump(dossier)
    documents = save_files(dossier, actor, files)
    record(
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
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.RETURN_PREVIOUS)
    if not comment.strip():
        raise InvalidInput(_("Say what needs explaining."))
    previous = previous_forward(dossier)
    if previous is None or previous.from_step is None:
        raise InvalidState(_("There is no previous step to return to."))
    from_step = dossier.current_step
    used = leave_step(dossier, at)
    # The time from now on counts for the step that sent it forward (QT 20.1b).
    # A revoked sender cannot answer: the dossier then waits for the group of that step.
    sender = previous.actor if previous.actor is not None and previous.actor.is_active else None
    enter_step(dossier, previous.from_step, sender, at)
    bump(dossier)
    record(
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
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
    transitions.check(actor, dossier, Action.HANDOVER)
    if colleague.pk == actor.pk:
        raise InvalidInput(_("Choose another official."))
    if user_agency_id(colleague) != (dossier.current_step.agency_id or dossier.agency_id):
        raise InvalidInput(_("You can only hand over to a colleague of the same unit."))
    holder = _holder_for(dossier.current_step, dossier, colleague)
    step = dossier.current_step
    used = leave_step(dossier, at)
    enter_step(dossier, step, holder, at)
    bump(dossier)
    record(
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
    at = at_minute(at)
    dossier = lock(dossier_id, revision)
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
    if step is not None and not may_hold(to_holder, step, dossier.agency_id):
        raise InvalidInput(
            _("%(name)s cannot hold the step “%(step)s”.") % {"name": display_name(to_holder), "step": step.name}
        )
    used = None
    open_run = StepRun.objects.filter(dossier=dossier, departed_at__isnull=True).exists()
    if step is not None and open_run:
        used = leave_step(dossier, at)
        enter_step(dossier, step, to_holder, at)
    else:  # waiting for the applicant (supplement, payment): the colleague takes it when it comes back
        dossier.current_holder = to_holder
    bump(dossier)
    record(
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
            "from_holder_name": display_name(previous),
            "to_holder": to_holder.pk,
            "to_holder_name": display_name(to_holder),
        },
    )
    return dossier
