"""Reception cycles derived from a dossier's event log: the facts reports count (DESIGN §5.5, §8).

:func:`derive` is a pure function of the events (and the working calendar), so the facts of a dossier are the
same whether they are written action by action (:func:`refresh`, called by every service in its transaction) or
rebuilt later from the log (:func:`rebuild`, ``manage.py report_facts --rebuild``). What happened after a
moment never changes what the facts say about it:

* a cycle starts at a reception (QT 18.1) or at a resubmission after a supplement request (QT 19.3a) — at the
  event's *effective* moment (QT 18.2: outside working time, the start of the next session);
* it ends with a returned result (QT 19.2: the result, a refusal, a stop, the return for supplement), classified
  early / on time / late at that moment, or with the applicant's withdrawal (not classified);
* ``overdue_since`` is the first moment it counts as overdue: one working minute past the due time (early /
  on time / late compare working minutes, so a result at 13:00 for a due time of 11:30 is on time), or an
  apology (QT 19.1). While the clock waits for the applicant before the due time it cannot become overdue, and
  a resumed clock's new due time is always in the future: each change only sets a moment not before itself,
  which is why the stored value answers "was it overdue at the end of that month?" for every past month.

Because an action only writes moments not before itself, a closed month's figures can change only when facts
of that month are written again (a rebuild, the bulk loader, a back-dated record). Those writers call
:func:`past_facts_changed`; :func:`facts_version` is the key under which the reports remember closed months.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from workflow.models import (
    OPEN_UNTIL,
    RESOLVING,
    Action,
    CycleEnding,
    CyclePause,
    Dossier,
    DossierEvent,
    ReceptionCycle,
    Status,
    Timeliness,
)
from workflow.worktime import get_calendar

#: QN 13.2a: 8 working hours to receive (or answer) an online submission.
RECEPTION_MINUTES = 8 * 60

ENDINGS = {
    Action.RECORD_RESULT: CycleEnding.RESULT,
    Action.STOP: CycleEnding.STOPPED,
    Action.REQUEST_SUPPLEMENT: CycleEnding.SUPPLEMENT,
    Action.REFUSE_RECEPTION: CycleEnding.REFUSED,
    Action.WITHDRAW: CycleEnding.WITHDRAWN,
}
PAUSES = {Action.REQUEST_PAYMENT: "payment", Action.WITHDRAW: "withdrawal"}


def late_after(calendar, due: datetime) -> datetime:
    """The first moment one working minute past ``due`` has begun (due Friday 17:00 → Monday 07:31)."""
    return calendar.next_working_moment(due) + timedelta(minutes=1)


def classify(end: datetime, due: datetime | None, overdue_since: datetime | None) -> str:
    """QT 18.4, 18.6: late once overdue; early when done on a working day before the due day; else on time."""
    if overdue_since is not None and end >= overdue_since:
        return Timeliness.LATE
    if due is not None and timezone.localdate(end) < timezone.localdate(due):
        return Timeliness.EARLY
    return Timeliness.ON_TIME


@dataclass
class Fact:
    number: int
    entered_at: datetime
    ended_at: datetime | None = None
    ending: str = ""
    timeliness: str = ""
    due_at: datetime | None = None
    overdue_since: datetime | None = None
    reception_late: bool = False
    supplement_number: int = 0
    used_minutes: int = 0
    returned_at: datetime | None = None
    pauses: list = field(default_factory=list)  # [started_at, ended_at | None, reason]

    def columns(self):
        return {
            "entered_at": self.entered_at,
            "ended_at": self.ended_at,
            "counted_until": self.ended_at or OPEN_UNTIL,
            "ending": self.ending,
            "timeliness": self.timeliness,
            "due_at": self.due_at,
            "overdue_since": self.overdue_since,
            "reception_late": self.reception_late,
            "supplement_number": self.supplement_number,
            "used_minutes": self.used_minutes,
            "returned_at": self.returned_at,
        }


class _Cycle:
    """The open cycle while the log is read: its clock's due time, whether it waits, any apology."""

    def __init__(self, fact: Fact, due, calendar):
        self.fact, self.calendar = fact, calendar
        self.apology = None
        self.set_due(due)

    def set_due(self, due):
        self.fact.due_at = due
        self.due_late = late_after(self.calendar, due) if due is not None else None
        self._update()

    def _update(self):
        moments = [m for m in (self.due_late, self.apology) if m is not None]
        self.fact.overdue_since = min(moments) if moments else None

    def pause(self, at, reason):
        if self.fact.pauses and self.fact.pauses[-1][1] is None:
            return
        self.fact.pauses.append([at, None, reason])
        if self.due_late is not None and self.due_late > at:  # stopped before its due time: cannot be late now
            self.due_late = None
            self._update()

    def resume(self, at, due):
        if self.fact.pauses and self.fact.pauses[-1][1] is None:
            self.fact.pauses[-1][1] = at
        if self.due_late is None or due != self.fact.due_at:
            self.set_due(due)

    def apologise(self, at):
        self.apology = self.apology or at
        self._update()

    def end(self, at, ending, supplements):
        if self.fact.pauses and self.fact.pauses[-1][1] is None:
            self.fact.pauses[-1][1] = at
        self.fact.ended_at, self.fact.ending, self.fact.supplement_number = at, ending, supplements
        if ending in RESOLVING:
            self.fact.timeliness = classify(at, self.fact.due_at, self.fact.overdue_since)


