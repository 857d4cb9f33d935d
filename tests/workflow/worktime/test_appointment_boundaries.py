"""Appointment rounding at session boundaries (QT 18.2–18.3; issue 16.5).

A due time exactly at a session's start is the same working moment as the end
of the session before it: no working minute lies between them. Both spellings
get one appointment, the start of the session after the one that has ended.

Worked calendar (default sessions 07:30–11:30, 13:00–17:00; VN statutory days):
* Friday 9/1/2026 → Monday 12/1/2026 is an ordinary weekend;
* Tết 2026: Saturday 14/2 … Sunday 22/2 are days off, Friday 13/2 is the last
  working day before it, Monday 23/2 the first after it;
* 30/4 (Thu) and 1/5 (Fri) 2026 are holidays, Wednesday 29/4 → Monday 4/5;
* Saturday 22/8/2026 is a make-up working day (for the National Day bridge
  31/8–2/9) with the weekday sessions.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflow.worktime import WorkCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar()


@pytest.mark.parametrize(
    "spellings, appointment",
    [
        # The weekend: Friday's close, Saturday, Sunday, Monday before work, Monday's first minute.
        (
            ["2026-01-09 17:00", "2026-01-10 10:00", "2026-01-11 23:59", "2026-01-12 06:00", "2026-01-12 07:30"],
            "2026-01-12 07:30",
        ),
        # Lunch: the morning's close, the break, the afternoon's first minute.
        (["2026-01-12 11:30", "2026-01-12 12:15", "2026-01-12 13:00"], "2026-01-12 13:00"),
        # The evening: the afternoon's close, the night, the next morning's first minute.
        (["2026-01-12 17:00", "2026-01-12 21:00", "2026-01-13 07:30"], "2026-01-13 07:30"),
        # Tết 2026: the close of Friday 13/2 and the first minute of Monday 23/2.
        (["2026-02-13 17:00", "2026-02-17 09:00", "2026-02-23 07:30"], "2026-02-23 07:30"),
        # 30/4–1/5: the close of Wednesday 29/4 and the first minute of Monday 4/5.
        (["2026-04-29 17:00", "2026-04-30 09:00", "2026-05-04 07:30"], "2026-05-04 07:30"),
        # The make-up Saturday 22/8: Friday's close is its first minute.
        (["2026-08-21 17:00", "2026-08-22 07:30"], "2026-08-22 07:30"),
        # ... and the make-up day's own lunch boundary.
        (["2026-08-22 11:30", "2026-08-22 13:00"], "2026-08-22 13:00"),
    ],
)
def test_every_spelling_of_one_working_moment_gets_one_appointment(cal, spellings, appointment):
    assert {cal.appointment_for(at(s)) for s in spellings} == {at(appointment)}


@pytest.mark.parametrize(
    "due, appointment",
    [
        ("2026-01-12 10:15", "2026-01-12 13:00"),  # design 5.5 example
        ("2026-01-12 07:31", "2026-01-12 13:00"),  # one working minute into the morning
        ("2026-01-12 11:30", "2026-01-12 13:00"),
        ("2026-01-12 13:01", "2026-01-13 07:30"),  # one working minute into the afternoon
        ("2026-01-12 16:00", "2026-01-13 07:30"),
        ("2026-01-12 17:00", "2026-01-13 07:30"),
        ("2026-01-09 16:00", "2026-01-12 07:30"),  # Friday afternoon → Monday
        ("2026-02-13 16:59", "2026-02-23 07:30"),  # the last minute before Tết
        ("2026-02-13 13:00", "2026-02-13 13:00"),  # ≡ 11:30 on the last day before Tết
        ("2026-04-29 16:00", "2026-05-04 07:30"),  # across 30/4–1/5
        ("2026-08-21 16:00", "2026-08-22 07:30"),  # the make-up Saturday is the next working day
        ("2026-08-22 16:00", "2026-08-24 07:30"),  # ... and after it, Monday
        ("2026-08-28 17:00", "2026-09-03 07:30"),  # across the National Day bridge 29/8–2/9
        ("2026-09-03 07:30", "2026-09-03 07:30"),  # ≡ Friday 28/8 17:00
    ],
)
def test_documented_and_boundary_examples(cal, due, appointment):
    assert cal.appointment_for(at(due)) == at(appointment)


def test_at_every_session_start_of_a_quarter_the_two_spellings_agree(cal):
    # Every session start from January to March 2026 (incl. Tết) against the end of the session before it.
    day, checked = date(2026, 1, 2), 0
    previous_end = at("2025-12-31 17:00")
    while day < date(2026, 4, 1):
        for start, end in cal.sessions_on(day):
            start_at = datetime(day.year, day.month, day.day, start // 60, start % 60, tzinfo=VN)
            assert cal.working_minutes_between(previous_end, start_at) == 0
            assert cal.appointment_for(start_at) == cal.appointment_for(previous_end) == start_at
            previous_end = datetime(day.year, day.month, day.day, end // 60, end % 60, tzinfo=VN)
            checked += 1
        day += timedelta(days=1)
    # Working days: January 2–30: 21; February: 20 weekdays less Tết 16–20/2: 15; March: 22.
    assert checked == 2 * (21 + 15 + 22)


def test_seconds_inside_a_session_start_minute_do_not_change_the_moment(cal):
    # Due times are kept to the minute: 07:30:45 is the minute 07:30.
    assert cal.appointment_for(datetime(2026, 1, 12, 7, 30, 45, tzinfo=VN)) == at("2026-01-12 07:30")


def test_a_province_working_saturday_mornings():
    # Sessions Mon–Fri 07:30–11:30/13:00–17:00 and Saturday 07:30–11:30: Friday's close ≡ Saturday 07:30.
    from workflow.worktime import Schedule

    week = {wd: [("07:30", "11:30"), ("13:00", "17:00")] for wd in range(5)}
    week[5] = [("07:30", "11:30")]
    calendar = WorkCalendar([Schedule.weekly(week)])
    assert calendar.appointment_for(at("2026-01-09 17:00")) == at("2026-01-10 07:30")
    assert calendar.appointment_for(at("2026-01-10 07:30")) == at("2026-01-10 07:30")
    assert calendar.appointment_for(at("2026-01-10 11:30")) == at("2026-01-12 07:30")
    assert calendar.appointment_for(at("2026-01-12 07:30")) == at("2026-01-12 07:30")
