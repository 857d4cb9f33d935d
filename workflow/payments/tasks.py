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


@db_periodic_task(crontab(minute="*/10"))
def poll_pending_payments():
    """Every 10 minutes: ask the providers about payments still pending after 5 minutes (a lost notification, a
    payer who closed the page), for a day; each answer is taken like a notification (QN 14)."""
    from workflow.payments.services import poll_pending

    poll_pending()
