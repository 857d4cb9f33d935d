"""The payment gateway's server notification (IPN) under concurrency, on PostgreSQL.

Usage: DATABASE_URL=postgres://… .venv/bin/python bench/payments.py [--dossiers 400] [--senders 8]
Refuses to run on SQLite (it serialises writers, so the race is not tested there) unless ``--allow-sqlite``.
The PostgreSQL database named in DATABASE_URL is created when missing (through the ``postgres`` database).

Set-up (each run, in a unit of its own: a run consumes its dossiers): ``--dossiers`` counter dossiers of one
signed-in citizen, asked to pay 150.000 đ (status 6) through the services, each with a started VNPay-style
payment (``payment_start``; PAYMENT_PROVIDERS demo + vnpay, a TMN code and a hash secret set here).

Then ``--senders`` threads, each with its own test Client and database connection, in pairs: for every payment
both senders of its pair meet at a barrier and send the same signed IPN to the real view
(``/thanh-toan/thong-bao/vnpay/``, one as a GET as VNPay does, the other as a POST) — the replay racing the
first delivery — and for a third of the payments the payer's return (``/thanh-toan/ket-qua/vnpay/``) follows
at once. Every request is timed.

Checked afterwards: exactly one PAID payment per dossier, every dossier in status 4 with one ``confirm_payment``
event, one ACCEPTED callback per payment and DUPLICATE for every other message (the replays and the returns),
no ERROR, every IPN answered 200 with ``00`` or ``02``.

Ends with ``RESULT ipn_per_s=… ipn_p95_ms=… duplicates=…`` (callbacks handled per second over the concurrent
phase, the p95 latency of one callback, the extra PAID rows plus the extra confirm events: must be 0).
"""

import argparse
import os
import statistics
import sys
import threading
import time
import zlib
from collections import Counter
from urllib.parse import parse_qs, urlsplit

from _setup import ROOT, django_setup

TMN_CODE, HASH_SECRET = "TTHCBNCH", "BENCHSECRETFORTHEIPNRACE"
AMOUNT = 150000
RETURN_URL = "https://dichvucong.example.vn/thanh-toan/ket-qua/vnpay/"
NOTIFY_URL = "https://dichvucong.example.vn/thanh-toan/thong-bao/vnpay/"


