"""Periodic jobs of the reporting side (imported by :mod:`workflow.tasks` so huey registers them)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(day="1", hour="1", minute="0"))
def publish_monthly_late_list():
    """On the 1st of each month: publish the previous month's late list and notify supervisors (AG 32.10)."""
    from workflow.reports.services import late_list_publish

    late_list_publish()
