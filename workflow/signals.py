"""Make calendar edits reach the deadlines computed afterwards.

Any change to the working calendar tables drops this process's cached
calendar and bumps the version key in Django's cache, so every app server
reloads on its next deadline. It is done at once (this process, and tests
running inside a transaction) and again after commit: another server that
reloaded between the two would otherwise keep the pre-commit calendar.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from workflow.worktime import invalidate_calendar

CALENDAR_MODELS = ("WorkingSchedule", "WorkingSession", "ExtraDayOff", "SwappedWorkingDay")


def calendar_changed(sender, **kwargs):
    invalidate_calendar()
    transaction.on_commit(invalidate_calendar, using=kwargs.get("using"))


def connect(app_config):
    for name in CALENDAR_MODELS:
        model = app_config.get_model(name)
        post_save.connect(calendar_changed, sender=model, dispatch_uid=f"worktime-save-{name}")
        post_delete.connect(calendar_changed, sender=model, dispatch_uid=f"worktime-delete-{name}")
