"""Domain errors of dossier processing, mapped to HTTP and admin messages in one place each."""

from django.utils.translation import gettext_lazy as _

from portal.core.errors import DomainError


class DossierError(DomainError):
    """Base of the refusals of dossier and process services."""


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
