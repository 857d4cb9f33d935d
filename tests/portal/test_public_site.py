"""The public site as a citizen sees it: search, filters, detail, directory, FAQ, notices, language."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from catalog.models import MaintenanceNotice
from portal.demo.loader import load_pages
from tests.factories import (
    AgencyFactory,
    FaqEntryFactory,
    ProcedureDocumentFactory,
    ProcedureFactory,
    ProcedureFeeFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
INDEX = "/thu-tuc-hanh-chinh/"


@pytest.fixture
def site_pages():
    load_pages()


def test_home_page_shows_search_sectors_and_popular_procedures(client, site_pages):
    sector = SectorFactory(name="Hoạt động xây dựng")
    ProcedureFactory(name="Cấp giấy phép xây dựng nhà ở riêng lẻ", sector=sector)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="search"' in html and f'action="{INDEX}"' in html
    assert "Hoạt động xây dựng" in html
    assert "Cấp giấy phép xây dựng nhà ở riêng lẻ" in html
    assert '<html lang="vi">' in html


@pytest.mark.parametrize("query", ["cap giay phep xay dung", "CẤP GIẤY PHÉP", "Cap Giay  Phep", "giấy phép xây"])
def test_search_ignores_diacritics_and_case(client, site_pages, query):
    ProcedureFactory(name="Cấp giấy phép xây dựng mới đối với công trình cấp I")
    ProcedureFactory(name="Đăng ký khai sinh")
    html = client.get(INDEX, {"q": query}).content.decode()
    assert "Cấp giấy phép xây dựng mới" in html
    assert "Đăng ký khai sinh" not in html


def test_search_folds_d_with_stroke(client, site_pages):
    ProcedureFactory(name="Đăng ký kết hôn")
    assert "Đăng ký kết hôn" in client.get(INDEX, {"q": "dang ky ket hon"}).content.decode()


def test_search_by_national_code(client, site_pages):
    ProcedureFactory(national_code="1.001612", name="Đăng ký thành lập hộ kinh doanh")
    assert "Đăng ký thành lập hộ kinh doanh" in client.get(INDEX, {"q": "1.001612"}).content.decode()


def test_filters_by_agency_sector_level_and_online_level(client, site_pages):
    sxd, xa = AgencyFactory(name="Sở Xây dựng"), AgencyFactory(name="UBND xã An Phú", level="commune")
    building, civil = SectorFactory(), SectorFactory()
    a = ProcedureFactory(name="Thủ tục A", agencies=[sxd], sector=building, level="province", online_level="full")
    b = ProcedureFactory(name="Thủ tục B", agencies=[xa], sector=civil, level="commune", online_level="partial")
    c = ProcedureFactory(name="Thủ tục C", agencies=[xa], sector=civil, level="both", online_level="partial")

    def names(**params):
        html = client.get(INDEX, params).content.decode()
        return {p.name for p in (a, b, c) if p.name in html}

    assert names(agency=sxd.code) == {"Thủ tục A"}
    assert names(sector=civil.code) == {"Thủ tục B", "Thủ tục C"}
    assert names(level="commune") == {"Thủ tục B", "Thủ tục C"}
    assert names(level="province") == {"Thủ tục A", "Thủ tục C"}
    assert names(online_level="full") == {"Thủ tục A"}


def test_invalid_filter_is_reported_not_ignored_silently(client, site_pages):
    response = client.get(INDEX, {"level": "galaxy"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_pagination_keeps_the_filters(client, site_pages):
    sector = SectorFactory()
    for i in range(25):
        ProcedureFactory(name=f"Thủ tục số {i:02d}", sector=sector)
    html = client.get(INDEX, {"sector": sector.code}).content.decode()
    assert "25" in html and f"sector={sector.code}&amp;page=2" in html
    page2 = client.get(INDEX, {"sector": sector.code, "page": 2}).content.decode()
    assert "Thủ tục số 24" in page2 and "Thủ tục số 00" not in page2


def test_abolished_procedures_are_not_listed(client, site_pages):
    ProcedureFactory(name="Thủ tục đã bãi bỏ", status="abolished")
    assert "Thủ tục đã bãi bỏ" not in client.get(INDEX).content.decode()


def test_procedure_detail_shows_everything_a_citizen_needs(client, site_pages):
    agency = AgencyFactory(name="Sở Tư pháp")
    procedure = ProcedureFactory(
        national_code="2.000488",
        name="Cấp Phiếu lý lịch tư pháp",
        agencies=[agency],
        processing_time=10,
        processing_time_unit="day",
        legal_basis="Luật Lý lịch tư pháp 2009",
        publishing_decision="QĐ 1234/QĐ-UBND",
    )
    ProcedureFeeFactory(procedure=procedure, name="Phí cung cấp thông tin", amount=200000)
    ProcedureDocumentFactory(procedure=procedure, name="Tờ khai yêu cầu cấp Phiếu", originals=1, copies=2)
    FaqEntryFactory(sector=procedure.sector, procedure=procedure, question="Nhận qua bưu điện được không?")
    response = client.get(f"{INDEX}2.000488/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Cấp Phiếu lý lịch tư pháp",
        "Sở Tư pháp",
        "Phí cung cấp thông tin",
        "200.000 đ",
        "Tờ khai yêu cầu cấp Phiếu",
        "Luật Lý lịch tư pháp 2009",
        "QĐ 1234/QĐ-UBND",
        "Nhận qua bưu điện được không?",
    ]:
        assert text in html, text


def test_unknown_procedure_code_is_404(client, site_pages):
    assert client.get(f"{INDEX}9.999999/").status_code == 404


def test_agency_directory_and_faq(client, site_pages):
    AgencyFactory(name="Sở Y tế", hotline="1900 1234")
    FaqEntryFactory(question="Hỏi về khai sinh?", is_published=True)
    FaqEntryFactory(question="Câu hỏi nháp", is_published=False)
    assert "1900 1234" in client.get("/co-quan/").content.decode()
    faq = client.get("/hoi-dap/").content.decode()
    assert "Hỏi về khai sinh?" in faq and "Câu hỏi nháp" not in faq


def _count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_index_page_queries_do_not_grow_with_the_number_of_procedures(client, site_pages):
    agencies = [AgencyFactory(), AgencyFactory()]
    for _ in range(10):
        ProcedureFactory(agencies=agencies)
    client.get(INDEX)  # warm caches (site root paths, calendar)
    few = _count_queries(client, INDEX, q="cap")
    for _ in range(190):
        ProcedureFactory(agencies=agencies)
    many = _count_queries(client, INDEX, q="cap")
    assert few == many
    assert many <= 15  # page routing 6, nav 1, notices 1, filter choices 2, count + rows + agencies 3, settings 1


def test_language_switch_to_english(client, site_pages):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert '<html lang="en">' in response.content.decode()
    assert "Skip to main content" in response.content.decode()


@freeze_time("2026-03-02 09:00:00+07:00")  # Monday
def test_maintenance_notice_appears_from_n_working_days_before(client, site_pages, settings):
    settings.MAINTENANCE_NOTICE_WORKING_DAYS = 2
    # Window starts Thursday 2026-03-05 07:30: from Monday 09:00 that is 2 working days + 6.5 h ahead.
    MaintenanceNotice.objects.create(
        title="Bảo trì nâng cấp",
        starts_at=datetime(2026, 3, 5, 7, 30, tzinfo=TZ),
        ends_at=datetime(2026, 3, 5, 11, 0, tzinfo=TZ),
    )
    assert "Bảo trì nâng cấp" not in client.get("/").content.decode()
    with freeze_time("2026-03-03 07:30:00+07:00"):  # Tuesday: exactly 2 working days ahead
        assert "Bảo trì nâng cấp" in client.get("/").content.decode()
    with freeze_time("2026-03-05 12:00:00+07:00"):  # after the window
        assert "Bảo trì nâng cấp" not in client.get("/").content.decode()


def test_vietnamese_is_the_default_even_for_english_browsers(client, site_pages):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.content.decode()
