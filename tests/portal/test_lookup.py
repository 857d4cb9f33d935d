"""Public lookup (AG 12): exact fields, reduced fields before acceptance, identical "not found", rate limit, API;
names masked for a code alone (DESIGN §6, issue 15 item 3); pinned query counts (issue 14 item 16)."""

import re

import pytest
from django.core.cache import cache
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


def api(client, code, headers=None, **params):
    return client.get(reverse("lookup_api:lookup", args=[code]), params, **(headers or {}))


def page(client, code, headers=None, **params):
    return client.get(reverse("lookup"), {"code": code, **params}, **(headers or {}))


def test_api_shows_exactly_the_ag12_fields_of_a_received_dossier(client, unit, received):
    response = api(client, received.code, t=received.lookup_token)
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
    assert (data["applicant_name"], data["name_masked"]) == ("Trần Thị Bình", False)
    assert data["received_at"] == timezone.localtime(received.received_at).isoformat()
    assert data["appointment_at"] == timezone.localtime(received.appointment_at).isoformat()
    assert (data["status"], data["status_text"]) == (Status.RECEIVED, str(STATUS_PLAIN[Status.RECEIVED]))
    body = response.content.decode()
    for private in ("001190012345", "0912345678", "binh@example.com", "Số 5 Lê Lợi", received.lookup_token):
        assert private not in body


def test_page_shows_the_same_fields(client, received):
    response = page(client, received.code.lower(), last4="2345")  # codes are case-insensitive
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
    assert (data["code"], data["agency"], data["applicant_name"]) == (dossier.code, "Sở Xây dựng", "Lê V. C.")
    assert api(client, dossier.code, t=dossier.lookup_token).json()["applicant_name"] == "Lê Văn Cường"
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


def test_lookup_query_counts_are_pinned(client, unit, received, django_assert_num_queries):
    new = submit_online(unit, citizen())
    # the dossier with its agency (+ the route's steps the first time a process version is shown: then cached);
    # a 404 adds Wagtail's two redirect look-ups.
    with django_assert_num_queries(2):
        api(client, received.code)
    expected = [(received.code, 1), (received.code.lower(), 1), (new.code, 1), ("000.00.00.H00-260101-9999", 1 + 2)]
    for code, queries in [*expected, ("<bad>", 0 + 2)]:
        with django_assert_num_queries(queries):
            api(client, code)
    with django_assert_num_queries(1):  # the QR link: one query, never a rate-limit look-up in the database
        api(client, received.code, t=received.lookup_token)


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
    assert {p["name"] for p in operation["parameters"]} == {"code", "t", "last4"}


def test_lookup_page_query_count_is_pinned(client, received, django_assert_num_queries):
    page(client, received.code)  # the first request creates the site's support settings row, caches the route
    # the dossier with its agency, and the maintenance notices; the rest of the site chrome (navigation pages,
    # site, support settings) is cached
    with django_assert_num_queries(2):
        assert page(client, received.code).status_code == 200
    with django_assert_num_queries(2):
        assert client.get(lookup_url(received)).status_code == 200


# --- Name enumeration (issue 15 item 3, DESIGN §6) ------------------------------------------------------------


def neighbours(code, count):
    """The codes an enumerator tries: the same agency and day, the sequence numbers from 1 up."""
    prefix = code.rsplit("-", 1)[0]
    return [f"{prefix}-{n:04d}" for n in range(1, count + 1)]


@pytest.fixture
def three_applicants(unit):
    people = [
        citizen(full_name="Nguyễn Văn An", id_number="001190011111", phone="0911111111"),
        citizen(full_name="Phạm Thị Hồng Nhung", id_number="001190022222", phone="0922222222"),
        citizen(full_name="Lý Minh", id_number="001190033333", phone="0933333333"),
    ]
    return [receive(unit, submit_online(unit, person)) for person in people]


def test_sequential_codes_do_not_reveal_applicants_full_names(client, three_applicants):
    codes = neighbours(three_applicants[0].code, 5)
    assert {d.code for d in three_applicants} <= set(codes)  # codes are sequential: the attack finds them all
    api_names, page_bodies = [], []
    for code in codes:
        response = api(client, code)
        if response.status_code == 200:
            api_names.append(response.json()["applicant_name"])
        page_bodies.append(page(client, code).content.decode())
    for full in ("Nguyễn Văn An", "Phạm Thị Hồng Nhung", "Lý Minh", "Văn", "Hồng", "Nhung", "Minh"):
        assert not any(full in name for name in api_names), full
        assert not any(full in body for body in page_bodies), full
    assert sorted(api_names) == ["Lý M.", "Nguyễn V. A.", "Phạm T. H. N."]
    assert sum("Nguyễn V. A." in body for body in page_bodies) == 1


def test_full_name_with_the_qr_token_or_the_last_4_digits_of_id_or_phone(client, three_applicants):
    dossier = three_applicants[1]
    masked = api(client, dossier.code).json()
    assert (masked["applicant_name"], masked["name_masked"]) == ("Phạm T. H. N.", True)
    for params in ({"t": dossier.lookup_token}, {"last4": "2222"}, {"last4": " 2222 "}):
        data = api(client, dossier.code, **params).json()
        assert (data["applicant_name"], data["name_masked"]) == ("Phạm Thị Hồng Nhung", False), params
    # wrong or malformed digits, another applicant's digits, a wrong token: exactly the code-only answer
    for params in ({"last4": "1111"}, {"last4": "0000"}, {"last4": "22"}, {"last4": "abcd"}, {"t": "0" * 32}):
        assert api(client, dossier.code, **params).json() == masked, params
    html = page(client, dossier.code, last4="2222").content.decode()
    assert "Phạm Thị Hồng Nhung" in html and 'value="2222"' not in html  # the digits are never echoed
    html = page(client, dossier.code, last4="1111").content.decode()
    assert "Phạm Thị Hồng Nhung" not in html and "Phạm T. H. N." in html
    assert (
        gettext("These digits do not match the applicant's ID number or phone, so the name is shown shortened.") in html
    )
    assert "Phạm Thị Hồng Nhung" in client.get(lookup_url(dossier)).content.decode()


