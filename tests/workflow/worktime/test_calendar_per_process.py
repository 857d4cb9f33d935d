"""One working calendar per process, refreshed when its version changes (issue 16.8).

``get_calendar()`` re-reads the version key in the Django cache at most every
``WORKTIME_CALENDAR_RECHECK_SECONDS``; an edit in this process is seen at once,
another process's edit within the interval. The clock is monkeypatched: no sleeps.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from workflow import worktime
from workflow.models import ExtraDayOff
from workflow.worktime import get_calendar, invalidate_calendar, loading

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
FRIDAY_1600 = datetime(2026, 1, 2, 16, 0, tzinfo=VN)
MONDAY_1600 = datetime(2026, 1, 5, 16, 0, tzinfo=VN)  # Friday 16:00 + 1 working day
TUESDAY_1600 = datetime(2026, 1, 6, 16, 0, tzinfo=VN)  # ... with Monday 5/1 an extra day off


@pytest.fixture
def clock(monkeypatch, settings):
    """A process clock (seconds) the test moves by hand; the interval is 5 s."""
    settings.WORKTIME_CALENDAR_RECHECK_SECONDS = 5
    now = [1000.0]
    monkeypatch.setattr(loading, "_monotonic", lambda: now[0])
    invalidate_calendar()
    yield now
    invalidate_calendar()


def edit_elsewhere():
    """Another app server adds a day off: its row is in the database, its invalidation only in the shared cache."""
    ExtraDayOff.objects.bulk_create([ExtraDayOff(date=date(2026, 1, 5), note="edited elsewhere")])  # no signals here
    cache.set(worktime.VERSION_KEY, "version-from-another-process", None)


def test_an_edit_in_this_process_is_seen_at_once(clock):
    assert get_calendar().add_working_days(FRIDAY_1600, 1) == MONDAY_1600
    ExtraDayOff.objects.create(date=date(2026, 1, 5), note="Provincial event")  # the admin edit's signal
    assert get_calendar().add_working_days(FRIDAY_1600, 1) == TUESDAY_1600  # the clock has not moved


def test_another_process_edit_is_seen_after_the_interval(clock):
    held = get_calendar()
    edit_elsewhere()
    clock[0] += 4.9
    assert get_calendar() is held  # within the staleness bound: still the calendar this process holds
    assert get_calendar().add_working_days(FRIDAY_1600, 1) == MONDAY_1600
    clock[0] += 0.1  # 5 s after the last check
    assert get_calendar().add_working_days(FRIDAY_1600, 1) == TUESDAY_1600


def test_between_checks_a_call_reads_neither_cache_nor_database(clock, monkeypatch, django_assert_num_queries):
    get_calendar()
    reads = []
    real_get = cache.get
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: reads.append(args[0]) or real_get(*args, **kwargs))
    with django_assert_num_queries(0):
        for _ in range(1000):
            get_calendar()
    assert reads == []
    clock[0] += 5
    with django_assert_num_queries(0):  # the version has not changed: one key read, the same calendar
        get_calendar()
    assert reads == [worktime.VERSION_KEY]


def test_an_unchanged_version_keeps_the_calendar_and_restarts_the_interval(clock):
    held = get_calendar()
    clock[0] += 5
    assert get_calendar() is held
    edit_elsewhere()
    clock[0] += 4  # 9 s after the first load, 4 s after the last check
    assert get_calendar() is held
    clock[0] += 1
    assert get_calendar() is not held


def test_interval_zero_checks_on_every_call(clock, settings):
    settings.WORKTIME_CALENDAR_RECHECK_SECONDS = 0
    invalidate_calendar()  # the interval is read at each check
    get_calendar()
    edit_elsewhere()
    assert get_calendar().add_working_days(FRIDAY_1600, 1) == TUESDAY_1600


def test_an_evicted_version_key_reloads_after_the_interval(clock):
    held = get_calendar()
    cache.delete(worktime.VERSION_KEY)
    clock[0] += 5
    reloaded = get_calendar()
    assert reloaded is not held
    assert reloaded.add_working_days(FRIDAY_1600, 1) == MONDAY_1600