def database_vendor():
    """``postgresql`` (the database created when missing) or ``sqlite`` for the DATABASE_URL in force."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return "sqlite"
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    return "postgresql"


def gateway_reply(address):
    """What the gateway sends back (IPN and return alike) for the payment in ``address``: approved, signed."""
    from workflow.payments.providers import vnpay

    sent = {k: v[0] for k, v in parse_qs(urlsplit(address).query).items()}
    reply = {
        "vnp_TmnCode": sent["vnp_TmnCode"],
        "vnp_Amount": sent["vnp_Amount"],
        "vnp_BankCode": "NCB",
        "vnp_TxnRef": sent["vnp_TxnRef"],
        "vnp_OrderInfo": sent["vnp_OrderInfo"],
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
        "vnp_TransactionNo": f"9{zlib.crc32(sent['vnp_TxnRef'].encode()) % 10**8:08d}",
        "vnp_PayDate": "20260302101500",
        "vnp_SecureHashType": "HmacSHA512",
    }
    reply["vnp_SecureHash"] = vnpay.signature(reply, HASH_SECRET)
    return reply


def build(count):
    """``count`` dossiers waiting for payment, each with a started VNPay payment: [(dossier id, IPN params)]."""
    from datetime import datetime
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django.core.files.base import ContentFile
    from django.db import transaction

    from catalog.models import Agency, TimeUnit
    from tests.factories.catalog import SectorFactory
    from tests.factories.workflow import UserFactory
    from tests.factories.world import build_unit, member
    from workflow.dossiers import services as dossier_services
    from workflow.dossiers.services import Applicant, Upload
    from workflow.models import DocumentKind, Dossier
    from workflow.payments import services

    run = Agency.objects.filter(code__startswith="000.88.").count()
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    received_at = datetime(2026, 3, 2, 8, 0, tzinfo=tz)
    asked_at = datetime(2026, 3, 2, 9, 0, tzinfo=tz)
    with transaction.atomic():
        unit = build_unit(
            f"000.88.{run // 100 % 100:02d}.H{run % 100:02d}",
            f"Sở Tài chính (bench thanh toán {run})",
            procedure={
                "national_code": f"1.88{run % 10000:04d}",
                "sector": SectorFactory(code=f"BENCHPAY{run}"),
                "processing_time": Decimal("5"),
                "processing_time_unit": TimeUnit.DAY,
            },
            officials={
                "officer": member(username=f"bench.pay{run}.motcua", position="Cán bộ một cửa"),
                "specialist": member(username=f"bench.pay{run}.chuyenvien"),
                "leader": member(username=f"bench.pay{run}.lanhdao", position="Lãnh đạo"),
            },
        )
        citizen = UserFactory(username=f"bench.pay{run}.congdan", is_staff=False)
    applicant = Applicant(
        name="Trần Thị Bình", id_number="001190012345", phone="0912345678", email="", address="Số 5 Lê Lợi"
    )
    out = []
    for _ in range(count):
        with transaction.atomic():
            d = dossier_services.dossier_receive_at_counter(
                actor=unit.officer,
                procedure=unit.procedure,
                agency=unit.agency,
                applicant=applicant,
                files=[Upload("to-khai.pdf", ContentFile(b"%PDF-1.4 doc", name="to-khai.pdf"), DocumentKind.SUBMITTED)],
                at=received_at,
            )
            Dossier.objects.filter(pk=d.pk).update(applicant_user=citizen)
            dossier_services.dossier_request_payment(actor=unit.officer, dossier_id=d.pk, amount=AMOUNT, at=asked_at)
            _payment, address = services.payment_start(
                actor=citizen, dossier_id=d.pk, provider_name="vnpay", return_url=RETURN_URL, notify_url=NOTIFY_URL
            )
        out.append((d.pk, gateway_reply(address)))
    return out


def send_all(work, senders):
    """Every IPN twice (the two senders of a pair, at a barrier), a third followed by the return. Returns
    (wall seconds, latencies in ms, IPN answers, return statuses, errors, how many payments had their two
    deliveries in flight at the same time)."""
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    notify_url = reverse("payments:notify", args=["vnpay"])
    return_url = reverse("payments:return", args=["vnpay"])
    pairs = senders // 2
    barriers = [threading.Barrier(2, timeout=120) for _ in range(pairs)]  # a dead partner: no hang
    start_all = threading.Barrier(senders + 1, timeout=120)
    lock = threading.Lock()
    latencies, answers, returns, errors = [], Counter(), Counter(), []
    windows = {}  # payment index -> [(start, end)] of its two IPN deliveries

    def sender(index):
        pair, side = divmod(index, 2)
        client = Client()
        mine, my_answers, my_returns, my_windows = [], Counter(), Counter(), []
        try:
            start_all.wait()
            for i in range(pair, len(work), pairs):
                params = work[i][1]
                first = (i // pairs + side) % 2 == 0  # the GET side; alternates so both sides do both
                barriers[pair].wait()
                try:
                    began = time.perf_counter()
                    if first:
                        response = client.get(notify_url, params)
                    else:
                        response = client.post(notify_url, params)
                    ended = time.perf_counter()
                    mine.append((ended - began) * 1000)
                    my_windows.append((i, began, ended))
                    body = response.json() if response.status_code == 200 else {}
                    my_answers[(response.status_code, body.get("RspCode"))] += 1
                    if first and i % 3 == 0:
                        began = time.perf_counter()
                        response = client.get(return_url, params)
                        mine.append((time.perf_counter() - began) * 1000)
                        my_returns[response.status_code] += 1
                except Exception as error:  # noqa: BLE001 - counted and shown: an exception escaping the view
                    with lock:
                        errors.append(f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()
            with lock:
                latencies.extend(mine)
                answers.update(my_answers)
                returns.update(my_returns)
                for i, began, ended in my_windows:
                    windows.setdefault(i, []).append((began, ended))

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(senders)]
    for thread in threads:
        thread.start()
    start_all.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    overlapping = sum(1 for w in windows.values() if len(w) == 2 and max(w)[0] < min(w)[1])
    return wall, latencies, answers, returns, errors, overlapping


def per_dossier(queryset):
    """How many rows of ``queryset`` each dossier has: Counter({dossier id: n})."""
    from django.db.models import Count

    rows = queryset.order_by().values("dossier_id").annotate(n=Count("pk")).values_list("dossier_id", "n")
    return Counter(dict(rows))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=400)
    parser.add_argument("--senders", type=int, default=8, help="an even number: the senders work in pairs")
    parser.add_argument("--allow-sqlite", action="store_true", help="run on SQLite anyway (the race is not tested)")
    args = parser.parse_args()
    if args.senders < 2 or args.senders % 2:
        parser.error("--senders must be an even number ≥ 2")
    if database_vendor() != "postgresql" and not args.allow_sqlite:
        sys.exit(
            "bench/payments.py needs PostgreSQL: SQLite serialises writers, so the IPN race is not tested there.\n"
            "Run it with DATABASE_URL=postgres://user@host:port/tthc_bench_payments, or pass --allow-sqlite."
        )
    django_setup("bench_payments.sqlite3")
    import logging

    logging.getLogger("huey").setLevel(logging.WARNING)  # immediate mode logs every notification task
    from django.conf import settings
    from django.db import connection

    from workflow.models import (
        Action,
        CallbackOutcome,
        Dossier,
        DossierEvent,
        Payment,
        PaymentCallback,
        PaymentStatus,
        Status,
    )

    settings.ALLOWED_HOSTS = ["*"]
    settings.PAYMENT_PROVIDERS = ["demo", "vnpay"]
    settings.PAYMENT_VNPAY_TMN_CODE = TMN_CODE
    settings.PAYMENT_VNPAY_HASH_SECRET = HASH_SECRET
    settings.MEDIA_ROOT = str(ROOT / "var" / "bench_payments_media")

    began = time.perf_counter()
    work = build(args.dossiers)
    setup_s = time.perf_counter() - began
    ids = [dossier_id for dossier_id, _params in work]
    print(
        f"database: {connection.vendor}; {len(work)} dossiers waiting for payment, one VNPay payment each, "
        f"built in {setup_s:.1f} s"
    )

    wall, latencies, answers, returns, errors, overlapping = send_all(work, args.senders)
    handled = len(latencies)
    per_s = handled / wall
    p95 = statistics.quantiles(latencies, n=100)[94] if len(latencies) > 1 else latencies[0]
    replays = len(work)  # the second delivery of every IPN
    return_count = sum(1 for i in range(len(work)) if i % 3 == 0)
    print(
        f"{args.senders} senders: {handled} callbacks ({2 * len(work)} IPN, {return_count} returns) in {wall:.2f} s"
        f" = {per_s:.1f}/s; latency median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms,"
        f" max {max(latencies):.1f} ms"
    )
    print(
        f"the two deliveries of an IPN were in flight together for {overlapping} of {len(work)} payments; "
        f"IPN answers (HTTP, RspCode): {dict(answers)}; returns (HTTP): {dict(returns)}"
    )

    paid = Payment.objects.filter(dossier_id__in=ids, status=PaymentStatus.PAID)
    paid_per_dossier = per_dossier(paid)
    events = DossierEvent.objects.filter(dossier_id__in=ids, action=Action.CONFIRM_PAYMENT)
    events_per_dossier = per_dossier(events)
    statuses = Counter(Dossier.objects.filter(pk__in=ids).values_list("status", flat=True))
    callbacks = PaymentCallback.objects.filter(payment__dossier_id__in=ids)
    outcomes = Counter(callbacks.values_list("outcome", flat=True))
    by_kind = Counter(callbacks.filter(outcome=CallbackOutcome.DUPLICATE).values_list("kind", flat=True))
    extra_paid = sum(max(n - 1, 0) for n in paid_per_dossier.values())
    extra_events = sum(max(n - 1, 0) for n in events_per_dossier.values())
    duplicates = extra_paid + extra_events
    print(
        f"dossiers by status: {dict(statuses)}; paid payments {paid.count()} over {len(paid_per_dossier)} dossiers;"
        f" confirm_payment events {events.count()} over {len(events_per_dossier)} dossiers"
    )
    print(
        f"callbacks logged: {dict(outcomes)}; duplicates by kind: {dict(by_kind)} (replays {replays}, "
        f"returns {return_count}: {replays + return_count} expected in all)"
    )
    problems = []
    if errors:
        problems.append(f"{len(errors)} exceptions escaped the views, e.g. {errors[:3]}")
    if len(paid_per_dossier) != len(ids) or extra_paid:
        problems.append(f"paid payments: {len(paid_per_dossier)} dossiers paid of {len(ids)}, {extra_paid} extra")
    if statuses != Counter({Status.PROCESSING: len(ids)}):
        problems.append(f"not every dossier moved to status 4: {dict(statuses)}")
    if len(events_per_dossier) != len(ids) or extra_events:
        problems.append(f"confirm events: {len(events_per_dossier)} dossiers of {len(ids)}, {extra_events} extra")
    expected_outcomes = Counter({CallbackOutcome.ACCEPTED: len(ids), CallbackOutcome.DUPLICATE: replays + return_count})
    if outcomes != expected_outcomes:
        problems.append(f"callback outcomes {dict(outcomes)}, expected {dict(expected_outcomes)}")
    if set(answers) - {(200, "00"), (200, "02")} or answers[(200, "02")] < replays:
        problems.append(f"IPN answers {dict(answers)}")
    if set(returns) - {200}:
        problems.append(f"return pages {dict(returns)}")
    for problem in problems:
        print(f"FAILED: {problem}")
    print(f"RESULT ipn_per_s={per_s:.1f} ipn_p95_ms={p95:.1f} duplicates={duplicates}")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
