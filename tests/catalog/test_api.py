"""The public catalog read API under /api/v1/."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog.models import AgencyLevel, FeeKind, OnlineLevel, ProcedureLevel, ProcedureStatus, TimeUnit
from tests.factories import (
    AgencyFactory,
    FaqEntryFactory,
    ProcedureDocumentFactory,
    ProcedureFactory,
    ProcedureFeeFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

PROCEDURES = "/api/v1/procedures/"
AGENCIES = "/api/v1/agencies/"
SECTORS = "/api/v1/sectors/"
FAQ = "/api/v1/faq/"

# count + page of procedures (sector joined) + agencies of the page (one prefetch).
MAX_LIST_QUERIES = 3
# procedure (sector joined) + agencies + fees + documents (templates joined).
MAX_DETAIL_QUERIES = 4


@pytest.fixture
def api():
    return APIClient()


def codes(response):
    assert response.status_code == 200, response.content
    return [row["national_code"] for row in response.json()["results"]]


# --- search --------------------------------------------------------------------------


@pytest.fixture
def searchable():
    return {
        "building": ProcedureFactory(
            national_code="1.009972", name="Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
        ),
        "birth": ProcedureFactory(national_code="1.001193", name="Đăng ký khai sinh"),
        "business": ProcedureFactory(national_code="2.000720", name="Đăng ký thành lập hộ kinh doanh"),
        "record": ProcedureFactory(national_code="2.001417", name="Cấp phiếu lý lịch tư pháp cho công dân"),
    }


@pytest.mark.parametrize(
    "q",
    [
        "cap giay phep xay dung",
        "Cấp giấy phép xây dựng",
        "CAP GIAY PHEP XAY DUNG",
        "CẤP GIẤY PHÉP XÂY DỰNG",
        "xây  DUNG cấp",
    ],
)
def test_search_ignores_diacritics_and_case(api, searchable, q):
    assert codes(api.get(PROCEDURES, {"q": q})) == ["1.009972"]


def test_search_folds_d_with_stroke(api, searchable):
    assert codes(api.get(PROCEDURES, {"q": "dang ky"})) == ["1.001193", "2.000720"]
    assert codes(api.get(PROCEDURES, {"q": "DANG KY KINH DOANH"}))[0] == "2.000720"  # close names follow
    assert codes(api.get(PROCEDURES, {"q": "Đăng ký"})) == ["1.001193", "2.000720"]


def test_search_matches_national_code_and_close_names_only(api, searchable):
    assert codes(api.get(PROCEDURES, {"q": "1.001193"})) == ["1.001193"]
    # A wrong word still finds the close name; a query unlike any name finds nothing.
    assert codes(api.get(PROCEDURES, {"q": "cap khai sinh"})) == ["1.001193"]
    assert codes(api.get(PROCEDURES, {"q": "quyet toan thue thu nhap"})) == []
    assert codes(api.get(PROCEDURES, {"q": ""})) == ["1.001193", "1.009972", "2.000720", "2.001417"]


# --- filters -------------------------------------------------------------------------


def test_filter_by_agency_code(api):
    construction, justice = AgencyFactory(name="Sở Xây dựng"), AgencyFactory(name="Sở Tư pháp")
    ProcedureFactory(national_code="1.000001", agencies=[construction])
    ProcedureFactory(national_code="1.000002", agencies=[justice])
    ProcedureFactory(national_code="1.000003", agencies=[construction, justice])
    assert codes(api.get(PROCEDURES, {"agency": construction.code})) == ["1.000001", "1.000003"]
    assert codes(api.get(PROCEDURES, {"agency": justice.code})) == ["1.000002", "1.000003"]


def test_filter_by_sector_code(api):
    land, civil = SectorFactory(code="G09-TN01"), SectorFactory(code="G09-TP02")
    ProcedureFactory(national_code="1.000001", sector=land)
    ProcedureFactory(national_code="1.000002", sector=civil)
    assert codes(api.get(PROCEDURES, {"sector": "G09-TN01"})) == ["1.000001"]
    assert codes(api.get(PROCEDURES, {"sector": "G09-TP02"})) == ["1.000002"]


def test_filter_by_level_includes_both(api):
    ProcedureFactory(national_code="1.000001", level=ProcedureLevel.PROVINCE)
    ProcedureFactory(national_code="1.000002", level=ProcedureLevel.COMMUNE)
    ProcedureFactory(national_code="1.000003", level=ProcedureLevel.BOTH)
    assert codes(api.get(PROCEDURES, {"level": "province"})) == ["1.000001", "1.000003"]
    assert codes(api.get(PROCEDURES, {"level": "commune"})) == ["1.000002", "1.000003"]


def test_filter_by_online_level(api):
    ProcedureFactory(national_code="1.000001", online_level=OnlineLevel.FULL)
    ProcedureFactory(national_code="1.000002", online_level=OnlineLevel.PARTIAL)
    ProcedureFactory(national_code="1.000003", online_level=OnlineLevel.NONE)
    assert codes(api.get(PROCEDURES, {"online_level": "full"})) == ["1.000001"]
    assert codes(api.get(PROCEDURES, {"online_level": "partial"})) == ["1.000002"]
    assert codes(api.get(PROCEDURES, {"online_level": "none"})) == ["1.000003"]


def test_filters_combine_with_search(api):
    agency = AgencyFactory()
    ProcedureFactory(national_code="1.000001", name="Đăng ký khai sinh", agencies=[agency], online_level="full")
    ProcedureFactory(national_code="1.000002", name="Đăng ký kết hôn", agencies=[agency], online_level="partial")
    ProcedureFactory(national_code="1.000003", name="Đăng ký khai tử", online_level="full")
    response = api.get(PROCEDURES, {"q": "dang ky", "agency": agency.code, "online_level": "full"})
    assert codes(response) == ["1.000001"]


@pytest.mark.parametrize(
    "params, field, value",
    [
        ({"level": "galaxy"}, "level", "galaxy"),
        ({"level": "both"}, "level", "both"),
        ({"online_level": "x"}, "online_level", "x"),
        ({"sector": "NOPE"}, "sector", "NOPE"),
        ({"agency": "000.00.99.Z99"}, "agency", "000.00.99.Z99"),
    ],
)
def test_invalid_procedure_filter_is_400_naming_the_field(api, params, field, value):
    ProcedureFactory()
    response = api.get(PROCEDURES, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert value in body[field][0]


def test_inactive_agency_is_not_a_valid_filter(api):
    agency = AgencyFactory(is_active=False)
    response = api.get(PROCEDURES, {"agency": agency.code})
    assert response.status_code == 400
    assert "agency" in response.json()


def test_every_invalid_filter_is_reported(api):
    response = api.get(PROCEDURES, {"level": "galaxy", "online_level": "x", "sector": "NOPE"})
    assert response.status_code == 400
    assert set(response.json()) == {"level", "online_level", "sector"}


def test_invalid_agency_and_faq_filters_are_400(api):
    response = api.get(AGENCIES, {"level": "galaxy"})
    assert response.status_code == 400 and "galaxy" in response.json()["level"][0]
    response = api.get(FAQ, {"sector": "NOPE"})
    assert response.status_code == 400 and "NOPE" in response.json()["sector"][0]
    response = api.get(FAQ, {"procedure": "9.999999"})
    assert response.status_code == 400 and "9.999999" in response.json()["procedure"][0]


# --- pagination ----------------------------------------------------------------------


def test_pagination(api):
    sector = SectorFactory()
    for i in range(25):
        ProcedureFactory(national_code=f"1.{i:06d}", sector=sector, agencies=[])

    first = api.get(PROCEDURES).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/procedures/") and "page=2" in first["next"]

    second = api.get(PROCEDURES, {"page": 2}).json()
    assert [row["national_code"] for row in second["results"]] == [f"1.{i:06d}" for i in range(20, 25)]
    assert second["next"] is None and second["previous"] is not None

    assert len(api.get(PROCEDURES, {"page_size": 5}).json()["results"]) == 5
    assert len(api.get(PROCEDURES, {"page_size": 1000}).json()["results"]) == 25  # capped at 100
    assert api.get(PROCEDURES, {"page": 9}).status_code == 404


def test_next_link_keeps_filters(api):
    for i in range(3):
        ProcedureFactory(national_code=f"1.{i:06d}", online_level="full", agencies=[])
    body = api.get(PROCEDURES, {"online_level": "full", "page_size": 2}).json()
    assert "online_level=full" in body["next"]


# --- list and detail shape ---------------------------------------------------------------


def test_list_item_shape(api):
    agency = AgencyFactory(code="000.00.15.H12", name="Sở Xây dựng", short_name="SXD")
    ProcedureFactory(
        national_code="1.009972",
        name="Cấp giấy phép xây dựng",
        agencies=[agency],
        sector=SectorFactory(code="XD", name="Hoạt động xây dựng"),
        processing_time=Decimal("2"),
        processing_time_unit=TimeUnit.DAY,
    )
    (row,) = api.get(PROCEDURES).json()["results"]
    assert row == {
        "national_code": "1.009972",
        "name": "Cấp giấy phép xây dựng",
        "url": "http://testserver/api/v1/procedures/1.009972/",
        "sector": {"code": "XD", "name": "Hoạt động xây dựng"},
        "agencies": [{"code": "000.00.15.H12", "name": "Sở Xây dựng", "short_name": "SXD", "level": "province"}],
        "level": "province",
        "online_level": "partial",
        "processing_time": "2.00",
        "processing_time_unit": "day",
        "processing_minutes": 960,
        "status": "in_force",
    }


def test_detail_shape(api):
    agency = AgencyFactory(code="000.00.15.H12", name="Sở Xây dựng", hotline="1900 1234")
    procedure = ProcedureFactory(
        national_code="1.009972",
        name="Cấp giấy phép xây dựng",
        sector=SectorFactory(code="XD", name="Hoạt động xây dựng"),
        agencies=[agency],
        processing_time=Decimal("4"),
        processing_time_unit=TimeUnit.HOUR,
        submit_online=True,
        submit_counter=True,
        submit_post=False,
        postal_return=True,
        status=ProcedureStatus.AMENDED,
        legal_basis="Luật Xây dựng 2014",
        publishing_decision="Quyết định số 123/QĐ-UBND",
    )
    ProcedureFeeFactory(procedure=procedure, kind=FeeKind.CHARGE, name="Lệ phí cấp phép", amount=Decimal("75000"))
    ProcedureFeeFactory(procedure=procedure, kind=FeeKind.FEE, name="Phí thẩm định", amount=Decimal("500000"))
    with_template = ProcedureDocumentFactory(procedure=procedure, name="Đơn đề nghị (Mẫu 01)", with_template=True)
    ProcedureDocumentFactory(procedure=procedure, name="Bản vẽ thiết kế", originals=0, copies=2, mandatory=False)

    response = api.get(f"{PROCEDURES}1.009972/")
    assert response.status_code == 200
    body = response.json()
    assert body["national_code"] == "1.009972"
    assert body["sector"] == {"code": "XD", "name": "Hoạt động xây dựng"}
    assert [a["code"] for a in body["agencies"]] == ["000.00.15.H12"]
    assert body["agencies"][0]["hotline"] == "1900 1234"
    assert body["fees"] == [
        {"kind": "charge", "name": "Lệ phí cấp phép", "amount": 75000, "note": ""},
        {"kind": "fee", "name": "Phí thẩm định", "amount": 500000, "note": ""},
    ]
    template = with_template.template
    assert body["documents"] == [
        {
            "name": "Đơn đề nghị (Mẫu 01)",
            "originals": 1,
            "copies": 0,
            "mandatory": True,
            "template_url": f"http://testserver/documents/{template.pk}/{template.filename}",
        },
        {"name": "Bản vẽ thiết kế", "originals": 0, "copies": 2, "mandatory": False, "template_url": None},
    ]
    assert body["processing_time"] == "4.00"
    assert body["processing_time_unit"] == "hour"
    assert body["processing_minutes"] == 240
    assert body["channels"] == {"online": True, "counter": True, "post": False, "postal_return": True}
    assert "Bước 1" in body["steps"]
    assert body["requirements"] == "<p>Không có.</p>"
    assert body["legal_basis"] == "Luật Xây dựng 2014"
    assert body["publishing_decision"] == "Quyết định số 123/QĐ-UBND"
    assert body["status"] == "amended"
    for key in ("processing_time_note", "applicant_subjects", "result_type", "level", "online_level", "updated_at"):
        assert key in body

    download = api.get(body["documents"][0]["template_url"])
    assert download.status_code == 200


def test_detail_ignores_list_filters(api):
    ProcedureFactory(national_code="1.009972")
    assert api.get(f"{PROCEDURES}1.009972/", {"level": "galaxy"}).status_code == 200


# --- not found, abolished, read-only ----------------------------------------------------------


def test_unknown_codes_are_404(api):
    assert api.get(f"{PROCEDURES}9.999999/").status_code == 404
    assert api.get(f"{PROCEDURES}not-a-code/").status_code == 404
    assert api.get(f"{AGENCIES}000.00.99.Z99/").status_code == 404
    assert api.get(f"{SECTORS}NOPE/").status_code == 404
    assert api.get(f"{FAQ}999999/").status_code == 404
    response = api.get(f"{PROCEDURES}9.999999/")
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_abolished_procedures_are_hidden(api):
    sector = SectorFactory(code="HT")
    ProcedureFactory(national_code="1.000001", name="Đăng ký khai sinh", sector=sector)
    ProcedureFactory(
        national_code="1.000002", name="Đăng ký khai sinh lưu động", sector=sector, status=ProcedureStatus.ABOLISHED
    )
    # Named apart: a factory name can be any procedure's, "Đăng ký khai sinh …" included.
    ProcedureFactory(
        national_code="1.000003", name="Cấp giấy phép xây dựng", sector=sector, status=ProcedureStatus.AMENDED
    )

    assert codes(api.get(PROCEDURES)) == ["1.000001", "1.000003"]
    assert codes(api.get(PROCEDURES, {"q": "dang ky khai sinh"})) == ["1.000001"]
    assert api.get(f"{PROCEDURES}1.000002/").status_code == 404
    assert api.get(f"{PROCEDURES}1.000003/").status_code == 200
    assert api.get(f"{SECTORS}HT/").json()["procedure_count"] == 2
    assert api.get(FAQ, {"procedure": "1.000002"}).status_code == 400


def test_read_only_and_anonymous(api):
    ProcedureFactory(national_code="1.000001")
    assert api.get(PROCEDURES).status_code == 200
    assert api.post(PROCEDURES, {"name": "x"}, format="json").status_code == 405
    assert api.put(f"{PROCEDURES}1.000001/", {"name": "x"}, format="json").status_code == 405
    assert api.delete(f"{PROCEDURES}1.000001/").status_code == 405
    assert api.post(FAQ, {}, format="json").status_code == 405


# --- agencies, sectors, FAQ ------------------------------------------------------------------


def test_agencies_list_filter_and_detail(api):
    province = AgencyFactory(code="000.00.15.H12", name="Sở Xây dựng")
    commune = AgencyFactory(
        code="000.15.31.H12", name="Ủy ban nhân dân xã Đồng Tâm", level=AgencyLevel.COMMUNE, parent=province
    )
    AgencyFactory(code="000.00.16.H12", is_active=False)

    body = api.get(AGENCIES).json()
    assert body["count"] == 2
    assert [a["code"] for a in body["results"]] == [province.code, commune.code]
    assert [a["code"] for a in api.get(AGENCIES, {"level": "commune"}).json()["results"]] == [commune.code]
    assert [a["code"] for a in api.get(AGENCIES, {"level": "province"}).json()["results"]] == [province.code]

    detail = api.get(f"{AGENCIES}{commune.code}/").json()
    assert detail["code"] == "000.15.31.H12"
    assert detail["name"] == "Ủy ban nhân dân xã Đồng Tâm"
    assert detail["level"] == "commune"
    assert detail["parent"] == "000.00.15.H12"
    assert {"address", "phone", "email", "hotline", "working_hours_note"} <= set(detail)
    assert api.get(f"{AGENCIES}000.00.16.H12/").status_code == 404  # inactive


def test_sectors_with_procedure_counts(api):
    building = SectorFactory(code="XD", name="Hoạt động xây dựng")
    SectorFactory(code="DD", name="Đất đai")
    ProcedureFactory.create_batch(3, sector=building, agencies=[])
    ProcedureFactory(sector=building, status=ProcedureStatus.ABOLISHED, agencies=[])

    body = api.get(SECTORS).json()
    assert body["count"] == 2
    assert sorted(body["results"], key=lambda row: row["code"]) == [  # listed by name (collation-dependent)
        {"code": "DD", "name": "Đất đai", "procedure_count": 0},
        {"code": "XD", "name": "Hoạt động xây dựng", "procedure_count": 3},
    ]
    assert api.get(f"{SECTORS}XD/").json() == {"code": "XD", "name": "Hoạt động xây dựng", "procedure_count": 3}


def test_faq_published_only_and_filters(api):
    civil, land = SectorFactory(code="HT"), SectorFactory(code="DD")
    birth = ProcedureFactory(national_code="1.001193", name="Đăng ký khai sinh", sector=civil)
    on_birth = FaqEntryFactory(sector=civil, procedure=birth, question="Khai sinh cần giấy tờ gì?")
    general = FaqEntryFactory(sector=civil)
    on_land = FaqEntryFactory(sector=land)
    hidden = FaqEntryFactory(sector=civil, is_published=False)

    ids = lambda response: sorted(row["id"] for row in response.json()["results"])  # noqa: E731
    assert ids(api.get(FAQ)) == sorted([on_birth.pk, general.pk, on_land.pk])
    assert ids(api.get(FAQ, {"sector": "HT"})) == sorted([on_birth.pk, general.pk])
    assert ids(api.get(FAQ, {"procedure": "1.001193"})) == [on_birth.pk]
    assert ids(api.get(FAQ, {"sector": "DD", "procedure": "1.001193"})) == []

    entry = api.get(f"{FAQ}{on_birth.pk}/").json()
    assert entry == {
        "id": on_birth.pk,
        "question": "Khai sinh cần giấy tờ gì?",
        "answer": on_birth.answer,
        "sector": {"code": "HT", "name": civil.name},
        "procedure": {"national_code": "1.001193", "name": "Đăng ký khai sinh"},
    }
    assert api.get(f"{FAQ}{general.pk}/").json()["procedure"] is None
    assert api.get(f"{FAQ}{hidden.pk}/").status_code == 404


# --- no N+1 -----------------------------------------------------------------------------


def _add_procedures(n):
    for _ in range(n):
        procedure = ProcedureFactory(agencies__count=2)
        ProcedureFeeFactory.create_batch(2, procedure=procedure)
        ProcedureDocumentFactory.create_batch(2, procedure=procedure)


def _count_queries(api, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def test_procedure_list_query_count_does_not_grow(api):
    _add_procedures(10)
    small_default, body = _count_queries(api, PROCEDURES)
    assert len(body["results"]) == 10
    small_big_page, _ = _count_queries(api, PROCEDURES, {"page_size": 100})
    small_detail, _ = _count_queries(api, f"{PROCEDURES}{body['results'][0]['national_code']}/")

    _add_procedures(190)
    large_default, body = _count_queries(api, PROCEDURES)
    assert body["count"] == 200 and len(body["results"]) == 20
    assert all(len(row["agencies"]) == 2 for row in body["results"])
    large_big_page, body = _count_queries(api, PROCEDURES, {"page_size": 100})
    assert len(body["results"]) == 100
    large_detail, _ = _count_queries(api, f"{PROCEDURES}{body['results'][-1]['national_code']}/")

    assert small_default == large_default <= MAX_LIST_QUERIES
    assert small_big_page == large_big_page <= MAX_LIST_QUERIES
    assert small_detail == large_detail <= MAX_DETAIL_QUERIES


def test_procedure_list_query_count_is_pinned(api, django_assert_num_queries, django_assert_max_num_queries):
    _add_procedures(10)
    with django_assert_num_queries(MAX_LIST_QUERIES):
        assert api.get(PROCEDURES).status_code == 200
    agency, sector = AgencyFactory(), SectorFactory()
    api.get(PROCEDURES, {"q": "cap"})  # the catalog changed: this first search rebuilds the index (1 query)
    # + agency and sector lookups of the filters (an empty page skips the page's queries)
    with django_assert_max_num_queries(MAX_LIST_QUERIES + 2):
        response = api.get(
            PROCEDURES,
            {
                "q": "cap",
                "agency": agency.code,
                "sector": sector.code,
                "level": "province",
                "online_level": "full",
            },
        )
        assert response.status_code == 200


def test_other_lists_query_count_does_not_grow(api):
    def counts():
        return [_count_queries(api, url, {"page_size": 100})[0] for url in (AGENCIES, SECTORS, FAQ)]

    parent = AgencyFactory()
    for _ in range(3):
        AgencyFactory(parent=parent)
        FaqEntryFactory(procedure=ProcedureFactory(agencies=[]))
    small = counts()
    for _ in range(30):
        AgencyFactory(parent=parent)
        FaqEntryFactory(procedure=ProcedureFactory(agencies=[]))
    assert counts() == small
    assert all(n <= 2 for n in small)  # count + page


# --- OpenAPI ------------------------------------------------------------------------------


def test_schema_documents_filters_and_errors(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/v1/procedures/"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert {"q", "agency", "sector", "level", "online_level", "page", "page_size"} <= set(params)
    assert params["level"]["schema"]["enum"] == ["commune", "province"]
    assert set(params["online_level"]["schema"]["enum"]) == {"full", "partial", "none"}
    assert {"200", "400", "404"} <= set(operation["responses"])
    detail = schema["paths"]["/api/v1/procedures/{national_code}/"]["get"]
    assert {"200", "404"} <= set(detail["responses"])
    for path in (
        "/api/v1/agencies/",
        "/api/v1/agencies/{code}/",
        "/api/v1/sectors/",
        "/api/v1/sectors/{code}/",
        "/api/v1/faq/",
    ):
        assert path in schema["paths"]
    faq_params = {p["name"] for p in schema["paths"]["/api/v1/faq/"]["get"]["parameters"]}
    assert {"sector", "procedure"} <= faq_params
    assert "processing_minutes" in schema["components"]["schemas"]["ProcedureDetail"]["properties"]


def test_schema_yaml_endpoint(api):
    assert api.get("/api/schema/").status_code == 200


def test_swagger_ui_is_self_hosted(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html.lower()
    external = re.findall(r"https?://[^\s\"'<>]*(?:cdn|jsdelivr|unpkg)[^\s\"'<>]*", html, flags=re.I)
    assert external == []
    assert "drf_spectacular_sidecar" in html
