"""Concurrent receptions and actions on PostgreSQL (CI runs the suite there; SQLite serialises writers anyway)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from tests.factories.world import build_unit, member
from workflow.dossiers import services
from workflow.dossiers.services import Applicant
from workflow.errors import DossierError
from workflow.models import Dossier, DossierEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (run by CI with DATABASE_URL)"),
]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WORKERS = 8


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return run


@pytest.fixture
def unit():
    u = build_unit(
        "000.00.15.H99",
        procedure={"processing_time": Decimal("1")},
        officials={"officer": member(username="motcua")},
        holders={0: ["officer"], 1: ["officer"]},
    )
    return u.agency, u.procedure, u.officer


def test_8_workers_receive_2000_dossiers_without_gaps_or_duplicates(unit):
    agency, procedure, officer = unit
    at = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)

    @_in_thread
    def receive(i):
        return services.dossier_receive_at_counter(
            actor=officer, procedure=procedure, agency=agency, applicant=Applicant(name=f"Người nộp {i}"), at=at
        ).code

    with ThreadPoolExecutor(WORKERS) as pool:
        codes = list(pool.map(receive, range(2000)))
    expected = {f"000.00.15.H99-260302-{n:04d}" for n in range(1, 2001)}
    assert len(codes) == len(set(codes)) == 2000
    assert set(codes) == expected
    assert Dossier.objects.count() == 2000


def test_8_workers_racing_the_same_action_one_wins(unit):
    agency, procedure, officer = unit
    dossier = services.dossier_receive_at_counter(
        actor=officer,
        procedure=procedure,
        agency=agency,
        applicant=Applicant(name="A"),
        at=datetime(2026, 3, 2, 9, 0, tzinfo=TZ),
    )
    barrier = threading.Barrier(WORKERS)

    @_in_thread
    def forward(_):
        barrier.wait()
        try:
            services.dossier_forward(
                actor=officer,
                dossier_id=dossier.pk,
                revision=dossier.revision,
                at=datetime(2026, 3, 2, 10, 0, tzinfo=TZ),
            )
            return "ok"
        except DossierError as error:
            return type(error).__name__

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(forward, range(WORKERS)))
    assert outcomes.count("ok") == 1
    assert set(outcomes) - {"ok"} == {"ConcurrentChange"}
    assert DossierEvent.objects.filter(dossier=dossier, action="forward").count() == 1
