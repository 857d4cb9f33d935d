"""The one base of every domain error (HackSoft's ``ApplicationError``).

A service refuses by raising a subclass; the admin shows ``error.message`` and the API handler
(:mod:`portal.core.api`) answers ``http_status`` with ``{"detail": message, "code": <class name>}``.
Each app keeps its own subclasses (``workflow.errors``, ``eforms.errors``, ``feedback.errors``,
``catalog.officials.errors``) so that callers can catch one app's refusals.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal with a translated message the user can read, an HTTP status and a stable code."""

    default_message = _("The action could not be carried out.")
    http_status = 400

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))

    @property
    def code(self) -> str:
        """Stable machine-readable name of the refusal: the class name (e.g. ``ConcurrentChange``)."""
        return type(self).__name__
