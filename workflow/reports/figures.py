"""The report engine (DESIGN §8; QT 18.6-18.7, QT 23, AG 32.9): selectors computed in SQL.

One conditional-aggregate query per report: ``COUNT(...) FILTER (WHERE ...)``
(``CASE WHEN`` on backends without FILTER) grouped by agency, sector, procedure
or official. Every figure is a named condition on ``Dossier`` (:func:`conditions`),
so the drill-down list behind a number is the same condition as a queryset,
scoped by :meth:`Dossier.objects.visible_to`: the list always has exactly the
number of rows the report shows.

Definitions for a period ``[start, end)`` (``ref`` = the end, or now while the
period is running):

* **entry** = reception (``received_at``; QT 18.1). A dossier re-received after
  a supplement counts from its new reception (QT 19.3). An online submission
  that is not accepted enters at the moment of refusal (it counts as a
  returned result then, QT 19.2).
* **finish** = result recorded (QT 18.4), else the closing moment of a
  refusal, stop or withdrawal.
* **received** (the period's workload) = entry before the end, not finished
  before the start; **carried over** = entered before the start; **new** =
  entered in the period (by channel online / counter / post).
* **resolved** = result recorded in the period, split by the timeliness
  recorded at that moment: early / on time / late (a rescheduled dossier is
  late, QT 19.1).
* **refused**, **stopped**, **withdrawn** = closed without a result in the
  period (status 3, 8, the rest = 7).
* **in progress** = not finished at the end; **overdue** when it counts as
  late or its due time passed before ``ref`` while its clock was running;
  **paused** = waiting for the applicant (supplement, payment, withdrawal
  request) at ``ref``.
* Balance: ``received = carried over + new = resolved + refused + stopped +
  withdrawn + in progress``, whatever the grouping.
* **returned** = results handed over in the period (status 10); a movement
  count, outside the balance.
* resolution rate = resolved ÷ received; on-time rate = (early + on time) ÷
  resolved (QT 18.7); online share = new online ÷ new; average processing
  time = the working minutes used on the steps of the final reception cycle
  (step timers, QT 20) ÷ the working day (``DAY_MINUTES``, 480), over resolved dossiers.
* 766 on-time measure (Decision 766/QĐ-TTg): (early + on time, without a
  second supplement request) ÷ (resolved + in progress overdue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, DateTimeField, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Agency, Procedure, Sector
from workflow.models import Channel, Dossier, Status, StepRun, Timeliness
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
    "in_progress": _("In progress"),
    "within_time": _("Within time"),
    "overdue": _("Overdue"),
    "paused": _("Paused"),
    "refused": _("Refused"),
    "stopped": _("Stopped"),
    "withdrawn": _("Withdrawn"),
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


def annotated(queryset=None):
    """Dossiers with the two derived moments every condition uses (``_entry``, ``_finish``)."""
    queryset = Dossier.objects.all() if queryset is None else queryset
    return queryset.annotate(
        _entry=Coalesce("received_at", _refused_entry(), output_field=DateTimeField()),
        _finish=Coalesce("result_recorded_at", "closed_at", output_field=DateTimeField()),
    )


def _refused_entry():
    return Case(When(status=Status.NOT_ACCEPTED, then=F("closed_at")), default=None, output_field=DateTimeField())


def conditions(period: Period, now: datetime | None = None) -> dict[str, Q]:
    """Each figure as a condition on an :func:`annotated` queryset."""
    start, end = period.start, period.end
    now = now or timezone.now()
    ref = min(end, now)
    workload = Q(_entry__lt=end) & (Q(_finish__isnull=True) | Q(_finish__gte=start))
    new = workload & Q(_entry__gte=start)
    resolved = workload & Q(result_recorded_at__gte=start, result_recorded_at__lt=end)
    closed = workload & Q(result_recorded_at__isnull=True, closed_at__gte=start, closed_at__lt=end)
    in_progress = workload & (Q(_finish__isnull=True) | Q(_finish__gte=end))
    paused_now = Q(_finish__isnull=True, status__in=PAUSED_STATUSES, clock_paused_at__lt=ref)
    overdue = in_progress & (Q(counts_as_late=True) | (Q(due_at__lt=ref) & ~paused_now))
    on_time = Q(timeliness__in=[Timeliness.EARLY, Timeliness.ON_TIME])
    return {
        "received": workload,
        "carried_over": workload & Q(_entry__lt=start),
        "new": new,
        "new_online": new & Q(channel=Channel.ONLINE),
        "new_counter": new & Q(channel=Channel.COUNTER),
        "new_post": new & Q(channel=Channel.POST),
        "resolved": resolved,
        "early": resolved & Q(timeliness=Timeliness.EARLY),
        "on_time": resolved & Q(timeliness=Timeliness.ON_TIME),
        "late": resolved & ~on_time,
        "in_progress": in_progress,
        "within_time": in_progress & ~(Q(counts_as_late=True) | (Q(due_at__lt=ref) & ~paused_now)),
        "overdue": overdue,
        "paused": in_progress & paused_now,
        "refused": closed & Q(status=Status.NOT_ACCEPTED),
        "stopped": closed & Q(status=Status.STOPPED),
        "withdrawn": closed & ~Q(status__in=[Status.NOT_ACCEPTED, Status.STOPPED]),
        "returned": Q(status=Status.RETURNED, returned_at__gte=start, returned_at__lt=end),
        "on_time_766": resolved & on_time & Q(supplement_count__lt=2),
    }


def scope_q(period: Period, now: datetime | None = None) -> Q:
    """Rows that can count for any figure: the WHERE clause of the report query."""
    c = conditions(period, now)
    return c["received"] | c["returned"]


def processing_minutes_expr():
    """Working minutes on the steps of the final reception cycle up to the result (QT 20; step timers)."""
    runs = (
        StepRun.objects.filter(
            dossier_id=OuterRef("pk"),
            cycle=OuterRef("cycle"),
            departed_at__isnull=False,
            departed_at__lte=OuterRef("result_recorded_at"),
        )
        .order_by()
        .values("dossier_id")
        .annotate(total=Sum("used_minutes"))
        .values("total")
    )
    return Subquery(runs, output_field=IntegerField())


def official_expr(period: Period, now: datetime | None = None):
    """The official responsible for a dossier in the period: the holder of its last step before it finished,
    or of its step at the period's end if still in progress. Dossiers never held by a named official
    (group steps, refused submissions) have none."""
    end = period.end
    cut = Case(
        When(Q(_finish__isnull=False) & Q(_finish__lt=end), then=F("_finish")),
        default=Value(end),
        output_field=DateTimeField(),
    )
    last = (
        StepRun.objects.filter(dossier_id=OuterRef("pk"), arrived_at__lt=OuterRef("_cut"))
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


def base_queryset(
    *,
    user=None,
    period: Period,
    group_by: str | None = None,
    filters: dict | None = None,
    now: datetime | None = None,
    scope: bool = True,
):
    """The scoped, annotated and filtered dossiers of a report (``user=None``: every unit, for public pages)."""
    qs = Dossier.objects.all() if user is None else Dossier.objects.visible_to(user)
    qs = annotated(qs)
    if scope:
        qs = qs.filter(scope_q(period, now))
    for key, value in (filters or {}).items():
        if value in (None, ""):
            continue
        if key == "agency":
            qs = qs.filter(agency_id=value)
        elif key == "sector":
            qs = qs.filter(procedure__sector_id=value)
        elif key == "procedure":
            qs = qs.filter(procedure_id=value)
        elif key == "channel":
            qs = qs.filter(channel=value)
    if group_by == "official":
        cut, official = official_expr(period, now)
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
        return _rate(self.counts["resolved"], self.counts["received"])

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
    aggregates["processing_minutes"] = Coalesce(Sum(processing_minutes_expr(), filter=c["resolved"]), 0)
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
    field_name = GROUP_FIELDS[group_by]
    grouped = list(qs.order_by().values(field_name).annotate(**aggregates))
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
    """The dossiers behind one number of :func:`report`, scoped to what ``user`` may see."""
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


def trend(*, user=None, months: list[Period], filters: dict | None = None, now: datetime | None = None):
    """Per month: new, resolved, early + on time, and in progress at the month's end — one query."""
    now = now or timezone.now()
    if not months:
        return []
    qs = base_queryset(user=user, period=Period(months[0].first, months[-1].last), filters=filters, now=now)
    aggregates = {}
    for index, month in enumerate(months):
        c = conditions(month, now)
        aggregates[f"new_{index}"] = Count("pk", filter=c["new"])
        aggregates[f"resolved_{index}"] = Count("pk", filter=c["resolved"])
        aggregates[f"ontime_{index}"] = Count(
            "pk", filter=c["resolved"] & Q(timeliness__in=[Timeliness.EARLY, Timeliness.ON_TIME])
        )
        aggregates[f"open_{index}"] = Count("pk", filter=c["in_progress"])
    values = qs.aggregate(**aggregates)
    out = []
    for index, month in enumerate(months):
        resolved = values[f"resolved_{index}"]
        out.append(
            {
                "period": month.key,
                "label": f"{month.first:%m/%Y}",
                "new": values[f"new_{index}"],
                "resolved": resolved,
                "on_time": values[f"ontime_{index}"],
                "in_progress": values[f"open_{index}"],
                "on_time_rate": _rate(values[f"ontime_{index}"], resolved),
            }
        )
    return out


BACKLOG_LEVELS = {
    "overdue": _("Overdue"),
    "due_soon": _("Less than one working day left"),
    "ok": _("Within time"),
    "paused": _("Waiting for the applicant"),
}


def backlog_conditions(now: datetime | None = None) -> dict[str, Q]:
    """Open dossiers now by QT 21 warning level (the clock paused = waiting for the applicant)."""
    now = now or timezone.now()
    soon = get_calendar().add_working_minutes(now, DAY_MINUTES)
    open_ = Q(received_at__isnull=False, result_recorded_at__isnull=True, closed_at__isnull=True)
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
    qs = Dossier.objects.visible_to(user).filter(backlog_conditions(now)[level])
    for key, value in (filters or {}).items():
        if value not in (None, "") and key in ("agency", "sector", "procedure"):
            qs = qs.filter(
                **{{"agency": "agency_id", "sector": "procedure__sector_id", "procedure": "procedure_id"}[key]: value}
            )
    return qs
