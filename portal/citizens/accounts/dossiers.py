"""What a citizen sees of their own dossiers: plain-word history, their files, deadline colours.

Officials' internal moves (forward, return for explanation, hand-over,
reassignment) are shown only as "being processed at <step>", never with the
officials' comments, names or the files they exchanged.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from portal.templatetags.portal_tags import vnd
from workflow.models import Action, DocumentKind, Dossier, Status
from workflow.worktime import WarningLevel

#: Officials' moves between and within steps: shown without comment or files.
INTERNAL_ACTIONS = frozenset({Action.FORWARD, Action.RETURN_PREVIOUS, Action.HANDOVER, Action.REASSIGN})
#: Actions whose comment is addressed to the applicant (it is also in the notice they received).
COMMENT_TO_APPLICANT = frozenset(
    {
        Action.GUIDE,
        Action.REFUSE_RECEPTION,
        Action.REQUEST_SUPPLEMENT,
        Action.REQUEST_PAYMENT,
        Action.APOLOGIZE,
        Action.STOP,
    }
)


def my_dossiers(user):
    return Dossier.objects.filter(applicant_user=user).select_related("procedure", "agency")


# --- deadline colours (QT 21), computed once per request ------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    now: datetime

    @classmethod
    def at(cls, now=None):
        now = (now or timezone.now()).replace(second=0, microsecond=0)
        return cls(now=now)

    def warning(self, dossier) -> str:
        """overdue / ok — what the citizen is told: only that the appointment they were given has passed.

        The officials' deadline colours (the reception deadline of a new dossier, "less than one working day
        left") are the agency's business: a dossier just submitted shows its plain status, no warning.
        """
        if dossier.status not in (Status.RECEIVED, Status.PROCESSING) or dossier.due_at is None:
            return WarningLevel.OK.value
        return WarningLevel.OVERDUE.value if dossier.due_at < self.now else WarningLevel.OK.value


WARNING_TEXT = {WarningLevel.OVERDUE.value: _lazy("Past the appointment date")}


# --- history in plain words ----------------------------------------------------------------------


@dataclass
class HistoryEntry:
    at: datetime
    text: str
    comment: str = ""
    documents: list = field(default_factory=list)


def _when(value):
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def _step_place(event, dossier):
    step = event.to_step
    if step is None:
        return _("Your dossier is being processed.")
    agency = step.agency if step.agency_id and step.agency_id != dossier.agency_id else None
    if agency is not None:
        return _("Your dossier is being processed at “%(step)s” (%(agency)s).") % {
            "step": step.name,
            "agency": agency.name,
        }
    return _("Your dossier is being processed at “%(step)s”.") % {"step": step.name}


def _sentence(event, dossier, applicant_id):
    agency = event.actor_agency.name if event.actor_agency_id else dossier.agency.name
    by_applicant = event.actor_id is not None and event.actor_id == applicant_id
    action = event.action
    data = event.data or {}
    if action in INTERNAL_ACTIONS:
        return _step_place(event, dossier)
    if action == Action.SUBMIT:
        return _("You submitted the dossier online.")
    if action == Action.RECEIVE:
        return _("%(agency)s received your dossier.") % {"agency": agency}
    if action == Action.GUIDE:
        return _("%(agency)s asked you to complete the dossier.") % {"agency": agency}
    if action == Action.REFUSE_RECEPTION:
        return _("Your dossier was not accepted.")
    if action == Action.REQUEST_SUPPLEMENT:
        return _("%(agency)s asked you to add documents.") % {"agency": agency}
    if action == Action.RESUBMIT:
        return (
            _("You sent the additional documents.") if by_applicant else _("The additional documents were handed in.")
        )
    if action == Action.REQUEST_PAYMENT:
        if data.get("amount"):
            return _("Fees of %(amount)s are due.") % {"amount": vnd(data["amount"])}
        return _("Fees are due.")
    if action == Action.CONFIRM_PAYMENT:
        return _("Your payment was received.")
    if action == Action.APOLOGIZE:
        new = data.get("new_appointment")
        new = _when(datetime.fromisoformat(new)) if new else ""
        return _("%(agency)s apologised for the delay. New appointment: %(date)s.") % {"agency": agency, "date": new}
    if action == Action.STOP:
        return _("Processing was stopped.")
    if action == Action.WITHDRAW:
        if data.get("requested_by_applicant"):
            return _("You asked to withdraw the dossier.")
        return _("The dossier was withdrawn at your request.")
    if action == Action.RECORD_RESULT:
        return _("The result is ready.")
    if action == Action.RETURN_RESULT:
        method = data.get("method")
        if method == "post":
            number = data.get("consignment_number") or ""
            return _("The result was sent to you by post (consignment number %(number)s).") % {"number": number}
        if method == "online":
            return _("The result was delivered to you online.")
        return _("The result was handed to you at the counter.")
    return event.get_action_display()


def _comment(event, applicant_id):
    if event.action in COMMENT_TO_APPLICANT:
        return event.comment
    if event.action in (Action.RESUBMIT, Action.WITHDRAW) and event.actor_id == applicant_id:
        return event.comment  # the applicant's own words
    return ""


@dataclass
class DossierView:
    dossier: Dossier
    history: list
    documents: list
    request_event: object = None  # the latest guidance / supplement request, while status 5
    payment_amount: int | None = None


def dossier_view(dossier: Dossier) -> DossierView:
    """History in plain words and the files the applicant may download, from a fixed number of queries."""
    applicant_id = dossier.applicant_user_id
    events = list(
        dossier.events.select_related("to_step", "to_step__agency", "actor_agency").prefetch_related("documents")
    )
    documents = list(dossier.documents.all())
    public_ids, internal_ids = set(), set()
    for event in events:
        target = internal_ids if event.action in INTERNAL_ACTIONS else public_ids
        target.update(document.pk for document in event.documents.all())

    def visible(document):
        if applicant_id and document.uploaded_by_id == applicant_id:
            return True
        if document.pk in public_ids:
            return True
        return document.kind in (DocumentKind.RESULT, DocumentKind.SLIP) and document.pk not in internal_ids

    visible_docs = [document for document in documents if visible(document)]
    visible_ids = {document.pk for document in visible_docs}
    history = []
    for event in events:
        text = _sentence(event, dossier, applicant_id)
        entry_docs = [d for d in event.documents.all() if d.pk in visible_ids and event.action not in INTERNAL_ACTIONS]
        if event.action in INTERNAL_ACTIONS and history and history[-1].text == text:
            continue  # a hand-over at the same step changes nothing for the applicant
        history.append(
            HistoryEntry(at=event.at, text=text, comment=_comment(event, applicant_id), documents=entry_docs)
        )
    request_event = None
    if dossier.status == Status.SUPPLEMENT:
        request_event = next(
            (e for e in reversed(events) if e.action in (Action.GUIDE, Action.REQUEST_SUPPLEMENT)), None
        )
    payment_amount = None
    if dossier.status == Status.PAYMENT:
        payment = next((e for e in reversed(events) if e.action == Action.REQUEST_PAYMENT), None)
        payment_amount = (payment.data or {}).get("amount") if payment else None
    return DossierView(
        dossier=dossier,
        history=history,
        documents=visible_docs,
        request_event=request_event,
        payment_amount=payment_amount,
    )


def visible_document(dossier: Dossier, document_id: int):
    """One downloadable file of the dossier for its applicant, or None."""
    return next((d for d in dossier_view(dossier).documents if d.pk == int(document_id)), None)
