"""Dossier processing tables.

The working calendar (design 5.5; QT 18.2): working sessions per weekday,
optionally per season, and the province's extra days off and swapped working
days (ngày làm bù). Statutory public holidays are not stored: they come from
the ``holidays`` package. The arithmetic lives in :mod:`workflow.worktime`;
these tables only feed :func:`workflow.worktime.load_calendar`, and every
save or delete makes the next deadline use the new calendar (see
:mod:`workflow.signals`). Deadlines already stored never move.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from simple_history.models import HistoricalRecords
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel

from portal.core.history import ChildHistoricalRecords
from workflow import worktime


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


WORKDAY_CHOICES = Weekday.choices[:5]


class WorkingSchedule(ClusterableModel):
    """A set of working sessions; a dated set (summer/winter hours) overrides the default."""

    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(
        _("valid from"), null=True, blank=True, help_text=_("Leave both dates empty for the default schedule.")
    )
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Inclusive."))
    note = models.CharField(_("note"), max_length=255, blank=True)

    history = HistoricalRecords()

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
        FieldPanel("note"),
        InlinePanel("sessions", heading=_("Working sessions"), label=_("Session")),
    ]

    class Meta:
        verbose_name = _("working schedule")
        verbose_name_plural = _("working schedules")
        ordering = ["valid_from", "name"]

    def __str__(self):
        if self.valid_from or self.valid_to:
            return f"{self.name} ({self.valid_from or '…'} – {self.valid_to or '…'})"
        return self.name

    @property
    def is_default(self):
        return self.valid_from is None and self.valid_to is None

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": _("The end date must not be before the start date.")})
        if self.is_default:
            others = WorkingSchedule.objects.filter(valid_from__isnull=True, valid_to__isnull=True).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(_("There is already a default schedule; give this one a date range."))

    def as_schedule(self) -> worktime.Schedule:
        days = {}
        for session in self.sessions.all():
            days.setdefault(session.weekday, []).append((session.start_time, session.end_time))
        return worktime.Schedule.weekly(days, valid_from=self.valid_from, valid_to=self.valid_to, name=self.name)


class WorkingSession(models.Model):
    """One working session of one weekday, e.g. Monday 07:30–11:30."""

    schedule = ParentalKey(WorkingSchedule, on_delete=models.CASCADE, related_name="sessions")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))

    history = ChildHistoricalRecords()

    panels = [FieldRowPanel([FieldPanel("weekday"), FieldPanel("start_time"), FieldPanel("end_time")])]

    class Meta:
        verbose_name = _("working session")
        verbose_name_plural = _("working sessions")
        ordering = ["weekday", "start_time"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self):
        super().clean()
        if self.start_time and self.end_time and self.start_time >= self.end_time:
            raise ValidationError({"end_time": _("A session must end after it starts, on the same day.")})


class CalendarDayQuerySet(models.QuerySet):
    def in_year(self, year):
        return self.filter(date__year=year)


class CalendarDay(models.Model):
    """A date the admin changed, with the reason (one per date)."""

    date = models.DateField(_("date"), unique=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = CalendarDayQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.note}".strip()

    @property
    def year(self):
        return self.date.year

    def _clashes_with(self, other_model, message):
        if self.date and other_model.objects.filter(date=self.date).exists():
            raise ValidationError({"date": message})


class ExtraDayOff(CalendarDay):
    """A day off decided by the province on top of the statutory holidays."""

    history = HistoricalRecords()

    class Meta(CalendarDay.Meta):
        verbose_name = _("extra day off")
        verbose_name_plural = _("extra days off")

    def clean(self):
        super().clean()
        self._clashes_with(SwappedWorkingDay, _("This date is a swapped working day; delete that first."))


class SwappedWorkingDay(CalendarDay):
    """A day that is worked although normally off (ngày làm bù), e.g. a Saturday."""

    sessions_like = models.PositiveSmallIntegerField(
        _("sessions as on"),
        choices=WORKDAY_CHOICES,
        default=Weekday.MONDAY,
        help_text=_("The day is worked with the sessions of this weekday."),
    )

    history = HistoricalRecords()

    class Meta(CalendarDay.Meta):
        verbose_name = _("swapped working day")
        verbose_name_plural = _("swapped working days")

    def clean(self):
        super().clean()
        self._clashes_with(ExtraDayOff, _("This date is an extra day off; delete that first."))
