"""Applicant notifications by the channel they chose (QT 16.4; QN 13.2b e-mail + SMS).

Messages are written to the outbox in the action's transaction and sent by a
huey task after commit; a message already marked sent is never sent again,
so a retried or re-run task cannot notify twice.
"""
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from .models import Notification, NotificationChannel

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


#: Notices that carry the one-time rating link (QT 24.1; feedback.ratings).
RATING_KINDS = ("result_ready", "returned")


def _context(dossier, **extra):
    appointment = timezone.localtime(dossier.appointment_at).strftime("%H:%M %d/%m/%Y") if dossier.appointment_at else ""
    context = {"dossier": dossier, "code": dossier.code, "appointment": appointment,
               "lookup_url": f"{settings.WAGTAILADMIN_BASE_URL}/tra-cuu/?code={dossier.code}", **extra}
    if extra.get("kind") in RATING_KINDS:
        from feedback.ratings import rating_public_url, rating_secret

        context.update(rating_url=rating_public_url(dossier), rating_secret=rating_secret(dossier.code))
    return context


def queue(dossier, kind, **extra):
    """Write the outbox rows for one event; the send is scheduled after commit."""
    context = _context(dossier, kind=kind, **extra)
    subject = str(SUBJECTS[kind]) % context
    body = render_to_string("workflow/notifications/message.txt", {**context, "subject": subject}).strip()
    rows = []
    if dossier.applicant_email:
        rows.append(Notification(dossier=dossier, channel=NotificationChannel.EMAIL, recipient=dossier.applicant_email,
                                 kind=kind, subject=subject, body=body))
    if dossier.applicant_phone:
        rows.append(Notification(dossier=dossier, channel=NotificationChannel.SMS, recipient=dossier.applicant_phone,
                                 kind=kind, subject="", body=" ".join(filter(None, [f"{subject}.", context["lookup_url"],
                                                                     context.get("rating_url")]))))
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk]
    if not ids:  # backends that do not return ids from bulk_create
        ids = list(Notification.objects.filter(dossier=dossier, kind=kind, sent_at__isnull=True).values_list("pk", flat=True))
    transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids):
    from .tasks import send_notification

    for pk in ids:
        send_notification(pk)


def sms_backend():
    return import_string(getattr(settings, "SMS_BACKEND", "workflow.sms.ConsoleSmsBackend"))()


@transaction.atomic
def deliver(notification_id):
    """Send one outbox row once. Locks the row so two workers cannot both send it."""
    notification = Notification.objects.select_for_update().filter(pk=notification_id, sent_at__isnull=True).first()
    if notification is None:
        return False
    notification.attempts += 1
    try:
        if notification.channel == NotificationChannel.EMAIL:
            send_mail(notification.subject, notification.body, None, [notification.recipient])
        else:
            sms_backend().send(notification.recipient, notification.body)
    except Exception as error:  # noqa: BLE001 - recorded, retried by the periodic task
        notification.last_error = str(error)[:2000]
        notification.save(update_fields=["attempts", "last_error"])
        raise
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["attempts", "sent_at", "last_error"])
    return True
