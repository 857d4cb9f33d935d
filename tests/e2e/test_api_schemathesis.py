"""API robustness: schemathesis against our own OpenAPI schema (/api/schema/, drf-spectacular).

Every GET operation and the public POSTs (feedback, ratings) are fed generated requests, in-process through the
Django WSGI app, on the demo data (``load_demo``). The dossier and report endpoints are called as the demo reception
officer (session cookie); the public POSTs anonymously, as a citizen's browser would. Checks: no 5xx
(``not_a_server_error``) and every documented response matches its schema (``response_schema_conformance``).

A second run works in depth as the officials: the demo dossiers of Sở Xây dựng plus dossiers seeded here in more
states (at reception, with the specialist, with the leader, waiting for documents, waiting for payment) are the
only ids it uses, so every dossier operation — detail, document download and the fifteen actions, bulk and
counter reception — reaches the code behind the lookup. Each example is sent by one of the department's three
officials (session cookie + CSRF token, as their browser would), and half of the action examples carry the
dossier's current revision, so actions really run and change the dossiers while the run goes on.

Bounded: ``MAX_EXAMPLES`` per operation (``ACTION_EXAMPLES`` for the in-depth run), derandomized, no deadline.
"""

import os
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import signals
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.factories.files import PDF

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "30"))
ACTION_EXAMPLES = int(os.environ.get("SCHEMATHESIS_ACTION_EXAMPLES", "25"))
OFFICIALS = ("motcua.sxd", "chuyenvien.sxd", "lanhdao.sxd")  # reception, specialist, leader of Sở Xây dựng
PUBLIC_POSTS = {"/api/v1/feedback/", "/api/v1/ratings/"}
CHECKS = [not_a_server_error, response_schema_conformance]


def _wanted(operation):
    return operation.method.upper() == "GET" or operation.path in PUBLIC_POSTS


@pytest.fixture
def api(settings):
    settings.RATELIMIT_ENABLED = False  # exercise the handlers, not the limiter
    settings.ALLOWED_HOSTS = ["*"]
    call_command("load_demo", stdout=open(os.devnull, "w"))
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="motcua.sxd"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    # The official's session really reaches the scoped endpoints (with the second factor, when installed,
    # tests/conftest.py marks force_login sessions of officials as OTP-verified).
    listed = client.get("/api/v1/dossiers/")
    assert listed.status_code == 200 and listed.json()["count"] > 0, listed.content[:300]
    with wsgi_schema() as schema:
        yield schema, {settings.SESSION_COOKIE_NAME: cookie}


@contextmanager
def wsgi_schema():
    """The schema loaded from the bare WSGI app, with the test's database connection kept open throughout.

    Requests go through the bare WSGI app in this thread, not Django's test client. Django closes "old"
    connections when a request starts and finishes; the test's connection is inside the test transaction
    (autocommit off), so it would be closed: harmless for SQLite's in-memory database (its close() keeps it),
    fatal on PostgreSQL (the data of this test is gone and the next query fails). Do what the test client does
    around each of its requests, but for the whole run -- and only from now: each test-client request before
    reconnects the handlers when it ends.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_api_conforms_to_its_schema(api):
    schema, cookies = api
    operations = [result.ok() for result in schema.get_all_operations()]
    selected = [op for op in operations if _wanted(op)]
    assert len(selected) >= 20, [op.label for op in operations]
    calls = {"n": 0}
    statuses = Counter()
    failures = []

    for operation in selected:
        auth = None if operation.method.upper() == "POST" else cookies

        @hsettings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            calls["n"] += 1
            response = case.call(cookies=auth)  # noqa: B023
            statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # collect every failure (FailureGroup is no Exception)
            failures.append(f"{operation.label}: {str(exc)[:1500]}")

    print(
        f"schemathesis: {len(selected)} operations, {calls['n']} requests, {len(failures)} failing operations; "
        f"status codes {dict(sorted(statuses.items()))}"
    )
    assert not failures, "\n\n".join(failures)


# --- in depth: the officials on real dossiers ----------------------------------------------------------------------


def seed_dossiers(officials):
    """More dossiers of Sở Xây dựng beside the demo's, each in another state; through the real services."""
    from catalog.models import Agency, Procedure
    from workflow.dossiers import services
    from workflow.dossiers.services import Applicant, Upload
    from workflow.models import DocumentKind

    officer, specialist, leader = (officials[u] for u in OFFICIALS)
    agency = Agency.objects.get(code="000.00.15.H99")
    procedure = Procedure.objects.filter(agencies=agency).order_by("national_code").first()
    start = timezone.now() - timedelta(days=2)

    def received(i):
        return services.dossier_receive_at_counter(
            actor=officer,
            procedure=procedure,
            agency=agency,
            applicant=Applicant(name=f"Người nộp {i}", id_number=f"0011990{i:05d}", phone=f"09130000{i:02d}"),
            files=[Upload("don.pdf", ContentFile(PDF, name="don.pdf"), DocumentKind.SUBMITTED)],
            at=start + timedelta(minutes=i),
        )

    def forward(dossier, actor, to):
        return services.dossier_forward(actor=actor, dossier_id=dossier.pk, to_holder=to, at=start + timedelta(hours=2))

    for i in range(3):  # at reception: the officer can forward, guide, refuse, stop…
        received(i)
    forward(received(3), officer, specialist)  # with the specialist
    forward(forward(received(4), officer, specialist), specialist, leader)  # with the leader
    waiting = forward(received(5), officer, specialist)
    services.dossier_request_supplement(  # waiting for documents (status 5): resubmit
        actor=specialist,
        dossier_id=waiting.pk,
        comment="Thiếu bản vẽ mặt bằng.",
        files=[Upload("phieu.pdf", ContentFile(PDF, name="phieu.pdf"), DocumentKind.SLIP)],
        at=start + timedelta(hours=3),
    )
    services.dossier_request_payment(  # waiting for the fee (status 6): confirm payment
        actor=officer,
        dossier_id=received(6).pk,
        amount=500_000,
        comment="Phí thẩm định theo văn bản của Sở",  # an amount beside the catalogued fees needs its reason
        at=start + timedelta(hours=1),
    )


