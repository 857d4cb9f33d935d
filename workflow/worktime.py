"""Working time: the one engine every deadline in the system is counted with.

Rules (Quảng Trị regulation, cited "QT"; Quảng Ninh "QN"):

* Time only runs inside working sessions — by default Monday–Friday
  07:30–11:30 and 13:00–17:00, i.e. 8 hours a day; provinces change them, also
  per season (QT 18.2 "chỉ tính trong phạm vi thời gian làm việc hành chính").
* Statutory public holidays (the ``holidays`` package, VN) and the province's
  admin-edited extra days off are not working days; make-up working days
  (ngày làm bù, from the package or added by an admin) are.
* N working days = N × 480 working minutes; time is kept to the minute.
* Something received or done outside working time counts from the start of
  the next working session (QT 18.2) — :meth:`WorkCalendar.next_working_moment`.
* The appointment printed on the receipt is the start of the first session
  after the session in which the due time falls (QT 18.3) —
  :meth:`WorkCalendar.appointment_for`.
* Warnings: past due, or less than one working day left (QT 21a, 21b).
* A supplement request stops the clock (QT 19.3a); a step's timer keeps the
  time used before it is sent back (QT 20.1b) — :class:`Clock`.

Design: a :class:`WorkCalendar` is an immutable description of the calendar
(sessions, days off, make-up days). All arithmetic is pure: no database
access. Internally every instant maps to a *working-minute position* — the
number of working minutes since an anchor — through per-year prefix sums of
working minutes per day, built lazily one year at a time. Adding a duration
is "position + minutes, then invert with bisect", so its cost does not grow
with the duration. :func:`get_calendar` loads the calendar from the database
once per process and reloads it when an admin edit bumps a version key in
Django's cache (so several app servers notice edits).
"""

from __future__ import annotations

import threading
import uuid
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DAY_MINUTES",
    "DEFAULT_SCHEDULE",
    "DEFAULT_TIME_ZONE",
    "FIRST_YEAR",
    "LAST_YEAR",
    "Clock",
    "ClockStateError",
    "NaiveDatetimeError",
    "NegativeDurationError",
    "NoWorkingTimeError",
    "OutOfRangeError",
    "Schedule",
    "WarningLevel",
    "WorkCalendar",
    "WorkTimeError",
    "duration_minutes",
    "get_calendar",
    "invalidate_calendar",
    "load_calendar",
    "statutory_vn",
]

#: One working day is 8 working hours (design 5.5: "N working days is N × 8 working hours").
DAY_MINUTES = 8 * 60
DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"
#: Deadlines are supported for instants in this window (inclusive years).
FIRST_YEAR = 2000
LAST_YEAR = 2100
#: A calendar with no working time this many days after an instant is broken.
MAX_IDLE_DAYS = 366
MONDAY, FRIDAY = 0, 4


# --- Errors ---------------------------------------------------------------------


class WorkTimeError(ValueError):
    """Base class for every error raised by the working-time engine."""


class NaiveDatetimeError(WorkTimeError):
    """A datetime without a time zone: the engine cannot know which local time it is."""


class NegativeDurationError(WorkTimeError):
    """Durations are added forwards only."""


class NoWorkingTimeError(WorkTimeError):
    """The calendar has no working time where some was needed (misconfiguration)."""


class OutOfRangeError(WorkTimeError):
    """The instant lies outside the supported years."""


class ClockStateError(WorkTimeError):
    """Pausing a paused clock, resuming a running one, or going back in time."""


# --- Warning levels (QT 21) ---------------------------------------------------


class WarningLevel(models.TextChoices):
    """Deadline warning shown in every dossier list (QT 21)."""

    OVERDUE = "overdue", _("Overdue")  # QT 21a: past the due time
    DUE_SOON = "due_soon", _("Less than one working day left")  # QT 21b
    OK = "ok", _("On schedule")


# --- Durations ------------------------------------------------------------------


