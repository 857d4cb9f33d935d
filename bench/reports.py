"""The monthly per-agency report on 1,000,000 dossiers: the engine against one hand-written GROUP BY.

Usage: .venv/bin/python bench/reports.py [--dossiers 1000000] [--runs 7]
Uses var/bench_reports.sqlite3, or PostgreSQL when DATABASE_URL is set. The
dossiers are created once with ``seed_load``'s bulk loader (2 years, 50
agencies, all statuses, steps, events) and reused by later runs.

Both sides compute the same figures for last month, grouped by receiving
agency; the script checks they agree row by row, then prints the medians and
ends with ``RESULT report_ms=… raw_sql_ms=… ratio=…``.
"""

import argparse
import time
from datetime import UTC

from _setup import django_setup, median_ms

RAW_SQL = """
SELECT agency_id,
  SUM(CASE WHEN wl THEN 1 ELSE 0 END) AS received,
  SUM(CASE WHEN wl AND entry < %(start)s THEN 1 ELSE 0 END) AS carried_over,
  SUM(CASE WHEN wl AND entry >= %(start)s THEN 1 ELSE 0 END) AS new,
  SUM(CASE WHEN wl AND entry >= %(start)s AND channel = 'online' THEN 1 ELSE 0 END) AS new_online,
  SUM(CASE WHEN wl AND entry >= %(start)s AND channel = 'counter' THEN 1 ELSE 0 END) AS new_counter,
  SUM(CASE WHEN wl AND entry >= %(start)s AND channel = 'post' THEN 1 ELSE 0 END) AS new_post,
  SUM(CASE WHEN resolved THEN 1 ELSE 0 END) AS resolved,
  SUM(CASE WHEN resolved AND timeliness = 'early' THEN 1 ELSE 0 END) AS early,
  SUM(CASE WHEN resolved AND timeliness = 'on_time' THEN 1 ELSE 0 END) AS on_time,
  SUM(CASE WHEN resolved AND timeliness NOT IN ('early', 'on_time') THEN 1 ELSE 0 END) AS late,
  SUM(CASE WHEN wl AND open_end THEN 1 ELSE 0 END) AS in_progress,
  SUM(CASE WHEN wl AND open_end AND NOT overdue THEN 1 ELSE 0 END) AS within_time,
  SUM(CASE WHEN wl AND open_end AND overdue THEN 1 ELSE 0 END) AS overdue,
  SUM(CASE WHEN wl AND open_end AND paused THEN 1 ELSE 0 END) AS paused,
  SUM(CASE WHEN closed AND status = 3 THEN 1 ELSE 0 END) AS refused,
  SUM(CASE WHEN closed AND status = 8 THEN 1 ELSE 0 END) AS stopped,
  SUM(CASE WHEN closed AND status NOT IN (3, 8) THEN 1 ELSE 0 END) AS withdrawn,
  SUM(CASE WHEN status = 10 AND returned_at >= %(start)s AND returned_at < %(end)s THEN 1 ELSE 0 END) AS returned,
  SUM(CASE WHEN resolved AND timeliness IN ('early', 'on_time') AND supplement_count < 2 THEN 1 ELSE 0 END)
      AS on_time_766,
  COALESCE(SUM(CASE WHEN resolved THEN (
      SELECT SUM(r.used_minutes) FROM workflow_steprun r
      WHERE r.dossier_id = x.id AND r.cycle = x.cycle AND r.departed_at IS NOT NULL
        AND r.departed_at <= x.result_recorded_at) END), 0) AS processing_minutes
FROM (
  SELECT y.*,
    (entry < %(end)s AND (finish IS NULL OR finish >= %(start)s)) AS wl,
    (finish IS NULL OR finish >= %(end)s) AS open_end,
    (entry < %(end)s AND result_recorded_at >= %(start)s AND result_recorded_at < %(end)s) AS resolved,
    (entry < %(end)s AND result_recorded_at IS NULL AND closed_at >= %(start)s AND closed_at < %(end)s) AS closed,
    COALESCE(finish IS NULL AND status IN (5, 6, 7) AND clock_paused_at < %(ref)s, FALSE) AS paused,
    (counts_as_late OR COALESCE(due_at < %(ref)s AND NOT COALESCE(
        finish IS NULL AND status IN (5, 6, 7) AND clock_paused_at < %(ref)s, FALSE), FALSE)) AS overdue
  FROM (
    SELECT id, agency_id, channel, status, timeliness, counts_as_late, supplement_count, due_at, cycle,
           clock_paused_at, result_recorded_at, closed_at, returned_at,
           COALESCE(received_at, CASE WHEN status = 3 THEN closed_at END) AS entry,
           COALESCE(result_recorded_at, closed_at) AS finish
    FROM workflow_dossier
  ) y
) x
WHERE wl OR (status = 10 AND returned_at >= %(start)s AND returned_at < %(end)s)
GROUP BY agency_id
"""


