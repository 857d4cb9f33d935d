"""The public lookup (API and page) against a bare Django view doing the same indexed SELECT (issue 14 item 16).

Measures, in one run and in turn (so the shared machine's load weighs on both alike):

* ``GET /api/v1/lookup/<code>/`` against a bare view: ``Dossier`` by code with its agency, as JSON;
* ``GET /tra-cuu/?code=<code>`` against a bare view: the same SELECT rendered as a small HTML page.

Both bare views run through the project's middleware (defined here, served in front of the project's URLs).
The codes are looked up again and again (a citizen checking a dossier, a kiosk): every code is looked up once
before timing. The rate limits stay on, with rates high enough never to refuse, so their counting is timed.

Usage: .venv/bin/python bench/lookup.py [--dossiers 2000] [--codes 50] [--runs 200]
Uses var/bench_lookup.sqlite3 (or DATABASE_URL when set).
Ends with ``RESULT lookup_ms=… lookup_bare_ms=… lookup_ratio=… lookup_page_ms=… lookup_page_bare_ms=…
lookup_page_ratio=…``.
"""

import argparse
import itertools
import os

from _setup import add_bare_urls, django_setup, paired_median_ms

os.environ.setdefault("RATELIMIT_LOOKUP", "1000000/minute,100000000/day")


def populate(dossiers):
    from portal.demo.loader import load_pages
    from workflow.dossiers.seed import seed_dossiers
    from workflow.models import Dossier

    load_pages()
    have = Dossier.objects.count()
    if have < dossiers:
        seed_dossiers(dossiers - have, agencies=5, days=60, seed=2026 + have)


def bare_api(request, code):
    from django.http import Http404, JsonResponse

    from workflow.models import Dossier

    row = (
        Dossier.objects.filter(code=code)
        .values("code", "agency__name", "applicant_name", "received_at", "appointment_at", "status")
        .first()
    )
    if row is None:
        raise Http404
    return JsonResponse(row)


def bare_page(request):
    from django.http import Http404, HttpResponse
    from django.utils.html import format_html

    from workflow.models import Dossier

    row = (
        Dossier.objects.filter(code=request.GET.get("code", ""))
        .values("code", "agency__name", "applicant_name", "received_at", "appointment_at", "status")
        .first()
    )
    if row is None:
        raise Http404
    return HttpResponse(
        format_html(
            "<!DOCTYPE html><title>{}</title><dl><dt>Code</dt><dd>{}</dd><dt>Agency</dt><dd>{}</dd>"
            "<dt>Applicant</dt><dd>{}</dd><dt>Received</dt><dd>{}</dd><dt>Appointment</dt><dd>{}</dd>"
            "<dt>Status</dt><dd>{}</dd></dl>",
            row["code"],
            row["code"],
            row["agency__name"],
            row["applicant_name"],
            row["received_at"],
            row["appointment_at"],
            row["status"],
        )
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=2000)
    parser.add_argument("--codes", type=int, default=50)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    django_setup("bench_lookup.sqlite3")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import path

    from workflow.models import Dossier

    populate(args.dossiers)
    add_bare_urls([path("bench/lookup/<str:code>/", bare_api), path("bench/tra-cuu/", bare_page)])
    codes = list(Dossier.objects.exclude(received_at=None).order_by("?").values_list("code", flat=True)[: args.codes])
    client = Client()
    for code in codes:  # every code once: what depends only on the code may now be cached
        for url in (f"/api/v1/lookup/{code}/", f"/bench/lookup/{code}/"):
            assert client.get(url).status_code == 200, url
        for url in ("/tra-cuu/", "/bench/tra-cuu/"):
            assert client.get(url, {"code": code}).status_code == 200, url
    cycle = itertools.cycle(codes)
    state = {"code": codes[0]}

    def next_code():
        state["code"] = next(cycle)

    fns = {
        "lookup": lambda: client.get(f"/api/v1/lookup/{state['code']}/"),
        "lookup_bare": lambda: client.get(f"/bench/lookup/{state['code']}/"),
        "lookup_page": lambda: client.get("/tra-cuu/", {"code": state["code"]}),
        "lookup_page_bare": lambda: client.get("/bench/tra-cuu/", {"code": state["code"]}),
        "_next": next_code,
    }
    queries = {}
    for name, fn in fns.items():
        with CaptureQueriesContext(connection) as ctx:
            fn()
        queries[name] = len(ctx.captured_queries)  # read now: every request start empties the query log
    ms = paired_median_ms(fns, args.runs)
    for name in ("lookup", "lookup_bare", "lookup_page", "lookup_page_bare"):
        print(f"{name:<18} median {ms[name]:7.2f} ms  ({queries[name]} queries)")
    results = {
        "lookup_ms": ms["lookup"],
        "lookup_bare_ms": ms["lookup_bare"],
        "lookup_ratio": ms["lookup"] / ms["lookup_bare"],
        "lookup_page_ms": ms["lookup_page"],
        "lookup_page_bare_ms": ms["lookup_page_bare"],
        "lookup_page_ratio": ms["lookup_page"] / ms["lookup_page_bare"],
    }
    print(f"dossiers: {Dossier.objects.count()}  codes cycled: {len(codes)}  database: {connection.vendor}")
    print("RESULT " + " ".join(f"{k}={v:.2f}" for k, v in results.items()))


if __name__ == "__main__":
    main()
