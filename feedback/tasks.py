"""huey tasks: thin wrappers around services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/15"))
def feedback_reminders():
    """Deadline reminders to agencies and the centre (QN 17.4, 18); each one is sent once."""
    from feedback.services import feedback_send_reminders

    feedback_send_reminders()
