"""Wiring of the reports: monthly late list (task, idempotence, notifications), 766 index, admin screens,
Excel export, API and the public transparency page — on the hand-built dossiers of test_reports."""

from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse
from freezegun import freeze_time

from catalog.officials.roles import SUPERVISOR
from tests.factories.workflow import UserFactory
from tests.factories.world import in_roles
from tests.workflow.reports.test_figures import MAY, NOW, TOTALS, at, world  # noqa: F401 - the shared fixture
from workflow.models import LateList, LateListKind, Notification
from workflow.reports import index766
from workflow.reports.figures import RATES
from workflow.reports.services import late_list_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor():
    user = UserFactory(username="giamsat", email="giamsat@example.gov.vn")
    in_roles(user, SUPERVISOR)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="view_all_units"))
    user.user_permissions.add(Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin"))
    return user


def entries_of(late_list):
    return sorted(
        (e.kind, e.name, e.resolved, e.late_resolved, e.overdue, e.late, e.share) for e in late_list.entries.all()
    )


def test_late_list_by_hand_and_idempotent(world, supervisor):  # noqa: F811
    late_list = late_list_publish(month=MAY.first, now=NOW)
    # Agency A: late D03 D04 D08 + open overdue D10 D12 D14 = 6 of (9 resolved + 3 overdue);
    # Agency B: open overdue D27 D30 = 2 of (3 + 2); officials: uA1 D03 D08 + D14 = 3 of (5 + 1),
    # uA2 D04 + D10 = 2 of (4 + 1), uB1 D30 = 1 of (3 + 1)
    assert entries_of(late_list) == sorted(
        [
            (LateListKind.AGENCY, "Sở A", 9, 3, 3, 6, Decimal("0.5000")),
            (LateListKind.AGENCY, "Sở B", 3, 0, 2, 2, Decimal("0.4000")),
            (LateListKind.OFFICIAL, "Cán bộ A Một", 5, 2, 1, 3, Decimal("0.5000")),
            (LateListKind.OFFICIAL, "Cán bộ A Hai", 4, 1, 1, 2, Decimal("0.4000")),
            (LateListKind.OFFICIAL, "Cán bộ B Một", 3, 0, 1, 1, Decimal("0.2500")),
        ]
    )
    first = entries_of(late_list)
    assert Notification.objects.filter(kind="late_list_2026_05", recipient=supervisor.email).count() == 1
    again = late_list_publish(month=MAY.first, now=at("06-20 10:00"))
    assert again.pk == late_list.pk and LateList.objects.count() == 1
    assert entries_of(again) == first
    assert Notification.objects.filter(kind="late_list_2026_05").count() == 1  # not notified twice


def test_monthly_task_publishes_the_previous_month(world, supervisor):  # noqa: F811
    from workflow.reports.tasks import publish_monthly_figures

    with freeze_time("2026-06-01 01:00:00"):  # 08:00 local on the 1st
        publish_monthly_figures.call_local()
    late_list = LateList.objects.get()
    assert late_list.key == "2026-05" and late_list.published_at
    assert late_list.entries.filter(kind=LateListKind.AGENCY).count() == 2


def test_index_766_formulas_and_no_data(world):  # noqa: F811
    rows = {row.name: row for row in index766.index_766(period=MAY, now=NOW)}
    a = rows["Sở A"]
    # 766 on-time measure for A: D01 D02 D05 D11 D18 D31 of (9 resolved + 3 overdue)
    assert a.inputs["on_time_766"] == (6, 12)
    assert a.indicator_points()["on_time_766"] == Decimal("10.00")
    for key in ("national_sync", "online_payment", "satisfaction"):
        assert a.rates[key] is None and a.indicator_points()[key] is None
    groups = a.groups()
    assert groups["online_payment"]["points"] is None and groups["satisfaction"]["points"] is None
    assert a.available == 100 - 9 - 10 - 18
    # A's new dossiers: D01 D02 D03 D08 D09 D10 D11 D13 D14 D18 D20 D31, online D02 D03 D08 D10 D20 (D17 was
    # not accepted: not received)
    assert a.inputs["online_submissions"] == (5, 12)
    online = next(i for i in index766.INDICATORS if i.key == "online_submissions")
    assert index766.points(Decimal("0.4"), online) == Decimal("4.80")
    assert index766.points(Decimal("0.6"), online) == Decimal(6)


def test_index_766_uses_ratings_when_present(world):  # noqa: F811
    from feedback.models import Rating

    d01 = world["dossiers"]["D01"]
    Rating.objects.create(
        dossier=d01,
        dossier_code=d01.code,
        agency=d01.agency,
        procedure=d01.procedure,
        overall=4,
        guidance=4,
        attitude=4,
        on_time=4,
        result=4,
        cost=4,
        source="code",
        created_at=at("05-10 10:00"),
    )
    a = next(r for r in index766.index_766(period=MAY, now=NOW) if r.name == "Sở A")
    assert a.rates["satisfaction"] == 1.0 and a.indicator_points()["satisfaction"] == 18


def admin_access(user):
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    return user


def test_admin_report_drilldown_and_export_are_scoped(world, client):  # noqa: F811
    user = admin_access(world["users"]["uA1"])
    client.force_login(user)
    response = client.get(reverse("reports:index"), {"period": "2026-05", "group_by": "agency"})
    assert response.status_code == 200
    assert "Sở A" in response.content.decode()
    b = world["agencies"]["B"].pk
    response = client.get(
        reverse("reports:dossiers"), {"period": "2026-05", "group_by": "agency", "key": b, "figure": "received"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "D22" in content and "D21" not in content
    response = client.get(reverse("reports:export"), {"period": "2026-05", "group_by": "agency"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][1] == 16 + 1  # A's received, and B's D22 held by A
    assert len(rows) == 1 + 2 + 1  # header, A and B (D22), total


def test_reports_need_an_official_or_supervisor(client):
    client.force_login(admin_access(UserFactory(username="bientap", is_staff=True)))
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302 and response.url == "/admin/"  # Wagtail's answer to PermissionDenied
    assert client.get(reverse("reports:export")).status_code in (302, 403)
    assert client.get("/api/v1/reports/figures/").status_code == 403


def test_api_figures_match_the_engine_and_schema(world, client, supervisor):  # noqa: F811
    client.force_login(supervisor)
    with freeze_time("2026-06-10 02:00:00"):  # NOW, in UTC
        data = client.get("/api/v1/reports/figures/", {"period": "2026-05", "group_by": "sector"}).json()
    assert {k: data["total"][k] for k in TOTALS} == TOTALS
    assert sum(row["received"] for row in data["rows"]) == 23
    assert data["total"]["on_time_rate"] == round(9 / 12, 4)
    assert client.get("/api/v1/reports/figures/", {"period": "bad"}).status_code == 400
    assert client.get("/api/v1/reports/figures/", {"group_by": "bad"}).status_code == 400
    assert client.get("/api/v1/reports/index-766/", {"period": "2026-05"}).status_code == 200
    assert client.get("/api/v1/reports/trend/", {"months": 3}).status_code == 200
    assert client.get("/api/v1/reports/backlog/").json().keys() == {"overdue", "due_soon", "ok", "paused"}
    schema = client.get("/api/schema/").content.decode()
    for route in ("/api/v1/reports/figures/", "/api/v1/reports/index-766/", "/api/v1/reports/late-lists/"):
        assert route in schema


def test_api_scoped_for_a_unit_official(world, client):  # noqa: F811
    client.force_login(world["users"]["uB1"])
    with freeze_time("2026-06-10 02:00:00"):
        data = client.get("/api/v1/reports/figures/", {"period": "2026-05"}).json()
    assert [row["label"] for row in data["rows"]] == ["Sở B"]
    assert data["total"]["received"] == 7  # D21 D22 D23 D26 D27 D28 D30


def test_public_transparency_page_without_personal_data(world, client):  # noqa: F811
    with freeze_time("2026-05-31 03:00:00"):
        response = client.get("/cong-khai/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Sở A" in content and "Sở B" in content and "<svg" in content
    assert "Nguyễn Văn Thử" not in content and "D01" not in content and "Cán bộ" not in content
    assert client.get("/cong-khai/tre-han/2026-05/").status_code == 404  # not published yet
    late_list_publish(month=MAY.first, now=NOW)
    response = client.get("/cong-khai/tre-han/2026-05/")
    assert response.status_code == 200
    assert "Cán bộ A Một" in response.content.decode()  # AG 32.10: officials are named
    assert "/cong-khai/tre-han/2026-05/" in client.get("/cong-khai/").content.decode()


def test_the_excel_export_keeps_rates_as_numbers_shown_as_percentages(world, client):  # noqa: F811
    client.force_login(admin_access(world["users"]["uA1"]))
    response = client.get(reverse("reports:export"), {"period": "2026-05", "group_by": "agency"})
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    total = sheet[sheet.max_row]
    on_time = total[header.index(str(RATES["on_time_rate"]))]
    days = total[header.index(str(RATES["avg_processing_days"]))]
    assert isinstance(on_time.value, float) and 0 <= on_time.value <= 1 and on_time.number_format == "0.0%"
    assert isinstance(days.value, float) and days.number_format == "0.0"
    assert all(cell.value not in ("None", "True", "False") for row in sheet.iter_rows() for cell in row)
