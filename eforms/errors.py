"""Domain errors of the e-form builder, raised by models and services and mapped to HTTP by the views."""

from django.utils.translation import gettext_lazy as _

from portal.core.errors import DomainError


class EFormError(DomainError):
    """Base class; ``str(error)`` is a translated message fit for the admin."""

    default_message = _("The e-form operation failed.")


class VersionFrozen(EFormError):
    """A published or retired version never changes: edit a new draft instead."""

    default_message = _("This version has been published and can no longer be changed. Create a new draft to edit it.")

    def __init__(self, version=None):
        super().__init__()
        self.version = version


class NotADraft(EFormError):
    default_message = _("Only a draft version can be published.")


class DraftExists(EFormError):
    default_message = _("This form already has a draft version.")

    def __init__(self, draft):
        super().__init__()
        self.draft = draft


class NothingToCopy(EFormError):
    default_message = _("This form has no version to copy.")


class InvalidDefinition(EFormError):
    """The form cannot be published as it is; ``problems`` lists what to fix."""

    default_message = _("The form cannot be published until these problems are fixed.")

    def __init__(self, problems, message=None):
        super().__init__(message)
        self.problems = list(problems)


class NotAllowed(EFormError):
    default_message = _("You cannot manage the forms of this procedure.")


class NoPublishedVersion(EFormError):
    default_message = _("This form is not open for online submission at the moment.")


class SubmissionRefused(EFormError):
    """The final submit could not go through; ``str(error)`` says why."""

    default_message = _("The dossier could not be submitted.")
