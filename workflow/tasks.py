"""huey tasks: thin wrappers around services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from workflow import notifications


@db_task(retries=3, retry_delay=60)
def send_notification(notification_id):
    notifications.deliver(notification_id)


@db_periodic_task(crontab(minute="*"))
def resend_unsent_notifications():
    """The recovery of the outbox: a consumer killed mid-send (or before it ran a queued send) loses that huey
    task; the row's claim lapses and it is queued again here, still sent once (workflow/notifications/outbox.py)."""
    notifications.requeue_stuck()


@db_periodic_task(crontab(minute="*/5"))
def deadline_warnings():
    from workflow.dossiers.deadline_warnings import deadline_warnings_send

    deadline_warnings_send()


from workflow.payments.tasks import poll_pending_payments, reconcile_yesterday  # noqa: E402,F401
from workflow.reports.tasks import publish_monthly_figures, recheck_published_figures  # noqa: E402,F401
