"""Benchmark: what ``get_calendar()`` adds to a deadline computation (issue 16.8: at most 1.2×).

100,000 ``get_calendar().add_working_minutes(...)`` calls against 100,000 calls
on one held ``WorkCalendar`` (the pure arithmetic), from the same random
reception times over 2025–2027 (fixed seed); 5 rounds, each timing both ways in alternate blocks of
1,000 calls; the round of median ratio is reported. Prints both
throughputs and one final line:

    RESULT calendar_overhead=<float>

Run: .venv/bin/python bench/worktime_overhead.py   (uses a dedicated SQLite database in var/)
From another bench: ``from worktime_overhead import calendar_overhead`` — quick (< 10 s).
"""

N = 100_000
RUNS = 5
BLOCK = 1_000
SEED = 20260102
MINUTES = 15 * 480  # a 15-working-day allowance


def _moments(tz, n):
    import random
    from datetime import datetime, timedelta

    rng = random.Random(SEED)
    origin = datetime(2025, 1, 1, tzinfo=tz)
    span = int((datetime(2028, 1, 1, tzinfo=tz) - origin).total_seconds() // 60)
    return [origin + timedelta(minutes=rng.randrange(span)) for _ in range(n)]


def _timings(n=N, runs=RUNS, block=BLOCK):
    """Seconds of ``n`` deadlines through get_calendar() and on one held calendar, in the round of median ratio.

    Each round runs both ways block by block, alternately, so that the load of a shared machine weighs on
    both alike.
    """
    import statistics
    import time

    from workflow.worktime import get_calendar, invalidate_calendar

    invalidate_calendar()
    held = get_calendar()
    held.warm(2025, 2028)  # the per-year tables are built outside the timing, for both ways
    moments = _moments(held.tz, n)
    blocks = [moments[i : i + block] for i in range(0, n, block)]

    def through_get_calendar(chunk):
        for moment in chunk:
            get_calendar().add_working_minutes(moment, MINUTES)

    def on_the_held_calendar(chunk):
        add = held.add_working_minutes
        for moment in chunk:
            add(moment, MINUTES)

    rounds = []
    for _ in range(runs):
        spent = {through_get_calendar: 0.0, on_the_held_calendar: 0.0}
        for index, chunk in enumerate(blocks):
            order = (through_get_calendar, on_the_held_calendar)
            for fn in order if index % 2 else reversed(order):
                start = time.perf_counter()
                fn(chunk)
                spent[fn] += time.perf_counter() - start
        rounds.append((spent[through_get_calendar], spent[on_the_held_calendar]))
    median = statistics.median(through / pure for through, pure in rounds)
    return min(rounds, key=lambda r: abs(r[0] / r[1] - median))


def calendar_overhead(n=N, runs=RUNS) -> float:
    """The cost ratio of 100k deadlines through ``get_calendar()`` vs on one held calendar (1.0 = no overhead).

    Needs Django set up with a migrated database (bench/reports.py has one); the calendar comes from it.
    About 5 s.
    """
    through, pure = _timings(n, runs)
    return through / pure


def main():
    from _setup import django_setup

    django_setup("bench_calendar.sqlite3")
    through, pure = _timings()
    print(f"get_calendar() + arithmetic: {N / through:,.0f} deadlines/s")
    print(f"arithmetic on a held calendar: {N / pure:,.0f} deadlines/s")
    print(f"RESULT calendar_overhead={through / pure:.3f}")


if __name__ == "__main__":
    main()
