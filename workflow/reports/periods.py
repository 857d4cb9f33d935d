"""Report periods (DESIGN §8): a month, a quarter, a year or any range of local days, and their keys.

A period is ``[first, last]`` in local dates; :attr:`Period.start` and :attr:`Period.end` are the aware moments
``[start, end)`` every figure of :mod:`workflow.reports.figures` counts in. Keys (``2026-05``, ``2026-Q2``,
``2026``, ``2026-05-01..2026-05-20``) are what the report screens, the API and the late lists put in URLs.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from portal.core.formatting import format_date


@dataclass(frozen=True)
class Period:
    """A half-open interval of local dates ``[first, last]`` (inclusive days)."""

    first: date
    last: date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(date(year, month, 1), date(year, month, pycalendar.monthrange(year, month)[1]))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first_month = 3 * (quarter - 1) + 1
        return cls(date(year, first_month, 1), cls.month(year, first_month + 2).last)

    @classmethod
    def current_month(cls, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls.month(today.year, today.month)

    @classmethod
    def previous_month(cls, today: date | None = None) -> Period:
        first = (today or timezone.localdate()).replace(day=1) - timedelta(days=1)
        return cls.month(first.year, first.month)

    @classmethod
    def parse(cls, value: str) -> Period:
        """``2026-05`` (month), ``2026-Q2`` (quarter), ``2026`` (year) or ``2026-05-01..2026-05-20``."""
        value = (value or "").strip()
        try:
            if ".." in value:
                a, b = value.split("..", 1)
                period = cls(date.fromisoformat(a), date.fromisoformat(b))
            elif "-Q" in value.upper():
                y, q = value.upper().split("-Q")
                if not 1 <= int(q) <= 4:
                    raise ValueError
                period = cls.quarter(int(y), int(q))
            elif len(value) == 4:
                period = cls.year(int(value))
            else:
                y, m = value.split("-")
                period = cls.month(int(y), int(m))
        except (ValueError, TypeError) as error:
            raise ValueError(f"Invalid period {value!r}") from error
        if period.last < period.first:
            raise ValueError(f"Invalid period {value!r}")
        return period

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @property
    def key(self) -> str:
        if self.first.day == 1 and self.last == Period.month(self.first.year, self.first.month).last:
            return f"{self.first:%Y-%m}"
        if (self.first.month, self.first.day, self.last.month, self.last.day) == (
            1,
            1,
            12,
            31,
        ) and self.first.year == self.last.year:
            return f"{self.first.year}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def __str__(self):
        if self.first == self.last:
            return format_date(self.first)
        return f"{format_date(self.first)} – {format_date(self.last)}"

    def months(self) -> list[Period]:
        out, y, m = [], self.first.year, self.first.month
        while date(y, m, 1) <= self.last:
            out.append(Period.month(y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def last_months(count: int, today: date | None = None) -> list[Period]:
    current = Period.current_month(today)
    months = [current]
    for _i in range(count - 1):
        months.insert(0, Period.previous_month(months[0].first))
    return months
