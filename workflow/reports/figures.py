"""The report engine (DESIGN §8; QT 18.6-18.7, QT 19, QN 13.2a): figures counted from reception cycles in SQL.

Every figure is a named condition on :class:`~workflow.models.ReceptionCycle` (:func:`conditions`): the facts
:mod:`workflow.dossiers.cycles` derives from each dossier's event log. One conditional-aggregate query per
report (``COUNT(...) FILTER (WHERE ...)``, ``CASE WHEN`` elsewhere) grouped by agency, sector, procedure or
official; the drill-down list behind a number is the same condition as a queryset, scoped by
:meth:`ReceptionCycle.objects.visible_to`, so it always has as many rows as the number.

A period ``[start, end)`` is counted from what had happened by its end (``ref`` = the end, or now while the
period runs); a later action never changes it. Moments are effective ones (QT 18.2: an action outside working
time counts at the start of the next session).

* **received** (the period's workload) = reception cycles begun before the end and not ended before the start.
  A cycle begins at a reception or at a resubmission after a supplement request (QT 19.3a: counted from the
  beginning as a new reception), so a dossier resubmitted in May counts in April (its first cycle) and in May
  (its second). **carried over** = begun before the start; **new** = begun in the period (online / counter /
  post).
* **resolved** = cycles ended in the period by a returned result (QT 19.2): a result recorded, a refusal after
  reception, a stop (refusal to resolve), a return for supplement — each early / on time / late at that moment.
  Late = more than 0 working minutes past the due time, or after an apology (QT 19.1); early = on a day before
  the due day.
* **withdrawn** = ended in the period by the applicant's withdrawal (QT 19.2c): counted apart, not resolved,
  left out of the resolution rate's denominator.
* **in progress** = not ended at the end; **overdue** = past its due time by a working minute or apologised for
  by ``ref`` (its clock having run); **paused** = its clock waiting for the applicant (payment, a withdrawal
  request) at ``ref``.
* Balance: ``received = carried over + new = resolved + withdrawn + in progress``, whatever the grouping.
* Outside the balance (movements in the period): **not accepted** = online submissions refused before
  reception (never late: no clock ran); **guided** = answered with a guidance slip; **late receptions** = online
  submissions received, refused or guided after their 8 working hours (QN 13.2a); **returned** = results handed
  over (status 10).
* resolution rate = resolved ÷ (received − withdrawn); on-time rate = (early + on time) ÷ resolved (QT 18.7);
  online share = new online ÷ new; average processing time = working minutes used at the steps by resolved
  cycles ÷ the working day (480) ÷ resolved.
* 766 on-time measure (Decision 766/QĐ-TTg): (early + on time, not after a second supplement request) ÷
  (resolved + in progress overdue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency, Procedure, Sector
from catalog.officials.scoping import ALL, visible_agency_ids
from workflow.dossiers.cycles import facts_version
from workflow.models import (
    ANSWERS,
    RESOLVING,
    Channel,
    CycleEnding,
    CyclePause,
    Dossier,
    ReceptionCycle,
    Status,
    StepRun,
    Timeliness,
)
from workflow.reports.periods import Period
from workflow.worktime import DAY_MINUTES, get_calendar

#: The counted figures, in display order, with their labels.
FIGURES = {
    "received": _("Received"),
    "carried_over": _("Carried over"),
    "new": _("New in period"),
    "new_online": _("Online"),
    "new_counter": _("At the counter"),
    "new_post": _("By post"),
    "resolved": _("Resolved"),
    "early": _("Early"),
    "on_time": _("On time"),
    "late": _("Late"),
    "with_result": _("With a result"),
    "refused": _("Refused after reception"),
    "stopped": _("Stopped"),
    "supplement_returned": _("Returned for supplement"),
    "withdrawn": _("Withdrawn"),
    "in_progress": _("In progress"),
    "within_time": _("Within time"),
    "overdue": _("Overdue"),
    "paused": _("Paused"),
    "not_accepted": _("Not accepted"),
    "guided": _("Guidance slips"),
    "late_receptions": _("Received late (over 8 working hours)"),
    "returned": _("Results returned"),
    "on_time_766": _("On time (766 measure)"),
}
#: Sums that are not dossier counts (not drillable).
SUMS = {"processing_minutes": _("Working minutes used by resolved dossiers")}
RATES = {
    "resolution_rate": _("Resolution rate"),
    "on_time_rate": _("On-time rate (QT 18.7)"),
    "on_time_rate_766": _("On-time rate (766 measure)"),
    "online_share": _("Online share"),
    "avg_processing_days": _("Average processing time (working days)"),
}
GROUPINGS = {
    "agency": _("Agency"),
    "sector": _("Sector"),
    "procedure": _("Procedure"),
    "official": _("Official"),
}
PAUSED_STATUSES = [Status.SUPPLEMENT, Status.PAYMENT, Status.WITHDRAWAL]


# --- the conditions ---------------------------------------------------------------------------------------------


def _paused_at(ref):
    return Exists(
        CyclePause.objects.filter(cycle_id=OuterRef("pk"), started_at__lt=ref).filter(
            Q(ended_at__isnull=True) | Q(ended_at__gte=ref)
        )
    )


def conditions(period: Period, now: datetime | None = None) -> dict[str, Q]:
    """Each figure as a condition on :class:`ReceptionCycle`."""
    start, end = period.start, period.end
    now = now or timezone.now()
    ref = min(end, now)
    received = ~Q(ending__in=ANSWERS) & Q(entered_at__lt=end, counted_until__gte=start)
    new = received & Q(entered_at__gte=start)
    ended = Q(ended_at__gte=start, ended_at__lt=end)
    resolved = received & ended & Q(ending__in=RESOLVING)
    in_progress = received & Q(counted_until__gte=end)
    overdue = in_progress & Q(overdue_since__lte=ref)
    answered = Q(ending__in=ANSWERS, entered_at__gte=start, entered_at__lt=end)
    entered = Q(entered_at__gte=start, entered_at__lt=end)
    on_time = Q(timeliness__in=[Timeliness.EARLY, Timeliness.ON_TIME])
    return {
        "received": received,
        "carried_over": received & Q(entered_at__lt=start),
        "new": new,
        "new_online": new & Q(channel=Channel.ONLINE),
        "new_counter": new & Q(channel=Channel.COUNTER),
        "new_post": new & Q(channel=Channel.POST),
        "resolved": resolved,
        "early": resolved & Q(timeliness=Timeliness.EARLY),
        "on_time": resolved & Q(timeliness=Timeliness.ON_TIME),
        "late": resolved & Q(timeliness=Timeliness.LATE),
        "with_result": resolved & Q(ending=CycleEnding.RESULT),
        "refused": resolved & Q(ending=CycleEnding.REFUSED),
        "stopped": resolved & Q(ending=CycleEnding.STOPPED),
        "supplement_returned": resolved & Q(ending=CycleEnding.SUPPLEMENT),
        "withdrawn": received & ended & Q(ending=CycleEnding.WITHDRAWN),
        "in_progress": in_progress,
        "within_time": in_progress & (Q(overdue_since__isnull=True) | Q(overdue_since__gt=ref)),
        "overdue": overdue,
        "paused": in_progress & Q(_paused=True),
        "not_accepted": answered & Q(ending=CycleEnding.NOT_ACCEPTED),
        "guided": answered & Q(ending=CycleEnding.GUIDED),
        "late_receptions": entered & Q(reception_late=True),
        "returned": Q(ending=CycleEnding.RESULT, returned_at__gte=start, returned_at__lt=end),
        "on_time_766": resolved & on_time & Q(supplement_number__lt=2),
    }


def scope_q(period: Period) -> Q:
    """Rows that can count for any figure: the WHERE clause of the report query (served by two indexes)."""
    start, end = period.start, period.end
    return Q(counted_until__gte=start, entered_at__lt=end) | Q(returned_at__gte=start, returned_at__lt=end)


def official_expr(period: Period):
    """The official responsible for a cycle in the period: the holder of its dossier's last step before the
    cycle ended, or at the period's end if still in progress. Cycles never held by a named official (group
    steps, refused submissions) have none."""
    end = period.end
    cut = Case(
        When(Q(ended_at__isnull=False) & Q(ended_at__lt=end), then=F("ended_at")),
        default=Value(end),
        output_field=DateTimeField(),
    )
    last = (
        StepRun.objects.filter(dossier_id=OuterRef("dossier_id"), arrived_at__lt=OuterRef("_cut"))
        .order_by("-arrived_at", "-pk")
        .values("holder_id")[:1]
    )
    return cut, Subquery(last, output_field=IntegerField())


GROUP_FIELDS = {
    "agency": "agency_id",
    "sector": "procedure__sector_id",
    "procedure": "procedure_id",
    "official": "_official",
}
FILTER_FIELDS = {
    "agency": "agency_id",
    "sector": "procedure__sector_id",
    "procedure": "procedure_id",
    "channel": "channel",
}


def base_queryset(
    *,
    user=None,
    period: Period,
    group_by: str | None = None,
    filters: dict | None = None,
    now: datetime | None = None,
    scope: bool = True,
):
    """The scoped and filtered cycles of a report (``user=None``: every unit, for public pages)."""
    now = now or timezone.now()
    qs = ReceptionCycle.objects.all() if user is None else ReceptionCycle.objects.visible_to(user)
    if scope:
        qs = qs.filter(scope_q(period))
    for key, value in (filters or {}).items():
        if value not in (None, "") and key in FILTER_FIELDS:
            qs = qs.filter(**{FILTER_FIELDS[key]: value})
    qs = qs.annotate(_paused=_paused_at(min(period.end, now)))
    if group_by == "official":
        cut, official = official_expr(period)
        qs = qs.annotate(_cut=cut).annotate(_official=official)
    return qs


# --- results ----------------------------------------------------------------------------------------------------


def _rate(numerator, denominator):
    return round(numerator / denominator, 4) if denominator else None


@dataclass
class ReportRow:
    key: object
    label: str
    counts: dict = field(default_factory=dict)

    def __getattr__(self, name):
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    @property
    def resolution_rate(self):
        return _rate(self.counts["resolved"], self.counts["received"] - self.counts["withdrawn"])

    @property
    def on_time_rate(self):
        return _rate(self.counts["early"] + self.counts["on_time"], self.counts["resolved"])

    @property
    def on_time_rate_766(self):
        return _rate(self.counts["on_time_766"], self.counts["resolved"] + self.counts["overdue"])

    @property
    def online_share(self):
        return _rate(self.counts["new_online"], self.counts["new"])

    @property
    def avg_processing_days(self):
        if not self.counts["resolved"]:
            return None
        return round(self.counts["processing_minutes"] / self.counts["resolved"] / DAY_MINUTES, 2)

    @property
    def late_total(self):
        """Late for the monthly late list: resolved late plus still open and overdue at the end."""
        return self.counts["late"] + self.counts["overdue"]

    @property
    def late_share(self):
        return _rate(self.late_total, self.counts["resolved"] + self.counts["overdue"])

    def rates(self):
        return {name: getattr(self, name) for name in RATES}

    def as_dict(self):
        return {"key": self.key, "label": self.label, **self.counts, **self.rates()}


@dataclass
class Report:
    period: Period
    group_by: str | None
    rows: list[ReportRow]
    total: ReportRow
    generated_at: datetime


def _aggregates(period, now):
    c = conditions(period, now)
    aggregates = {name: Count("pk", filter=c[name]) for name in FIGURES}
    aggregates["processing_minutes"] = Coalesce(Sum("used_minutes", filter=c["resolved"]), 0)
    return aggregates


def _labels(group_by, keys):
    keys = [k for k in keys if k is not None]
    if group_by == "agency":
        return dict(Agency.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "sector":
        return dict(Sector.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group_by == "procedure":
        return {
            pk: f"{code} – {name}"
            for pk, code, name in Procedure.objects.filter(pk__in=keys).values_list("pk", "national_code", "name")
        }
    if group_by == "official":
        users = get_user_model().objects.filter(pk__in=keys).values_list("pk", "first_name", "last_name", "username")
        return {pk: (f"{last} {first}".strip() or username) for pk, first, last, username in users}
    return {}


def empty_counts():
    return dict.fromkeys([*FIGURES, *SUMS], 0)


def report(
    *,
    user=None,
    period: Period,
    group_by: str | None = "agency",
    filters: dict | None = None,
    now: datetime | None = None,
) -> Report:
    """The figures of ``period`` grouped by ``group_by`` (None: one total row); one aggregate query."""
    if group_by is not None and group_by not in GROUPINGS:
        raise ValueError(f"Unknown grouping {group_by!r}")
    now = now or timezone.now()
    qs = base_queryset(user=user, period=period, group_by=group_by, filters=filters, now=now)
    aggregates = _aggregates(period, now)
    if group_by is None:
        values = qs.aggregate(**aggregates)
        total = ReportRow(key=None, label=str(_("Total")), counts={k: values[k] or 0 for k in empty_counts()})
        return Report(period=period, group_by=None, rows=[], total=total, generated_at=now)
    field_name = "_group"
    # Grouped by ``agency_id + 0``, not the column: SQLite's planner otherwise walks the whole table through the
    # column's own index to group without sorting (1.6 s on 1M dossiers) instead of reading the period's rows
    # through ``cycle_period`` and sorting them (0.3 s). PostgreSQL plans both alike.
    qs = qs.order_by().annotate(_group=ExpressionWrapper(F(GROUP_FIELDS[group_by]) + 0, output_field=IntegerField()))
    grouped = list(qs.values(field_name).annotate(**aggregates))
    labels = _labels(group_by, [row[field_name] for row in grouped])
    none_label = str(_("No named official")) if group_by == "official" else str(_("None"))
    rows = []
    total = ReportRow(key=None, label=str(_("Total")), counts=empty_counts())
    for values in grouped:
        key = values[field_name]
        counts = {k: values[k] or 0 for k in empty_counts()}
        rows.append(ReportRow(key=key, label=labels.get(key, none_label), counts=counts))
        for k, v in counts.items():
            total.counts[k] += v
    rows.sort(key=lambda r: (r.key is None, r.label))
    return Report(period=period, group_by=group_by, rows=rows, total=total, generated_at=now)


def drilldown(
    *,
    user,
    period: Period,
    figure: str,
    group_by: str | None = None,
    key=None,
    filters: dict | None = None,
    now: datetime | None = None,
):
    """The reception cycles behind one number of :func:`report` (with their dossiers), scoped to what ``user``
    may see: a dossier resubmitted in the period is listed once per cycle, as it is counted."""
    if figure not in FIGURES:
        raise ValueError(f"Unknown figure {figure!r}")
    now = now or timezone.now()
    qs = base_queryset(user=user, period=period, group_by=group_by, filters=filters, now=now, scope=False)
    qs = qs.filter(conditions(period, now)[figure])
    if group_by:
        field_name = GROUP_FIELDS[group_by]
        qs = qs.filter(**{f"{field_name}__isnull": True} if key in (None, "", "none") else {field_name: key})
    return qs


# --- trend and backlog (charts) -----------------------------------------------------------------------------------


#: How long a closed month's trend point is remembered at most (a rebuild elsewhere forgets it at once when the
#: cache is shared, e.g. Redis; with the per-process default cache, after this long).
TREND_CACHE_SECONDS = 6 * 3600


def _trend_key(version, filters, month):
    selected = ",".join(f"{k}={v}" for k, v in sorted((filters or {}).items()) if v not in (None, ""))
    return f"report-trend:{version}:{selected}:{month.key}"


def trend(
    *,
    user=None,
    months: list[Period],
    filters: dict | None = None,
    now: datetime | None = None,
    known: dict | None = None,
):
    """Per month: new, resolved, early + on time, and in progress at the month's end — one query.

    A closed month's point cannot change (its facts are written once, see :mod:`workflow.dossiers.cycles`), so
    for readers who see every unit it is counted once and remembered under the facts' version; ``known`` maps
    a month's key to counts already computed (the report of that month, on the same page)."""
    now = now or timezone.now()
    if not months:
        return []
    points = {key: _point(counts) for key, counts in (known or {}).items()}
    cache_keys = {}  # month key → cache key, for the closed months this reader may share
    if user is None or visible_agency_ids(user) is ALL:
        version = facts_version()
        closed = min(now, timezone.now())
        cache_keys = {m.key: _trend_key(version, filters, m) for m in months if m.end <= closed}
        month_of = {cache_key: month_key for month_key, cache_key in cache_keys.items()}
        wanted = [cache_key for month_key, cache_key in cache_keys.items() if month_key not in points]
        for cache_key, value in cache.get_many(wanted).items():
            points[month_of[cache_key]] = value
    missing = [m for m in months if m.key not in points]
    if missing:
        qs = base_queryset(user=user, period=Period(missing[0].first, missing[-1].last), filters=filters, now=now)
        aggregates = {}
        for index, month in enumerate(missing):
            c = conditions(month, now)
            aggregates[f"new_{index}"] = Count("pk", filter=c["new"])
            aggregates[f"resolved_{index}"] = Count("pk", filter=c["resolved"])
            aggregates[f"on_time_{index}"] = Count(
                "pk", filter=c["resolved"] & Q(timeliness__in=[Timeliness.EARLY, Timeliness.ON_TIME])
            )
            aggregates[f"in_progress_{index}"] = Count("pk", filter=c["in_progress"])
        values = qs.aggregate(**aggregates)
        for index, month in enumerate(missing):
            points[month.key] = {name: values[f"{name}_{index}"] for name in TREND_COUNTS}
        fresh = {cache_keys[m.key]: points[m.key] for m in missing if m.key in cache_keys}
        cache.set_many(fresh, TREND_CACHE_SECONDS)
    return [
        {
            "period": month.key,
            "label": f"{month.first:%m/%Y}",
            **points[month.key],
            "on_time_rate": _rate(points[month.key]["on_time"], points[month.key]["resolved"]),
        }
        for month in months
    ]