def duration_minutes(*, days=None, hours=None, minutes=None) -> int:
    """Whole working minutes for an allowance given in days, hours or minutes.

    Decimals are accepted (0.5 day = 240, 1.5 hours = 90); anything finer than
    a minute is rounded half up, because time is kept to the minute (QT 18.2).
    Exactly one of the arguments must be given.
    """
    given = [(v, unit) for v, unit in ((days, DAY_MINUTES), (hours, 60), (minutes, 1)) if v is not None]
    if len(given) != 1:
        raise TypeError("Give exactly one of days, hours or minutes.")
    value, unit = given[0]
    try:
        amount = Decimal(str(value)) * unit
    except (InvalidOperation, ValueError) as exc:
        raise WorkTimeError(f"Not a number of working time units: {value!r}") from exc
    if not amount.is_finite():
        raise WorkTimeError(f"Not a finite duration: {value!r}")
    if amount < 0:
        raise NegativeDurationError(f"A working-time allowance cannot be negative: {value!r}")
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _whole_minutes(minutes) -> int:
    if isinstance(minutes, bool):
        raise TypeError("A duration in minutes must be a number, not a bool.")
    if isinstance(minutes, int):
        value = minutes
    elif isinstance(minutes, (float, Decimal)) and minutes == int(minutes):
        value = int(minutes)
    else:
        raise TypeError(f"A duration in minutes must be a whole number, got {minutes!r}; see duration_minutes().")
    if value < 0:
        raise NegativeDurationError(f"A working-time duration cannot be negative: {value} minutes.")
    return value


# --- Schedules ------------------------------------------------------------------

Sessions = tuple  # tuple[tuple[int, int], ...]: (start, end) minutes after midnight


def _minute_of(value) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        value = time.fromisoformat(value)
    return value.hour * 60 + value.minute


def normalize_sessions(sessions: Iterable) -> Sessions:
    """Sorted, non-overlapping sessions in minutes after midnight.

    Accepts ``(start, end)`` pairs as ``time``, ``"HH:MM"`` or minutes.
    Overlapping or touching sessions are merged, so "the session in which a
    time falls" (QT 18.3) is never ambiguous.
    """
    pairs = sorted((_minute_of(s), _minute_of(e)) for s, e in sessions)
    merged: list[list[int]] = []
    for start, end in pairs:
        if not 0 <= start < end <= 24 * 60 - 1:
            raise WorkTimeError(f"A working session must start before it ends within one day: {start}-{end}.")
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


@dataclass(frozen=True)
class Schedule:
    """Working sessions for each weekday (0 = Monday), optionally for a date range.

    A schedule without dates is the default; a dated one (summer/winter
    hours) overrides it for the dates in its range. ``valid_to`` is inclusive;
    a missing bound is open.
    """

    week: tuple  # 7 entries of Sessions
    valid_from: date | None = None
    valid_to: date | None = None
    name: str = ""

    def __post_init__(self):
        week = tuple(normalize_sessions(day) for day in self.week)
        if len(week) != 7:
            raise WorkTimeError("A schedule needs sessions for 7 weekdays (Monday first).")
        object.__setattr__(self, "week", week)
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise WorkTimeError(f"Schedule {self.name!r}: valid_from is after valid_to.")

    @classmethod
    def weekly(cls, days: Mapping[int, Iterable], **kwargs) -> Schedule:
        """Build from ``{weekday: [(start, end), ...]}``; missing weekdays have no sessions."""
        return cls(week=tuple(tuple(days.get(wd, ())) for wd in range(7)), **kwargs)

    @property
    def is_dated(self) -> bool:
        return self.valid_from is not None or self.valid_to is not None

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def make_up_sessions(self) -> Sessions:
        """Sessions of a make-up working day: those of a normal Monday–Friday day."""
        for weekday in range(MONDAY, FRIDAY + 1):
            if self.week[weekday]:
                return self.week[weekday]
        return ()


#: Monday–Friday 07:30–11:30 and 13:00–17:00 (design 5.5).
DEFAULT_SESSIONS = normalize_sessions([("07:30", "11:30"), ("13:00", "17:00")])
DEFAULT_SCHEDULE = Schedule.weekly(dict.fromkeys(range(MONDAY, FRIDAY + 1), DEFAULT_SESSIONS), name="default")


# --- Statutory holidays ---------------------------------------------------------


@cache
def statutory_vn(year: int) -> tuple[frozenset, frozenset]:
    """Vietnam's statutory days off and make-up working days of ``year``.

    Days off include the package's observed and substituted days (e.g.
    2026-08-31 "day off substituted from 2026-08-22"); make-up working days are
    the weekend days the package lists in ``weekend_workdays`` (2026-08-22).
    Deterministic, so cached for the process; never touches the database.
    """
    import holidays  # local: only needed when a year is first built

    calendar = holidays.country_holidays("VN", years=[year - 1, year, year + 1])
    days_off = frozenset(d for d in calendar if d.year == year)
    workdays = frozenset(d for d in getattr(calendar, "weekend_workdays", ()) if d.year == year and d not in days_off)
    return days_off, workdays


