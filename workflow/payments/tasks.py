"""Periodic jobs of payments (imported by :mod:`workflow.tasks` so huey registers them)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="3", minute="15"))
def reconcile_yesterday():
    """Every night: reconcile yesterday's payments of every agency that had payments or statements (AG 31.7); a
    statement imported later reconciles its day again."""
    from datetime import timedelta

    from django.utils import timezone

    from workflow.payments.reconciliation import reconcile_all

    reconcile_all(day=timezone.localdate() - timedelta(days=1))
