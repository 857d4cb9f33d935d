"""The monthly per-agency report on 1,000,000 dossiers: the engine against one hand-written GROUP BY.

Usage: .venv/bin/python bench/reports.py [--dossiers 1000000] [--days 730] [--runs 7]
Uses var/bench_reports.sqlite3, or PostgreSQL when DATABASE_URL is set. The
dossiers are created once with ``seed_load``'s bulk loader (``--days`` of
history, 50 agencies, all statuses, steps, events) and reused by later runs.

Both sides compute the same figures for last month over the reception cycles, grouped by receiving agency:
the engine through its named conditions, the SQL below written apart with positive conditions (endings
listed, open cycles as NULL ends, not the engine's sentinel). The script checks they agree row by row, then
prints the medians.

Two more ratios:
- ``growth_10x``: the same report on a database with a tenth of the dossiers over a tenth of the days
  (the same monthly volume, a tenth of the history; var/bench_reports_short_<n>.sqlite3, in a child process):
  how the cost grows with history. SQLite only, unless BENCH_SHORT_DATABASE_URL names a second database.
- ``page_vs_api``: the admin report page (table, 12-month trend, on-time chart, backlog) against the figures
  API for the same month and grouping, both through the test client as a signed-in supervisor.

Ends with ``RESULT report_ms=… raw_sql_ms=… report_ratio=… growth_10x=… page_vs_api=… calendar_overhead=…``.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from datetime import UTC

from _setup import django_setup, median_ms, paired_median_ms

RAW_SQL = """
SELECT agency_id,
  SUM(CASE WHEN wl THEN 1 ELSE 0 END) AS received,
  SUM(CASE WHEN wl AND entered_at < %(start)s THEN 1 ELSE 0 END) AS carried_over,
  SUM(CASE WHEN wl AND entered_at >= %(start)s THEN 1 ELSE 0 END) AS new,
  SUM(CASE WHEN wl AND entered_at >= %(start)s AND channel = 'online' THEN 1 ELSE 0 END) AS new_online,
  SUM(CASE WHEN wl AND entered_at >= %(start)s AND channel = 'counter' THEN 1 ELSE 0 END) AS new_counter,
  SUM(CASE WHEN wl AND entered_at >= %(start)s AND channel = 'post' THEN 1 ELSE 0 END) AS new_post,
  SUM(CASE WHEN wl AND ended_in AND ending IN ('result', 'refused', 'stopped', 'supplement') THEN 1 ELSE 0 END)
      AS resolved,
  SUM(CASE WHEN wl AND ended_in AND timeliness = 'early' THEN 1 ELSE 0 END) AS early,
  SUM(CASE WHEN wl AND ended_in AND timeliness = 'on_time' THEN 1 ELSE 0 END) AS on_time,
  SUM(CASE WHEN wl AND ended_in AND timeliness = 'late' THEN 1 ELSE 0 END) AS late,
  SUM(CASE WHEN wl AND ended_in AND ending = 'result' THEN 1 ELSE 0 END) AS with_result,
  SUM(CASE WHEN wl AND ended_in AND ending = 'refused' THEN 1 ELSE 0 END) AS refused,
  SUM(CASE WHEN wl AND ended_in AND ending = 'stopped' THEN 1 ELSE 0 END) AS stopped,
  SUM(CASE WHEN wl AND ended_in AND ending = 'supplement' THEN 1 ELSE 0 END) AS supplement_returned,
  SUM(CASE WHEN wl AND ended_in AND ending = 'withdrawn' THEN 1 ELSE 0 END) AS withdrawn,
  SUM(CASE WHEN wl AND open_end THEN 1 ELSE 0 END) AS in_progress,
  SUM(CASE WHEN wl AND open_end AND NOT late_by_ref THEN 1 ELSE 0 END) AS within_time,
  SUM(CASE WHEN wl AND open_end AND late_by_ref THEN 1 ELSE 0 END) AS overdue,
  SUM(CASE WHEN wl AND open_end AND id IN (
      SELECT p.cycle_id FROM workflow_cyclepause p
      WHERE p.started_at < %(ref)s AND (p.ended_at IS NULL OR p.ended_at >= %(ref)s)) THEN 1 ELSE 0 END) AS paused,
  SUM(CASE WHEN ending = 'not_accepted' AND entered_in THEN 1 ELSE 0 END) AS not_accepted,
  SUM(CASE WHEN ending = 'guided' AND entered_in THEN 1 ELSE 0 END) AS guided,
  SUM(CASE WHEN reception_late AND entered_in THEN 1 ELSE 0 END) AS late_receptions,
  SUM(CASE WHEN ending = 'result' AND returned_at >= %(start)s AND returned_at < %(end)s THEN 1 ELSE 0 END)
      AS returned,
  SUM(CASE WHEN wl AND ended_in AND timeliness IN ('early', 'on_time') AND supplement_number < 2 THEN 1 ELSE 0 END)
      AS on_time_766,
  SUM(CASE WHEN wl AND ended_in AND timeliness IN ('early', 'on_time', 'late') THEN used_minutes ELSE 0 END)
      AS processing_minutes
