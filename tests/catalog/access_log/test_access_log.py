"""The access log of citizens' personal data (DESIGN 10; TN 17.10d; BN 7.4): catalog/access_log/services.py and
catalog/access_log/views.py.

Every view of a citizen's data by an official writes exactly one entry (who, unit, when, what, IP) and
nothing else; lists write none; the applicant reading their own dossier writes none. Supervisors read the
list, the police role reads only the statistics, other officials neither. Nobody edits or deletes an entry:
not through the ORM, not with raw SQL (database triggers, on SQLite and PostgreSQL).
"""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient
from wagtail.admin.menu import admin_menu

from catalog.access_log.services import access_statistics, record_access
from catalog.models import AccessKind, ImmutableAccessLogError, PersonalDataAccess
from feedback import questions
from feedback import services as feedback_services
from feedback.services import Sender
from tests.factories import AgencyFactory, ProcedureFactory
from tests.factories.citizens import citizen, construction_unit, receive, submit_online
from tests.factories.workflow import UserFactory, official
from tests.factories.world import permission_group
from workflow.models import DocumentKind, SlipKind
from workflow.slips.views import slip_url

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
IP = "203.0.113.7"
TABLE = PersonalDataAccess._meta.db_table
LIST_QUERIES = 14


def group(name, *permissions):
    return permission_group(name, "wagtailadmin.access_admin", *permissions)


def with_group(user, grp):
    user.groups.add(grp)
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def unit():
    u = construction_unit()
    officials = group("Officials (test)")
    u.officer = with_group(u.officer, officials)
    u.specialist = with_group(u.specialist, officials)
    return u


@pytest.fixture
def supervisor():
    """The provincial centre's supervisor: the loader's "Giám sát" role."""
    user = official(AgencyFactory(name="Trung tâm Phục vụ hành chính công"), "giamsat.log")
    return with_group(
        user,
        group(
            "Supervisors (test)",
            "catalog.view_all_units",
            "catalog.view_personaldataaccess",
            "catalog.view_access_statistics",
        ),
    )


@pytest.fixture
def police():
    """The provincial police account: statistics only, no unit (BN 7.4)."""
    return with_group(UserFactory(username="congan.log"), group("Police (test)", "catalog.view_access_statistics"))


@pytest.fixture
def dossier(unit):
    applicant = citizen(full_name="Trần Thị Bình")
    dossier = receive(unit, submit_online(unit, applicant))
    dossier.applicant = applicant
    return dossier


def refused(response):
    """Wagtail's answer to PermissionDenied in the admin: back to the dashboard with "no permission" (403 to XHR)."""
    return response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def entries():
    return list(PersonalDataAccess.objects.order_by("pk"))


def log_queries(captured):
    return [q["sql"] for q in captured.captured_queries if TABLE in q["sql"]]


def without_logging(monkeypatch, client, path, **extra):
    """The number of queries of ``path`` with the logging switched off (to measure what it adds)."""
    import catalog.access_log.services as module

    with monkeypatch.context() as patch:
        for target in (
            "workflow.dossiers.admin_views",
            "workflow.dossiers.api.views",
            "workflow.slips.views",
            "feedback.admin_views",
        ):
            patch.setattr(f"{target}.record_access", lambda *args, **kwargs: None)
        patch.setattr(module, "record_access", lambda *args, **kwargs: None)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, **extra)
        assert response.status_code == 200
    return len(captured.captured_queries)


def one_more_query_an_insert(monkeypatch, client, path, **extra):
    """GET ``path`` (warm), then check the log adds one INSERT and nothing else; returns the response."""
    client.get(path, **extra)  # warm caches (calendar, content types, session)
    baseline = without_logging(monkeypatch, client, path, **extra)
    before = PersonalDataAccess.objects.count()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **extra)
    assert response.status_code == 200
    assert PersonalDataAccess.objects.count() == before + 1
    touching = log_queries(captured)
    assert len(touching) == 1 and touching[0].lstrip().upper().startswith("INSERT"), touching
    assert len(captured.captured_queries) == baseline + 1
    return response


# --- writing: one entry per view ---------------------------------------------------------------------------


