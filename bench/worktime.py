"""Benchmark: the cost of a deadline must not grow with its length.

100,000 deadlines of 1 working day and 100,000 of 60 working days from random
reception times over 2025–2027 (fixed seed). Prints both throughputs, their
cost ratio, and one final line:

    RESULT deadlines_per_s=<int> ratio_60d_vs_1d=<float>

Run: .venv/bin/python bench/worktime.py   (no migrated database needed)
"""

import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

import django  # noqa: E402

django.setup()

from workflow.worktime import WorkCalendar  # noqa: E402

N = 100_000
SEED = 20260102


def starts(tz):
    rng = random.Random(SEED)
    origin = datetime(2025, 1, 1, tzinfo=tz)
    span = int((datetime(2028, 1, 1, tzinfo=tz) - origin).total_seconds() // 60)
    return [origin + timedelta(minutes=rng.randrange(span)) for _ in range(N)]


def run(cal, moments, days):
    add = cal.add_working_days
    t0 = time.perf_counter()
    for moment in moments:
        add(moment, days)
    return time.perf_counter() - t0


def main():
    # The default calendar (statutory VN holidays, Mon–Fri 07:30–11:30, 13:00–17:00),
    # built directly so no database is opened; the arithmetic is the same.
    cal = WorkCalendar()
    cal.warm(2025, 2028)  # build the per-year tables outside the timing
    moments = starts(cal.tz)
    run(cal, moments[:2000], 60)  # warm caches
    t1 = min(run(cal, moments, 1) for _ in range(3))
    t60 = min(run(cal, moments, 60) for _ in range(3))
    ratio = t60 / t1
    print(f"calendar: {cal!r}")
    print(f"1 working day:   {N / t1:,.0f} deadlines/s")
    print(f"60 working days: {N / t60:,.0f} deadlines/s")
    print(f"cost ratio 60d/1d: {ratio:.2f}")
    print(f"RESULT deadlines_per_s={int(2 * N / (t1 + t60))} ratio_60d_vs_1d={ratio:.2f}")


if __name__ == "__main__":
    main()
