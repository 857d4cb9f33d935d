"""A processing clock that can be paused and resumed (QT 19.3)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from workflow.worktime.calendar import WorkCalendar
from workflow.worktime.rules import ClockStateError, _whole_minutes

# --- A clock that can be paused -------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Working time allowance that can stop and go on (QT 19.3a, QT 20.1b).

    ``used_minutes`` is the working time used before ``started_at`` (the
    last start or resume). While paused, ``started_at`` is the pause instant
    and nothing is counted. ``ran_out_at`` is recorded at a pause if the
    allowance ran out before it, so the due time of an overdue clock stays
    the real moment it ran out. Every operation returns a new Clock; persist
    the fields and rebuild it with ``Clock(...)``.
    """

    started_at: datetime
    allowance_minutes: int
    used_minutes: int = 0
    paused: bool = False
    ran_out_at: datetime | None = None
    calendar: WorkCalendar | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "allowance_minutes", _whole_minutes(self.allowance_minutes))
        object.__setattr__(self, "used_minutes", _whole_minutes(self.used_minutes))

    @classmethod
    def start(cls, at: datetime, allowance_minutes: int, *, calendar: WorkCalendar | None = None) -> Clock:
        return cls(started_at=at, allowance_minutes=_whole_minutes(allowance_minutes), calendar=calendar)

    @property
    def _cal(self) -> WorkCalendar:
        from workflow.worktime.loading import get_calendar  # the province's calendar, loaded once per process

        return self.calendar if self.calendar is not None else get_calendar()

    def used(self, now: datetime) -> int:
        """Working minutes used up to ``now``."""
        if self.paused:
            return self.used_minutes
        return self.used_minutes + self._cal.working_minutes_between(self.started_at, now)

    def remaining(self, now: datetime) -> int:
        """Working minutes left at ``now``; negative once overdue."""
        return self.allowance_minutes - self.used(now)

    def pause(self, at: datetime) -> Clock:
        """Stop counting at ``at``, keeping the time used so far (QT 19.3a)."""
        if self.paused:
            raise ClockStateError("The clock is already paused.")
        self._not_before(at)
        used = self.used(at)
        ran_out_at = self.ran_out_at
        if ran_out_at is None and used >= self.allowance_minutes:
            candidate = self.due()  # exact: no pause since started_at
            ran_out_at = candidate if candidate <= at else None
        return replace(self, started_at=at, used_minutes=used, paused=True, ran_out_at=ran_out_at)

    def resume(self, at: datetime) -> Clock:
        """Go on counting from ``at`` with the time left (QT 20.1b)."""
        if not self.paused:
            raise ClockStateError("The clock is running; only a paused clock can resume.")
        self._not_before(at)
        return replace(self, started_at=at, paused=False)

    def due(self) -> datetime | None:
        """When the allowance runs (or ran) out; None while paused with time left."""
        if self.ran_out_at is not None:
            return self.ran_out_at
        if self.paused:
            return None
        left = self.allowance_minutes - self.used_minutes
        # left < 0 only for a clock rebuilt without ran_out_at: count back from its last start.
        return self._cal._shift(self.started_at, left)

    def _not_before(self, at: datetime) -> None:
        cal = self._cal
        if cal._local(at) < cal._local(self.started_at):
            raise ClockStateError(f"{at.isoformat()} is before the clock's last change {self.started_at.isoformat()}.")
