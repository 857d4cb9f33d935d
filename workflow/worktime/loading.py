"""The calendar of the province, loaded from the database and cached per process (invalidated on change)."""

from __future__ import annotations

import threading
import time
import uuid

from workflow.worktime.calendar import WorkCalendar
from workflow.worktime.rules import DEFAULT_SCHEDULE, Schedule

# --- Loading from the database, cached per process ---------------------------------

VERSION_KEY = "workflow:worktime:calendar-version"
#: How often (seconds) a process re-reads the version key; the setting ``WORKTIME_CALENDAR_RECHECK_SECONDS``.
DEFAULT_RECHECK_SECONDS = 5.0
_state_lock = threading.Lock()
#: (version, calendar, monotonic time of the next version check) or None before the first load / after an edit.
_cached: tuple[str, WorkCalendar, float] | None = None
#: The clock of the re-check interval; a module attribute so that tests can move it.
_monotonic = time.monotonic


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


def recheck_seconds() -> float:
    """Seconds between two reads of the version key in one process (``WORKTIME_CALENDAR_RECHECK_SECONDS``)."""
    from django.conf import settings

    return max(0.0, float(getattr(settings, "WORKTIME_CALENDAR_RECHECK_SECONDS", DEFAULT_RECHECK_SECONDS)))


def get_calendar() -> WorkCalendar:
    """The calendar from the database, held once per process.

    Between two checks of the version key (at most every
    ``WORKTIME_CALENDAR_RECHECK_SECONDS``, default 5 s) a call is a clock read
    and a tuple lookup: no cache or database access. An admin edit (see
    :func:`invalidate_calendar`) is seen at once in the process that made it
    and by every other process within that interval (the staleness bound).
    Deadlines stored earlier are values and never move.
    """
    cached = _cached
    if cached is not None and _monotonic() < cached[2]:
        return cached[1]
    return _refresh()


def _refresh() -> WorkCalendar:
    global _cached
    with _state_lock:
        version = _current_version()
        next_check = _monotonic() + recheck_seconds()
        if _cached is not None and _cached[0] == version:
            calendar = _cached[1]
        else:
            calendar = load_calendar()
        _cached = (version, calendar, next_check)
        return calendar


def invalidate_calendar() -> None:
    """Forget the loaded calendar here (the next call reloads) and tell other processes to reload."""
    global _cached
    from django.core.cache import cache

    with _state_lock:
        _cached = None
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
