"""Compute a deadline on the working calendar from the command line.

    manage.py deadline "2026-01-02 16:00" --days 1
    due: 2026-01-05 16:00
    appointment: 2026-01-06 07:30

    manage.py deadline "2026-01-02 16:00" --until "2026-01-05 09:00"
    working_minutes: 150

Times without an offset are local (the project TIME_ZONE). Uses the calendar
from the database, i.e. the defaults when nobody edited it.
"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from workflow.worktime import WorkTimeError, duration_minutes, get_calendar

OUTPUT_FORMAT = "%Y-%m-%d %H:%M"


def parse_moment(value: str, tz) -> datetime:
    """``YYYY-MM-DD HH:MM`` (or any ISO 8601 form) as an aware datetime."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f'Cannot read the date and time "{value}"; use YYYY-MM-DD HH:MM.') from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, tz)
    return moment


class Command(BaseCommand):
    help = "Due time and appointment for a working-time allowance, or the working minutes between two times."

    def add_arguments(self, parser):
        parser.add_argument("start", help='Reception time, "YYYY-MM-DD HH:MM" (local time).')
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--days", help="Allowance in working days (decimals allowed, e.g. 0.5).")
        group.add_argument("--hours", help="Allowance in working hours (decimals allowed, e.g. 1.5).")
        group.add_argument("--until", help='End time, "YYYY-MM-DD HH:MM": print the working minutes in between.')

    def handle(self, *args, start, days=None, hours=None, until=None, **options):
        calendar = get_calendar()
        start_at = parse_moment(start, calendar.tz)
        try:
            if until is not None:
                minutes = calendar.working_minutes_between(start_at, parse_moment(until, calendar.tz))
                self.stdout.write(f"working_minutes: {minutes}")
                return
            allowance = duration_minutes(days=days) if days is not None else duration_minutes(hours=hours)
            due = calendar.add_working_minutes(start_at, allowance)
            appointment = calendar.appointment_for(due)
        except WorkTimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"due: {due:{OUTPUT_FORMAT}}")
        self.stdout.write(f"appointment: {appointment:{OUTPUT_FORMAT}}")
