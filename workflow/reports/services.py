"""Writes of the reporting side: the monthly late list (AG 32.10, BN 16.9).

``late_list_publish(month=...)`` publishes a closed month's list (default: the
previous month), computed from the report engine grouped by agency and by
official, and notifies the supervisors once per month. A published list is never
replaced (DESIGN §8): publishing again returns it as it was, and a later
recomputation that differs is stored as a revision beside it
(:mod:`workflow.reports.snapshots`, which keeps the list's published figures).
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Agency, Official
from catalog.officials.roles import SUPERVISOR, holders_q
from workflow import notifications
from workflow.models import LateList, LateListEntry, LateListKind, Notification, NotificationChannel
from workflow.reports.figures import report
from workflow.reports.periods import Period


def late_list_entries(period, now):
    """The list's entries for ``period`` as computed now (unsaved), and the number of agencies with dossiers."""
    by_agency = report(period=period, group_by="agency", now=now)
    by_official = report(period=period, group_by="official", now=now)
    agency_names = dict(Agency.objects.values_list("pk", "name"))
    officials = {
        o.user_id: o
        for o in Official.objects.filter(user_id__in=[r.key for r in by_official.rows if r.key]).select_related("user")
    }
    entries = []
    for kind, rows in ((LateListKind.AGENCY, by_agency.rows), (LateListKind.OFFICIAL, by_official.rows)):
        for row in rows:
            if not row.late_total or row.key is None:
                continue
            if kind == LateListKind.AGENCY:
                agency_id, name, position, user_id = row.key, row.label, "", None
            else:
                official = officials.get(row.key)
                if official is None:  # an account that is no longer an official: not published by name
                    continue
                agency_id, name, position, user_id = official.agency_id, row.label, official.position, row.key
            entries.append(
                LateListEntry(
                    kind=kind,
                    agency_id=agency_id,
                    user_id=user_id,
                    name=name,
                    agency_name=agency_names.get(agency_id, ""),
                    position=position,
                    resolved=row.resolved,
                    late_resolved=row.late,
                    overdue=row.overdue,
                    late=row.late_total,
                    share=row.late_share or 0,
                )
            )
    return entries, sum(1 for row in by_agency.rows if row.received)


@transaction.atomic
def late_list_store(period, now) -> LateList:
    """The month's stored list: created with its entries the first time, never recomputed afterwards."""
    late_list, created = LateList.objects.select_for_update().get_or_create(
        month=period.first, defaults={"computed_at": now, "published_at": now}
    )
    if created:
        entries, late_list.agencies_total = late_list_entries(period, now)
        for entry in entries:
            entry.late_list = late_list
        LateListEntry.objects.bulk_create(entries)
        late_list.save(update_fields=["agencies_total"])
    return late_list


def late_list_publish(*, month: date | None = None, now=None, notify=True, by=None) -> LateList:
    """Publish the list for the closed ``month`` (default: the previous month); an existing list is kept."""
    from workflow.models import FigureKind
    from workflow.reports.snapshots import publish  # builds on this module

    now = now or timezone.now()
    period = Period.month(month.year, month.month) if month else Period.previous_month(timezone.localdate(now))
    publish(FigureKind.LATE_LIST, period, now=now, by=by)
    late_list = LateList.objects.get(month=period.first)
    if notify:
        _notify_supervisors(late_list, list(late_list.entries.all()))
    return late_list


def supervisors():
    perm = Permission.objects.filter(codename="view_all_units", content_type__app_label="catalog").first()
    condition = holders_q(SUPERVISOR)
    if perm is not None:
        condition |= Q(groups__permissions=perm) | Q(user_permissions=perm)
    return get_user_model().objects.filter(condition, is_active=True).exclude(email="").distinct()


def _notify_supervisors(late_list, entries):
    """One e-mail per supervisor and month: the outbox row is the marker, so re-runs do not resend."""
    kind = f"late_list_{late_list.month:%Y_%m}"
    already = set(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))
    agencies = sum(1 for e in entries if e.kind == LateListKind.AGENCY)
    officials = len(entries) - agencies
    subject = _("Late list for %(month)s: %(agencies)d agencies, %(officials)d officials") % {
        "month": f"{late_list.month:%m/%Y}",
        "agencies": agencies,
        "officials": officials,
    }
    lines = [subject, ""] + [f"- {e.name} ({e.agency_name}): {e.late}" for e in entries]
    rows = [
        Notification(
            channel=NotificationChannel.EMAIL,
            recipient=user.email,
            kind=kind,
            subject=subject[:255],
            body="\n".join(lines),
        )
        for user in supervisors()
        if user.email not in already
    ]
    notifications.write(rows)
    return len(rows)
