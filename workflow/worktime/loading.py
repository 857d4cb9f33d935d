"""The calendar of the province, loaded from the database and cached per process (invalidated on change)."""

from __future__ import annotations

import threading
import uuid

from workflow.worktime.calendar import WorkCalendar
from workflow.worktime.rules import DEFAULT_SCHEDULE, Schedule

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