FROM (
  SELECT c.*,
    (ending IN ('', 'result', 'refused', 'stopped', 'supplement', 'withdrawn')
        AND entered_at < %(end)s AND (ended_at IS NULL OR ended_at >= %(start)s)) AS wl,
    (ended_at >= %(start)s AND ended_at < %(end)s) AS ended_in,
    (entered_at >= %(start)s AND entered_at < %(end)s) AS entered_in,
    (ended_at IS NULL OR ended_at >= %(end)s) AS open_end,
    COALESCE(overdue_since <= %(ref)s, FALSE) AS late_by_ref
  FROM workflow_receptioncycle c
  WHERE (ended_at IS NULL OR ended_at >= %(start)s OR returned_at >= %(start)s) AND entered_at < %(end)s
) x
GROUP BY agency_id
"""


def db_value(value, connection):
    if connection.vendor == "sqlite":  # Django stores naive UTC text on SQLite
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", default="bench_reports.sqlite3", help=argparse.SUPPRESS)
    parser.add_argument("--report-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    short_db_url = os.environ.get("BENCH_SHORT_DATABASE_URL")
    django_setup(args.db)
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
        seed_dossiers(args.dossiers - have, agencies=50, days=args.days, seed=2026 + have)
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
    if args.report_only:
        print(f"REPORT_MS={report_ms:.3f}")
        return
    raw_ms = median_ms(raw, args.runs)
    page_ms, api_ms = page_and_api_ms(supervisor, period, args.runs)
    growth = short_history_ms(args, short_db_url, connection)
    total = report.total
    print(
        f"period {period.key}: {len(report.rows)} agencies; received {total.received:,} (carried over "
        f"{total.carried_over:,}, new {total.new:,}); resolved {total.resolved:,} (early {total.early:,}, on time "
        f"{total.on_time:,}, late {total.late:,}); in progress {total.in_progress:,} (overdue {total.overdue:,}); "
        f"on-time rate {total.on_time_rate}; avg {total.avg_processing_days} working days"
    )
    print(f"engine: {queries} queries per report; median of {args.runs} runs")
    print(f"report_ms={report_ms:.1f} raw_sql_ms={raw_ms:.1f}")
    print(f"admin report page {page_ms:.1f} ms, figures API {api_ms:.1f} ms")
    growth_text = "n/a"
    if growth is not None:
        print(f"a tenth of the history ({args.dossiers // 10:,} dossiers over {args.days // 10} days): {growth:.1f} ms")
        growth_text = f"{report_ms / growth:.2f}"
    from worktime_overhead import calendar_overhead

    overhead = calendar_overhead()
    print(
        f"RESULT report_ms={report_ms:.1f} raw_sql_ms={raw_ms:.1f} report_ratio={report_ms / raw_ms:.2f} "
        f"growth_10x={growth_text} page_vs_api={page_ms / api_ms:.2f} calendar_overhead={overhead:.3f}"
    )


def page_and_api_ms(user, period, runs):
    """Median ms of the admin report page and of the figures API, for the same month grouped by agency."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    settings.OTP_REQUIRED_FOR_STAFF = False  # the second factor is not what is measured
    client = Client()
    client.force_login(user)
    query = f"?period={period.key}&group_by=agency"
    urls = {"page": reverse("reports:index") + query, "api": reverse("reports_api:figures") + query}

    def get(url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return fetch

    timings = paired_median_ms({name: get(url) for name, url in urls.items()}, runs)
    return timings["page"], timings["api"]


def short_history_ms(args, short_db_url, connection):
    """The report's median on a tenth of the history, measured in a child process on its own database."""
    if connection.vendor != "sqlite" and not short_db_url:
        return None
    env = dict(os.environ)
    if short_db_url:
        env["DATABASE_URL"] = short_db_url
    else:
        env.pop("DATABASE_URL", None)
    command = [
        sys.executable,
        __file__,
        "--dossiers",
        str(args.dossiers // 10),
        "--days",
        str(max(args.days // 10, 31)),
        "--runs",
        str(args.runs),
        "--db",
        f"bench_reports_short_{args.dossiers // 10}.sqlite3",
        "--report-only",
    ]
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    print(output.strip())
    return float(re.search(r"REPORT_MS=([0-9.]+)", output).group(1))


if __name__ == "__main__":
    main()
