"""The dossier status × action table (statuses: QT 17.6, AG 9; actions: DESIGN §5).

One row per action: the statuses it may be taken in, who may take it, and the state it needs beyond its status
(a next step to forward to, …). Every service checks its action with :func:`check` on the locked row (and refuses
the missing state with its own message, after its input); :func:`workflow.dossiers.selectors.dossier_allowed_actions`
and the citizens' screens ask :func:`permitted`, so the buttons and the API's ``allowed_actions`` are exactly what
the services accept. A new action is a row here, a service, a form and an endpoint (docs/ARCHITECTURE.md).
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.dossiers.services.guards import (
    at_decision_step,
    has_next_step,
    has_previous_step,
    is_applicant,
    may_hold,
    may_hold_result_step,
    require_applicant,
    require_holder,
    require_visible,
    supplement_possible,
)
from workflow.errors import ActionNotAllowed, DossierError, InvalidState
from workflow.models import Action, Status


class Who(StrEnum):
    UNIT = "unit"  # an official of a unit that received or holds the dossier (not a read-only supervisor)
    RECEPTION = "reception"  # ... who may hold its reception step
    HOLDER = "holder"  # the official holding the current step (or its group while nobody holds it)
    RESULT = "result"  # a unit official; at a result step, one of that step's officials
    APPLICANT = "applicant"  # the applicant's own account
    APPLICANT_OR_UNIT = "applicant_or_unit"  # the applicant online, or an officer typing in what they brought


@dataclass(frozen=True)
class Transition:
    statuses: frozenset
    who: Who
    #: statuses in which only the holder may take it (refusing a dossier already received)
    holder_in: frozenset = frozenset()
    #: not on a closed dossier (a withdrawal closed earlier keeps status 7)
    open_only: bool = False
    #: (dossier, now) -> bool: the state the action needs beyond its status (the guard the service calls too)
    requires: Callable | None = None


WORKING = frozenset({Status.RECEIVED, Status.PROCESSING})
IN_PROGRESS = WORKING | {Status.SUPPLEMENT, Status.PAYMENT}
WITHDRAWABLE = IN_PROGRESS | {Status.NEW}

#: The applicant's online request to withdraw (recorded as a WITHDRAW event with status 7); an official then closes
#: the dossier with WITHDRAW. Not an :class:`~workflow.models.Action` of its own.
REQUEST_WITHDRAWAL = "request_withdrawal"

#: action -> the statuses it may be taken in, who may take it, what state it needs.
TRANSITIONS = {
    Action.RECEIVE: Transition(frozenset({Status.NEW}), Who.RECEPTION),
    Action.GUIDE: Transition(frozenset({Status.NEW}), Who.UNIT),
    Action.REFUSE_RECEPTION: Transition(
        frozenset({Status.NEW, Status.RECEIVED}), Who.UNIT, holder_in=frozenset({Status.RECEIVED})
    ),
    Action.FORWARD: Transition(WORKING, Who.HOLDER, requires=lambda dossier, now: has_next_step(dossier)),
    Action.RETURN_PREVIOUS: Transition(
        frozenset({Status.PROCESSING}), Who.HOLDER, requires=lambda dossier, now: has_previous_step(dossier)
    ),
    Action.HANDOVER: Transition(WORKING, Who.HOLDER),
    # After the appointment a supplement needs an apology first (QT 19.3).
    Action.REQUEST_SUPPLEMENT: Transition(WORKING, Who.HOLDER, requires=supplement_possible),
    Action.RESUBMIT: Transition(frozenset({Status.SUPPLEMENT}), Who.APPLICANT_OR_UNIT),
    Action.REQUEST_PAYMENT: Transition(WORKING, Who.HOLDER),
    Action.CONFIRM_PAYMENT: Transition(frozenset({Status.PAYMENT}), Who.UNIT),
    Action.APOLOGIZE: Transition(WORKING, Who.HOLDER),
    Action.STOP: Transition(IN_PROGRESS, Who.HOLDER),
    Action.WITHDRAW: Transition(WITHDRAWABLE | {Status.WITHDRAWAL}, Who.UNIT, open_only=True),
    REQUEST_WITHDRAWAL: Transition(WITHDRAWABLE, Who.APPLICANT),
    Action.RECORD_RESULT: Transition(WORKING, Who.HOLDER, requires=lambda dossier, now: at_decision_step(dossier)),
    Action.RETURN_RESULT: Transition(frozenset({Status.RESOLVED}), Who.RESULT),
}


def check(actor, dossier, action, *, memo=None):
    """Raise the :class:`~workflow.errors.DossierError` the service answers if ``actor`` may not take ``action``
    on ``dossier`` now. Who is checked before the status, so a dossier's state is not told to whoever may not
    act on it. ``memo`` (a dict) caches the guards across the rows of one dossier."""
    rule = TRANSITIONS[action]
    guard = _Guards(actor, dossier, {} if memo is None else memo)
    if rule.who == Who.HOLDER:
        guard("holder", require_holder)
    elif rule.who == Who.APPLICANT:
        guard("applicant", require_applicant)
    elif rule.who != Who.APPLICANT_OR_UNIT:
        guard("visible", require_visible)
    if dossier.status not in rule.statuses:
        raise InvalidState(
            _("This action is not possible while the dossier is “%(status)s”.")
            % {"status": dossier.get_status_display()}
        )
    if rule.open_only and dossier.closed_at:
        raise InvalidState(_("This dossier is already closed."))
    if dossier.status in rule.holder_in:
        guard("holder", require_holder)
    if rule.who == Who.APPLICANT_OR_UNIT and not is_applicant(actor, dossier):
        guard("visible", require_visible)  # an officer types in what the applicant brought to the counter
    if rule.who == Who.RECEPTION and (
        dossier.current_step is None or not may_hold(actor, dossier.current_step, dossier.agency_id)
    ):
        raise ActionNotAllowed(_("You are not in the reception group of this procedure."))
    if rule.who == Who.RESULT and not may_hold_result_step(actor, dossier):
        raise ActionNotAllowed()


def permitted(actor, dossier, action, *, memo=None, now=None) -> bool:
    """Whether the service would take ``action`` (given good input): :func:`check` and the row's ``requires``."""
    rule = TRANSITIONS[action]
    if dossier.status not in rule.statuses:
        return False  # refused either way; the guards (which may query) are not run
    try:
        check(actor, dossier, action, memo=memo)
    except DossierError:
        return False
    return rule.requires is None or rule.requires(dossier, now or timezone.now())


class _Guards:
    """Runs a guard once per dossier and actor: the selector asks every row, a guard may query the step's officials."""

    def __init__(self, actor, dossier, memo):
        self.actor, self.dossier, self.memo = actor, dossier, memo

    def __call__(self, key, function):
        if key not in self.memo:
            try:
                function(self.actor, self.dossier)
                self.memo[key] = None
            except DossierError as error:
                self.memo[key] = error
        if self.memo[key] is not None:
            raise self.memo[key]