def test_organisation_name_is_shown_in_full_and_its_representative_masked(client, received):
    data = api(client, received.code).json()
    assert (data["organisation_name"], data["applicant_name"]) == ("Công ty TNHH Bình An", "Trần T. B.")


def test_wrong_digits_count_against_the_rate_limit(client, settings, three_applicants):
    settings.RATELIMIT_RATES = {"lookup": ["4/minute"]}
    code = three_applicants[0].code
    assert api(client, code, last4="9999").status_code == 200  # 2 hits: the code and the wrong guess
    assert api(client, code, last4="9998").status_code == 200  # 4
    assert api(client, code, last4="1111").status_code == 429  # right digits, but the guesses used the budget
    assert api(client, code, t=three_applicants[0].lookup_token).status_code == 200  # the QR link still works


def test_guessing_one_dossiers_digits_from_many_addresses_stops_working(client, three_applicants):
    dossier = three_applicants[0]
    for n in range(10):  # ten wrong guesses, each from its own address
        response = client.get(
            reverse("lookup_api:lookup", args=[dossier.code]), {"last4": f"{n:04d}"}, REMOTE_ADDR=f"10.1.0.{n}"
        )
        assert response.json()["name_masked"] is True
    right = client.get(reverse("lookup_api:lookup", args=[dossier.code]), {"last4": "1111"}, REMOTE_ADDR="10.2.0.1")
    assert (right.status_code, right.json()["applicant_name"]) == (200, "Nguyễn V. A.")  # not checked any more
    assert api(client, dossier.code, t=dossier.lookup_token).json()["applicant_name"] == "Nguyễn Văn An"
    other = three_applicants[1]  # other dossiers are not affected
    assert api(client, other.code, last4="2222").json()["applicant_name"] == "Phạm Thị Hồng Nhung"


@pytest.fixture
def anomaly(settings):
    settings.RATELIMIT_RATES = {"lookup": ["100/minute"], "lookup_slow": ["3/minute"]}
    settings.LOOKUP_ANOMALY = {"window": 60, "codes": 8, "addresses": 4, "hold": 600}


def test_many_codes_from_many_addresses_slow_down_everyone_typing_codes(client, anomaly, three_applicants):
    dossier = three_applicants[0]
    codes = neighbours(dossier.code, 8)
    for n, code in enumerate(codes):  # an enumeration spread over 4 addresses: each stays far below its own limit
        client.get(reverse("lookup_api:lookup", args=[code]), REMOTE_ADDR=f"198.51.100.{n % 4}")
    # now every typed code shares 3/minute (the lookup that raised the alarm was the first), whatever the address
    # or the forged X-Forwarded-For
    statuses = [
        client.get(
            reverse("lookup_api:lookup", args=[dossier.code]),
            REMOTE_ADDR=f"203.0.113.{n}",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        ).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 429, 429]
    response = page(client, dossier.code, {"REMOTE_ADDR": "203.0.113.99"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    # the receipt's QR link is never slowed down
    assert client.get(lookup_url(dossier), REMOTE_ADDR="203.0.113.99").status_code == 200
    assert api(client, dossier.code, t=dossier.lookup_token).status_code == 200


def test_forged_forwarded_for_does_not_make_many_addresses(client, settings, anomaly, three_applicants):
    codes = neighbours(three_applicants[0].code, 12)
    # one client forging a new X-Forwarded-For each time is still one address: no alarm, nobody slowed down
    for n, code in enumerate(codes):
        client.get(reverse("lookup_api:lookup", args=[code]), HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert [api(client, three_applicants[1].code, {"REMOTE_ADDR": "203.0.113.1"}).status_code for _ in range(3)] == [
        200
    ] * 3
    # behind one trusted proxy only the entry the proxy appended counts: forged entries to its left do not
    settings.TRUSTED_PROXY_COUNT = 1
    for n, code in enumerate(codes):
        client.get(reverse("lookup_api:lookup", args=[code]), HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7")
    assert [
        api(client, three_applicants[1].code, {"HTTP_X_FORWARDED_FOR": "203.0.113.1"}).status_code for _ in range(3)
    ] == [200] * 3


def test_masked_name_keeps_the_family_name_and_initials():
    from portal.core.names import masked_name

    assert masked_name("Nguyễn Văn An") == "Nguyễn V. A."
    assert masked_name("  Tôn Nữ Thị   Hà ") == "Tôn N. T. H."
    assert masked_name("Minh") == "M."
    assert masked_name("") == ""


def test_the_qr_code_is_built_once_per_code(client, three_applicants):
    from portal.lookup import _qr_svg

    _qr_svg.cache_clear()
    for _ in range(3):
        for dossier in three_applicants:
            assert api(client, dossier.code).json()["qr"].startswith("data:image/svg+xml")
    assert (_qr_svg.cache_info().misses, _qr_svg.cache_info().hits) == (3, 6)
