"""Working time and deadlines (design 5.5; QT 18–21, QN 13.2a).

Pure calendar arithmetic first (no database), then the admin-edited calendar
loaded from the database.
"""

import json
import re
import time as clock
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from workflow import worktime
from workflow.models import ExtraDayOff, SwappedWorkingDay, Weekday, WorkingSchedule, WorkingSession
from workflow.worktime import (
    DEFAULT_SCHEDULE,
    Clock,
    ClockStateError,
    NaiveDatetimeError,
    NegativeDurationError,
    NoWorkingTimeError,
    OutOfRangeError,
    Schedule,
    WarningLevel,
    WorkCalendar,
    WorkTimeError,
    duration_minutes,
    get_calendar,
    statutory_vn,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    """Local time in Việt Nam from "YYYY-MM-DD HH:MM"."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar()


def due_and_appointment(calendar, received, days):
    due = calendar.add_working_days(at(received), days)
    return due, calendar.appointment_for(due)


# --- The worked examples (design 5.5, QT 18.2–18.3) -----------------------------


def test_friday_afternoon_one_day(cal):
    due, appointment = due_and_appointment(cal, "2026-01-02 16:00", 1)
    assert due == at("2026-01-05 16:00")
    assert appointment == at("2026-01-06 07:30")


def test_saturday_reception_starts_monday_morning(cal):
    assert cal.next_working_moment(at("2026-01-03 10:00")) == at("2026-01-05 07:30")
    due, appointment = due_and_appointment(cal, "2026-01-03 10:00", 1)
    assert due == at("2026-01-05 17:00")  # a session end, not Tuesday 07:30
    assert appointment == at("2026-01-06 07:30")


def test_lunch_break_reception_starts_at_13(cal):
    assert cal.next_working_moment(at("2026-01-05 12:10")) == at("2026-01-05 13:00")
    assert cal.add_working_minutes(at("2026-01-05 12:10"), 0) == at("2026-01-05 13:00")
    assert cal.add_working_minutes(at("2026-01-05 12:10"), 30) == at("2026-01-05 13:30")


def test_due_at_1130_appointment_same_day_1300(cal):
    assert cal.appointment_for(at("2026-01-05 11:30")) == at("2026-01-05 13:00")


# --- next working moment ---------------------------------------------------------


@pytest.mark.parametrize(
    "moment, expected",
    [
        ("2026-01-05 09:15", "2026-01-05 09:15"),  # inside a session: itself
        ("2026-01-05 07:30", "2026-01-05 07:30"),
        ("2026-01-05 06:00", "2026-01-05 07:30"),
        ("2026-01-05 11:29", "2026-01-05 11:29"),
        ("2026-01-05 11:30", "2026-01-05 13:00"),  # the session is over at its end
        ("2026-01-05 17:00", "2026-01-06 07:30"),
        ("2026-01-05 23:59", "2026-01-06 07:30"),
        ("2026-01-09 17:00", "2026-01-12 07:30"),  # Friday evening → Monday
        ("2026-01-04 10:00", "2026-01-05 07:30"),  # Sunday
        ("2026-01-01 09:00", "2026-01-02 07:30"),  # New Year's Day
        ("2025-12-31 17:30", "2026-01-02 07:30"),  # across the year end and a holiday
    ],
)
def test_next_working_moment(cal, moment, expected):
    assert cal.next_working_moment(at(moment)) == at(expected)


def test_seconds_are_truncated(cal):
    moment = datetime(2026, 1, 5, 10, 0, 59, 999999, tzinfo=VN)
    assert cal.next_working_moment(moment) == at("2026-01-05 10:00")
    assert cal.add_working_minutes(moment, 1) == at("2026-01-05 10:01")
    assert cal.working_minutes_between(moment, datetime(2026, 1, 5, 10, 1, 0, tzinfo=VN)) == 1


# --- appointment (QT 18.3) ---------------------------------------------------------


@pytest.mark.parametrize(
    "due, expected",
    [
        ("2026-01-05 10:15", "2026-01-05 13:00"),
        ("2026-01-05 07:31", "2026-01-05 13:00"),
        ("2026-01-05 07:30", "2026-01-05 07:30"),  # at a session start ≡ Friday 17:00 (QT 18.2 boundary)
        ("2026-01-05 11:30", "2026-01-05 13:00"),  # at a session end: in that session
        ("2026-01-05 12:00", "2026-01-05 13:00"),  # in the break: the next session
        ("2026-01-05 13:00", "2026-01-05 13:00"),  # ≡ 11:30, the end of the morning session
        ("2026-01-05 16:00", "2026-01-06 07:30"),
        ("2026-01-05 17:00", "2026-01-06 07:30"),
        ("2026-01-05 18:00", "2026-01-06 07:30"),
        ("2026-01-05 06:00", "2026-01-05 07:30"),
        ("2026-01-09 16:00", "2026-01-12 07:30"),  # Friday → Monday
        ("2025-12-31 17:00", "2026-01-02 07:30"),  # New Year's Day in between
        ("2026-02-13 16:00", "2026-02-23 07:30"),  # Tết 2026 in between
    ],
)
def test_appointment_for(cal, due, expected):
    assert cal.appointment_for(at(due)) == at(expected)


# --- working minutes between --------------------------------------------------------


@pytest.mark.parametrize(
    "a, b, minutes",
    [
        ("2026-01-02 16:00", "2026-01-05 09:00", 150),
        ("2026-01-05 07:30", "2026-01-05 17:00", 480),
        ("2026-01-05 00:00", "2026-01-06 00:00", 480),
        ("2026-01-05 11:00", "2026-01-05 13:30", 60),
        ("2026-01-05 12:00", "2026-01-05 12:59", 0),
        ("2026-01-05 10:00", "2026-01-05 10:00", 0),
        ("2026-01-05 10:00", "2026-01-05 09:00", 0),  # b before a
        ("2026-02-13 17:00", "2026-02-23 07:30", 0),  # Tết 2026: nothing counts
        ("2026-01-05 00:00", "2026-01-31 00:00", 20 * 480),
        ("2025-12-31 12:00", "2026-01-02 09:00", 240 + 90),
    ],
)
def test_working_minutes_between(cal, a, b, minutes):
    assert cal.working_minutes_between(at(a), at(b)) == minutes


def test_whole_year_2026_has_the_expected_working_days(cal):
    # 261 weekdays in 2026 minus 13 statutory weekday days off plus make-up Saturday 22/8.
    assert cal.working_minutes_between(at("2026-01-01 00:00"), at("2027-01-01 00:00")) == (261 - 13 + 1) * 480


# --- statutory calendar: what the holidays package says for VN -------------------


def test_statutory_days_off_2026():
    days_off, make_up = statutory_vn(2026)
    assert days_off == {
        date(2026, 1, 1),
        *(date(2026, 2, d) for d in range(16, 21)),  # Tết Bính Ngọ, Mon–Fri
        date(2026, 4, 26),
        date(2026, 4, 27),  # Hùng Kings, Sunday → observed Monday
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 8, 31),  # day off substituted from Saturday 22/8
        date(2026, 9, 1),
        date(2026, 9, 2),
        date(2026, 11, 24),  # Vietnam Cultural Day
    }
    assert make_up == {date(2026, 8, 22)}


def test_statutory_days_off_2027():
    days_off, make_up = statutory_vn(2027)
    assert days_off == {
        date(2027, 1, 1),
        *(date(2027, 2, d) for d in range(4, 11)),  # Tết Đinh Mùi, Thu 4/2 – Wed 10/2
        date(2027, 4, 16),
        date(2027, 4, 30),
        date(2027, 5, 1),
        date(2027, 5, 3),  # Labour Day on Saturday → observed Monday
        date(2027, 9, 2),
        date(2027, 9, 3),
        date(2027, 11, 24),
    }
    assert make_up == set()


def test_statutory_make_up_day_2025():
    days_off, make_up = statutory_vn(2025)
    assert make_up == {date(2025, 4, 26)}  # Saturday worked for Friday 2/5/2025
    assert date(2025, 5, 2) in days_off


# --- deadlines across the holidays ---------------------------------------------------


@pytest.mark.parametrize(
    "received, days, due, appointment",
    [
        # Tết 2026: 16–20/2 off plus two weekends.
        ("2026-02-13 16:00", 1, "2026-02-23 16:00", "2026-02-24 07:30"),
        ("2026-02-12 09:00", 3, "2026-02-24 09:00", "2026-02-24 13:00"),
        ("2026-02-18 10:00", 1, "2026-02-23 17:00", "2026-02-24 07:30"),  # received during Tết
        ("2026-02-13 07:30", 1, "2026-02-13 17:00", "2026-02-23 07:30"),
        ("2026-02-06 10:00", 10, "2026-02-27 10:00", "2026-02-27 13:00"),
        # Tết 2027: Thu 4/2 – Wed 10/2 off.
        ("2027-02-03 10:00", 1, "2027-02-11 10:00", "2027-02-11 13:00"),
        ("2027-02-04 08:00", 1, "2027-02-11 17:00", "2027-02-12 07:30"),
        ("2027-02-03 16:00", 2, "2027-02-12 16:00", "2027-02-15 07:30"),
        # 30/4–1/5 2026 (with Hùng Kings observed on Monday 27/4).
        ("2026-04-24 16:00", 1, "2026-04-28 16:00", "2026-04-29 07:30"),
        ("2026-04-29 16:00", 1, "2026-05-04 16:00", "2026-05-05 07:30"),
        ("2026-04-29 10:00", 0.5, "2026-04-29 15:30", "2026-05-04 07:30"),
        # 30/4–1/5 2027: Friday 30/4, Saturday 1/5 observed Monday 3/5.
        ("2027-04-29 16:00", 1, "2027-05-04 16:00", "2027-05-05 07:30"),
        # 2/9 2026: 31/8–2/9 off, Saturday 22/8 worked instead.
        ("2026-08-21 16:00", 1, "2026-08-22 16:00", "2026-08-24 07:30"),
        ("2026-08-22 09:00", 1, "2026-08-24 09:00", "2026-08-24 13:00"),
        ("2026-08-28 16:00", 1, "2026-09-03 16:00", "2026-09-04 07:30"),
        # 2/9 2027: Thursday 2/9 and Friday 3/9.
        ("2027-09-01 16:00", 1, "2027-09-06 16:00", "2027-09-07 07:30"),
        # New Year and Vietnam Cultural Day.
        ("2026-12-31 16:00", 1, "2027-01-04 16:00", "2027-01-05 07:30"),
        ("2026-11-23 16:00", 1, "2026-11-25 16:00", "2026-11-26 07:30"),
    ],
)
def test_deadlines_across_holidays(cal, received, days, due, appointment):
    assert due_and_appointment(cal, received, days) == (at(due), at(appointment))


def test_make_up_saturday_has_monday_sessions(cal):
    assert cal.is_working_day(date(2026, 8, 22))
    assert cal.sessions_on(date(2026, 8, 22)) == DEFAULT_SCHEDULE.week[Weekday.MONDAY]
    assert cal.next_working_moment(at("2026-08-22 12:00")) == at("2026-08-22 13:00")
    assert not cal.is_working_day(date(2026, 8, 29))


def test_online_reception_within_8_working_hours(cal):
    # QN 13.2a: submitted Friday 15:00 must be received by Monday 15:00.
    assert cal.add_working_hours(at("2026-01-09 15:00"), 8) == at("2026-01-12 15:00")
    assert cal.add_working_hours(at("2026-01-09 15:00"), 1.5) == at("2026-01-09 16:30")


def test_maintenance_notice_five_working_days_ahead(cal):
    start = at("2026-01-12 08:00")
    assert cal.working_minutes_between(at("2026-01-05 08:00"), start) == 5 * 480


# --- admin additions (pure calendar) -------------------------------------------------


def test_extra_day_off_moves_the_deadline():
    calendar = WorkCalendar(days_off=[date(2026, 1, 5)])
    assert calendar.add_working_days(at("2026-01-02 16:00"), 1) == at("2026-01-06 16:00")
    assert calendar.appointment_for(at("2026-01-06 16:00")) == at("2026-01-07 07:30")


def test_swapped_working_day_counts_with_weekday_sessions():
    calendar = WorkCalendar(working_days={date(2026, 1, 10): None})  # Saturday
    assert calendar.add_working_days(at("2026-01-09 16:00"), 1) == at("2026-01-10 16:00")
    assert calendar.appointment_for(at("2026-01-10 16:00")) == at("2026-01-12 07:30")


def test_swapped_working_day_uses_the_chosen_weekday():
    short_friday = Schedule.weekly(
        {**{wd: [("07:30", "11:30"), ("13:00", "17:00")] for wd in range(4)}, 4: [("07:30", "11:30")]}
    )
    calendar = WorkCalendar([short_friday], working_days={date(2026, 1, 10): Weekday.FRIDAY})
    assert calendar.sessions_on(date(2026, 1, 10)) == ((450, 690),)
    assert calendar.next_working_moment(at("2026-01-10 12:00")) == at("2026-01-12 07:30")


def test_admin_days_override_the_statutory_calendar():
    calendar = WorkCalendar(days_off=[date(2026, 8, 22)], working_days=[date(2026, 8, 31)])
    assert not calendar.is_working_day(date(2026, 8, 22))  # make-up Saturday cancelled
    assert calendar.is_working_day(date(2026, 8, 31))  # substituted day off cancelled
    assert calendar.add_working_days(at("2026-08-21 16:00"), 1) == at("2026-08-24 16:00")


def test_tet_2026_extended_by_the_province():
    # A province that also closes on Friday 13/2/2026, the working day before Tết.
    calendar = WorkCalendar(days_off=[date(2026, 2, 13)])
    assert calendar.add_working_days(at("2026-02-12 16:00"), 1) == at("2026-02-23 16:00")


def test_same_date_cannot_be_both_off_and_worked():
    with pytest.raises(WorkTimeError):
        WorkCalendar(days_off=[date(2026, 1, 10)], working_days=[date(2026, 1, 10)])


# --- seasonal sessions ------------------------------------------------------------------

SUMMER = Schedule.weekly(
    {wd: [("07:00", "11:00"), ("13:30", "17:30")] for wd in range(5)},
    valid_from=date(2026, 5, 1),
    valid_to=date(2026, 9, 30),
    name="summer",
)


def test_summer_hours_apply_in_their_range():
    calendar = WorkCalendar([DEFAULT_SCHEDULE, SUMMER])
    assert calendar.next_working_moment(at("2026-06-01 06:50")) == at("2026-06-01 07:00")
    assert calendar.add_working_days(at("2026-06-01 06:50"), 1) == at("2026-06-01 17:30")
    assert calendar.appointment_for(at("2026-06-01 11:00")) == at("2026-06-01 13:30")
    # Winter days keep the default sessions.
    assert calendar.next_working_moment(at("2026-01-05 07:00")) == at("2026-01-05 07:30")


def test_summer_hours_end_at_their_last_day():
    calendar = WorkCalendar([DEFAULT_SCHEDULE, SUMMER])
    # Wednesday 30/9 17:00–17:30 is summer time, Thursday 1/10 starts at 07:30.
    assert calendar.add_working_minutes(at("2026-09-30 17:00"), 60) == at("2026-10-01 08:00")
    assert calendar.working_minutes_between(at("2026-09-30 17:00"), at("2026-10-01 08:00")) == 60


def test_most_specific_dated_schedule_wins():
    from_2026 = Schedule.weekly(
        {wd: [("08:00", "12:00"), ("13:00", "17:00")] for wd in range(5)}, valid_from=date(2026, 1, 1), name="2026"
    )
    calendar = WorkCalendar([DEFAULT_SCHEDULE, from_2026, SUMMER])
    assert calendar.schedule_for(date(2025, 12, 31)) is DEFAULT_SCHEDULE
    assert calendar.schedule_for(date(2026, 3, 2)) == from_2026
    assert calendar.schedule_for(date(2026, 6, 1)) == SUMMER
    assert calendar.schedule_for(date(2026, 10, 1)) == from_2026


def test_touching_sessions_are_one_session():
    continuous = Schedule.weekly({wd: [("07:30", "11:30"), ("11:30", "16:30")] for wd in range(5)})
    calendar = WorkCalendar([continuous])
    assert calendar.sessions_on(date(2026, 1, 5)) == ((450, 990),)
    assert calendar.appointment_for(at("2026-01-05 11:30")) == at("2026-01-06 07:30")


# --- warnings (QT 21) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "now, remaining, level",
    [
        ("2026-01-02 16:00", 480, WarningLevel.OK),
        ("2026-01-02 15:59", 481, WarningLevel.OK),
        ("2026-01-02 16:01", 479, WarningLevel.DUE_SOON),  # QT 21b: under one working day
        ("2026-01-05 07:30", 420, WarningLevel.DUE_SOON),
        ("2026-01-05 16:00", 0, WarningLevel.DUE_SOON),  # exactly at the due time: not late yet
        ("2026-01-05 16:01", -1, WarningLevel.OVERDUE),  # QT 21a
        ("2026-01-06 08:00", -90, WarningLevel.OVERDUE),
    ],
)
def test_remaining_and_warning(cal, now, remaining, level):
    due = at("2026-01-05 16:00")
    assert cal.remaining_minutes(due, at(now)) == remaining
    assert cal.warning_level(due, at(now)) == level


def test_overdue_outside_working_time(cal):
    due = at("2026-01-09 17:00")  # Friday evening
    assert cal.remaining_minutes(due, at("2026-01-10 10:00")) == 0
    assert cal.warning_level(due, at("2026-01-10 10:00")) == WarningLevel.OVERDUE
    assert WarningLevel.OVERDUE == "overdue" and WarningLevel.DUE_SOON == "due_soon" and WarningLevel.OK == "ok"


# --- pause / resume (QT 19.3a, QT 20.1b) -------------------------------------------------


def test_clock_pause_keeps_used_time(cal):
    clk = cal.clock(at("2026-01-02 16:00"), 2 * 480)
    assert clk.due() == at("2026-01-06 16:00")
    paused = clk.pause(at("2026-01-05 09:00"))
    assert paused.used_minutes == 60 + 90
    assert paused.paused and paused.due() is None
    assert paused.remaining(at("2026-01-07 09:00")) == 810  # nothing counts while stopped
    resumed = paused.resume(at("2026-01-08 13:00"))
    # 810 left: Thu 13:00–17:00 (240), Fri (480), Mon 07:30 + 90.
    assert resumed.due() == at("2026-01-12 09:00")
    assert resumed.remaining(at("2026-01-09 07:30")) == 570
    assert clk.due() == at("2026-01-06 16:00")  # the original value never changes


def test_clock_resumed_outside_working_time(cal):
    clk = cal.clock(at("2026-01-05 07:30"), 480).pause(at("2026-01-05 11:30"))
    resumed = clk.resume(at("2026-01-10 09:00"))  # a Saturday
    assert resumed.due() == at("2026-01-12 11:30")


def test_clock_overdue_due_lies_in_the_past(cal):
    clk = cal.clock(at("2026-01-05 07:30"), 60).pause(at("2026-01-05 10:30"))  # used 180 of 60
    assert clk.remaining(at("2026-01-06 07:30")) == -120
    assert clk.ran_out_at == at("2026-01-05 08:30")
    resumed = clk.resume(at("2026-01-06 07:30"))
    assert resumed.due() == at("2026-01-05 08:30")  # the real moment it ran out
    assert resumed.remaining(at("2026-01-06 08:00")) == -150
    # A clock rebuilt from stored fields without ran_out_at counts back from its last start.
    rebuilt = Clock(at("2026-01-06 07:30"), 60, used_minutes=180, calendar=cal)
    assert rebuilt.due() == at("2026-01-05 15:00")


def test_clock_state_errors(cal):
    clk = cal.clock(at("2026-01-05 07:30"), 480)
    with pytest.raises(ClockStateError):
        clk.resume(at("2026-01-05 08:00"))
    paused = clk.pause(at("2026-01-05 09:00"))
    with pytest.raises(ClockStateError):
        paused.pause(at("2026-01-05 10:00"))
    with pytest.raises(ClockStateError):
        paused.resume(at("2026-01-05 08:00"))  # before the pause
    with pytest.raises(NegativeDurationError):
        Clock.start(at("2026-01-05 07:30"), -1, calendar=cal)


# --- input checking ----------------------------------------------------------------------


def test_naive_datetime_is_refused(cal):
    with pytest.raises(NaiveDatetimeError, match="aware"):
        cal.add_working_minutes(datetime(2026, 1, 5, 9, 0), 10)
    with pytest.raises(ValueError):
        cal.working_minutes_between(datetime(2026, 1, 5, 9, 0), at("2026-01-06 09:00"))


def test_date_is_refused(cal):
    with pytest.raises(TypeError):
        cal.next_working_moment(date(2026, 1, 5))


def test_other_time_zones_come_back_in_local_time(cal):
    utc = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)  # 16:00 in Hà Nội
    due = cal.add_working_days(utc, 1)
    assert due == at("2026-01-05 16:00")
    assert due.tzinfo == VN and due.utcoffset() == timedelta(hours=7)


def test_negative_durations_are_refused(cal):
    with pytest.raises(NegativeDurationError):
        cal.add_working_minutes(at("2026-01-05 09:00"), -1)
    with pytest.raises(NegativeDurationError):
        cal.add_working_days(at("2026-01-05 09:00"), -0.5)


def test_fractional_minutes_are_refused(cal):
    with pytest.raises(TypeError):
        cal.add_working_minutes(at("2026-01-05 09:00"), 1.5)
    assert cal.add_working_minutes(at("2026-01-05 09:00"), 30.0) == at("2026-01-05 09:30")


@pytest.mark.parametrize(
    "kwargs, minutes",
    [
        ({"days": 1}, 480),
        ({"days": "0.5"}, 240),
        ({"days": 0.5}, 240),
        ({"hours": 1.5}, 90),
        ({"hours": "8"}, 480),
        ({"days": 60}, 28800),
        ({"minutes": 7}, 7),
        ({"hours": "0.01"}, 1),
    ],
)
def test_duration_minutes(kwargs, minutes):
    assert duration_minutes(**kwargs) == minutes


def test_duration_minutes_bad_input():
    with pytest.raises(WorkTimeError):
        duration_minutes(days="abc")
    with pytest.raises(NegativeDurationError):
        duration_minutes(hours=-1)
    with pytest.raises(TypeError):
        duration_minutes(days=1, hours=1)


def test_no_working_time_at_all_is_an_error():
    calendar = WorkCalendar([Schedule.weekly({})], holidays=None)
    with pytest.raises(NoWorkingTimeError):
        calendar.next_working_moment(at("2026-01-05 09:00"))
    with pytest.raises(NoWorkingTimeError):
        calendar.add_working_days(at("2026-01-05 09:00"), 1)
    assert calendar.working_minutes_between(at("2026-01-05 09:00"), at("2026-03-05 09:00")) == 0


def test_more_than_366_idle_days_is_an_error():
    off = [date(2026, 1, 1) + timedelta(days=n) for n in range(400)]
    calendar = WorkCalendar(days_off=off)
    with pytest.raises(NoWorkingTimeError, match="366"):
        calendar.next_working_moment(at("2026-01-01 09:00"))
    with pytest.raises(NoWorkingTimeError, match="366"):
        calendar.add_working_days(at("2026-01-01 09:00"), 1)


def test_a_long_closure_under_366_days_is_allowed():
    off = [date(2026, 1, 1) + timedelta(days=n) for n in range(300)]
    calendar = WorkCalendar(days_off=off)
    assert calendar.next_working_moment(at("2026-01-01 09:00")) == at("2026-10-28 07:30")


def test_out_of_range_years(cal):
    with pytest.raises(OutOfRangeError):
        cal.next_working_moment(at("1999-06-01 09:00"))
    with pytest.raises(OutOfRangeError):
        cal.add_working_days(at("2100-12-30 09:00"), 10)


def test_calendar_is_immutable(cal):
    with pytest.raises(AttributeError):
        cal._days_off = frozenset()
    with pytest.raises(AttributeError):
        cal.anything = 1


def test_years_can_be_built_backwards():
    calendar = WorkCalendar()
    calendar.next_working_moment(at("2027-01-04 09:00"))  # anchors at 2027
    assert calendar.working_minutes_between(at("2025-12-31 12:00"), at("2027-01-04 09:00")) == (
        240 + (261 - 13 + 1) * 480 + 90
    )


# --- performance: the cost of adding does not grow with the duration ---------------------


def test_sixty_days_cost_about_the_same_as_one():
    calendar = WorkCalendar()
    calendar.warm(2025, 2028)
    starts = [at("2025-01-01 00:00") + timedelta(minutes=7919 * n) for n in range(3000)]

    def best_of(days):
        best = float("inf")
        for _ in range(5):
            t0 = clock.perf_counter()
            for start in starts:
                calendar.add_working_days(start, days)
            best = min(best, clock.perf_counter() - t0)
        return best

    assert best_of(60) / best_of(1) < 3


# --- the calendar from the database ----------------------------------------------------------


@pytest.fixture
def db_calendar(db):
    worktime.invalidate_calendar()
    yield
    worktime.invalidate_calendar()


@pytest.mark.django_db
def test_empty_database_means_default_calendar(db_calendar):
    calendar = get_calendar()
    assert calendar.add_working_days(at("2026-01-02 16:00"), 1) == at("2026-01-05 16:00")
    assert calendar.add_working_days(at("2026-02-13 16:00"), 1) == at("2026-02-23 16:00")


@pytest.mark.django_db
def test_get_calendar_is_cached(db_calendar, django_assert_num_queries):
    first = get_calendar()
    with django_assert_num_queries(0):
        assert get_calendar() is first


@pytest.mark.django_db
def test_extra_day_off_moves_later_deadlines_not_stored_ones(db_calendar):
    stored_due = get_calendar().add_working_days(at("2026-01-02 16:00"), 1)
    old_calendar = get_calendar()
    day_off = ExtraDayOff.objects.create(date=date(2026, 1, 5), note="Provincial event")
    new_due = get_calendar().add_working_days(at("2026-01-02 16:00"), 1)
    assert new_due == at("2026-01-06 16:00")
    assert stored_due == at("2026-01-05 16:00")
    assert old_calendar.add_working_days(at("2026-01-02 16:00"), 1) == stored_due  # values never move
    day_off.delete()
    assert get_calendar().add_working_days(at("2026-01-02 16:00"), 1) == at("2026-01-05 16:00")


@pytest.mark.django_db
def test_swapped_working_day_from_the_database(db_calendar):
    SwappedWorkingDay.objects.create(date=date(2026, 1, 10), note="Làm bù cho 2/1")
    assert get_calendar().add_working_days(at("2026-01-09 16:00"), 1) == at("2026-01-10 16:00")


@pytest.mark.django_db
def test_admin_additions_keep_history(db_calendar):
    day = ExtraDayOff.objects.create(date=date(2026, 1, 5), note="first")
    day.note = "second"
    day.save()
    assert [h.note for h in day.history.order_by("history_id")] == ["first", "second"]
    assert day.year == 2026
    assert list(ExtraDayOff.objects.in_year(2026)) == [day]


@pytest.mark.django_db
def test_seasonal_schedule_from_the_database(db_calendar):
    summer = WorkingSchedule.objects.create(name="Summer", valid_from=date(2026, 5, 1), valid_to=date(2026, 9, 30))
    for weekday in range(5):
        WorkingSession.objects.create(schedule=summer, weekday=weekday, start_time="07:00", end_time="11:00")
        WorkingSession.objects.create(schedule=summer, weekday=weekday, start_time="13:30", end_time="17:30")
    calendar = get_calendar()
    assert calendar.add_working_days(at("2026-06-01 06:50"), 1) == at("2026-06-01 17:30")
    # No default schedule in the database: the built-in default applies outside summer.
    assert calendar.add_working_days(at("2026-01-02 16:00"), 1) == at("2026-01-05 16:00")


@pytest.mark.django_db
def test_default_schedule_from_the_database(db_calendar):
    default = WorkingSchedule.objects.create(name="Province hours")
    for weekday in range(6):  # this province also works Saturday mornings
        WorkingSession.objects.create(schedule=default, weekday=weekday, start_time="07:00", end_time="11:00")
        if weekday < 5:
            WorkingSession.objects.create(schedule=default, weekday=weekday, start_time="13:00", end_time="17:00")
    calendar = get_calendar()
    assert calendar.sessions_on(date(2026, 1, 10)) == ((420, 660),)
    assert calendar.add_working_days(at("2026-01-09 16:00"), 1) == at(
        "2026-01-12 10:00"
    )  # 60 (Fri) + 240 (Sat) + 180 (Mon from 07:00)
    WorkingSession.objects.filter(weekday=5).delete()
    assert get_calendar().add_working_days(at("2026-01-09 16:00"), 1) == at("2026-01-12 16:00")


@pytest.mark.django_db
def test_another_server_notices_an_edit(db_calendar, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("workflow.worktime.loading._monotonic", lambda: now[0])
    calendar = get_calendar()
    ExtraDayOff.objects.bulk_create([ExtraDayOff(date=date(2026, 1, 5))])  # no signals
    assert get_calendar() is calendar  # this process does not know yet
    cache.set(worktime.VERSION_KEY, "edited-elsewhere")  # what invalidate_calendar() does on the other server
    now[0] += worktime.loading.recheck_seconds()  # the re-check interval (test_calendar_per_process.py)
    assert get_calendar().add_working_days(at("2026-01-02 16:00"), 1) == at("2026-01-06 16:00")


@pytest.mark.django_db
def test_cache_eviction_only_reloads(db_calendar):
    get_calendar()
    cache.delete(worktime.VERSION_KEY)
    assert get_calendar().add_working_days(at("2026-01-02 16:00"), 1) == at("2026-01-05 16:00")


@pytest.mark.django_db
def test_model_validation():
    SwappedWorkingDay.objects.create(date=date(2026, 1, 10))
    with pytest.raises(ValidationError):
        ExtraDayOff(date=date(2026, 1, 10)).full_clean()
    ExtraDayOff.objects.create(date=date(2026, 1, 12))
    with pytest.raises(ValidationError):
        SwappedWorkingDay(date=date(2026, 1, 12)).full_clean()
    WorkingSchedule.objects.create(name="Default")
    with pytest.raises(ValidationError):
        WorkingSchedule(name="Another default").full_clean()
    with pytest.raises(ValidationError):
        WorkingSchedule(name="Backwards", valid_from=date(2026, 9, 1), valid_to=date(2026, 5, 1)).full_clean()
    WorkingSchedule(name="Summer", valid_from=date(2026, 5, 1), valid_to=date(2026, 9, 1)).full_clean()
    schedule = WorkingSchedule.objects.get(name="Default")
    with pytest.raises(ValidationError):
        WorkingSession(schedule=schedule, weekday=0, start_time="13:00", end_time="11:00").full_clean()


# --- Wagtail admin ------------------------------------------------------------------------------


@pytest.fixture
def admin_client_wagtail(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.gov.vn", "a-long-password-1")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_admin_lists_the_calendar(admin_client_wagtail):
    ExtraDayOff.objects.create(date=date(2026, 1, 5), note="Provincial event")
    for model in ("extradayoff", "swappedworkingday", "workingschedule"):
        response = admin_client_wagtail.get(reverse(f"wagtailsnippets_workflow_{model}:list"))
        assert response.status_code == 200
    response = admin_client_wagtail.get(reverse("wagtailadmin_home"))
    # The menu is rendered client-side from the sidebar's JSON props (non-ASCII text is \u-escaped there).
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    assert props and gettext("Working calendar") in json.dumps(json.loads(props.group(1)), ensure_ascii=False)


@pytest.mark.django_db
def test_admin_edit_changes_later_deadlines(admin_client_wagtail, db_calendar):
    assert get_calendar().add_working_days(at("2026-01-02 16:00"), 1) == at("2026-01-05 16:00")
    response = admin_client_wagtail.post(
        reverse("wagtailsnippets_workflow_extradayoff:add"), {"date": "2026-01-05", "note": "Storm"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert get_calendar().add_working_days(at("2026-01-02 16:00"), 1) == at("2026-01-06 16:00")


@pytest.mark.django_db
def test_admin_creates_a_schedule_with_sessions(admin_client_wagtail, db_calendar):
    data = {
        "name": "Summer",
        "valid_from": "2026-05-01",
        "valid_to": "2026-09-30",
        "note": "",
        "sessions-TOTAL_FORMS": "2",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
    }
    for i, (start, end) in enumerate([("07:00", "11:00"), ("13:30", "17:30")]):
        data.update(
            {
                f"sessions-{i}-weekday": "0",
                f"sessions-{i}-start_time": start,
                f"sessions-{i}-end_time": end,
                f"sessions-{i}-id": "",
                f"sessions-{i}-DELETE": "",
            }
        )
    response = admin_client_wagtail.post(reverse("wagtailsnippets_workflow_workingschedule:add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert WorkingSession.objects.count() == 2
    # Monday 1/6/2026 now runs 07:00–11:00 and 13:30–17:30; other weekdays have no sessions in summer.
    assert get_calendar().add_working_days(at("2026-06-01 06:50"), 1) == at("2026-06-01 17:30")
