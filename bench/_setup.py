"""Shared bench bootstrap: Django on a dedicated database, never the dev one."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_setup(db_name):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / db_name}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def median_ms(fn, runs):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def paired_median_ms(fns, runs):
    """Median milliseconds of each function in ``fns`` (a dict), run in turn so that load on a shared machine
    weighs on all of them alike."""
    samples = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def add_bare_urls(patterns):
    """Serve ``patterns`` (the benches' bare views) in front of the project's URLs, through the same middleware."""
    import types

    from django.conf import settings
    from django.urls import clear_url_caches, include, path

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [*patterns, path("", include(settings.ROOT_URLCONF))]
    sys.modules["bench_urls"] = module
    settings.ROOT_URLCONF = "bench_urls"
    clear_url_caches()