@pytest.fixture
def officials_api(settings):
    """The schema, the ids of Sở Xây dựng's dossiers and its documents, and a browser-like session per official."""
    from django.contrib.auth import get_user_model

    from workflow.models import Dossier, DossierDocument

    settings.RATELIMIT_ENABLED = False
    settings.ALLOWED_HOSTS = ["*"]
    call_command("load_demo", stdout=open(os.devnull, "w"))
    officials = {u.username: u for u in get_user_model().objects.filter(username__in=OFFICIALS)}
    seed_dossiers(officials)
    sessions = {}
    for username, user in officials.items():
        client = Client()
        client.force_login(user)
        csrf = _get_new_csrf_string()
        sessions[username] = (
            {
                settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
                settings.CSRF_COOKIE_NAME: csrf,
            },
            {"X-CSRFToken": csrf},
        )
    dossiers = Dossier.objects.filter(agency__code="000.00.15.H99")
    ids = sorted(dossiers.values_list("pk", flat=True))
    statuses = set(dossiers.values_list("status", flat=True))
    assert len(ids) >= 10 and len(statuses) >= 5, statuses
    documents = sorted(DossierDocument.objects.filter(dossier__in=dossiers).values_list("dossier_id", "pk"))
    with wsgi_schema() as schema:
        yield schema, ids, documents, sessions


def test_officials_act_on_real_dossiers_within_the_schema(officials_api):
    from workflow.models import Dossier

    schema, ids, documents, sessions = officials_api
    operations = [result.ok() for result in schema.get_all_operations()]
    selected = [op for op in operations if op.path.startswith("/api/v1/dossiers/") and op.path != "/api/v1/dossiers/"]
    assert len(selected) >= 19, [op.label for op in selected]  # detail, document, 15 actions, bulk, counter
    calls = {"n": 0}
    statuses = Counter()
    succeeded = Counter()
    failures = []
    start = {pk: Dossier.objects.get(pk=pk).revision for pk in ids}

    for operation in selected:
        on_dossier = "{id}" in operation.path

        @hsettings(
            max_examples=ACTION_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=operation.as_strategy(),
            pk=st.sampled_from(ids),
            document=st.sampled_from(documents),
            who=st.sampled_from(OFFICIALS),
            current=st.booleans(),
        )
        def run(case, pk, document, who, current):
            if "{document_id}" in operation.path:  # noqa: B023
                pk, case.path_parameters["document_id"] = document
            if on_dossier:  # noqa: B023
                case.path_parameters["id"] = pk
            body = case.body if isinstance(case.body, dict) else None
            if current:  # as the dossier's holder when one of them holds it (steps are held by their group)
                dossier = Dossier.objects.select_related("current_holder").get(pk=pk)
                holder = dossier.current_holder.username if dossier.current_holder else None
                who = holder if holder in sessions else who
                if body is not None and "revision" in body:
                    body["revision"] = dossier.revision
                if body is not None and isinstance(body.get("dossiers"), list):  # bulk: real ids and revisions
                    body["dossiers"] = [
                        {"id": d.pk, "revision": d.revision} for d in Dossier.objects.filter(pk__in=ids[:3])
                    ]
            cookies, headers = sessions[who]
            calls["n"] += 1
            response = case.call(cookies=cookies, headers=headers)
            statuses[response.status_code] += 1
            if response.status_code < 300:
                succeeded[operation.label] += 1  # noqa: B023
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # FailureGroup is no Exception
            failures.append(f"{operation.label}: {str(exc)[:1500]}")

    changed = sum(Dossier.objects.get(pk=pk).revision != revision for pk, revision in start.items())
    print(
        f"schemathesis as officials: {len(selected)} operations on {len(ids)} dossiers, {calls['n']} requests, "
        f"{len(failures)} failing operations; status codes {dict(sorted(statuses.items()))}; "
        f"{sum(succeeded.values())} accepted ({dict(sorted(succeeded.items()))}); {changed} dossiers changed"
    )
    assert not failures, "\n\n".join(failures)
    # in depth: the actions were not all refused at the door — some ran and changed dossiers
    assert changed >= 3 and sum(n for label, n in succeeded.items() if label.startswith("POST")) >= 3, succeeded
