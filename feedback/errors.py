"""Domain errors of feedback and ratings.

They subclass :class:`portal.core.errors.DomainError`, so the one API exception
handler (:mod:`portal.core.api`) maps them to ``{"detail", "code"}`` with
their ``http_status``, and the admin shows their message.
"""

from django.utils.translation import gettext_lazy as _

from portal.core.errors import DomainError


class FeedbackError(DomainError):
    pass


class NotAllowed(FeedbackError):
    default_message = _("You may not do this with this feedback.")
    http_status = 403


class WrongState(FeedbackError):
    default_message = _("This action is not possible in the feedback's current state.")
    http_status = 409


class StaleForm(FeedbackError):
    default_message = _("Someone else changed this feedback a moment ago. Reload it; nothing was saved.")
    http_status = 409


class InvalidFeedback(FeedbackError):
    pass


class RatingRefused(FeedbackError):
    """Unknown code or wrong secret: one message for both, so the answer never tells whether a code exists."""

    default_message = _("The dossier code and the rating secret do not match. Check both in the result notice.")
    http_status = 403


class NotRatableYet(FeedbackError):
    default_message = _("This dossier can be rated once its result is ready or returned.")
    http_status = 409


class AlreadyRated(FeedbackError):
    default_message = _(
        "This dossier has already been rated. Each dossier code can be used to rate only once; "
        "the first rating is kept."
    )
    http_status = 409
