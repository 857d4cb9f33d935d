"""QT 21: warn the holder and the unit admin when a dossier enters "due soon" or "overdue".

Run every few minutes by huey. Each (dossier, level, reception cycle, recipient)
is notified once: the outbox row itself is the marker, so re-runs and a
consumer restart never send the same warning twice.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.officials.roles import UNIT_ADMIN, holders_q
from workflow import notifications
from workflow.models import Dossier, Notification, NotificationChannel, Status
from workflow.worktime import DAY_MINUTES, WarningLevel, get_calendar


def _recipients(dossier, admins_by_agency):
    users = []
    if dossier.current_holder_id:
        users.append(dossier.current_holder)
    elif dossier.current_step_id:
        users.extend(dossier.current_step.officials.all())
    users.extend(admins_by_agency.get(dossier.agency_id, []))
    return {u.pk: u for u in users if u.email and u.is_active}.values()


def deadline_warnings_send(now=None):
    """Queue warning e-mails for dossiers that reached a warning level; returns how many were queued."""
    now = now or timezone.now()
    soon = get_calendar().add_working_minutes(now, DAY_MINUTES)
    dossiers = list(
        Dossier.objects.filter(
            Q(status__in=[Status.RECEIVED, Status.PROCESSING], due_at__lt=soon)
            | Q(status=Status.NEW, reception_due_at__lt=soon)
        )
        .select_related("procedure", "current_holder", "current_step")
        .prefetch_related("current_step__officials")
    )
    if not dossiers:
        return 0
    User = get_user_model()
    admins_by_agency = {}
    for admin in User.objects.filter(
        holders_q(UNIT_ADMIN), is_active=True, official__agency_id__in={d.agency_id for d in dossiers}
    ).select_related("official"):
        admins_by_agency.setdefault(admin.official.agency_id, []).append(admin)
    already = set(
        Notification.objects.filter(dossier__in=dossiers, kind__startswith="warning_").values_list(
            "dossier_id", "kind", "recipient"
        )
    )
    rows = []
    for dossier in dossiers:
        deadline = dossier.reception_due_at if dossier.status == Status.NEW else dossier.due_at
        level = WarningLevel.OVERDUE if deadline < now else WarningLevel.DUE_SOON
        kind = f"warning_{level}_{dossier.cycle}"
        subject = (
            _("Overdue: dossier %(code)s was due at %(due)s")
            if level == WarningLevel.OVERDUE
            else _("Less than one working day left: dossier %(code)s is due at %(due)s")
        ) % {"code": dossier.code, "due": timezone.localtime(deadline).strftime("%H:%M %d/%m/%Y")}
        for user in _recipients(dossier, admins_by_agency):
            if (dossier.pk, kind, user.email) in already:
                continue
            rows.append(
                Notification(
                    dossier=dossier,
                    channel=NotificationChannel.EMAIL,
                    recipient=user.email,
                    kind=kind,
                    subject=subject,
                    body=f"{subject}\n{dossier.procedure.name}\n{dossier.applicant_name}",
                )
            )
    with transaction.atomic():
        notifications.write(rows)
    return len(rows)
