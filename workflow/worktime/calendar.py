"""The working calendar: working minutes between two moments, deadlines, appointments, warnings (QT 18.2-18.3, 21)."""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from workflow.worktime.rules import (
    DAY_MINUTES,
    DEFAULT_SCHEDULE,
    DEFAULT_TIME_ZONE,
    FIRST_YEAR,
    LAST_YEAR,
    MAX_IDLE_DAYS,
    HolidayProvider,
    NaiveDatetimeError,
    NoWorkingTimeError,
    OutOfRangeError,
    Schedule,
    Sessions,
    WarningLevel,
    WorkTimeError,
    _whole_minutes,
    duration_minutes,
    statutory_vn,
)

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

    def close_of_working_day_after(self, day: date, n: int) -> datetime:
        """The close (end of the last session) of the ``n``-th working day after ``day``; ``day`` is not counted.

        For periods counted in whole working days "from the day of" an event
        (feedback, QN 18.1, TN 15.2): the day of the event is not counted
        (Civil Code 2015 Art. 147.1) and the period ends at the close of its
        last working day. Monday 5/1/2026, n = 1 → Tuesday 6/1 17:00.
        """
        if not isinstance(n, int) or n < 1:
            raise WorkTimeError(f"Count at least one working day, not {n!r}.")
        current, idle = day, 0
        while n:
            current += timedelta(days=1)
            if self.is_working_day(current):
                n, idle = n - 1, 0
            else:
                idle += 1
                if idle > MAX_IDLE_DAYS:
                    raise NoWorkingTimeError(f"No working day within {MAX_IDLE_DAYS} days after {current:%Y-%m-%d}.")
        end = self.sessions_on(current)[-1][1]
        return datetime(current.year, current.month, current.day, tzinfo=self._tz) + timedelta(minutes=end)

    def local_date(self, dt: datetime) -> date:
        """The calendar date of ``dt`` in the calendar's time zone."""
        return self._local(dt).date()

    def working_minutes_between(self, a: datetime, b: datetime) -> int:
        """Working minutes from ``a`` to ``b``; 0 if ``b`` is not after ``a``."""
        la, lb = self._local(a), self._local(b)
        if lb <= la:
            return 0
        return max(0, self._position(lb) - self._position(la))

    def appointment_for(self, due: datetime) -> datetime:
        """The appointment (hẹn trả kết quả) for a due time (QT 18.3).

        The start of the first working session after the session in which the
        due time falls. A due time is read as a *working moment*: a moment at a
        session's start, in a break, at night or on a day off is the same
        working moment as the end of the last session before it (no working
        minute lies between them), so all of them get one appointment.
        Due 10:15 → 13:00; due 11:30 or 13:00 (≡ 11:30) → 13:00 the same day;
        due 16:00 or 17:00 → 07:30 on the next working day; due Monday 07:30
        (≡ Friday 17:00) → Monday 07:30, the same as Friday 17:00.
        """
        local = self._local(due).replace(second=0, microsecond=0)
        # The canonical spelling of the working moment: the earliest instant with
        # the same working-minute position, never a session start.
        moment = self._instant(self._position(local), local.year)
        minute = moment.hour * 60 + moment.minute
        for start, end in self.sessions_on(moment.date()):
            if start < minute <= end:
                # Sessions are merged, so the end itself is outside working time.
                return self._first_working(moment.replace(hour=end // 60, minute=end % 60))
        raise WorkTimeError(f"No session holds the working moment {moment:%Y-%m-%d %H:%M}.")  # pragma: no cover

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

    def clock(self, started_at: datetime, allowance_minutes: int) -> Clock:  # noqa: F821 - imported below
        """A running :class:`Clock` on this calendar."""
        from workflow.worktime.clock import Clock  # the clock reads the calendar: imported when used

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