def _reception_due(event, calendar, fallback):
    value = (event.data or {}).get("reception_due_at")
    if value:
        return datetime.fromisoformat(value)
    if fallback is not None:
        return fallback
    return calendar.add_working_minutes(calendar.next_working_moment(event.at), RECEPTION_MINUTES)


def derive(events, *, calendar=None, allowance_minutes=0, reception_due_at=None) -> list[Fact]:
    """The cycles of one dossier from its events in order (objects or namespaces with the event's fields).

    ``allowance_minutes`` and ``reception_due_at`` stand in for values that events recorded before the facts
    existed did not carry (the dossier's own)."""
    calendar = calendar or get_calendar()
    facts: list[Fact] = []
    cycle: _Cycle | None = None
    supplements = 0
    reception_due = None
    for event in events:
        at = event.effective_at or calendar.next_working_moment(event.at)
        action = event.action
        data = event.data or {}
        if action == Action.SUBMIT or (action == Action.RESUBMIT and event.to_status == Status.NEW):
            reception_due = _reception_due(event, calendar, reception_due_at)
            continue
        if cycle is None and action in (Action.GUIDE, Action.REFUSE_RECEPTION):
            ending = CycleEnding.GUIDED if action == Action.GUIDE else CycleEnding.NOT_ACCEPTED
            late = reception_due is not None and at >= late_after(calendar, reception_due)
            facts.append(Fact(len(facts) + 1, at, at, ending, reception_late=late))
            reception_due = None
            continue
        if cycle is None and (action == Action.RECEIVE or action == Action.RESUBMIT):
            due = event.due_at or calendar.add_working_minutes(at, allowance_minutes)
            late = action == Action.RECEIVE and reception_due is not None and at >= late_after(calendar, reception_due)
            fact = Fact(len(facts) + 1, at, reception_late=late)
            facts.append(fact)
            cycle = _Cycle(fact, due, calendar)
            reception_due = None
            continue
        if action == Action.RETURN_RESULT:
            results = [f for f in facts if f.ending == CycleEnding.RESULT]
            if results:
                results[-1].returned_at = at
            continue
        if cycle is None:
            continue
        if event.step_used_minutes:
            cycle.fact.used_minutes += event.step_used_minutes
        if action == Action.WITHDRAW and data.get("requested_by_applicant"):
            cycle.pause(at, PAUSES[action])
        elif action == Action.REQUEST_PAYMENT:
            cycle.pause(at, PAUSES[action])
        elif action == Action.CONFIRM_PAYMENT:
            cycle.resume(at, event.due_at or cycle.fact.due_at)
        elif action == Action.APOLOGIZE:
            cycle.apologise(at)
        elif action in ENDINGS:
            if action == Action.REQUEST_SUPPLEMENT:
                supplements += 1
            cycle.end(at, ENDINGS[action], supplements)
            cycle = None
    return facts


# --- writing -----------------------------------------------------------------------------------------------------

EVENT_FIELDS = ("action", "at", "effective_at", "due_at", "to_status", "data", "step_used_minutes")


def dossier_timeliness(facts: list[Fact]) -> str:
    """``Dossier.timeliness``: its last cycle's classification (blank while that cycle is open)."""
    return facts[-1].timeliness if facts else ""


def event_view(row: dict) -> SimpleNamespace:
    """What :func:`derive` reads of an event, from a row of its fields (missing ones empty)."""
    return SimpleNamespace(**{name: row.get(name) for name in EVENT_FIELDS} | {"data": row.get("data") or {}})


def refresh(dossier: Dossier, *, calendar=None) -> list[Fact]:
    """Write the dossier's cycles from its log (in the caller's transaction); keeps ``Dossier.timeliness``
    = the classification of its last cycle's returned result (blank while that cycle is open)."""
    events = [
        event_view(row)
        for row in DossierEvent.objects.filter(dossier_id=dossier.pk).order_by("at", "pk").values(*EVENT_FIELDS)
    ]
    facts = derive(
        events,
        calendar=calendar,
        allowance_minutes=dossier.allowance_minutes,
        reception_due_at=dossier.reception_due_at,
    )
    write(dossier, facts)
    timeliness = dossier_timeliness(facts)
    if timeliness != dossier.timeliness:
        dossier.timeliness = timeliness
        Dossier.objects.filter(pk=dossier.pk).update(timeliness=timeliness)
    return facts


