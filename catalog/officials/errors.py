"""Domain errors of back-office account management (catalog.officials.services), mapped to HTTP and admin
messages by their ``http_status`` (portal.core.errors)."""

from django.utils.translation import gettext_lazy as _

from portal.core.errors import DomainError


class AccountError(DomainError):
    """Base of the refusals of account management."""

    default_message = _("The account could not be changed.")


class AccountNotAllowed(AccountError):
    default_message = _("You may not manage this account.")
    http_status = 403


class AccountNotFound(AccountNotAllowed):
    """Not one of the accounts the actor manages: the screens answer 404, as if it did not exist."""

    default_message = _("Account not found.")
    http_status = 404


class InvalidAccountInput(AccountError):
    pass