TREND_COUNTS = ("new", "resolved", "on_time", "in_progress")


def _point(counts: dict) -> dict:
    """A trend point from a report row's counts."""
    return {
        "new": counts["new"],
        "resolved": counts["resolved"],
        "on_time": counts["early"] + counts["on_time"],
        "in_progress": counts["in_progress"],
    }


BACKLOG_LEVELS = {
    "overdue": _("Overdue"),
    "due_soon": _("Less than one working day left"),
    "ok": _("Within time"),
    "paused": _("Waiting for the applicant"),
}


#: Dossiers without a result and not closed: what the backlog counts (the partial index ``dossier_open``).
OPEN_DOSSIERS = Q(closed_at__isnull=True, result_recorded_at__isnull=True)


def backlog_conditions(now: datetime | None = None) -> dict[str, Q]:
    """Open dossiers now by QT 21 warning level (the clock paused = waiting for the applicant)."""
    now = now or timezone.now()
    soon = get_calendar().add_working_minutes(now, DAY_MINUTES)
    # Only on OPEN_DOSSIERS (the WHERE clause, served by the index dossier_open, which holds these columns).
    open_ = Q(received_at__isnull=False)
    paused = Q(status__in=PAUSED_STATUSES)
    running = open_ & ~paused
    overdue = running & (Q(counts_as_late=True) | Q(due_at__lt=now))
    return {
        "overdue": overdue,
        "due_soon": running & ~overdue & Q(due_at__lt=soon),
        "ok": running & ~overdue & ~Q(due_at__lt=soon),
        "paused": open_ & paused,
    }


def backlog(*, user=None, filters: dict | None = None, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    qs = Dossier.objects.all() if user is None else Dossier.objects.visible_to(user)
    qs = qs.filter(OPEN_DOSSIERS)
    for key, value in (filters or {}).items():
        if value not in (None, "") and key in ("agency", "sector", "procedure"):
            qs = qs.filter(
                **{{"agency": "agency_id", "sector": "procedure__sector_id", "procedure": "procedure_id"}[key]: value}
            )
    c = backlog_conditions(now)
    return qs.aggregate(**{name: Count("pk", filter=q) for name, q in c.items()})


def backlog_drilldown(*, user, level: str, filters: dict | None = None, now: datetime | None = None):
    if level not in BACKLOG_LEVELS:
        raise ValueError(level)
    qs = Dossier.objects.visible_to(user).filter(OPEN_DOSSIERS).filter(backlog_conditions(now)[level])
    for key, value in (filters or {}).items():
        if value not in (None, "") and key in ("agency", "sector", "procedure"):
            qs = qs.filter(
                **{{"agency": "agency_id", "sector": "procedure__sector_id", "procedure": "procedure_id"}[key]: value}
            )
    return qs
