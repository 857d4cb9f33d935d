"""The building blocks of working time: the 8-hour day, errors, warning levels, durations, weekly schedules
and the statutory holidays (DESIGN §5.5; QT 18, 21)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from django.db import models
from django.utils.translation import gettext_lazy as _

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