def db_value(value, connection):
    if connection.vendor == "sqlite":  # Django stores naive UTC text on SQLite
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    django_setup("bench_reports.sqlite3")
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from workflow import reports
    from workflow.dossiers.seed import seed_dossiers
    from workflow.models import Dossier, DossierEvent, StepRun

    have = Dossier.objects.count()
    if have < args.dossiers:
        start = time.perf_counter()
        seed_dossiers(args.dossiers - have, agencies=50, days=730, seed=2026 + have)
        print(f"seeded {args.dossiers - have} dossiers in {time.perf_counter() - start:.0f} s")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"database: {connection.vendor}; dossiers {Dossier.objects.count():,}; step timers "
        f"{StepRun.objects.count():,}; events {DossierEvent.objects.count():,}"
    )

    supervisor, _ = get_user_model().objects.get_or_create(
        username="bench.supervisor", defaults={"is_superuser": True, "is_staff": True}
    )
    now = timezone.now()
    period = reports.Period.previous_month(timezone.localdate(now))
    params = {
        "start": db_value(period.start, connection),
        "end": db_value(period.end, connection),
        "ref": db_value(min(period.end, now), connection),
    }

    def engine():
        return reports.report(user=supervisor, period=period, group_by="agency", now=now)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, params)
            columns = [c[0] for c in cursor.description]
            return [dict(zip(columns, row)) for row in cursor.fetchall()]

    # Same numbers both ways.
    report, raw_rows = engine(), raw()
    by_agency = {row["agency_id"]: row for row in raw_rows}
    assert len(report.rows) == len(raw_rows), (len(report.rows), len(raw_rows))
    for row in report.rows:
        expected = by_agency[row.key]
        for name, value in row.counts.items():
            assert int(expected[name] or 0) == value, (row.key, name, expected[name], value)
    with CaptureQueriesContext(connection) as ctx:
        engine()
    queries = len(ctx.captured_queries)  # read now: a request start would empty the log

    report_ms = median_ms(engine, args.runs)
    raw_ms = median_ms(raw, args.runs)
    total = report.total
    print(
        f"period {period.key}: {len(report.rows)} agencies; received {total.received:,} (carried over "
        f"{total.carried_over:,}, new {total.new:,}); resolved {total.resolved:,} (early {total.early:,}, on time "
        f"{total.on_time:,}, late {total.late:,}); in progress {total.in_progress:,} (overdue {total.overdue:,}); "
        f"on-time rate {total.on_time_rate}; avg {total.avg_processing_days} working days"
    )
    print(f"engine: {queries} queries per report; median of {args.runs} runs")
    print(f"report_ms={report_ms:.1f} raw_sql_ms={raw_ms:.1f}")
    print(f"RESULT report_ms={report_ms:.1f} raw_sql_ms={raw_ms:.1f} ratio={report_ms / raw_ms:.2f}")


if __name__ == "__main__":
    main()
