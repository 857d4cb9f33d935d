"""Catalog read paths with 5,000 procedures: index page (search + filter), detail page, API list.

Usage: .venv/bin/python bench/catalog.py [--procedures 5000] [--runs 30]
Uses var/bench_catalog.sqlite3 (or DATABASE_URL when set).
"""

import argparse
import random

from _setup import django_setup, median_ms

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


if __name__ == "__main__":
    main()
