"""Feedback handling (phản ánh, kiến nghị): one function per change (QN 17-18, TN 15, QT 26).

Each write follows the workflow services' shape, in one transaction: lock the
row, check the actor's scope and the state (:mod:`feedback.transitions`), change it, append an immutable
:class:`FeedbackEvent` (who, unit, when, from → to), queue the e-mails in the
outbox. Deadlines are counted with the working-time engine:

* answer due = the close (17:00 by default) of the ``FEEDBACK_ANSWER_WORKING_DAYS``-th
  working day (15, QN 18.1 "15 ngày làm việc kể từ ngày nhận được"; Thái Nguyên 10,
  TN 15.2 "10 ngày làm việc kể từ ngày tiếp nhận") counted from the day after the
  calendar day on which the feedback arrived: the day of receipt itself is not
  counted (Civil Code 2015 Art. 147.1, "ngày đầu tiên của thời hạn không được
  tính"), whatever the hour and whether or not it is a working day; a period in
  days ends at the end of its last day (Art. 148), here the close of that working
  day's last session. Received Monday 5/1/2026 at 10:00 or at 16:59: due Monday
  26/1 17:00; received Saturday 3/1: counted from Monday 5/1, due Friday 23/1 17:00;
* while overdue, a progress update is due every ``FEEDBACK_UPDATE_WORKING_DAYS``
  (5) working days, the first 5 working days after the deadline, the next 5
  working days after the last update; the sender sees every update; when an
  update due time passes without an update, the agency and the feedback's
  handlers get a "progress update missed" reminder, once per missed due time;
* once answered, the answer is published within ``FEEDBACK_PUBLISH_WORKING_DAYS``
  (2) working days (QN 18.2).
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.officials.scoping import sees_all_units, user_agency_id, visible_agency_ids
from feedback import notify, transitions
from feedback.errors import InvalidFeedback, NotAllowed, StaleForm
from feedback.models import (
    OPEN_FEEDBACK_STATUSES,
    Feedback,
    FeedbackAction,
    FeedbackAttachment,
    FeedbackCategory,
    FeedbackChannel,
    FeedbackEvent,
    FeedbackReminder,
    FeedbackStatus,
    ReminderKind,
)
from portal.core.formatting import format_time_date
from portal.core.names import display_name
from portal.core.uploads import validate_upload
from workflow.worktime import DAY_MINUTES, get_calendar

MAX_SUBJECT = 255
MAX_CONTENT = 10_000
MAX_ANSWER = 20_000
MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
#: Many links in a short text is the usual shape of spam.
MAX_LINKS = 5
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


def answer_days() -> int:
    return int(getattr(settings, "FEEDBACK_ANSWER_WORKING_DAYS", 15))


def update_days() -> int:
    return int(getattr(settings, "FEEDBACK_UPDATE_WORKING_DAYS", 5))


def publish_days() -> int:
    return int(getattr(settings, "FEEDBACK_PUBLISH_WORKING_DAYS", 2))


def due_soon_days() -> int:
    return int(getattr(settings, "FEEDBACK_DUE_SOON_WORKING_DAYS", 2))


@dataclass
class Sender:
    name: str
    email: str = ""
    phone: str = ""
    address: str = ""


@dataclass
class Attachment:
    name: str
    content: object  # a Django File / UploadedFile


# --- helpers -----------------------------------------------------------------------------------------------


def _now(at=None):
    return (at or timezone.now()).replace(second=0, microsecond=0)


def can_handle_feedback(user) -> bool:
    """Officials of a unit and the centre/supervisors."""
    return bool(user and user.is_authenticated and (sees_all_units(user) or user_agency_id(user)))


def _lock(actor, feedback_id, revision=None) -> Feedback:
    if not can_handle_feedback(actor):
        raise NotAllowed()
    try:
        feedback = Feedback.objects.select_for_update().visible_to(actor).get(pk=feedback_id)
    except Feedback.DoesNotExist:
        raise NotAllowed(_("Feedback not found.")) from None
    if revision is not None and int(revision) != feedback.revision:
        raise StaleForm()
    return feedback


def _record(feedback, action, actor, at, *, from_status, from_agency_id=None, comment="", is_public=False):
    official = getattr(actor, "official", None) if actor is not None and actor.is_authenticated else None
    return FeedbackEvent.objects.create(
        feedback=feedback,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=display_name(actor) if actor is not None and actor.is_authenticated else feedback.sender_name,
        actor_agency_id=official.agency_id if official else None,
        at=at,
        from_status=from_status,
        to_status=feedback.status,
        from_agency_id=from_agency_id,
        to_agency_id=feedback.agency_id,
        comment=comment,
        is_public=is_public,
    )


def _save(feedback):
    feedback.revision += 1
    feedback.save()


def _clean_text(value, label, max_length, *, required=True):
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise InvalidFeedback(_("%(field)s is required.") % {"field": label})
    if len(value) > max_length:
        raise InvalidFeedback(
            _("%(field)s is too long (at most %(max)d characters).") % {"field": label, "max": max_length}
        )
    return value


def _check_spam(*texts):
    if sum(len(_LINK.findall(t)) for t in texts) > MAX_LINKS:
        raise InvalidFeedback(_("Too many links in the text. Describe the problem in words."))


def _clean_attachments(attachments):
    attachments = list(attachments or [])
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidFeedback(_("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS})
    for item in attachments:
        size = getattr(item.content, "size", 0) or 0
        if size > MAX_ATTACHMENT_BYTES:
            raise InvalidFeedback(_("Each file may be at most 5 MB."))
        try:
            validate_upload(item.content)
        except ValidationError as error:
            raise InvalidFeedback(" ".join(error.messages)) from None
    return attachments


def answer_due(arrived_at):
    """QN 18.1 / TN 15.2: the close of the N-th working day after the day the feedback arrived (module docstring)."""
    calendar = get_calendar()
    return calendar.close_of_working_day_after(calendar.local_date(arrived_at), answer_days())


def _first_update_due(due_at):
    return get_calendar().add_working_days(due_at, update_days())


def _create(
    *,
    channel,
    sender,
    subject,
    content,
    dossier_code,
    procedure,
    agency,
    category,
    attachments,
    received_at,
    arrived_at,
    entered_by,
):
    sender_name = _clean_text(sender.name, _("Name"), 255)
    subject = _clean_text(subject, _("Subject"), MAX_SUBJECT)
    content = _clean_text(content, _("Content"), MAX_CONTENT)
    _check_spam(subject, content)
    email = (sender.email or "").strip()[:254]
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            raise InvalidFeedback(_("Enter a valid e-mail address.")) from None
    phone = (sender.phone or "").strip()[:20]
    if channel == FeedbackChannel.ONLINE and not (email or phone):
        raise InvalidFeedback(_("Give an e-mail address or a phone number so that we can answer you."))
    attachments = _clean_attachments(attachments)
    due_at = answer_due(arrived_at)
    feedback = Feedback.objects.create(
        channel=channel,
        sender_name=sender_name,
        sender_email=email,
        sender_phone=phone,
        sender_address=(sender.address or "").strip()[:500],
        subject=subject,
        content=content,
        dossier_code=(dossier_code or "").strip().upper()[:40],
        procedure=procedure,
        suggested_agency=agency,
        agency=agency if entered_by is not None else None,
        category=category,
        status=FeedbackStatus.CLASSIFIED if category else FeedbackStatus.RECEIVED,
        received_at=received_at,
        due_at=due_at,
        next_update_due_at=_first_update_due(due_at),
        entered_by=entered_by,
    )
    for item in attachments:
        attachment = FeedbackAttachment(feedback=feedback, name=str(item.name)[:255])
        attachment.file.save(str(item.name)[-100:], item.content, save=False)
        attachment.save()
    return feedback


# --- intake ----------------------------------------------------------------------------------------------


@transaction.atomic
def feedback_submit(
    *, sender: Sender, subject, content, dossier_code="", procedure=None, agency=None, attachments=(), at=None
) -> Feedback:
    """Online form (QT 26.1). The clock starts at reception (outside working time: the next session)."""
    at = _now(at)
    received_at = get_calendar().next_working_moment(at)
    feedback = _create(
        channel=FeedbackChannel.ONLINE,
        sender=sender,
        subject=subject,
        content=content,
        dossier_code=dossier_code,
        procedure=procedure,
        agency=agency,
        category=None,
        attachments=attachments,
        received_at=received_at,
        arrived_at=at,
        entered_by=None,
    )
    _record(feedback, FeedbackAction.SUBMIT, None, at, from_status="", is_public=True)
    notify.to_sender(feedback, "received", _("Feedback %(code)s received") % {"code": feedback.tracking_code})
    return feedback


@transaction.atomic
def feedback_enter(
    *,
    actor,
    channel,
    sender: Sender,
    subject,
    content,
    received_at=None,
    dossier_code="",
    procedure=None,
    agency=None,
    category=None,
    attachments=(),
    at=None,
) -> Feedback:
    """An official types in feedback received by letter, phone, fax or e-mail (QN 17.3b).

    An agency official's entry belongs to their unit; the centre may name any agency or none.
    """
    at = _now(at)
    if not can_handle_feedback(actor):
        raise NotAllowed()
    if channel not in FeedbackChannel.values or channel == FeedbackChannel.ONLINE:
        raise InvalidFeedback(_("Choose how the feedback was received: letter, phone, fax or e-mail."))
    received_at = _now(received_at) if received_at else at
    if received_at > at:
        raise InvalidFeedback(_("The reception date cannot be in the future."))
    if not sees_all_units(actor):
        agency_id = user_agency_id(actor)
        if agency is not None and agency.pk != agency_id:
            raise NotAllowed(_("You can enter feedback only for your own unit."))
        from catalog.models import Agency

        agency = Agency.objects.get(pk=agency_id)
    feedback = _create(
        channel=channel,
        sender=sender,
        subject=subject,
        content=content,
        dossier_code=dossier_code,
        procedure=procedure,
        agency=agency,
        category=category,
        attachments=attachments,
        received_at=get_calendar().next_working_moment(received_at),
        arrived_at=received_at,
        entered_by=actor,
    )
    _record(
        feedback,
        FeedbackAction.ENTER,
        actor,
        at,
        from_status="",
        comment=_("Received by %(channel)s") % {"channel": feedback.get_channel_display()},
        is_public=True,
    )
    notify.to_sender(feedback, "received", _("Feedback %(code)s received") % {"code": feedback.tracking_code})
    return feedback


# --- handling ----------------------------------------------------------------------------------------------


@transaction.atomic
def feedback_classify(*, actor, feedback_id, category: FeedbackCategory, revision=None, at=None) -> Feedback:
    at = _now(at)
    feedback = _lock(actor, feedback_id, revision)
    transitions.require(feedback, FeedbackAction.CLASSIFY)
    if category is None or not category.is_active:
        raise InvalidFeedback(_("Choose a category."))
    from_status = feedback.status
    feedback.category = category
    if feedback.status == FeedbackStatus.RECEIVED:
        feedback.status = FeedbackStatus.CLASSIFIED
    _save(feedback)
    _record(
        feedback,
        FeedbackAction.CLASSIFY,
        actor,
        at,
        from_status=from_status,
        from_agency_id=feedback.agency_id,
        comment=category.name,
    )
    return feedback


def _assign(actor, feedback_id, agency, comment, revision, at, forward):
    at = _now(at)
    feedback = _lock(actor, feedback_id, revision)
    transitions.require(feedback, FeedbackAction.FORWARD if forward else FeedbackAction.ASSIGN)
    if agency is None or not agency.is_active:
        raise InvalidFeedback(_("Choose the responsible agency."))
    if forward:
        if agency.pk == feedback.agency_id:
            raise InvalidFeedback(_("Choose another agency to forward to."))
        if not comment.strip():
            raise InvalidFeedback(_("Say why the feedback is forwarded."))
    from_status, from_agency_id = feedback.status, feedback.agency_id
    feedback.agency = agency
    feedback.status = FeedbackStatus.ASSIGNED
    _save(feedback)
    _record(
        feedback,
        FeedbackAction.FORWARD if forward else FeedbackAction.ASSIGN,
        actor,
        at,
        from_status=from_status,
        from_agency_id=from_agency_id,
        comment=comment.strip(),
    )
    notify.to_officials(
        notify.agency_recipients(agency.pk),
        "assigned",
        _("Feedback %(code)s assigned to your unit") % {"code": feedback.tracking_code},
        feedback,
    )
    return feedback


@transaction.atomic
def feedback_assign(*, actor, feedback_id, agency, comment="", revision=None, at=None) -> Feedback:
    """Send classified feedback to the responsible agency (QN 17.2). The deadline still counts from reception."""
    return _assign(actor, feedback_id, agency, comment, revision, at, forward=False)


@transaction.atomic
def feedback_forward(*, actor, feedback_id, agency, comment, revision=None, at=None) -> Feedback:
    """The responsible agency (or the centre) passes the feedback to another agency, with the reason."""
    return _assign(actor, feedback_id, agency, comment, revision, at, forward=True)


@transaction.atomic
def feedback_start(*, actor, feedback_id, revision=None, at=None) -> Feedback:
    at = _now(at)
    feedback = _lock(actor, feedback_id, revision)
    transitions.require(feedback, FeedbackAction.START)
    feedback.status = FeedbackStatus.IN_PROGRESS
    _save(feedback)
    _record(
        feedback,
        FeedbackAction.START,
        actor,
        at,
        from_status=FeedbackStatus.ASSIGNED,
        from_agency_id=feedback.agency_id,
        is_public=True,
    )
    return feedback


def next_update_due(feedback, update_at):
    """QN 18.1: after the deadline, an update every N working days from the later of the deadline and the last update."""  # noqa: E501
    base = max(feedback.due_at, update_at)
    return get_calendar().add_working_days(base, update_days())


@transaction.atomic
def feedback_post_update(*, actor, feedback_id, text, revision=None, at=None) -> Feedback:
    """A progress update the sender sees (required every 5 working days while overdue)."""
    at = _now(at)
    feedback = _lock(actor, feedback_id, revision)
    transitions.require(feedback, FeedbackAction.UPDATE)
    text = _clean_text(text, _("Progress update"), MAX_CONTENT)
    from_status = feedback.status
    feedback.status = FeedbackStatus.IN_PROGRESS
    feedback.last_update_at = at
    feedback.next_update_due_at = next_update_due(feedback, at)
    _save(feedback)
    _record(
        feedback,
        FeedbackAction.UPDATE,
        actor,
        at,
        from_status=from_status,
        from_agency_id=feedback.agency_id,
        comment=text,
        is_public=True,
    )
    notify.to_sender(
        feedback, "update", _("Feedback %(code)s: progress update") % {"code": feedback.tracking_code}, text=text
    )
    return feedback


@transaction.atomic
def feedback_answer(*, actor, feedback_id, answer, revision=None, at=None) -> Feedback:
    """Record the answer; it is sent to the sender now and must be published within 2 working days (QN 18.2)."""
    at = _now(at)
    feedback = _lock(actor, feedback_id, revision)
    transitions.require(feedback, FeedbackAction.ANSWER)
    answer = _clean_text(answer, _("Answer"), MAX_ANSWER)
    from_status = feedback.status
    feedback.status = FeedbackStatus.ANSWERED
    feedback.answer = answer
    feedback.answered_at = at
    feedback.answered_by = actor
    feedback.publish_due_at = get_calendar().add_working_days(at, publish_days())
    feedback.next_update_due_at = None
    _save(feedback)
    _record(
        feedback,
        FeedbackAction.ANSWER,
        actor,
        at,
        from_status=from_status,
        from_agency_id=feedback.agency_id,
        is_public=True,
    )
    notify.to_sender(feedback, "answer", _("Feedback %(code)s: answer") % {"code": feedback.tracking_code}, text=answer)
    return feedback


@transaction.atomic
def feedback_publish(
    *, actor, feedback_id, public_subject, public_content, answer=None, revision=None, at=None
) -> Feedback:
    """Publish the answer on the public page; the official writes the public version without personal data."""
    at = _now(at)
    feedback = _lock(actor, feedback_id, revision)
    transitions.require(feedback, FeedbackAction.PUBLISH)
    feedback.public_subject = _clean_text(public_subject, _("Public subject"), MAX_SUBJECT)
    feedback.public_content = _clean_text(public_content, _("Public summary"), MAX_CONTENT)
    if answer is not None:
        feedback.answer = _clean_text(answer, _("Answer"), MAX_ANSWER)
    feedback.status = FeedbackStatus.PUBLISHED
    feedback.published_at = at
    _save(feedback)
    _record(
        feedback,
        FeedbackAction.PUBLISH,
        actor,
        at,
        from_status=FeedbackStatus.ANSWERED,
        from_agency_id=feedback.agency_id,
        is_public=True,
    )
    return feedback


def published_on_time(feedback) -> bool | None:
    """QN 18.2: published no later than 2 working days after the answer (None while not answered)."""
    if feedback.answered_at is None:
        return None
    due = feedback.publish_due_at or get_calendar().add_working_days(feedback.answered_at, publish_days())
    if feedback.published_at is None:
        return None
    return feedback.published_at <= due


@transaction.atomic
def feedback_reject(*, actor, feedback_id, reason, revision=None, at=None) -> Feedback:
    """Out of scope, e.g. a complaint or denunciation (QT 26.2): closed with the reason, the sender is told."""
    at = _now(at)
    feedback = _lock(actor, feedback_id, revision)
    transitions.require(feedback, FeedbackAction.REJECT)
    reason = _clean_text(reason, _("Reason"), MAX_CONTENT)
    from_status = feedback.status
    feedback.status = FeedbackStatus.REJECTED
    feedback.rejection_reason = reason
    feedback.next_update_due_at = None
    _save(feedback)
    _record(
        feedback,
        FeedbackAction.REJECT,
        actor,
        at,
        from_status=from_status,
        from_agency_id=feedback.agency_id,
        comment=reason,
        is_public=True,
    )
    notify.to_sender(
        feedback,
        "rejected",
        _("Feedback %(code)s is outside what this channel handles") % {"code": feedback.tracking_code},
        text=reason,
    )
    return feedback


# --- reminders (periodic) ------------------------------------------------------------------------------------


def _remind_once(feedback, kind, seq, at, send, update_due_at=None):
    """Record the reminder and send it, or do nothing if it was already recorded (by an earlier or parallel run)."""
    try:
        with transaction.atomic():
            reminder = FeedbackReminder.objects.create(
                feedback=feedback, kind=kind, seq=seq, sent_at=at, update_due_at=update_due_at
            )
            recipients = send()
            reminder.recipients = ", ".join(recipients)
            reminder.save(update_fields=["recipients"])
    except IntegrityError:
        return False
    return True


def missed_update(feedback, now, calendar=None):
    """The latest progress-update due time passed without an update, and its number, or None (QN 18.1).

    While the answer is overdue an update is due every N working days from
    ``next_update_due_at`` on (the series restarts at each update). A due time
    is missed once ``now`` is past it; of several missed since the last run
    only the latest is returned (like the overdue reminders).
    """
    first = feedback.next_update_due_at
    if first is None or feedback.status not in OPEN_FEEDBACK_STATUSES or now <= first:
        return None
    calendar = calendar or get_calendar()
    period = update_days() * DAY_MINUTES
    seq = calendar.working_minutes_between(first, now) // period
    due = calendar.add_working_minutes(first, seq * period) if seq else first
    if due >= now:  # ``now`` is that due time's working moment but not yet past it
        seq -= 1
        due = calendar.add_working_minutes(first, seq * period) if seq else first
    return due, seq


def _deadline_reminder(feedback, now, calendar, period):
    """(kind, seq, subject) of the deadline reminder the feedback is due for now."""
    if feedback.status == FeedbackStatus.ANSWERED:
        return (
            ReminderKind.UNPUBLISHED,
            0,
            _("Feedback %(code)s: answer not yet published") % {"code": feedback.tracking_code},
        )
    if feedback.due_at < now:  # at the due time itself the answer is still on time
        return (
            ReminderKind.OVERDUE,
            calendar.working_minutes_between(feedback.due_at, now) // period,
            _("Overdue: feedback %(code)s was due at %(due)s")
            % {"code": feedback.tracking_code, "due": format_time_date(feedback.due_at)},
        )
    return (
        ReminderKind.DUE_SOON,
        0,
        _("Feedback %(code)s: answer due at %(due)s")
        % {"code": feedback.tracking_code, "due": format_time_date(feedback.due_at)},
    )


def feedback_send_reminders(now=None) -> int:
    """Periodic (huey): e-mail the assigned agency when an answer is due within 2 working days, when it becomes
    overdue and every 5 working days while overdue; e-mail the agency and the feedback's handlers when a
    progress update due while overdue (every 5 working days) passes without one; e-mail the centre about
    answers unpublished 2 working days after they were given. Each (feedback, kind, seq) — for a missed
    update, each (feedback, update due time) — is sent once: re-runs send nothing new.
    """
    now = _now(now)
    calendar = get_calendar()
    soon = calendar.add_working_days(now, due_soon_days())
    period = update_days() * DAY_MINUTES
    candidates = list(
        Feedback.objects.filter(
            Q(status__in=OPEN_FEEDBACK_STATUSES, due_at__lte=soon)
            | Q(status=FeedbackStatus.ANSWERED, publish_due_at__lte=now)
        ).select_related("agency")
    )
    if not candidates:
        return 0
    sent_before = set(
        FeedbackReminder.objects.filter(feedback__in=candidates)
        .exclude(kind=ReminderKind.UPDATE_MISSED)
        .values_list("feedback_id", "kind", "seq")
    )
    missed_before = set(
        FeedbackReminder.objects.filter(feedback__in=candidates, kind=ReminderKind.UPDATE_MISSED).values_list(
            "feedback_id", "update_due_at"
        )
    )
    centre = None
    sent = 0
    for feedback in candidates:
        if feedback.agency_id is None:
            if centre is None:
                centre = notify.centre_recipients()
            told = centre
        else:
            told = notify.agency_recipients(feedback.agency_id)
        kind, seq, subject = _deadline_reminder(feedback, now, calendar, period)
        if (feedback.pk, kind, seq) not in sent_before:
            if kind == ReminderKind.UNPUBLISHED:
                if centre is None:
                    centre = notify.centre_recipients()
                recipients = centre
            else:
                recipients = told

            def send(recipients=recipients, kind=kind, subject=subject, feedback=feedback, seq=seq):
                return notify.to_officials(recipients, f"reminder_{kind}", subject, feedback, reminder=kind, seq=seq)

            if _remind_once(feedback, kind, seq, now, send):
                sent += 1
        missed = missed_update(feedback, now, calendar)
        if missed is None or (feedback.pk, missed[0]) in missed_before:
            continue
        update_due, seq = missed
        subject = _("Progress update missed: feedback %(code)s needed a progress update by %(due)s") % {
            "code": feedback.tracking_code,
            "due": format_time_date(update_due),
        }
        recipients = [*told, *notify.handler_recipients(feedback)]

        def send_missed(recipients=recipients, subject=subject, feedback=feedback, seq=seq):
            kind = ReminderKind.UPDATE_MISSED
            return notify.to_officials(recipients, f"reminder_{kind}", subject, feedback, reminder=kind, seq=seq)

        if _remind_once(feedback, ReminderKind.UPDATE_MISSED, seq, now, send_missed, update_due_at=update_due):
            sent += 1
    return sent


__all__ = [
    "Attachment",
    "Sender",
    "can_handle_feedback",
    "feedback_answer",
    "feedback_assign",
    "feedback_classify",
    "feedback_enter",
    "feedback_forward",
    "feedback_post_update",
    "feedback_publish",
    "feedback_reject",
    "feedback_send_reminders",
    "feedback_start",
    "feedback_submit",
    "answer_due",
    "next_update_due",
    "published_on_time",
    "visible_agency_ids",
]
