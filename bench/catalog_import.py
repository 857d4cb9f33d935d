"""Catalog import at province scale: 1,000 and 5,000 procedures, dry run then confirm, end to end.

Usage: .venv/bin/python bench/catalog_import.py [--sizes 1000 5000] [--profile]
Uses var/bench_catalog_import.sqlite3 (or DATABASE_URL when set), emptied of procedures first.

The rows look like an export of the national database: 40 sectors, a provincial department or a list of
communes per procedure, 3-6 documents and 0-2 fees each, multi-line steps and legal basis, a third of the names in
decomposed Unicode (NFD) as real files carry them. Each size is imported through the services the admin uses:
the dry run (``catalog_import``), the confirmation as a background import run (``import_run_start``, run by
huey in immediate mode here), and the same file again (every row unchanged).
"""

import argparse
import io
import random
import time
import unicodedata

from _setup import django_setup

WORDS = (
    "Cấp giấy phép xây dựng nhà ở riêng lẻ đăng ký khai sinh kết hôn chứng thực bản sao hộ kinh doanh thay đổi "
    "nội dung điều chỉnh gia hạn thu hồi công trình đất đai quyền sử dụng lý lịch tư pháp hành nghề"
).split()
COMMUNES = 60
DEPARTMENTS = 20
SECTORS = 40


def populate_reference():
    from catalog.models import Agency, Procedure, Sector

    Procedure.objects.all().delete()
    if Sector.objects.count() < SECTORS:
        Sector.objects.bulk_create(
            [Sector(code=f"G{i:02d}-LV{i:02d}", name=f"Lĩnh vực {i}") for i in range(SECTORS)], ignore_conflicts=True
        )
    if Agency.objects.count() < DEPARTMENTS + COMMUNES:
        Agency.objects.bulk_create(
            [Agency(code=f"000.00.{i:02d}.H98", name=f"Sở số {i}", level="province") for i in range(DEPARTMENTS)]
            + [Agency(code=f"001.{i:02d}.01.H98", name=f"UBND xã số {i}", level="commune") for i in range(COMMUNES)],
            ignore_conflicts=True,
        )


def procedure_rows(count, seed):
    from catalog.resources import ProcedureColumns as P

    rng = random.Random(seed)
    departments = [f"000.00.{i:02d}.H98" for i in range(DEPARTMENTS)]
    communes = [f"001.{i:02d}.01.H98" for i in range(COMMUNES)]
    for n in range(count):
        commune = n % 4 == 0
        name = " ".join(rng.sample(WORDS, rng.randint(5, 12))).capitalize() + f" (số {n})"
        if n % 3 == 0:
            name = unicodedata.normalize("NFD", name)
        agencies = rng.sample(communes, rng.randint(5, 30)) if commune else [rng.choice(departments)]
        documents = "\n".join(
            f"{' '.join(rng.sample(WORDS, 6)).capitalize()} {d} | 1 | {rng.randint(0, 2)} | "
            f"{'Bắt buộc' if d % 3 else 'Không bắt buộc'}"
            for d in range(rng.randint(3, 6))
        )
        fees = "\n".join(
            f"{'Lệ phí' if f else 'Phí'}: {' '.join(rng.sample(WORDS, 3))} = {rng.randint(1, 50) * 10000}"
            for f in range(rng.randint(0, 2))
        )
        yield {
            P.CODE: f"1.{n:06d}",
            P.NAME: name,
            P.SECTOR_CODE: f"G{n % SECTORS:02d}-LV{n % SECTORS:02d}",
            P.AGENCY_CODES: "; ".join(agencies),
            P.LEVEL: "Xã" if commune else "Tỉnh",
            P.ONLINE_LEVEL: rng.choice(["Toàn trình", "Một phần", "Không"]),
            P.PROCESSING_TIME: str(rng.choice([1, 3, 5, 7, 10, 15, 20, 30])),
            P.TIME_UNIT: "Ngày làm việc",
            P.TIME_NOTE: "Kể từ ngày nhận đủ hồ sơ hợp lệ",
            P.APPLICANTS: "Công dân Việt Nam, tổ chức",
            P.STEPS: "Bước 1: Chuẩn bị hồ sơ\nBước 2: Nộp hồ sơ tại Bộ phận Một cửa\nBước 3: Nhận kết quả",
            P.REQUIREMENTS: "Không",
            P.CHANNELS: rng.choice(["Trực tuyến; Trực tiếp; Bưu chính", "Trực tiếp", "Trực tuyến; Trực tiếp"]),
            P.POSTAL_RETURN: rng.choice(["Có", "Không"]),
            P.RESULT: "Giấy phép điện tử",
            P.LEGAL_BASIS: "Luật Xây dựng 2014\nNghị định 15/2021/NĐ-CP",
            P.PUBLISHING_DECISION: "Quyết định 1234/QĐ-UBND",
            P.STATUS: "Còn hiệu lực",
            P.FEES: fees,
            P.DOCUMENTS: documents,
        }


def workbook(rows):
    import openpyxl

    from catalog.resources import ProcedureColumns as P

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(P.ORDER))
    for row in rows:
        sheet.append([row[h] for h in P.ORDER])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def confirm_in_background(data, user):
    """What the admin's Confirm does: store the upload, start the run; huey (immediate here) runs it."""
    from django.core.files.base import ContentFile

    from catalog.import_runs import import_run_start, upload_storage
    from catalog.models import ImportRun

    path = upload_storage().save("catalog-import/bench.xlsx", ContentFile(data))
    run = import_run_start(user=user, model_key="procedures", file_path=path, file_format="xlsx", filename="bench.xlsx")
    return ImportRun.objects.get(pk=run.pk)


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--profile", action="store_true", help="print the cProfile top 25 of the 1st confirm")
    args = parser.parse_args()
    django_setup("bench_catalog_import.sqlite3")
    from django.contrib.auth import get_user_model
    from django.db import connection

    from catalog.models import Procedure
    from catalog.services import catalog_import

    user = get_user_model().objects.filter(username="bench-import").first() or get_user_model().objects.create_user(
        "bench-import", "bench@example.gov.vn", "pw-bench-123456"
    )
    results = {}
    for size in args.sizes:
        populate_reference()
        data = workbook(procedure_rows(size, seed=size))
        dry, dry_s = timed(
            lambda data=data: catalog_import(
                model_key="procedures", file_bytes=data, file_format="xlsx", dry_run=True, user=user
            )
        )
        assert dry.counts == {"new": size, "update": 0, "unchanged": 0, "errors": 0}, dry.errors[:3]
        confirm = lambda data=data: confirm_in_background(data, user)  # noqa: E731
        if args.profile and not results:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            done, confirm_s = timed(lambda profiler=profiler, confirm=confirm: profiler.runcall(confirm))
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        else:
            done, confirm_s = timed(confirm)
        assert done.status == "done" and done.new_count == size, done.errors[:3]
        assert Procedure.objects.count() == size
        again, again_s = timed(confirm)
        assert again.unchanged_count == size and again.new_count == again.update_count == 0
        k = f"{size // 1000}k" if size % 1000 == 0 else str(size)
        results[f"import_{k}_s"] = dry_s + confirm_s
        print(
            f"{size:>6} rows: dry run {dry_s:6.1f} s, confirm {confirm_s:6.1f} s "
            f"(end to end {dry_s + confirm_s:6.1f} s), same file again {again_s:6.1f} s"
        )
    print(f"database: {connection.vendor}")
    print("RESULT " + " ".join(f"{key}={value:.1f}" for key, value in results.items()))


if __name__ == "__main__":
    main()
