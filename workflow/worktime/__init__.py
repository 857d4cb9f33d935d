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
  after the session in which the due time falls (QT 18.3); a due time at a
  session's start is the same working moment as the end of the session
  before it and gets the same appointment —
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
Django's cache, which it re-reads at most every
``WORKTIME_CALENDAR_RECHECK_SECONDS`` (5 s): at once in the editing process,
within that bound in every other app server.
"""

from workflow.worktime.calendar import (
    WorkCalendar,
)
from workflow.worktime.clock import (
    Clock,
)
from workflow.worktime.loading import (
    VERSION_KEY,
    get_calendar,
    invalidate_calendar,
    load_calendar,
)
from workflow.worktime.rules import (
    DAY_MINUTES,
    DEFAULT_SCHEDULE,
    DEFAULT_SESSIONS,
    DEFAULT_TIME_ZONE,
    FIRST_YEAR,
    LAST_YEAR,
    MAX_IDLE_DAYS,
    ClockStateError,
    NaiveDatetimeError,
    NegativeDurationError,
    NoWorkingTimeError,
    OutOfRangeError,
    Schedule,
    WarningLevel,
    WorkTimeError,
    duration_minutes,
    statutory_vn,
)

__all__ = [
    "DEFAULT_SESSIONS",
    "MAX_IDLE_DAYS",
    "VERSION_KEY",
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