HolidayProvider = Callable[[int], "tuple[frozenset, frozenset]"]


# --- The calendar ---------------------------------------------------------------


class _Year:
    """Per-day sessions of one year and the prefix sums of their working minutes."""

    __slots__ = ("year", "first_ordinal", "base", "cum", "sessions", "total")

    def __init__(self, year, first_ordinal, sessions, base):
        self.year = year
        self.first_ordinal = first_ordinal
        self.sessions = sessions
        cum = [0]
        running = 0
        for day in sessions:
            for start, end in day:
                running += end - start
            cum.append(running)
        self.cum = cum  # cum[k] = working minutes of the year's days before day k
        self.total = running
        self.base = base  # working-minute position at 00:00 on 1 January


def _worked_before(sessions: Sessions, minute: int) -> int:
    """Working minutes of a day's sessions before ``minute`` after midnight."""
    worked = 0
    for start, end in sessions:
        if minute <= start:
            break
        worked += (minute if minute < end else end) - start
    return worked


class WorkCalendar:
    """An immutable working-time calendar; all methods are pure arithmetic.

    Datetimes must be aware; they are read and returned in the calendar's
    time zone (the project's TIME_ZONE), truncated to the minute.
    Vietnam has had no daylight-saving time since 1975, so local minutes are
    counted directly.
    """

    def __init__(
        self,
        schedules: Iterable[Schedule] = (DEFAULT_SCHEDULE,),
        *,
        days_off: Iterable[date] = (),
        working_days: Mapping[date, int] | Iterable[date] = (),
        holidays: HolidayProvider | None = statutory_vn,
        tz: str | None = None,
    ):
        schedules = tuple(schedules)
        defaults = [s for s in schedules if not s.is_dated]
        # The default schedule applies where no dated one does; without one in
        # the configuration the built-in default (design 5.5) is used.
        self._base_schedule = defaults[0] if defaults else DEFAULT_SCHEDULE
        # Most specific first: the latest start, then the shortest range.
        self._dated = tuple(
            sorted(
                (s for s in schedules if s.is_dated),
                key=lambda s: (s.valid_from or date.min, -((s.valid_to or date.max) - (s.valid_from or date.min)).days),
                reverse=True,
            )
        )
        self._days_off = frozenset(days_off)
        if not isinstance(working_days, Mapping):
            working_days = dict.fromkeys(working_days)
        self._working_days = dict(working_days)  # date -> weekday whose sessions apply (None: a Mon–Fri day)
        clash = self._days_off & self._working_days.keys()
        if clash:
            raise WorkTimeError(f"Dates both extra day off and working day: {sorted(clash)}")
        self._holidays = holidays
        self._tz = ZoneInfo(tz or _project_time_zone())
        self._years: dict[int, _Year] = {}
        self._lock = threading.Lock()

    def __setattr__(self, name, value):
        if name.startswith("_") and name not in self.__dict__:
            object.__setattr__(self, name, value)
        else:
            raise AttributeError("WorkCalendar is immutable; build a new one.")

    def __repr__(self):
        return (
            f"<WorkCalendar tz={self._tz.key} schedules={1 + len(self._dated)} "
            f"days_off={len(self._days_off)} working_days={len(self._working_days)}>"
        )

    # -- configuration, per day ------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    def schedule_for(self, day: date) -> Schedule:
        for schedule in self._dated:
            if schedule.covers(day):
                return schedule
        return self._base_schedule

    def sessions_on(self, day: date) -> Sessions:
        """The working sessions of a date, as ``(start, end)`` minutes after midnight.

        Precedence: admin extra day off > admin swapped working day >
        statutory holiday > statutory make-up day > the weekday's sessions.
        """
        if day in self._days_off:
            return ()
        schedule = self.schedule_for(day)
        if day in self._working_days:
            weekday = self._working_days[day]
            return schedule.make_up_sessions() if weekday is None else schedule.week[weekday]
        if self._holidays is not None:
            days_off, make_up = self._holidays(day.year)
            if day in days_off:
                return ()
            if day in make_up:
                return schedule.make_up_sessions()
        return schedule.week[day.weekday()]

    def is_working_day(self, day: date) -> bool:
        return bool(self._year(day.year).sessions[day.toordinal() - date(day.year, 1, 1).toordinal()])

    def warm(self, first_year: int, last_year: int) -> None:
        """Build the per-year tables in advance (benchmarks, long-running workers)."""
        self._year(first_year)
        self._year(last_year)

    # -- internal: years, positions and their inverse ------------------------

    def _year(self, year: int) -> _Year:
        built = self._years.get(year)
        if built is not None:
            return built
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise OutOfRangeError(f"Working time is only computed for {FIRST_YEAR}–{LAST_YEAR}, not {year}.")
        with self._lock:
            # Years are built contiguously from the first one asked for, so
            # each year's base position follows from its neighbour's.
            if not self._years:
                self._years[year] = self._build_year(year, 0)
            while year > max(self._years):
                prev = self._years[max(self._years)]
                self._years[prev.year + 1] = self._build_year(prev.year + 1, prev.base + prev.total)
            while year < min(self._years):
                nxt = self._years[min(self._years)]
                built = self._build_year(nxt.year - 1, 0)
                built.base = nxt.base - built.total
                self._years[built.year] = built
            return self._years[year]

    def _build_year(self, year: int, base: int) -> _Year:
        first = date(year, 1, 1)
        ndays = (date(year + 1, 1, 1) - first).days
        sessions = [self.sessions_on(first + timedelta(days=k)) for k in range(ndays)]
        return _Year(year, first.toordinal(), sessions, base)

    def _local(self, dt: datetime) -> datetime:
        if not isinstance(dt, datetime):
            raise TypeError(f"Expected an aware datetime, got {type(dt).__name__}.")
        if dt.tzinfo is None or dt.utcoffset() is None:
            raise NaiveDatetimeError(
                f"Naive datetime {dt.isoformat()}: working time needs an aware datetime "
                f"(e.g. django.utils.timezone.make_aware)."
            )
        return dt.astimezone(self._tz)

    def _position(self, local: datetime) -> int:
        """Working minutes from the anchor to ``local`` (seconds ignored)."""
        yr = self._year(local.year)
        k = local.toordinal() - yr.first_ordinal
        return yr.base + yr.cum[k] + _worked_before(yr.sessions[k], local.hour * 60 + local.minute)

    def _instant(self, target: int, year: int) -> datetime:
        """The earliest instant whose position is ``target`` (never a session start).

        Found by bisect in the year's prefix sums: the result lies strictly
        after a session start and at most at its end, which is why a duration
        that exactly exhausts a session ends at the session end.
        """
        yr = self._year(year)
        while target > yr.base + yr.total:
            yr = self._year(yr.year + 1)
            if yr.total == 0:
                raise NoWorkingTimeError(f"The calendar has no working time in {yr.year}.")
        while target <= yr.base:
            yr = self._year(yr.year - 1)
            if yr.total == 0:
                raise NoWorkingTimeError(f"The calendar has no working time in {yr.year}.")
        rel = target - yr.base
        k = bisect_left(yr.cum, rel) - 1  # cum[k] < rel <= cum[k + 1]
        rest = rel - yr.cum[k]
        for start, end in yr.sessions[k]:
            if rest <= end - start:
                minute = start + rest
                break
            rest -= end - start
        day = date.fromordinal(yr.first_ordinal + k)
        return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self._tz)

    def _first_working(self, local: datetime) -> datetime:
        """The next working moment, refusing a calendar idle for more than a year."""
        # The first working minute after ``local`` ends one minute after the
        # moment we want; _instant() never returns a session start.
        first = self._instant(self._position(local) + 1, local.year) - timedelta(minutes=1)
        if (first.date() - local.date()).days > MAX_IDLE_DAYS:
            raise NoWorkingTimeError(
                f"No working time within {MAX_IDLE_DAYS} days after {local:%Y-%m-%d %H:%M}; "
                f"check the working sessions and days off."
            )
        return first

    # -- public arithmetic ---------------------------------------------------------

    def next_working_moment(self, dt: datetime) -> datetime:
        """``dt`` if it is inside a session, else the start of the next session (QT 18.2).

        Sessions are half-open here: at exactly 11:30 the morning session is
        over, so the next working moment is 13:00.
        """
        return self._first_working(self._local(dt))

    def add_working_minutes(self, dt: datetime, minutes: int) -> datetime:
        """The instant ``minutes`` working minutes after ``dt`` (QT 18.2).

        Counting starts at the next working moment; a duration that exactly
        exhausts a session ends at that session's end (Friday 16:00 + 1 day =
        Monday 16:00; Saturday 10:00 + 1 day = Monday 17:00). Adding 0 gives
        the clock start, :meth:`next_working_moment`.
        """
        minutes = _whole_minutes(minutes)
        if minutes == 0:
            return self.next_working_moment(dt)
        local = self._local(dt)
        result = self._instant(self._position(local) + minutes, local.year)
        if (result.date() - local.date()).days > MAX_IDLE_DAYS:
            self._first_working(local)  # a long allowance is fine; a long idle start is not
        return result

    def add_working_days(self, dt: datetime, days) -> datetime:
        """``dt`` plus N working days, N × 480 working minutes (design 5.5); decimals allowed."""
        return self.add_working_minutes(dt, duration_minutes(days=days))

    def add_working_hours(self, dt: datetime, hours) -> datetime:
        """``dt`` plus working hours (e.g. the 8-hour online reception rule, QN 13.2a)."""
        return self.add_working_minutes(dt, duration_minutes(hours=hours))

    def working_minutes_between(self, a: datetime, b: datetime) -> int:
        """Working minutes from ``a`` to ``b``; 0 if ``b`` is not after ``a``."""
        la, lb = self._local(a), self._local(b)
        if lb <= la:
            return 0
        return max(0, self._position(lb) - self._position(la))

    def appointment_for(self, due: datetime) -> datetime:
        """The appointment (hẹn trả kết quả) for a due time (QT 18.3).

        The start of the first working session after the session in which the
        due time falls; a due time exactly at a session's start or end belongs
        to that session. Due 10:15 → 13:00; due 11:30 → 13:00; due 16:00 or
        17:00 → 07:30 on the next working day. A due time outside every session
        gets the next session's start.
        """
        local = self._local(due).replace(second=0, microsecond=0)
        minute = local.hour * 60 + local.minute
        for start, end in self.sessions_on(local.date()):
            if start <= minute <= end:
                # Sessions are merged, so the end itself is outside working time.
                return self.next_working_moment(local.replace(hour=end // 60, minute=end % 60))
        return self.next_working_moment(local)

    def remaining_minutes(self, due: datetime, now: datetime) -> int:
        """Working minutes left until ``due``; negative when overdue (working minutes past due)."""
        if self._local(now) <= self._local(due):
            return self.working_minutes_between(now, due)
        return -self.working_minutes_between(due, now)

    def warning_level(self, due: datetime, now: datetime) -> WarningLevel:
        """QT 21: overdue once ``now`` is past ``due``; due soon below one working day."""
        if _minute(self._local(now)) > _minute(self._local(due)):
            return WarningLevel.OVERDUE
        if self.working_minutes_between(now, due) < DAY_MINUTES:
            return WarningLevel.DUE_SOON
        return WarningLevel.OK

    def clock(self, started_at: datetime, allowance_minutes: int) -> Clock:
        """A running :class:`Clock` on this calendar."""
        return Clock.start(started_at, allowance_minutes, calendar=self)

    # -- internal helper for Clock: a position shift that may go backwards ------

    def _shift(self, dt: datetime, minutes: int) -> datetime:
        """Like add_working_minutes, but ``minutes`` may be negative (for overdue clocks)."""
        if minutes >= 0:
            return self.add_working_minutes(dt, minutes)
        local = self._local(dt)
        return self._instant(self._position(local) + minutes, local.year)


def _minute(dt: datetime) -> datetime:
    return dt.replace(second=0, microsecond=0)


def _project_time_zone() -> str:
    from django.conf import settings

    if not settings.configured:
        return DEFAULT_TIME_ZONE
    return getattr(settings, "TIME_ZONE", None) or DEFAULT_TIME_ZONE


# --- A clock that can be paused -------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Working time allowance that can stop and go on (QT 19.3a, QT 20.1b).

    ``used_minutes`` is the working time used before ``started_at`` (the
    last start or resume). While paused, ``started_at`` is the pause instant
    and nothing is counted. ``ran_out_at`` is recorded at a pause if the
    allowance ran out before it, so the due time of an overdue clock stays
    the real moment it ran out. Every operation returns a new Clock; persist
    the fields and rebuild it with ``Clock(...)``.
    """

    started_at: datetime
    allowance_minutes: int
    used_minutes: int = 0
    paused: bool = False
    ran_out_at: datetime | None = None
    calendar: WorkCalendar | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "allowance_minutes", _whole_minutes(self.allowance_minutes))
        object.__setattr__(self, "used_minutes", _whole_minutes(self.used_minutes))

    @classmethod
    def start(cls, at: datetime, allowance_minutes: int, *, calendar: WorkCalendar | None = None) -> Clock:
        return cls(started_at=at, allowance_minutes=_whole_minutes(allowance_minutes), calendar=calendar)

    @property
    def _cal(self) -> WorkCalendar:
        return self.calendar if self.calendar is not None else get_calendar()

    def used(self, now: datetime) -> int:
        """Working minutes used up to ``now``."""
        if self.paused:
            return self.used_minutes
        return self.used_minutes + self._cal.working_minutes_between(self.started_at, now)

    def remaining(self, now: datetime) -> int:
        """Working minutes left at ``now``; negative once overdue."""
        return self.allowance_minutes - self.used(now)

    def pause(self, at: datetime) -> Clock:
        """Stop counting at ``at``, keeping the time used so far (QT 19.3a)."""
        if self.paused:
            raise ClockStateError("The clock is already paused.")
        self._not_before(at)
        used = self.used(at)
        ran_out_at = self.ran_out_at
        if ran_out_at is None and used >= self.allowance_minutes:
            candidate = self.due()  # exact: no pause since started_at
            ran_out_at = candidate if candidate <= at else None
        return replace(self, started_at=at, used_minutes=used, paused=True, ran_out_at=ran_out_at)

    def resume(self, at: datetime) -> Clock:
        """Go on counting from ``at`` with the time left (QT 20.1b)."""
        if not self.paused:
            raise ClockStateError("The clock is running; only a paused clock can resume.")
        self._not_before(at)
        return replace(self, started_at=at, paused=False)

    def due(self) -> datetime | None:
        """When the allowance runs (or ran) out; None while paused with time left."""
        if self.ran_out_at is not None:
            return self.ran_out_at
        if self.paused:
            return None
        left = self.allowance_minutes - self.used_minutes
        # left < 0 only for a clock rebuilt without ran_out_at: count back from its last start.
        return self._cal._shift(self.started_at, left)

    def _not_before(self, at: datetime) -> None:
        cal = self._cal
        if cal._local(at) < cal._local(self.started_at):
            raise ClockStateError(f"{at.isoformat()} is before the clock's last change {self.started_at.isoformat()}.")


# --- Loading from the database, cached per process ---------------------------------

VERSION_KEY = "workflow:worktime:calendar-version"
_state_lock = threading.Lock()
_cached: tuple[str, WorkCalendar] | None = None


def load_calendar() -> WorkCalendar:
    """Build a calendar from the admin-edited tables (defaults where nobody edited)."""
    from workflow.models import ExtraDayOff, SwappedWorkingDay, WorkingSchedule, WorkingSession

    schedules: tuple[Schedule, ...] = (DEFAULT_SCHEDULE,)
    if WorkingSession.objects.exists():
        schedules = tuple(s.as_schedule() for s in WorkingSchedule.objects.prefetch_related("sessions"))
    return WorkCalendar(
        schedules,
        days_off=ExtraDayOff.objects.values_list("date", flat=True),
        working_days=dict(SwappedWorkingDay.objects.values_list("date", "sessions_like")),
    )


def _current_version() -> str:
    from django.core.cache import cache

    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY) or "unversioned"
    return version


def get_calendar() -> WorkCalendar:
    """The calendar from the database, loaded once per process.

    Each call costs one cache read of the version key; an admin edit changes
    the key (see :func:`invalidate_calendar`) and every process reloads on its
    next call. Deadlines stored earlier are values and never move.
    """
    global _cached
    version = _current_version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _state_lock:
        if _cached is not None and _cached[0] == version:
            return _cached[1]
        calendar = load_calendar()
        _cached = (version, calendar)
        return calendar


def invalidate_calendar() -> None:
    """Forget the loaded calendar here and tell other processes to reload."""
    global _cached
    from django.core.cache import cache

    with _state_lock:
        _cached = None
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
