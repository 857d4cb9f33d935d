"""Several dossiers at once (QT 17.5), and the reading helpers screens and reports share (QT 20.2, 21)."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.errors import DossierError
from workflow.models import Dossier, Status
from workflow.worktime import WarningLevel, get_calendar


@dataclass
class BulkOutcome:
    done: list
    failed: list  # (dossier code or id, message)


def dossiers_bulk(action, *, actor, items, **kwargs) -> BulkOutcome:
    """Apply one action to several dossiers, each in its own transaction: one failure does not undo the others.

    ``items`` are ``(dossier id, revision)`` pairs: the revision each dossier had when the list was shown. Like a
    single action's form, a repeated or concurrent bulk request acts once; the others are told the dossier
    changed (``ConcurrentChange``), so sending "forward" twice cannot carry a dossier past a step.

    A dossier the actor may not see is "not found" under its id only: its code never leaves its units.
    """
    revisions = dict(items)
    if None in revisions.values():
        raise TypeError("bulk actions need each dossier's revision")
    codes = dict(Dossier.objects.visible_to(actor).filter(pk__in=revisions).values_list("pk", "code"))
    done, failed = [], []
    for dossier_id, revision in revisions.items():
        if dossier_id not in codes:
            continue
        try:
            done.append(action(actor=actor, dossier_id=dossier_id, revision=revision, **kwargs))
        except DossierError as error:
            failed.append((codes[dossier_id], str(error.message)))
    failed += [(dossier_id, _("Dossier not found.")) for dossier_id in revisions if dossier_id not in codes]
    return BulkOutcome(done=done, failed=failed)


def dossier_warning(dossier, now=None):
    """QT 21 colour: overdue / due soon / ok for the whole dossier (open ones only)."""
    if not dossier.is_open or dossier.due_at is None or dossier.status in (Status.SUPPLEMENT, Status.PAYMENT):
        if dossier.status == Status.NEW and dossier.reception_due_at:
            return get_calendar().warning_level(dossier.reception_due_at, now or timezone.now())
        return WarningLevel.OK
    return get_calendar().warning_level(dossier.due_at, now or timezone.now())


def time_by_agency(dossier):
    """Working minutes used per agency (QT 20.2), from the step timers."""
    calendar, now = get_calendar(), timezone.now()
    totals = {}
    for run in dossier.step_runs.select_related("agency"):
        used = run.used_minutes if run.departed_at else calendar.working_minutes_between(run.arrived_at, now)
        totals[run.agency] = totals.get(run.agency, 0) + used
    return totals
