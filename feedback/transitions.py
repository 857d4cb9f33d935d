"""Which handling action is possible on feedback in which status — the one table (QN 17-18, QT 26).

:data:`TRANSITIONS` is read by both sides: every service of :mod:`feedback.services` that changes a status
calls :func:`require` first (the refusal names the status, or the action to take instead), and the officials'
screen (:mod:`feedback.admin_views`) offers exactly :func:`allowed_actions`. Besides the status, assigning and
forwarding need the feedback classified, and forwarding needs an agency already in charge (:func:`refusal`).
"""

from django.utils.translation import gettext as _

from feedback.errors import WrongState
from feedback.models import OPEN_FEEDBACK_STATUSES, FeedbackAction, FeedbackStatus

OPEN = tuple(OPEN_FEEDBACK_STATUSES)
#: With an agency in charge, before the answer.
HANDLED = (FeedbackStatus.ASSIGNED, FeedbackStatus.IN_PROGRESS)

#: action → the statuses in which it is possible.
TRANSITIONS = {
    FeedbackAction.CLASSIFY: OPEN,
    FeedbackAction.ASSIGN: (FeedbackStatus.RECEIVED, FeedbackStatus.CLASSIFIED),
    FeedbackAction.FORWARD: HANDLED,
    FeedbackAction.START: (FeedbackStatus.ASSIGNED,),
    FeedbackAction.UPDATE: HANDLED,
    FeedbackAction.ANSWER: HANDLED,
    FeedbackAction.PUBLISH: (FeedbackStatus.ANSWERED,),
    FeedbackAction.REJECT: OPEN,
}

#: Actions that need the feedback classified first.
NEEDS_CATEGORY = (FeedbackAction.ASSIGN, FeedbackAction.FORWARD)


def _hint(action, status):
    """The refusal that names the action to take instead, where there is one."""
    if action == FeedbackAction.ASSIGN and status in HANDLED:
        return _("The feedback is already assigned; forward it instead.")
    if action == FeedbackAction.FORWARD and status in (FeedbackStatus.RECEIVED, FeedbackStatus.CLASSIFIED):
        return _("Assign the feedback to an agency first.")
    return None


def refusal(feedback, action) -> WrongState | None:
    """Why ``action`` is not possible on ``feedback`` in its current state (the error its service raises), or None."""
    if feedback.status not in TRANSITIONS[action]:
        return WrongState(
            _hint(action, feedback.status)
            or _("This action is not possible while the feedback is “%(status)s”.")
            % {"status": feedback.get_status_display()}
        )
    if action == FeedbackAction.FORWARD and feedback.agency_id is None:
        return WrongState(_("Assign the feedback to an agency first."))
    if action in NEEDS_CATEGORY and feedback.category_id is None:
        return WrongState(_("Classify the feedback before assigning it."))
    return None


def require(feedback, action):
    """Raise :class:`~feedback.errors.WrongState` unless ``action`` is possible on ``feedback`` now."""
    error = refusal(feedback, action)
    if error is not None:
        raise error


def allowed_actions(feedback) -> list[str]:
    """The actions possible on ``feedback`` now, in the order of :data:`TRANSITIONS`."""
    return [action for action in TRANSITIONS if refusal(feedback, action) is None]
