"""Who may act on a dossier (its units, the holder of its step) and the state preconditions of the actions.

Public: the services call them through :mod:`workflow.dossiers.transitions`, and the "allowed actions" selector
calls the same functions, so a button is shown exactly when the service would accept it."""

from django.utils.translation import gettext as _

from catalog.officials import roles
from catalog.officials.scoping import acting_agency_ids, user_agency_id, visible_agency_ids
from workflow.dossiers.services.base import past_due, process_steps
from workflow.errors import ActionNotAllowed
from workflow.models import Action, StepKind


def require_visible(actor, dossier):
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


def may_hold(actor, step, agency_id):
    """Who may act at a step (DESIGN §5.3): its listed officials; when none is listed, the officials of the
    step's group (``holder_role``) in the step's unit — not every official of the unit."""
    if actor.is_superuser:
        return True
    listed = list(step.officials.values_list("pk", flat=True))
    if listed:
        return actor.pk in listed
    if user_agency_id(actor) != (step.agency_id or agency_id):
        return False
    return roles.holds_role(actor, step.holder_role)


def require_holder(actor, dossier):
    """Only the official holding the current step (or its group while unassigned) acts on it."""
    require_visible(actor, dossier)
    if actor.is_superuser:
        return
    if dossier.current_holder_id:
        if dossier.current_holder_id != actor.pk:
            raise ActionNotAllowed(_("Only the official holding this dossier can act on it now."))
        return
    if dossier.current_step is None or not may_hold(actor, dossier.current_step, dossier.agency_id):
        raise ActionNotAllowed()


def require_applicant(actor, dossier):
    """The dossier's own applicant account (a citizen acting online on their dossier)."""
    if not is_applicant(actor, dossier):
        raise ActionNotAllowed(_("Dossier not found."))


def is_applicant(actor, dossier) -> bool:
    return actor is not None and actor.is_authenticated and actor.pk == dossier.applicant_user_id


def may_hold_result_step(actor, dossier) -> bool:
    """At a result step (the one-stop counter hands results out) only its officials return the result."""
    step = dossier.current_step
    return (
        step is None or step.kind != StepKind.RESULT or actor.is_superuser or may_hold(actor, step, dossier.agency_id)
    )


# --- state preconditions ---------------------------------------------------------------------------
# Read from the dossier as given (the selector passes one with its process steps and events prefetched).


def has_next_step(dossier) -> bool:
    return bool(steps_after(dossier))


def previous_forward(dossier):
    """The last FORWARD event into the current step (what return-previous goes back to), or None."""
    forwards = [
        e for e in dossier.events.all() if e.action == Action.FORWARD and e.to_step_id == dossier.current_step_id
    ]
    return max(forwards, key=lambda e: (e.at, e.pk)) if forwards else None


def has_previous_step(dossier) -> bool:
    forward = previous_forward(dossier)
    return forward is not None and forward.from_step_id is not None


def steps_after(dossier):
    step = dossier.current_step
    if step is None:
        return []
    return [s for s in process_steps(dossier) if s.sort_order > step.sort_order]


def at_decision_step(dossier) -> bool:
    """Only result steps (handing out) remain after the current one: the result can be recorded."""
    return dossier.current_step is not None and all(s.kind == StepKind.RESULT for s in steps_after(dossier))


def supplement_possible(dossier, at) -> bool:
    """After the due time a supplement needs an apology first (QT 19.3b); an apology of this cycle makes the
    dossier count as late (``counts_as_late``, reset by a new reception)."""
    return not (past_due(dossier, at) and not dossier.counts_as_late)
