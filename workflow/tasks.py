"""huey tasks: thin wrappers around services."""
from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import notifications
from .models import Notification


@db_task(retries=3, retry_delay=60)
def send_notification(notification_id):
    notifications.deliver(notification_id)


@db_periodic_task(crontab(minute="*/10"))
def resend_unsent_notifications():
    """A consumer killed mid-send leaves rows unsent; they go out here, still once each."""
    cutoff = timezone.now() - timedelta(minutes=5)
    for pk in Notification.objects.filter(sent_at__isnull=True, attempts__lt=10, created_at__lt=cutoff).values_list(
        "pk", flat=True
    )[:500]:
        send_notification(pk)


@db_periodic_task(crontab(minute="*/5"))
def deadline_warnings():
    from .deadline_warnings import deadline_warnings_send

    deadline_warnings_send()


from .report_tasks import publish_monthly_late_list  # noqa: E402,F401
