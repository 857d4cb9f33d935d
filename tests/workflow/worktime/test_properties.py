"""Property tests of the working-time engine.

The engine answers through per-year prefix sums and bisect; the reference
here walks the calendar day by day and session by session, which is slow but
obviously right. Both read the same per-date sessions (``sessions_on``).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.worktime import Schedule, WarningLevel, WorkCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ORIGIN = datetime(2025, 1, 1, tzinfo=VN)
SPAN_MINUTES = 3 * 366 * 24 * 60  # 2025–2027
MAX_DURATION = 60 * 480

DEFAULT = WorkCalendar()
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, database=None)

instants = st.integers(0, SPAN_MINUTES).map(lambda n: ORIGIN + timedelta(minutes=n))
# Also seconds, to check truncation to the minute.
instants_with_seconds = st.tuples(instants, st.integers(0, 59)).map(lambda t: t[0].replace(second=t[1]))
durations = st.integers(0, MAX_DURATION)


# --- reference implementation ---------------------------------------------------


def _minute(dt):
    return dt.hour * 60 + dt.minute


def _at(day, minute):
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=VN)


def ref_next(cal, dt):
    day, m = dt.date(), _minute(dt)
    while True:
        for s, e in cal.sessions_on(day):
            if m < e:
                return _at(day, max(s, m))
        day, m = day + timedelta(days=1), 0


def ref_add(cal, dt, minutes):
    if minutes == 0:
        return ref_next(cal, dt)
    day, m, left = dt.date(), _minute(dt), minutes
    while True:
        for s, e in cal.sessions_on(day):
            lo = max(s, m)
            if lo >= e:
                continue
            if left <= e - lo:
                return _at(day, lo + left)
            left -= e - lo
        day, m = day + timedelta(days=1), 0


def ref_between(cal, a, b):
    if b <= a:
        return 0
    total, day = 0, a.date()
    while day <= b.date():
        lo_day = _minute(a) if day == a.date() else 0
        hi_day = _minute(b) if day == b.date() else 24 * 60
        for s, e in cal.sessions_on(day):
            total += max(0, min(e, hi_day) - max(s, lo_day))
        day += timedelta(days=1)
    return total


def in_working_time_or_at_session_end(cal, dt, at_start_allowed):
    m = _minute(dt)
    for s, e in cal.sessions_on(dt.date()):
        if (s <= m if at_start_allowed else s < m) and m <= e:
            return at_start_allowed is False or m < e
    return False


# --- random calendars ---------------------------------------------------------------

session_pairs = st.tuples(st.integers(0, 23 * 60), st.integers(1, 8 * 60)).map(
    lambda t: (t[0], min(t[0] + t[1], 24 * 60 - 1))
)
weeks = st.lists(st.lists(session_pairs, max_size=3), min_size=7, max_size=7).filter(lambda w: any(w))
dates_2026 = st.integers(0, 364).map(lambda n: date(2026, 1, 1) + timedelta(days=n))


@st.composite
def calendars(draw):
    base = Schedule(week=tuple(draw(weeks)))
    schedules = [base]
    if draw(st.booleans()):
        start = draw(dates_2026)
        schedules.append(
            Schedule(
                week=tuple(draw(weeks)), valid_from=start, valid_to=start + timedelta(days=draw(st.integers(0, 120)))
            )
        )
    off = draw(st.sets(dates_2026, max_size=20))
    worked = draw(st.sets(dates_2026, max_size=10)) - off
    return WorkCalendar(
        schedules,
        days_off=off,
        working_days=worked,
        holidays=draw(st.sampled_from([None, WorkCalendar().__dict__["_holidays"]])),
    )


instants_2026 = st.integers(0, 365 * 24 * 60).map(lambda n: datetime(2026, 1, 1, tzinfo=VN) + timedelta(minutes=n))


# --- properties on the statutory calendar ---------------------------------------------


@PROPERTY_SETTINGS
@given(start=instants_with_seconds, minutes=durations)
def test_add_then_measure_gives_the_duration(start, minutes):
    due = DEFAULT.add_working_minutes(start, minutes)
    assert DEFAULT.working_minutes_between(start, due) == minutes
    assert due.second == 0 and due.microsecond == 0 and due.tzinfo == VN


@PROPERTY_SETTINGS
@given(start=instants, minutes=durations)
def test_result_is_working_time_or_a_session_end(start, minutes):
    due = DEFAULT.add_working_minutes(start, minutes)
    assert in_working_time_or_at_session_end(DEFAULT, due, at_start_allowed=(minutes == 0))


@PROPERTY_SETTINGS
@given(a=instants, b=instants, minutes=durations)
def test_monotonic_in_start(a, b, minutes):
    a, b = min(a, b), max(a, b)
    assert DEFAULT.add_working_minutes(a, minutes) <= DEFAULT.add_working_minutes(b, minutes)


@PROPERTY_SETTINGS
@given(start=instants, m=durations, n=durations)
def test_monotonic_in_duration(start, m, n):
    m, n = min(m, n), max(m, n)
    assert DEFAULT.add_working_minutes(start, m) <= DEFAULT.add_working_minutes(start, n)


@PROPERTY_SETTINGS
@given(start=instants, minutes=st.integers(0, 5 * 480))
def test_add_matches_the_reference(start, minutes):
    assert DEFAULT.add_working_minutes(start, minutes) == ref_add(DEFAULT, start, minutes)


@PROPERTY_SETTINGS
@given(a=instants, days=st.integers(0, 40))
def test_between_matches_the_reference(a, days):
    b = a + timedelta(days=days, minutes=days * 97)
    assert DEFAULT.working_minutes_between(a, b) == ref_between(DEFAULT, a, b)


@PROPERTY_SETTINGS
@given(a=instants, b=instants, c=instants)
def test_between_is_additive(a, b, c):
    a, b, c = sorted((a, b, c))
    between = DEFAULT.working_minutes_between
    assert between(a, b) + between(b, c) == between(a, c)


@PROPERTY_SETTINGS
@given(start=instants, minutes=st.integers(1, MAX_DURATION))
def test_appointment_is_the_next_session_start(start, minutes):
    due = DEFAULT.add_working_minutes(start, minutes)
    appointment = DEFAULT.appointment_for(due)
    assert appointment > due
    # QT 18.3: the rest of the due time's session passes, then the very next session starts.
    (end,) = [e for s, e in DEFAULT.sessions_on(due.date()) if s < _minute(due) <= e]
    session_end = _at(due.date(), end)
    assert DEFAULT.working_minutes_between(due, appointment) == end - _minute(due)
    assert DEFAULT.working_minutes_between(session_end, appointment) == 0
    assert _minute(appointment) in {s for s, _ in DEFAULT.sessions_on(appointment.date())}


@PROPERTY_SETTINGS
@given(start=instants, minutes=durations, now=instants)
def test_warning_agrees_with_remaining(start, minutes, now):
    due = DEFAULT.add_working_minutes(start, minutes)
    remaining = DEFAULT.remaining_minutes(due, now)
    level = DEFAULT.warning_level(due, now)
    if now > due:
        assert level == WarningLevel.OVERDUE and remaining <= 0
    else:
        assert remaining >= 0
        assert level == (WarningLevel.DUE_SOON if remaining < 480 else WarningLevel.OK)


@PROPERTY_SETTINGS
@given(
    start=instants,
    allowance=st.integers(0, 20 * 480),
    pause_after=st.integers(0, 30 * 1440),
    pause_for=st.integers(0, 30 * 1440),
)
def test_pause_keeps_the_allowance(start, allowance, pause_after, pause_for):
    clk = DEFAULT.clock(start, allowance)
    pause_at = start + timedelta(minutes=pause_after)
    resume_at = pause_at + timedelta(minutes=pause_for)
    resumed = clk.pause(pause_at).resume(resume_at)
    used_before = DEFAULT.working_minutes_between(start, pause_at)
    due = resumed.due()
    if used_before < allowance:
        assert used_before + DEFAULT.working_minutes_between(resume_at, due) == allowance
        assert due == DEFAULT.add_working_minutes(resume_at, allowance - used_before)
    elif used_before > allowance:
        # It ran out before the pause: the due time is that real moment.
        assert due == DEFAULT.add_working_minutes(start, allowance) <= pause_at
        assert resumed.remaining(resume_at) == allowance - used_before


# --- the same properties on random calendars -------------------------------------------------


@PROPERTY_SETTINGS
@given(cal=calendars(), start=instants_2026, minutes=st.integers(0, 10 * 480))
def test_random_calendar_add_matches_the_reference(cal, start, minutes):
    due = cal.add_working_minutes(start, minutes)
    assert due == ref_add(cal, start, minutes)
    assert cal.working_minutes_between(start, due) == minutes
    assert in_working_time_or_at_session_end(cal, due, at_start_allowed=(minutes == 0))


@PROPERTY_SETTINGS
@given(cal=calendars(), a=instants_2026, b=instants_2026)
def test_random_calendar_between_matches_the_reference(cal, a, b):
    assert cal.working_minutes_between(a, b) == ref_between(cal, a, b)


@PROPERTY_SETTINGS
@given(cal=calendars(), start=instants_2026)
def test_random_calendar_next_working_moment(cal, start):
    moment = cal.next_working_moment(start)
    assert moment == ref_next(cal, start)
    assert cal.working_minutes_between(start, moment) == 0
