"""E-mails about feedback, written to the workflow outbox (``workflow.Notification``) in the caller's transaction.

The outbox sends each row once, after commit, via huey (see
:mod:`workflow.notifications.outbox`); feedback rows have no dossier and a ``kind``
starting with ``feedback_``.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from catalog.officials.roles import LEADER, SUPERVISOR, UNIT_ADMIN, holders_q
from portal.core.links import absolute_url
from workflow import notifications
from workflow.models import Notification, NotificationChannel


def _queue(recipients, kind, subject, body):
    rows = [
        Notification(
            channel=NotificationChannel.EMAIL, recipient=email, kind=kind, subject=str(subject)[:255], body=body
        )
        for email in sorted(set(filter(None, recipients)))
    ]
    if not rows:
        return []
    notifications.write(rows)
    return [row.recipient for row in rows]


def lookup_url(feedback):
    return absolute_url(reverse("feedback:lookup"), {"code": feedback.tracking_code})


def to_sender(feedback, kind, subject, **context):
    """The sender hears of reception, each progress update, the answer and a rejection (QN 18)."""
    if not feedback.sender_email:
        return []
    body = render_to_string(
        "feedback/email/sender.txt",
        {"feedback": feedback, "subject": subject, "lookup_url": lookup_url(feedback), **context},
    ).strip()
    return _queue([feedback.sender_email], f"feedback_{kind}", subject, body)


def agency_recipients(agency_id):
    """The agency's public mailbox plus its unit admins and leaders."""
    from catalog.models import Agency

    User = get_user_model()
    emails = list(Agency.objects.filter(pk=agency_id).exclude(email="").values_list("email", flat=True))
    emails += list(
        User.objects.filter(holders_q(UNIT_ADMIN, LEADER), is_active=True, official__agency_id=agency_id)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return emails


def handler_recipients(feedback):
    """The officials handling the feedback: who started it or posted a progress update for its current agency."""
    from feedback.models import FeedbackAction, FeedbackEvent

    User = get_user_model()
    if feedback.agency_id is None:
        return []
    actors = FeedbackEvent.objects.filter(
        feedback=feedback,
        action__in=[FeedbackAction.START, FeedbackAction.UPDATE],
        actor_agency_id=feedback.agency_id,
    ).values("actor_id")
    return list(
        User.objects.filter(is_active=True, official__agency_id=feedback.agency_id, pk__in=actors)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def centre_recipients():
    """``FEEDBACK_CENTRE_EMAILS`` if set, else supervisors (the provincial service centre, QN 17.4)."""
    configured = getattr(settings, "FEEDBACK_CENTRE_EMAILS", None)
    if configured:
        return list(configured)
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True)
        .filter(
            holders_q(SUPERVISOR)
            | Q(user_permissions__codename="view_all_units")
            | Q(groups__permissions__codename="view_all_units")
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def to_officials(recipients, kind, subject, feedback, **context):
    body = render_to_string(
        "feedback/email/official.txt",
        {
            "feedback": feedback,
            "subject": subject,
            "admin_url": absolute_url(reverse("feedback_admin:detail", args=[feedback.pk])),
            **context,
        },
    ).strip()
    return _queue(recipients, f"feedback_{kind}", subject, body)