def write(dossier, facts: list[Fact]) -> None:
    """Insert, update or delete only the rows that differ (an action usually touches one row)."""
    existing = {c.number: c for c in ReceptionCycle.objects.filter(dossier_id=dossier.pk).prefetch_related("pauses")}
    past = False
    for fact in facts:
        row = existing.pop(fact.number, None)
        columns = fact.columns()
        if row is None:
            past |= _rewrites_past({}, columns, [], fact.pauses)
            row = ReceptionCycle.objects.create(
                dossier_id=dossier.pk,
                number=fact.number,
                agency_id=dossier.agency_id,
                procedure_id=dossier.procedure_id,
                channel=dossier.channel,
                **columns,
            )
            stored = []
        else:
            before = {name: getattr(row, name) for name in columns}
            stored = [[p.started_at, p.ended_at, p.reason] for p in row.pauses.all()]
            past |= _rewrites_past(before, columns, stored, fact.pauses)
            changed = {name: value for name, value in columns.items() if before[name] != value}
            if changed:
                ReceptionCycle.objects.filter(pk=row.pk).update(**changed)
        if stored != fact.pauses:
            CyclePause.objects.filter(cycle_id=row.pk).delete()
            CyclePause.objects.bulk_create(
                [CyclePause(cycle_id=row.pk, started_at=s, ended_at=e, reason=r) for s, e, r in fact.pauses]
            )
    if existing:
        past |= any(_rewrites_past(_columns(row), {}, [], []) for row in existing.values())
        ReceptionCycle.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    if past:
        past_facts_changed()


# --- closed months ----------------------------------------------------------------------------------------------

FACTS_VERSION_KEY = "report-facts-version"


#: The stored moments the figures read; ``due_at`` is not one (``overdue_since`` carries it).
MOMENTS = ("entered_at", "ended_at", "counted_until", "overdue_since", "returned_at")


def _columns(row) -> dict:
    return {name: getattr(row, name) for name in (*MOMENTS, "ending", "timeliness")}


def _rewrites_past(before: dict, after: dict, pauses_before: list, pauses_after: list) -> bool:
    """Whether a change to one cycle alters a closed month's figures: a moment before this month's start set,
    moved or removed, or the classification of a cycle that ended before it changed. Ending a cycle now, or
    resuming a clock paused last month, does not (the old moments stay)."""
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)

    def past(value):
        return isinstance(value, datetime) and value < start

    for name in before.keys() | after.keys():
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in MOMENTS and (past(old) or past(new)):
            return True
        if name not in MOMENTS and name != "due_at" and past(before.get("ended_at")):
            return True
    removed = {tuple(p[:2]) for p in pauses_before} - {tuple(p[:2]) for p in pauses_after}
    added = {tuple(p[:2]) for p in pauses_after} - {tuple(p[:2]) for p in pauses_before}
    resumed = {(s, e) for s, e in added if e is not None and not past(e) and (s, None) in removed}
    removed -= {(s, None) for s, _e in resumed}
    return any(past(moment) for pause in (removed | (added - resumed)) for moment in pause)


def _version_key():
    # Per database: installations (or test workers) sharing one Redis must not share remembered figures.
    return f"{FACTS_VERSION_KEY}:{connection.settings_dict['NAME']}"


def facts_version():
    """A value that changes whenever facts of a closed month are written (never reused after a cache loss)."""
    key = _version_key()
    version = cache.get(key)
    if version is None:
        cache.add(key, time.time_ns(), None)
        version = cache.get(key)
    return f"{connection.settings_dict['NAME']}:{version}"


def past_facts_changed() -> None:
    """Forget the remembered figures of closed months (now, and again once the writing transaction commits)."""

    key = _version_key()

    def bump():
        cache.set(key, time.time_ns(), None)

    bump()
    transaction.on_commit(bump)


def rebuild(dossiers=None, *, calendar=None) -> int:
    """Re-derive the cycles of ``dossiers`` (default: all) from their logs; returns how many dossiers."""
    past_facts_changed()
    calendar = calendar or get_calendar()
    queryset = Dossier.objects.all() if dossiers is None else dossiers
    count = 0
    for dossier in queryset.only(
        "pk", "agency_id", "procedure_id", "channel", "allowance_minutes", "reception_due_at", "timeliness"
    ).iterator(chunk_size=2000):
        refresh(dossier, calendar=calendar)
        count += 1
    return count
