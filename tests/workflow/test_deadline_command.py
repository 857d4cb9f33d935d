"""``manage.py deadline``: due time and appointment from the command line (QT 18.2–18.3)."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from workflow import worktime
from workflow.models import ExtraDayOff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_calendar():
    worktime.invalidate_calendar()
    yield
    worktime.invalidate_calendar()


def run(*args):
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue()


def test_one_working_day_prints_exactly_two_lines():
    assert run("2026-01-02 16:00", "--days", "1") == "due: 2026-01-05 16:00\nappointment: 2026-01-06 07:30\n"


def test_saturday_reception():
    assert run("2026-01-03 10:00", "--days", "1") == "due: 2026-01-05 17:00\nappointment: 2026-01-06 07:30\n"


def test_half_a_day():
    assert run("2026-01-05 10:15", "--days", "0.5") == "due: 2026-01-05 15:45\nappointment: 2026-01-06 07:30\n"


def test_hours_with_decimals():
    assert run("2026-01-05 10:15", "--hours", "1.5") == "due: 2026-01-05 13:15\nappointment: 2026-01-06 07:30\n"
    assert run("2026-01-05 09:00", "--hours", "1") == "due: 2026-01-05 10:00\nappointment: 2026-01-05 13:00\n"


def test_across_tet_2026():
    assert run("2026-02-13 16:00", "--days", "1") == "due: 2026-02-23 16:00\nappointment: 2026-02-24 07:30\n"


def test_until_prints_working_minutes():
    assert run("2026-01-02 16:00", "--until", "2026-01-05 09:00") == "working_minutes: 150\n"
    assert run("2026-01-05 09:00", "--until", "2026-01-02 16:00") == "working_minutes: 0\n"


def test_iso_format_and_offsets_are_accepted():
    assert run("2026-01-02T09:00+00:00", "--days", "1").splitlines()[0] == "due: 2026-01-05 16:00"


def test_uses_the_database_calendar():
    ExtraDayOff.objects.create(date=date(2026, 1, 5), note="Provincial event")
    assert run("2026-01-02 16:00", "--days", "1") == "due: 2026-01-06 16:00\nappointment: 2026-01-07 07:30\n"


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01 10:00", "02/01/2026 16:00", ""])
def test_unparsable_start(bad):
    with pytest.raises(CommandError, match="Cannot read the date and time"):
        run(bad, "--days", "1")


def test_unparsable_until():
    with pytest.raises(CommandError, match="YYYY-MM-DD HH:MM"):
        run("2026-01-02 16:00", "--until", "next monday")


@pytest.mark.parametrize("args", [("--days", "-1"), ("--hours", "abc"), ("--days", "nan")])
def test_bad_allowance(args):
    with pytest.raises(CommandError):
        run("2026-01-02 16:00", *args)


def test_one_allowance_is_required():
    with pytest.raises(CommandError):
        run("2026-01-02 16:00")
    with pytest.raises(CommandError):
        run("2026-01-02 16:00", "--days", "1", "--hours", "2")
