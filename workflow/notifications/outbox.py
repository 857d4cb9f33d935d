"""Applicant notifications by the channel they chose (QT 16.4; QN 13.2b e-mail + SMS).

Messages are written to the outbox (:class:`workflow.models.Notification`) in the action's transaction and a
huey task is queued after commit. Delivery of one row (:func:`deliver`):

1. *claim* -- one short transaction: a conditional UPDATE takes the row if it is not sent and nobody holds a
   live claim, with a fresh token and a lease (``NOTIFICATION_SEND_LEASE``, default 5 minutes); committed.
2. *send* -- outside any transaction (no lock is held while the mail server or SMS gateway answers).
3. *mark sent* -- committed right after the send returns.

A task run twice, by two workers or after a retry, sends once: the second claim fails. A worker killed during
the send leaves a claim that lapses; :func:`requeue_stuck` (the periodic task
``workflow.tasks.resend_unsent_notifications``) queues such rows again -- huey itself does not: a task taken off
the queue by a consumer that dies is gone. The one window left is a kill after the gateway accepted the message
and before the "sent" mark commits: then the message goes out again, with the same idempotency key (the
e-mail's Message-ID). Delivery is therefore at least once, and exactly once unless the worker dies in that
window of milliseconds.
"""

import uuid
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from portal.core.formatting import format_time_date
from portal.core.links import absolute_url
from workflow.models import Notification, NotificationChannel

# Lazy: translated when a message is written (in the language active then), not once at import.
SUBJECTS = {
    "submitted": gettext_lazy("Dossier %(code)s submitted"),
    "received": gettext_lazy("Dossier %(code)s received – appointment %(appointment)s"),
    "guidance": gettext_lazy("Dossier %(code)s: please complete your dossier"),
    "not_accepted": gettext_lazy("Dossier %(code)s was not accepted"),
    "supplement": gettext_lazy("Dossier %(code)s: documents to add"),
    "payment": gettext_lazy("Dossier %(code)s: fees to pay"),
    "apology": gettext_lazy("Dossier %(code)s: new appointment"),
    "stopped": gettext_lazy("Dossier %(code)s: processing stopped"),
    "withdrawn": gettext_lazy("Dossier %(code)s withdrawn"),
    "result_ready": gettext_lazy("Dossier %(code)s: the result is ready"),
    "returned": gettext_lazy("Dossier %(code)s: result delivered"),
}


#: kind -> functions(dossier) returning extra message context. Higher layers register here (feedback adds the
#: one-time rating link to the result notices, QT 24.1) so that this module never imports them.
_CONTEXT_BUILDERS: dict[str, list] = {}


def register_context(kinds, builder):
    """Add ``builder(dossier) -> dict`` to the context of the notices of ``kinds`` (called from an app's ``ready``)."""
    for kind in kinds:
        if builder not in _CONTEXT_BUILDERS.setdefault(kind, []):
            _CONTEXT_BUILDERS[kind].append(builder)


def _context(dossier, **extra):
    context = {
        "dossier": dossier,
        "code": dossier.code,
        "appointment": format_time_date(dossier.appointment_at),
        "lookup_url": absolute_url(reverse("lookup"), {"code": dossier.code}),
        **extra,
    }
    for builder in _CONTEXT_BUILDERS.get(extra.get("kind"), ()):
        context.update(builder(dossier))
    return context


def queue(dossier, kind, **extra):
    """Write the outbox rows for one event; the send is scheduled after commit."""
    context = _context(dossier, kind=kind, **extra)
    subject = str(SUBJECTS[kind]) % context
    body = render_to_string("workflow/notifications/message.txt", {**context, "subject": subject}).strip()
    rows = []
    if dossier.applicant_email:
        rows.append(
            Notification(
                dossier=dossier,
                channel=NotificationChannel.EMAIL,
                recipient=dossier.applicant_email,
                kind=kind,
                subject=subject,
                body=body,
            )
        )
    if dossier.applicant_phone:
        rows.append(
            Notification(
                dossier=dossier,
                channel=NotificationChannel.SMS,
                recipient=dossier.applicant_phone,
                kind=kind,
                subject="",
                body=" ".join(filter(None, [f"{subject}.", context["lookup_url"], context.get("rating_url")])),
            )
        )
    write(rows)


def write(rows):
    """Write outbox rows in the caller's transaction; each is sent once that transaction commits.

    The one way rows enter the outbox (dossier notices, feedback mails, deadline warnings, late lists). A row
    whose send task is lost is queued again by :func:`requeue_stuck`. Returns the saved rows."""
    created = Notification.objects.bulk_create(rows)  # PostgreSQL and SQLite >= 3.35 return the ids
    enqueue_on_commit(row.pk for row in created if row.pk)  # older SQLite: requeue_stuck sends them
    return created


def enqueue(ids):
    """Queue the send task of each outbox row now (rows already committed)."""
    from workflow.tasks import send_notification

    for pk in ids:
        send_notification(pk)


def enqueue_on_commit(ids):
    """Queue the sends once the caller's transaction commits: a rolled-back change sends nothing."""
    ids = list(ids)
    transaction.on_commit(lambda: enqueue(ids))


def sms_backend():
    return import_string(getattr(settings, "SMS_BACKEND", "workflow.notifications.sms.ConsoleSmsBackend"))()


#: Unsent rows are given up after this many attempts (each claim counts one); see ``last_error``.
MAX_ATTEMPTS = 10


def send_lease():
    """How long a claim holds: longer than any send can take (the SMTP connection times out after
    ``EMAIL_TIMEOUT``), so a live worker's message is never taken over."""
    return getattr(settings, "NOTIFICATION_SEND_LEASE", timedelta(minutes=5))


def message_id(notification):
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{notification.idempotency_key}@{domain}>"


def _claim(notification_id):
    """Take the row for one send attempt; returns the claim token, or None if it is sent or being sent."""
    now = timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        claimed = (
            Notification.objects.filter(pk=notification_id, sent_at__isnull=True)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .update(claimed_until=now + send_lease(), claim_token=token, attempts=F("attempts") + 1)
        )
    return token if claimed else None


def _send(notification):
    if notification.channel == NotificationChannel.EMAIL:
        EmailMessage(
            notification.subject,
            notification.body,
            None,
            [notification.recipient],
            headers={"Message-ID": message_id(notification)},
        ).send()
    else:
        sms_backend().send(notification.recipient, notification.body)


def deliver(notification_id):
    """Send one outbox row once (see the module docstring); True if this call sent it."""
    token = _claim(notification_id)
    if token is None:
        return False
    notification = Notification.objects.get(pk=notification_id)
    try:
        _send(notification)
    except Exception as error:  # noqa: BLE001 - recorded and released for huey's retry / the periodic sweep
        Notification.objects.filter(pk=notification_id, claim_token=token).update(
            claimed_until=None, claim_token=None, last_error=str(error)[:2000]
        )
        raise
    Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(
        sent_at=timezone.now(), claimed_until=None, claim_token=None, last_error=""
    )
    return True


def requeue_stuck(*, grace=timedelta(minutes=5), limit=500):
    """Queue again the rows that should have gone out by now: claims that lapsed (the worker died mid-send) and
    rows never claimed ``grace`` after they were written (their task was lost with a dead consumer, or failed
    all its retries). A row already queued or being sent is harmless to queue again: only one claim wins.
    Returns the ids queued."""
    now = timezone.now()
    ids = list(
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_until__lte=now) | Q(claimed_until__isnull=True, created_at__lte=now - grace))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    enqueue(ids)
    return ids
