"""API robustness: schemathesis against our own OpenAPI schema (/api/schema/, drf-spectacular).

Every GET operation and the public POSTs (feedback, ratings) are fed generated requests, in-process through the
Django WSGI app, on the demo data (``load_demo``). The dossier and report endpoints are called as the demo reception
officer (session cookie); the public POSTs anonymously, as a citizen's browser would. Checks: no 5xx
(``not_a_server_error``) and every documented response matches its schema (``response_schema_conformance``).
The dossier actions (POST /dossiers/{id}/…) change state and need CSRF; their wiring is tested in
test_workflow_api.py, so they are left out here.

Bounded: ``MAX_EXAMPLES`` per operation, derandomized, no deadline.
"""

import os
from collections import Counter

import pytest
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "30"))
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
    # From here on requests go through the bare WSGI app in this thread, not Django's test client. Django closes
    # "old" connections when a request starts and finishes; the test's connection is inside the test transaction
    # (autocommit off), so it would be closed: harmless for SQLite's in-memory database (its close() keeps it),
    # fatal on PostgreSQL (the data of this test is gone and the next query fails). Do what the test client does
    # around each of its requests, but for the whole run -- and only now: each test-client request above
    # reconnects the handlers when it ends.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
        yield schema, {settings.SESSION_COOKIE_NAME: cookie}
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
        except Exception as exc:  # collect every operation's failure, then report them together
            failures.append(f"{operation.label}: {str(exc)[:1500]}")

    print(
        f"schemathesis: {len(selected)} operations, {calls['n']} requests, {len(failures)} failing operations; "
        f"status codes {dict(sorted(statuses.items()))}"
    )
    assert not failures, "\n\n".join(failures)
