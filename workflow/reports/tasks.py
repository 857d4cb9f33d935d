"""Periodic jobs of the reporting side (imported by :mod:`workflow.tasks` so huey registers them)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(day="1", hour="1", minute="0"))
def publish_monthly_figures():
    """On the 1st of each month: publish the previous month's late list (supervisors e-mailed once, AG 32.10),
    766 index and transparency figures, each stored as published (DESIGN §8)."""
    from django.utils import timezone

    from workflow.reports.periods import Period
    from workflow.reports.snapshots import publish_month

    now = timezone.now()
    publish_month(Period.previous_month(timezone.localdate(now)), now=now)


@db_periodic_task(crontab(hour="2", minute="30"))
def recheck_published_figures():
    """Every night: recompute the last ``PUBLISHED_FIGURES_RECHECK_MONTHS`` published months; a difference is
    stored as a revision beside the published figures, never in their place."""
    from django.utils import timezone

    from workflow.reports.snapshots import recheck_recent

    recheck_recent(now=timezone.now())
