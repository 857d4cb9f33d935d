"""Catalog read paths with 5,000 procedures: index page (search + filter), detail page, API list.

The index page (a Wagtail page) is also timed against a bare Django view doing the same filter
(``catalog.selectors.procedure_list`` + the same paginator, its 20 rows as a small HTML list), defined here and
served through the project's middleware, in turn with the page (issue 14 item 16: goal ≤ 4×).

Usage: .venv/bin/python bench/catalog.py [--procedures 5000] [--runs 30]
Uses var/bench_catalog.sqlite3 (or DATABASE_URL when set). Ends with
``RESULT catalog_index_ms=… catalog_detail_ms=… api_list_ms=…`` and
``RESULT catalog_index_ms=… catalog_index_bare_ms=… catalog_index_ratio=… catalog_filter_ms=…
catalog_filter_bare_ms=… catalog_filter_ratio=…`` (``index``: search "giay phep xay dung" + level; ``filter``:
level + sector, no search).
"""

import argparse
import random

from _setup import add_bare_urls, django_setup, median_ms, paired_median_ms

WORDS = [
    "Cấp",
    "giấy phép",
    "xây dựng",
    "đăng ký",
    "khai sinh",
    "đất đai",
    "hộ kinh doanh",
    "chứng thực",
    "lý lịch",
    "tư pháp",
    "điều chỉnh",
    "gia hạn",
    "thu hồi",
    "công trình",
    "nhà ở",
    "doanh nghiệp",
]


def populate(count):
    from decimal import Decimal

    from catalog.models import Agency, Procedure, ProcedureDocument, ProcedureFee, Sector
    from catalog.search import fold
    from portal.demo.loader import load_pages

    load_pages()
    if Procedure.objects.count() >= count:
        return
    rng = random.Random(7)
    agencies = [
        Agency.objects.get_or_create(code=f"000.00.{i:02d}.H98", defaults={"name": f"Sở số {i}"})[0] for i in range(50)
    ]
    sectors = [Sector.objects.get_or_create(code=f"B{i:03d}", defaults={"name": f"Lĩnh vực {i}"})[0] for i in range(40)]
    start = Procedure.objects.count()
    batch = []
    for n in range(start, count):
        code = f"3.{n:06d}"
        name = " ".join(rng.sample(WORDS, 4)) + f" số {n}"
        batch.append(
            Procedure(
                national_code=code,
                name=name,
                sector=rng.choice(sectors),
                processing_time=Decimal(rng.randint(1, 30)),
                level=rng.choice(["province", "commune", "both"]),
                online_level=rng.choice(["full", "partial", "none"]),
                search_text=fold(f"{code} {name}"),
            )
        )
    Procedure.objects.bulk_create(batch, batch_size=1000)
    Through = Procedure.agencies.through
    procs = list(Procedure.objects.filter(national_code__startswith="3."))
    Through.objects.bulk_create(
        [Through(procedure_id=p.pk, agency_id=a.pk) for p in procs for a in rng.sample(agencies, 2)], batch_size=2000
    )
    ProcedureDocument.objects.bulk_create(
        [ProcedureDocument(procedure=p, name=f"Giấy tờ {i}", sort_order=i) for p in procs for i in range(3)],
        batch_size=2000,
    )
    ProcedureFee.objects.bulk_create(
        [ProcedureFee(procedure=p, name="Lệ phí", amount=50000) for p in procs], batch_size=2000
    )


def bare_index(request):
    """The catalog index's query without Wagtail: the same filter form, selector and paginator."""
    from django.core.paginator import Paginator
    from django.http import HttpResponse
    from django.utils.html import format_html, format_html_join

    from catalog import selectors
    from catalog.filters import ProcedureFilterForm

    form = ProcedureFilterForm(request.GET)
    procedures = selectors.procedure_list(**form.cleaned_filters()) if form.is_valid() else selectors.procedure_list()
    page = Paginator(procedures, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = format_html_join(
        "",
        "<li>{} {} ({})</li>",
        ((p.national_code, p.name, ", ".join(a.name for a in p.agencies.all())) for p in page.object_list),
    )
    return HttpResponse(format_html("<!DOCTYPE html><title>{}</title><ol>{}</ol>", page.paginator.count, rows))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--procedures", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    django_setup("bench_catalog.sqlite3")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalog.models import Procedure

    populate(args.procedures)
    from django.urls import path

    add_bare_urls([path("bench/thu-tuc/", bare_index)])
    client = Client()
    code = Procedure.objects.order_by("?").values_list("national_code", flat=True).first()
    sector = Procedure.objects.values_list("sector__code", flat=True).first()
    index = lambda: client.get("/thu-tuc-hanh-chinh/", {"q": "giay phep xay dung", "level": "province"})  # noqa: E731
    detail = lambda: client.get(f"/thu-tuc-hanh-chinh/{code}/")  # noqa: E731
    api = lambda: client.get("/api/v1/procedures/", {"q": "giay phep xay dung", "sector": sector})  # noqa: E731
    for fn in (index, detail, api):
        assert fn().status_code == 200
    results = {}
    for name, fn in (("catalog_index_ms", index), ("catalog_detail_ms", detail), ("api_list_ms", api)):
        with CaptureQueriesContext(connection) as ctx:
            fn()
        # Read the count now: every request start empties the connection's query log.
        queries = len(ctx.captured_queries)
        results[name] = median_ms(fn, args.runs)
        print(f"{name:<20} median {results[name]:7.1f} ms  ({queries} queries)")
    print(f"procedures: {Procedure.objects.count()}  database: {connection.vendor}")
    print("RESULT " + " ".join(f"{k}={v:.1f}" for k, v in results.items()))
    # the index page against the bare view: with a search and a filter (the request above), and a filter alone
    filtered = {"level": "province", "sector": sector}
    fns = {
        "index": index,
        "bare": lambda: client.get("/bench/thu-tuc/", {"q": "giay phep xay dung", "level": "province"}),
        "filter": lambda: client.get("/thu-tuc-hanh-chinh/", filtered),
        "filter_bare": lambda: client.get("/bench/thu-tuc/", filtered),
    }
    queries = {}
    for name, fn in fns.items():
        with CaptureQueriesContext(connection) as ctx:
            assert fn().status_code == 200
        queries[name] = len(ctx.captured_queries)
    ms = paired_median_ms(fns, args.runs)
    for name in fns:
        print(f"{name:<12} median {ms[name]:7.1f} ms  ({queries[name]} queries)")
    print(
        f"RESULT catalog_index_ms={ms['index']:.1f} catalog_index_bare_ms={ms['bare']:.1f} "
        f"catalog_index_ratio={ms['index'] / ms['bare']:.2f} catalog_filter_ms={ms['filter']:.1f} "
        f"catalog_filter_bare_ms={ms['filter_bare']:.1f} catalog_filter_ratio={ms['filter'] / ms['filter_bare']:.2f}"
    )


if __name__ == "__main__":
    main()
