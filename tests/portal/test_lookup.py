"""Public lookup (AG 12): exact fields, reduced fields before acceptance, identical "not found", rate limit, API."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from portal.lookup import FULL_KEYS, REDUCED_KEYS, lookup_url
from tests.factories.citizens import citizen, construction_unit, receive, submit_online
from workflow.models import Dossier, Status
from workflow.models.dossier import STATUS_PLAIN

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    settings.RATELIMIT_RATES = {"lookup": ["20/minute"]}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def unit():
    return construction_unit()


@pytest.fixture
def received(unit):
    user = citizen(full_name="Trần Thị Bình", id_number="001190012345", phone="0912345678", email="binh@example.com")
    return receive(unit, submit_online(unit, user, organisation="Công ty TNHH Bình An"))


def api(client, code, **params):
    return client.get(reverse("lookup_api:lookup", args=[code]), params)


def page(client, code, **params):
    return client.get(reverse("lookup"), {"code": code, **params})


def test_api_shows_exactly_the_ag12_fields_of_a_received_dossier(client, unit, received):
    response = api(client, received.code)
    assert response.status_code == 200
    data = response.json()
    assert tuple(data) == FULL_KEYS
    assert data["code"] == received.code
    assert data["qr"].startswith("data:image/svg+xml")
    assert data["agency"] == "Sở Xây dựng"
    assert data["route"] == [
        {"step": "Tiếp nhận hồ sơ", "agency": "Sở Xây dựng"},
        {"step": "Phòng Quản lý xây dựng thẩm định", "agency": "Sở Xây dựng"},
        {"step": "Lấy ý kiến Sở Tài nguyên và Môi trường", "agency": "Sở Tài nguyên và Môi trường"},
        {"step": "Trả kết quả", "agency": "Sở Xây dựng"},
    ]
    assert data["organisation_name"] == "Công ty TNHH Bình An"
    assert data["applicant_name"] == "Trần Thị Bình"
    assert data["received_at"] == timezone.localtime(received.received_at).isoformat()
    assert data["appointment_at"] == timezone.localtime(received.appointment_at).isoformat()
    assert (data["status"], data["status_text"]) == (Status.RECEIVED, str(STATUS_PLAIN[Status.RECEIVED]))
    body = response.content.decode()
    for private in ("001190012345", "0912345678", "binh@example.com", "Số 5 Lê Lợi", received.lookup_token):
        assert private not in body


def test_page_shows_the_same_fields(client, received):
    response = page(client, received.code.lower())  # codes are case-insensitive
    html = response.content.decode()
    assert response.status_code == 200
    assert tuple(response.context["result"]) == FULL_KEYS
    for text in (
        received.code,
        "Sở Xây dựng",
        "Phòng Quản lý xây dựng thẩm định",
        "Sở Tài nguyên và Môi trường",
        "Công ty TNHH Bình An",
        "Trần Thị Bình",
        str(STATUS_PLAIN[Status.RECEIVED]),
        timezone.localtime(received.received_at).strftime("%d/%m/%Y %H:%M"),
        timezone.localtime(received.appointment_at).strftime("%d/%m/%Y %H:%M"),
    ):
        assert text in html, text
    for private in ("001190012345", "0912345678", "binh@example.com", "Tờ khai", received.lookup_token):
        assert private not in html


def test_online_dossier_not_accepted_shows_only_code_agency_applicant_and_date(client, unit):
    dossier = submit_online(unit, citizen(full_name="Lê Văn Cường"), organisation="Hộ kinh doanh Cường")
    assert dossier.status == Status.NEW
    data = api(client, dossier.code).json()
    assert tuple(data) == REDUCED_KEYS
    assert (data["code"], data["agency"], data["applicant_name"]) == (dossier.code, "Sở Xây dựng", "Lê Văn Cường")
    assert data["submitted_at"] == timezone.localtime(dossier.submitted_at).isoformat()
    response = page(client, dossier.code)
    html = response.content.decode()
    assert response.context["reduced"]
    for hidden in ("Hộ kinh doanh Cường", "Tiếp nhận hồ sơ", str(STATUS_PLAIN[Status.NEW])):
        assert hidden not in html


def test_not_found_is_the_same_for_unknown_malformed_and_hidden_codes(client, unit):
    hidden = submit_online(unit, citizen())
    Dossier.objects.filter(pk=hidden.pk).update(submitted_at=None)  # a dossier never submitted: nothing public
    unknown = hidden.code[:-4] + "9999"
    bodies = set()
    for code in (unknown, hidden.code, "<script>", "A" * 200, "'; DROP TABLE x; --"):
        response = api(client, code)
        assert response.status_code == 404
        bodies.add(response.content)
    assert len(bodies) == 1
    pages = set()
    for code in (unknown, hidden.code):
        response = page(client, code)
        assert response.status_code == 404
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
        pages.add(html.replace(code, "CODE"))
    assert len(pages) == 1


def test_lookup_query_counts_are_pinned(client, unit, received):
    new = submit_online(unit, citizen())
    # found: the dossier (+ the route's steps when received); a 404 adds Wagtail's two redirect look-ups.
    expected = [(received.code, 2), (new.code, 1), ("000.00.00.H00-260101-9999", 1 + 2), ("<bad>", 0 + 2)]
    for code, queries in expected:
        with CaptureQueriesContext(connection) as captured:
            api(client, code)
        assert len(captured) == queries, (code, [q["sql"] for q in captured])


def test_rate_limit_per_client_shared_by_page_and_api(client, settings, received):
    settings.RATELIMIT_RATES = {"lookup": ["3/minute"]}
    assert api(client, received.code).status_code == 200
    assert page(client, received.code).status_code == 200
    assert api(client, "000.00.00.H00-260101-0001").status_code == 404
    response = api(client, received.code)
    assert response.status_code == 429
    too_many = gettext("Too many requests from your connection. Please try again in %(seconds)d seconds.")
    assert int(response["Retry-After"]) > 0
    assert response.json() == {"code": "throttled", "detail": too_many % {"seconds": int(response["Retry-After"])}}
    response = page(client, received.code)
    assert response.status_code == 429
    assert escape(too_many % {"seconds": int(response["Retry-After"])}) in response.content.decode()
    # another client is not affected
    assert client.get(reverse("lookup_api:lookup", args=[received.code]), REMOTE_ADDR="10.0.0.9").status_code == 200
    # the empty form is never counted
    assert client.get(reverse("lookup")).status_code == 200


def test_forwarded_for_is_trusted_only_behind_configured_proxies(client, settings, received):
    settings.RATELIMIT_RATES = {"lookup": ["1/minute"]}
    url = reverse("lookup_api:lookup", args=[received.code])
    assert client.get(url, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429  # spoofed header ignored
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get(url, HTTP_X_FORWARDED_FOR="3.3.3.3").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="3.3.3.3").status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="9.9.9.9, 4.4.4.4").status_code == 200  # rightmost entry counts


def test_qr_link_with_the_token_is_never_throttled_but_a_wrong_token_is(client, settings, received):
    settings.RATELIMIT_RATES = {"lookup": ["1/minute"]}
    assert api(client, "000.00.00.H00-260101-0001").status_code == 404
    assert api(client, received.code).status_code == 429
    url = lookup_url(received)
    assert url.endswith(f"/tra-cuu/?code={received.code}&t={received.lookup_token}")
    for _ in range(3):
        assert client.get(url).status_code == 200
        assert api(client, received.code, t=received.lookup_token).status_code == 200
    assert api(client, received.code, t="0" * 32).status_code == 429
    assert page(client, received.code, t="0" * 32).status_code == 429


def test_a_token_does_not_open_another_dossier(client, unit, received):
    other = submit_online(unit, citizen())
    Dossier.objects.filter(pk=other.pk).update(submitted_at=None)
    assert api(client, other.code, t=received.lookup_token).status_code == 404


def test_lookup_api_is_in_the_openapi_schema(client):
    response = client.get(reverse("api-schema"), {"format": "json"})
    schema = response.json()
    operation = schema["paths"]["/api/v1/lookup/{code}/"]["get"]
    assert operation["operationId"] == "lookup_dossier"
    assert {"200", "404", "429"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} == {"code", "t"}


def test_lookup_page_query_count_is_pinned(client, received):
    page(client, "000.00.00.H00-260101-0001")  # first request creates the site's support settings row
    with CaptureQueriesContext(connection) as captured:
        assert page(client, received.code).status_code == 200
    lookup = [q for q in captured if "workflow_" in q["sql"]]
    assert len(lookup) == 2  # the dossier with its agency and process; the route's steps with their agencies
    # + the site chrome (navigation pages, maintenance notices, site, support settings)
    assert len(captured) == 6, [q["sql"][:80] for q in captured]
