"""QT 21: warn the holder and the unit admin when a dossier enters "due soon" or "overdue".

Run every few minutes by huey. Each (dossier, level, reception cycle, recipient)
is notified once: the outbox row itself is the marker, so re-runs and a
consumer restart never send the same warning twice.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.officials.roles import UNIT_ADMIN, holders_q
from portal.core.formatting import format_time_date
from workflow import notifications
from workflow.models import Dossier, Notification, NotificationChannel, Status
from workflow.worktime import DAY_MINUTES, WarningLevel, get_calendar


def _recipients(dossier, admins_by_agency, groups):
    users = []
    if dossier.current_holder_id:
        users.append(dossier.current_holder)
    elif dossier.current_step_id:
        step = dossier.current_step
        # The step's named officials, else its group in its unit (the officials who may pick it up, DESIGN §5.3).
        users.extend(step.officials.all() or groups.get((step.agency_id or dossier.agency_id, step.holder_role), []))
    users.extend(admins_by_agency.get(dossier.agency_id, []))
    return {u.pk: u for u in users if u.email and u.is_active}.values()


def _group_members(dossiers):
    """``(agency id, role code) -> officials`` for the unassigned dossiers at a step that names nobody."""
    wanted = {
        (d.current_step.agency_id or d.agency_id, d.current_step.holder_role)
        for d in dossiers
        if not d.current_holder_id and d.current_step_id and not d.current_step.officials.all()
    }
    if not wanted:
        return {}
    members = {}
    users = (
        get_user_model()
        .objects.filter(
            holders_q(*{role for _agency, role in wanted}),
            is_active=True,
            official__agency_id__in={agency for agency, _role in wanted},
        )
        .annotate(role_code=F("groups__role__code"), agency_id=F("official__agency_id"))
    )
    for user in users:
        if (user.agency_id, user.role_code) in wanted:
            members.setdefault((user.agency_id, user.role_code), []).append(user)
    return members


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
    groups = _group_members(dossiers)
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
        ) % {"code": dossier.code, "due": format_time_date(deadline)}
        for user in _recipients(dossier, admins_by_agency, groups):
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
