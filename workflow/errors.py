"""Domain errors of dossier processing, mapped to HTTP and admin messages in one place each."""
from django.utils.translation import gettext_lazy as _


class DossierError(Exception):
    """Base: carries a translated message the user can read."""

    default_message = _("The action could not be carried out.")
    http_status = 400

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class ActionNotAllowed(DossierError):
    default_message = _("You may not do this with this dossier.")
    http_status = 403


class InvalidState(DossierError):
    default_message = _("This action is not possible in the dossier's current state.")
    http_status = 409


class ConcurrentChange(DossierError):
    default_message = _(
        "Someone else acted on this dossier a moment ago. Reload it to see the change; nothing was saved."
    )
    http_status = 409


class SlipRequired(DossierError):
    default_message = _("This action must carry its slip file (QT 15.3).")


class InvalidInput(DossierError):
    pass