@freeze_time("2026-03-03 09:15:00+07:00")
def test_dossier_detail_by_an_official_writes_one_entry_with_who_when_what_ip(client, unit, dossier):
    client.force_login(unit.specialist)
    response = client.get(reverse("dossiers:detail", args=[dossier.pk]), REMOTE_ADDR=IP)
    assert response.status_code == 200
    assert "Trần Thị Bình" in response.content.decode()  # the applicant's data is on the page
    [entry] = entries()
    assert entry.user == unit.specialist
    assert entry.user_name == unit.specialist.get_full_name()
    assert entry.agency == unit.agency
    assert entry.at == datetime(2026, 3, 3, 9, 15, tzinfo=TZ)
    assert entry.kind == AccessKind.DOSSIER_DETAIL
    assert (entry.dossier_id, entry.dossier_code) == (dossier.pk, dossier.code)
    assert entry.ip_address == IP


def test_the_address_behind_the_proxy_is_logged_and_junk_is_not(client, settings, unit, dossier):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(unit.specialist)
    path = reverse("dossiers:detail", args=[dossier.pk])
    client.get(path, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, " + IP)
    client.get(path, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")
    assert [e.ip_address for e in entries()] == [IP, None]


def test_dossier_detail_logging_costs_one_insert(client, monkeypatch, unit, dossier):
    client.force_login(unit.specialist)
    one_more_query_an_insert(monkeypatch, client, reverse("dossiers:detail", args=[dossier.pk]))


def test_document_download_writes_one_entry(client, monkeypatch, unit, dossier):
    document = dossier.documents.get(kind=DocumentKind.SUBMITTED)
    client.force_login(unit.officer)
    path = reverse("dossiers:document", args=[dossier.pk, document.pk])
    response = one_more_query_an_insert(monkeypatch, client, path, REMOTE_ADDR=IP)
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    entry = entries()[-1]
    assert (entry.kind, entry.object_id, entry.dossier_code, entry.user, entry.ip_address) == (
        AccessKind.DOCUMENT_DOWNLOAD,
        str(document.pk),
        dossier.code,
        unit.officer,
        IP,
    )


def test_slip_download_writes_one_entry(client, monkeypatch, unit, dossier):
    client.force_login(unit.officer)
    one_more_query_an_insert(monkeypatch, client, slip_url(dossier, SlipKind.RECEIPT, "doc"))
    entry = entries()[-1]
    assert (entry.kind, entry.object_id, entry.dossier_id) == (
        AccessKind.SLIP_DOWNLOAD,
        f"{dossier.pk}/receipt",
        dossier.pk,
    )


def test_api_detail_and_document_write_one_entry_each(monkeypatch, unit, dossier):
    api = APIClient()
    api.force_login(unit.specialist)
    detail = reverse("workflow_api:dossier-detail", kwargs={"pk": dossier.pk})
    one_more_query_an_insert(monkeypatch, api, detail, REMOTE_ADDR=IP)
    entry = entries()[-1]
    assert (entry.kind, entry.dossier_code, entry.user, entry.ip_address) == (
        AccessKind.API_DOSSIER_DETAIL,
        dossier.code,
        unit.specialist,
        IP,
    )
    document = dossier.documents.get(kind=DocumentKind.SUBMITTED)
    path = reverse("workflow_api:dossier-document", kwargs={"pk": dossier.pk, "document_id": document.pk})
    one_more_query_an_insert(monkeypatch, api, path)
    assert entries()[-1].kind == AccessKind.API_DOCUMENT_DOWNLOAD


def test_feedback_and_question_details_are_logged_queues_are_not(client, supervisor):
    feedback = feedback_services.feedback_submit(
        sender=Sender("Nguyễn Văn An", email="an@example.com", phone="0912345678"),
        subject="Chậm trả kết quả",
        content="Hồ sơ của tôi quá hạn mà chưa có kết quả.",
    )
    question = questions.question_submit(
        procedure=ProcedureFactory(),
        asker_name="Lê Thị Hỏi",
        asker_email="hoi@example.com",
        question="Lệ phí bao nhiêu?",
    )
    client.force_login(supervisor)
    assert client.get(reverse("feedback_admin:index")).status_code == 200
    assert client.get(reverse("feedback_admin:questions")).status_code == 200
    assert entries() == []
    response = client.get(reverse("feedback_admin:detail", args=[feedback.pk]))
    assert "an@example.com" in response.content.decode()
    assert client.get(reverse("feedback_admin:question", args=[question.pk])).status_code == 200
    assert [(e.kind, e.object_id) for e in entries()] == [
        (AccessKind.FEEDBACK_DETAIL, feedback.tracking_code),
        (AccessKind.QUESTION_DETAIL, str(question.pk)),
    ]


def test_citizen_account_in_the_user_editor_is_logged(client):
    admin = UserFactory(username="quantri.log", is_superuser=True)
    person = citizen(full_name="Phạm Văn Dân")
    colleague = UserFactory(username="canbo.khac")
    client.force_login(admin)
    assert client.get(reverse("wagtailusers_users:edit", args=[colleague.pk])).status_code == 200
    assert entries() == []  # an official's account is not a citizen's data
    assert client.get(reverse("wagtailusers_users:edit", args=[person.pk])).status_code == 200
    [entry] = entries()
    assert (entry.kind, entry.object_id, entry.user) == (AccessKind.CITIZEN_ACCOUNT, f"user:{person.pk}", admin)


def test_lists_and_inboxes_write_nothing(client, unit, dossier):
    client.force_login(unit.officer)
    for name in ("mine", "unit", "reception", "all"):
        assert client.get(reverse(f"dossiers:{name}")).status_code == 200
    api = APIClient()
    api.force_login(unit.officer)
    assert api.get(reverse("workflow_api:dossier-list")).status_code == 200
    assert entries() == []


def test_the_applicant_reading_their_own_dossier_writes_nothing(client, unit, dossier):
    client.force_login(dossier.applicant)
    assert client.get(reverse("citizen:dossier", args=[dossier.pk])).status_code == 200
    document = dossier.documents.get(kind=DocumentKind.SUBMITTED)
    assert client.get(reverse("citizen:dossier_document", args=[dossier.pk, document.pk])).status_code == 200
    request = RequestFactory().get("/")
    request.user = dossier.applicant
    assert record_access(request, AccessKind.DOSSIER_DETAIL, dossier=dossier) is None
    assert entries() == []


# --- reading: who may see what ------------------------------------------------------------------------------


def test_supervisor_reads_the_list_and_the_statistics(client, unit, dossier, supervisor):
    client.force_login(unit.specialist)
    client.get(reverse("dossiers:detail", args=[dossier.pk]), REMOTE_ADDR=IP)
    client.force_login(supervisor)
    response = client.get(reverse("access_log:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html and unit.specialist.get_full_name() in html and IP in html
    assert client.get(reverse("access_log:statistics")).status_code == 200


def test_police_read_only_the_statistics(client, unit, dossier, police):
    client.force_login(unit.specialist)
    client.get(reverse("dossiers:detail", args=[dossier.pk]))
    client.force_login(police)
    response = client.get(reverse("access_log:statistics"))
    assert response.status_code == 200
    html = response.content.decode()
    assert unit.agency.name in html
    assert dossier.code not in html and unit.specialist.get_full_name() not in html  # figures, not names
    assert refused(client.get(reverse("access_log:index")))
    assert refused(client.get(reverse("access_log:index") + "?export=csv"))
    assert client.get(reverse("access_log:index"), HTTP_X_REQUESTED_WITH="XMLHttpRequest").status_code == 403
    # no dossiers, neither in the admin nor through the API
    assert refused(client.get(reverse("dossiers:mine")))
    assert refused(client.get(reverse("dossiers:detail", args=[dossier.pk])))
    api = APIClient()
    api.force_login(police)
    assert api.get(reverse("workflow_api:dossier-list")).status_code == 403
    assert api.get(reverse("workflow_api:dossier-detail", kwargs={"pk": dossier.pk})).status_code == 403


def test_police_menu_holds_only_the_statistics(client, police, supervisor):
    request = RequestFactory().get("/admin/")
    request.user = police
    items = admin_menu.menu_items_for_request(request)
    assert [item.name for item in items] == ["access-log"]
    shown = [sub.name for sub in items[0].menu.menu_items_for_request(request)]
    assert shown == ["access-log-statistics"]
    client.force_login(police)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("access_log:statistics") in home
    for other in ("dossiers:mine", "reports:index", "wagtailsnippets_catalog_procedure:list"):
        assert reverse(other) not in home
    request.user = supervisor
    names = [item.name for item in admin_menu.menu_items_for_request(request)]
    assert "access-log" in names and "dossiers" in names


def test_specialist_and_officer_get_403_on_both_screens(client, unit):
    for user in (unit.specialist, unit.officer):
        client.force_login(user)
        assert refused(client.get(reverse("access_log:index")))
        assert refused(client.get(reverse("access_log:statistics")))
        xhr = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
        assert client.get(reverse("access_log:statistics"), **xhr).status_code == 403
        request = RequestFactory().get("/admin/")
        request.user = user
        assert "access-log" not in [item.name for item in admin_menu.menu_items_for_request(request)]


def test_the_log_has_no_add_edit_or_delete_screen(client, supervisor, unit, dossier):
    from django.contrib import admin
    from wagtail.snippets.models import get_snippet_models

    assert PersonalDataAccess not in get_snippet_models()
    assert PersonalDataAccess not in admin.site._registry
    assert {p.codename for p in Permission.objects.filter(content_type__model="personaldataaccess")} == {
        "view_personaldataaccess",
        "view_access_statistics",
    }
    client.force_login(unit.specialist)
    client.get(reverse("dossiers:detail", args=[dossier.pk]))
    client.force_login(supervisor)
    assert client.post(reverse("access_log:index"), {"kind": "x"}).status_code == 405
    assert PersonalDataAccess.objects.count() == 1


def test_deleting_an_account_or_a_unit_keeps_its_entries(client, supervisor):
    unit_ = AgencyFactory(name="Sở Giải thể")
    leaver = official(unit_, "nghi.viec", first_name="Nghỉ")
    make_entry(leaver, at(2), code="000.00.15.H99-260302-0009")
    admin = UserFactory(username="quantri.xoa", is_superuser=True)
    client.force_login(admin)
    assert client.post(reverse("wagtailusers_users:delete", args=[leaver.pk])).status_code == 302
    leaver_id, unit_id = leaver.pk, unit_.pk
    unit_.delete()
    [entry] = entries()
    assert (entry.user_id, entry.agency_id, entry.user_name) == (leaver_id, unit_id, leaver.get_full_name())
    client.force_login(supervisor)
    response = client.get(reverse("access_log:index"))
    assert response.status_code == 200 and "000.00.15.H99-260302-0009" in response.content.decode()


# --- the list: filters, export, query count ----------------------------------------------------------------


def make_entry(user, when, kind=AccessKind.DOSSIER_DETAIL, code="", ip="192.0.2.1"):
    request = RequestFactory().get("/", REMOTE_ADDR=ip)
    request.user = user
    dossier = None
    if code:

        class Seen:  # a dossier as record_access reads it
            pk, applicant_user_id = 1, None

        dossier = Seen()
        dossier.code = code
    return record_access(request, kind, dossier=dossier, object_id="x" if dossier is None else "", at=when)


def at(day, hour=9):
    return datetime(2026, 3, day, hour, 0, tzinfo=TZ)


def test_list_filters_and_export(client, supervisor):
    a, b = AgencyFactory(name="Sở Xây dựng"), AgencyFactory(name="Sở Tư pháp")
    an, binh = official(a, "an.loc", first_name="An"), official(b, "binh.loc", first_name="Bình")
    make_entry(an, at(2), code="000.00.15.H99-260302-0001")
    make_entry(an, at(5), AccessKind.SLIP_DOWNLOAD, code="000.00.15.H99-260305-0002")
    make_entry(binh, at(5), AccessKind.DOCUMENT_DOWNLOAD, code="000.00.16.H99-260305-0003")
    client.force_login(supervisor)
    path = reverse("access_log:index")

    def codes(params):
        response = client.get(path, params)
        assert response.status_code == 200
        return {e.dossier_code for e in response.context["object_list"]}

    assert len(codes({})) == 3
    assert codes({"agency": a.pk}) == {"000.00.15.H99-260302-0001", "000.00.15.H99-260305-0002"}
    assert codes({"official": "bình"}) == {"000.00.16.H99-260305-0003"}
    assert codes({"dossier_code": "260305-0002"}) == {"000.00.15.H99-260305-0002"}
    assert codes({"kind": AccessKind.SLIP_DOWNLOAD}) == {"000.00.15.H99-260305-0002"}
    assert codes({"at_from": "2026-03-03", "at_to": "2026-03-05"}) == {
        "000.00.15.H99-260305-0002",
        "000.00.16.H99-260305-0003",
    }
    response = client.get(path, {"export": "csv", "agency": b.pk})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2 and "000.00.16.H99-260305-0003" in rows[1] and "192.0.2.1" in rows[1]
    assert rows[1][0].startswith("2026-03-05 09:00")  # local time
    response = client.get(path, {"export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument"
    )


def test_list_query_count_does_not_grow_with_rows(client, supervisor):
    agencies = [AgencyFactory() for _ in range(3)]
    people = [official(agency) for agency in agencies]

    def add(count):
        for index in range(count):
            make_entry(people[index % 3], at(1 + index % 20), code=f"000.00.15.H99-260301-{index:04d}")

    add(3)
    client.force_login(supervisor)
    path = reverse("access_log:index")
    client.get(path)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured.captured_queries)

    small = count()
    add(45)
    large = count()
    assert len(client.get(path).context["object_list"]) == 48
    assert small == large
    # session, user, OTP device, 2 permissions, profile, locales, 3 menu permission lookups (pages, collections,
    # sites), the official (dossiers menu), the unit choices, the count and the page (unit joined)
    assert small <= LIST_QUERIES, small


# --- statistics ----------------------------------------------------------------------------------------------


def test_statistics_worked_example(client, supervisor, police):
    """Unit A: An views twice on 2/3, Bình once on 5/3; unit B: Cường once on 5/3; one view on 1/4 is outside.

    2–31/3 by day: 2/3 → 2 views, 1 official; 5/3 → 2 views, 2 officials. Per unit: A 3 views / 2 officials,
    B 1 / 1. Total 4 views by 3 officials. By month: 3/2026 → 4 / 3.
    """
    a, b = AgencyFactory(name="Sở Xây dựng"), AgencyFactory(name="Sở Tư pháp")
    an, binh, cuong = official(a, "an.st"), official(a, "binh.st"), official(b, "cuong.st")
    make_entry(an, at(2, 8))
    make_entry(an, at(2, 16), AccessKind.DOCUMENT_DOWNLOAD)
    make_entry(binh, at(5, 23))  # 23:00 in Vietnam is 16:00 UTC: still 5/3
    make_entry(cuong, at(5, 7), AccessKind.API_DOSSIER_DETAIL)
    make_entry(cuong, datetime(2026, 4, 1, 10, tzinfo=TZ))

    figures = access_statistics(user=police, since=date(2026, 3, 2), until=date(2026, 3, 31))
    assert (figures.total, figures.officials) == (4, 3)
    assert [(r["agency__name"], r["count"], r["officials"]) for r in figures.by_unit] == [
        ("Sở Xây dựng", 3, 2),
        ("Sở Tư pháp", 1, 1),
    ]
    assert [(r["period"], r["count"], r["officials"]) for r in figures.by_period] == [
        (date(2026, 3, 2), 2, 1),
        (date(2026, 3, 5), 2, 2),
    ]
    assert [(r["kind"], r["count"], r["officials"]) for r in figures.by_kind] == [
        (AccessKind.DOSSIER_DETAIL, 2, 2),
        (AccessKind.API_DOSSIER_DETAIL, 1, 1),
        (AccessKind.DOCUMENT_DOWNLOAD, 1, 1),
    ]
    monthly = access_statistics(user=police, since=date(2026, 3, 1), until=date(2026, 4, 30), period="month")
    assert [(r["period"], r["count"], r["officials"]) for r in monthly.by_period] == [
        (date(2026, 3, 1), 4, 3),
        (date(2026, 4, 1), 1, 1),
    ]

    client.force_login(police)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(
            reverse("access_log:statistics"), {"since": "2026-03-02", "until": "2026-03-31", "period": "day"}
        )
    assert response.status_code == 200
    assert sum(TABLE in q["sql"] for q in captured.captured_queries) == 4  # aggregated in SQL
    shown = response.context["figures"]
    assert (shown.total, shown.officials) == (4, 3)
    html = response.content.decode()
    assert "Sở Xây dựng" in html and "05/03/2026" in html
    assert access_statistics(user=official(a, "khac.st"), since=None) is None  # not for a specialist

    # the same figures as a workbook the police can file: one sheet per unit, per day, per kind
    response = client.get(
        reverse("access_log:statistics"),
        {"since": "2026-03-02", "until": "2026-03-31", "period": "day", "export": "xlsx"},
    )
    assert response.status_code == 200 and response["Content-Disposition"].endswith('2026-03-02-2026-03-31.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    units, days, kinds = (list(sheet.values) for sheet in book.worksheets)
    assert units[1:] == [("Sở Xây dựng", 3, 2), ("Sở Tư pháp", 1, 1)]
    assert days[1:] == [("02/03/2026", 2, 1), ("05/03/2026", 2, 2)]
    assert [row[1:] for row in kinds[1:]] == [(2, 2), (1, 1), (1, 1)]
    client.force_login(official(a, "khac2.st"))
    assert client.get(reverse("access_log:statistics"), {"export": "xlsx"}).status_code in (302, 403)


# --- immutability -------------------------------------------------------------------------------------------


@pytest.fixture
def entry(unit):
    return make_entry(unit.specialist, at(2), code="000.00.15.H99-260302-0001")


def test_the_orm_refuses_to_edit_or_delete(entry):
    entry.kind = AccessKind.SLIP_DOWNLOAD
    with pytest.raises(ImmutableAccessLogError):
        entry.save()
    with pytest.raises(ImmutableAccessLogError):
        entry.delete()
    with pytest.raises(ImmutableAccessLogError):
        PersonalDataAccess.objects.filter(pk=entry.pk).update(kind=AccessKind.SLIP_DOWNLOAD)
    with pytest.raises(ImmutableAccessLogError):
        PersonalDataAccess.objects.all().delete()
    assert PersonalDataAccess.objects.get().kind == AccessKind.DOSSIER_DETAIL


def test_the_database_refuses_raw_update_and_delete(entry):
    with connection.cursor() as cursor:
        for sql, params in (
            (f"UPDATE {TABLE} SET user_name = %s WHERE id = %s", ["Ai đó", entry.pk]),
            (f"UPDATE {TABLE} SET ip_address = NULL", []),
            (f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk]),
            (f"DELETE FROM {TABLE}", []),
        ):
            with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
                cursor.execute(sql, params)
    stored = PersonalDataAccess.objects.get()
    assert (stored.user_name, stored.ip_address) == (entry.user_name, entry.ip_address)
    # inserting stays possible
    assert make_entry(entry.user, at(3)) is not None and PersonalDataAccess.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_flush_still_empties_the_database_and_keeps_the_guard():
    """Tests with transactions end with a flush (TRUNCATE on PostgreSQL, DELETE on SQLite: see the command)."""
    user = UserFactory(username="flush.log")
    make_entry(user, at(2))
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert PersonalDataAccess.objects.count() == 0
    user = UserFactory(username="flush.log2")
    make_entry(user, at(3))
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    assert PersonalDataAccess.objects.count() == 1  # the teardown flush empties it


def test_api_statistics_for_police_and_supervisors_only(unit, supervisor, police):
    make_entry(unit.specialist, at(2, 8))
    make_entry(unit.officer, at(2, 10), AccessKind.SLIP_DOWNLOAD)
    path = reverse("access_api:statistics")
    params = {"since": "2026-03-01", "until": "2026-03-31", "period": "month"}
    for user in (police, supervisor):
        api = APIClient()
        api.force_login(user)
        response = api.get(path, params)
        assert response.status_code == 200
        body = response.json()
        assert (body["total"], body["officials"]) == (2, 2)
        assert body["by_unit"] == [
            {"agency": unit.agency.pk, "agency_name": unit.agency.name, "count": 2, "officials": 2}
        ]
        assert body["by_period"] == [{"period": "2026-03-01", "count": 2, "officials": 2}]
        assert {row["kind"] for row in body["by_kind"]} == {AccessKind.DOSSIER_DETAIL, AccessKind.SLIP_DOWNLOAD}
        assert (
            "user_name" not in response.content.decode()
            and unit.specialist.get_full_name() not in response.content.decode()
        )
    assert api.get(path, {"since": "2026-04-01", "until": "2026-03-01"}).status_code == 400
    assert api.get(path, {"period": "year"}).status_code == 400
    api = APIClient()
    api.force_login(unit.specialist)
    assert api.get(path).status_code == 403
    assert APIClient().get(path).status_code == 403
    assert PersonalDataAccess.objects.count() == 2  # reading statistics is not itself logged
