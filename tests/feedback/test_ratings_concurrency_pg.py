"""Two (eight) ratings of the same dossier at once on PostgreSQL: exactly one is stored (QT 24.1)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from feedback import ratings
from feedback.errors import AlreadyRated
from feedback.models import Rating
from tests.factories import AgencyFactory, ProcedureFactory
from workflow.models import Dossier, Status

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (run by CI with DATABASE_URL)"),
]
WORKERS = 8


def test_concurrent_ratings_of_one_code_store_exactly_one():
    agency = AgencyFactory(code="000.00.15.H98")
    dossier = Dossier.objects.create(
        code="000.00.15.H98-260504-0001",
        procedure=ProcedureFactory(agencies=[agency]),
        agency=agency,
        applicant_name="A",
        status=Status.RETURNED,
    )
    secret = ratings.rating_secret(dossier.code)
    barrier = threading.Barrier(WORKERS)

    def rate(level):
        try:
            barrier.wait()
            ratings.rating_submit(
                dossier_code=dossier.code,
                secret=secret,
                scores=ratings.Scores(level, level, level, level, level, level),
            )
            return "stored"
        except AlreadyRated:
            return "already"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(rate, [1 + i % 4 for i in range(WORKERS)]))
    assert outcomes.count("stored") == 1
    assert outcomes.count("already") == WORKERS - 1
    assert Rating.objects.filter(dossier=dossier).count() == 1
