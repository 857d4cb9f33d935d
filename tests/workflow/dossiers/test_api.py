"""The dossier API (/api/v1/dossiers/): wiring, scoping, response shapes and errors.

The rules themselves are tested in test_workflow_services.py; here each endpoint
is checked to call its service, to answer only for visible dossiers, and to map
domain errors to HTTP. Expected times are worked out by hand in the comments
(working sessions 07:30–11:30 and 13:00–17:00, Monday to Friday).
"""

import sys
import types
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

from catalog.models import TimeUnit
from portal.core.uploads import validate_upload
from tests.factories import ProcedureFactory, files
from tests.factories.workflow import UserFactory, official, published_process
from tests.factories.world import build_unit, hold, member
from workflow.dossiers import selectors, services
from workflow.dossiers.services import Applicant, Upload
from workflow.errors import ConcurrentChange
from workflow.models import Action, Dossier, DossierEvent, Status, StepRun

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = files.PDF
PNG = files.image_bytes("PNG")
DOCX = files.docx_bytes()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def t(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


def iso(text):
    return t(text).isoformat()


def pdf(name="phieu.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def url(name, **kwargs):
    return reverse(f"workflow_api:{name}", kwargs=kwargs)


# --- fixtures ---------------------------------------------------------------------------------


def make_unit(code, name, prefix):
    """A unit with a 1-working-day procedure: reception 1 h, review 5 h, approval 1 h, return 1 h."""
    return build_unit(
        code,
        name,
        procedure={
            "processing_time": Decimal("1"),
            "processing_time_unit": TimeUnit.DAY,
            "postal_return": True,
        },
        officials={
            "officer": member(
                username=f"{prefix}motcua", position="Cán bộ một cửa", first_name="Lan", last_name="Phạm"
            ),
            "specialist": member(username=f"{prefix}chuyenvien", first_name="Minh", last_name="Hoàng"),
            "leader": member(username=f"{prefix}lanhdao", position="Lãnh đạo", first_name="Hải", last_name="Vũ"),
        },
    )


@pytest.fixture
def unit():
    return make_unit("000.00.15.H99", "Sở Xây dựng", "")


@pytest.fixture
def other():
    return make_unit("000.00.16.H98", "Sở Tư pháp", "tp_")


@pytest.fixture
def supervisor():
    user = UserFactory(username="giamsat", first_name="Giám", last_name="Sát")
    user.user_permissions.add(Permission.objects.get(codename="view_all_units", content_type__app_label="catalog"))
    return user


@pytest.fixture
def frozen():
    """Tuesday 2026-03-03 09:00: dossiers received at 08:00 are due Wednesday 08:00, appointment 13:00."""
    with freeze_time(t("2026-03-03 09:00")) as frozen_time:
        yield frozen_time


def client_for(user):
    """A signed-in client reading English messages (the site's default is Vietnamese)."""
    client = APIClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def receive(u, at="2026-03-03 08:00", name="Trần Thị Bình", **kwargs):
    return services.dossier_receive_at_counter(
        actor=u.officer,
        procedure=u.procedure,
        agency=u.agency,
        applicant=Applicant(
            name=name, id_number="001190012345", phone="0912345678", email="binh@example.com", address="Số 5 Lê Lợi"
        ),
        files=[Upload("to-khai.pdf", ContentFile(PDF, name="to-khai.pdf"))],
        at=t(at),
        **kwargs,
    )


def submit_online(u, at="2026-03-03 08:00"):
    return services.dossier_submit_online(
        applicant_user=None,
        procedure=u.procedure,
        agency=u.agency,
        applicant=Applicant(name="Lê Văn Cường", email="cuong@example.com"),
        at=t(at),
    )


def fresh(dossier):
    return Dossier.objects.get(pk=dossier.pk)


def post(user, dossier, action, data, multipart=False):
    return client_for(user).post(
        url(f"dossier-{action}", pk=dossier.pk), data, format="multipart" if multipart else "json"
    )


def ids(response):
    return [row["id"] for row in response.json()["results"]]


# --- access and scoping ---------------------------------------------------------------------------


def test_anonymous_and_non_officials_are_refused_with_json(unit):
    receive(unit)
    response = APIClient().get(url("dossier-list"))
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json") and response.json()["detail"]
    citizen = UserFactory(username="congdan", is_staff=False)
    staff_without_unit = UserFactory(username="khongdonvi")
    for user in (citizen, staff_without_unit):
        response = client_for(user).get(url("dossier-list"))
        assert response.status_code == 403
        assert "official" in response.json()["detail"]


def test_an_official_sees_only_the_dossiers_of_their_unit(unit, other, supervisor):
    mine = [receive(unit), receive(unit)]
    theirs = receive(other)
    assert sorted(ids(client_for(unit.specialist).get(url("dossier-list")))) == sorted(d.pk for d in mine)
    assert ids(client_for(other.officer).get(url("dossier-list"))) == [theirs.pk]
    everything = client_for(supervisor).get(url("dossier-list")).json()
    assert everything["count"] == 3


def test_superuser_sees_everything(unit, other):
    receive(unit), receive(other)
    admin = UserFactory(username="quantri", is_superuser=True)
    assert client_for(admin).get(url("dossier-list")).json()["count"] == 2


def test_list_row_shape(unit, frozen):
    dossier = receive(unit)
    row = client_for(unit.officer).get(url("dossier-list")).json()["results"][0]
    assert set(row) == {
        "id",
        "code",
        "procedure",
        "agency",
        "status",
        "status_label",
        "channel",
        "applicant_name",
        "received_at",
        "due_at",
        "appointment_at",
        "current_step",
        "current_holder",
        "warning",
        "revision",
    }
    assert row["code"] == dossier.code == "000.00.15.H99-260303-0001"
    assert row["procedure"] == {"code": unit.procedure.national_code, "name": unit.procedure.name}
    assert row["agency"] == {"code": "000.00.15.H99", "name": "Sở Xây dựng"}
    assert (row["status"], row["status_label"], row["channel"]) == (2, "Received", "counter")
    assert row["applicant_name"] == "Trần Thị Bình"
    assert row["due_at"] == "2026-03-04T08:00:00+07:00"  # Tuesday 08:00 + 480 working minutes
    assert row["appointment_at"] == "2026-03-04T13:00:00+07:00"  # the session after the due time's session
    assert row["current_step"] == {"id": unit.steps[0].pk, "name": "Tiếp nhận hồ sơ"}
    assert row["current_holder"] == {"id": unit.officer.pk, "name": "Phạm Lan"}
    assert row["warning"] == "due_soon"  # 09:00 → Wednesday 08:00 is 420 working minutes, < one working day
    assert row["revision"] == dossier.revision


#: session, user, OTP device (second factor), official, user and group permissions (scoping), count, page.
LIST_QUERIES = 8


def test_list_query_count_does_not_grow_with_the_page_size(unit):
    for _ in range(50):
        receive(unit)
    client = client_for(unit.officer)
    client.get(url("dossier-list"))  # warm the working calendar cache
    counts = {}
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("dossier-list"), {"page_size": size})
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)
    assert counts[5] == counts[50] == LIST_QUERIES <= 8


def test_list_is_paginated(unit):
    for _ in range(3):
        receive(unit)
    body = client_for(unit.officer).get(url("dossier-list"), {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert client_for(unit.officer).get(url("dossier-list"), {"page": 9}).status_code == 404


# --- filters ---------------------------------------------------------------------------------------


def test_filter_by_status_one_or_several(unit):
    received = receive(unit)
    stopped = receive(unit)
    services.dossier_stop(
        actor=unit.officer, dossier_id=stopped.pk, reason="Không đủ điều kiện", at=t("2026-03-03 08:30")
    )
    online = submit_online(unit)
    client = client_for(unit.officer)
    assert ids(client.get(url("dossier-list"), {"status": 8})) == [stopped.pk]
    assert sorted(ids(client.get(url("dossier-list") + "?status=1&status=2"))) == sorted([received.pk, online.pk])


def test_filter_by_procedure_agency_and_holder(unit):
    first = receive(unit)
    second_procedure = ProcedureFactory(agencies=[unit.agency])
    steps = list(published_process(second_procedure).steps.all())
    hold(steps[0], unit.officer)
    hold(steps[1], unit.specialist)
    second = services.dossier_receive_at_counter(
        actor=unit.officer,
        procedure=second_procedure,
        agency=unit.agency,
        applicant=Applicant(name="An"),
        at=t("2026-03-03 08:00"),
    )
    services.dossier_forward(
        actor=unit.officer, dossier_id=second.pk, to_holder=unit.specialist, at=t("2026-03-03 08:30")
    )
    client = client_for(unit.officer)
    assert ids(client.get(url("dossier-list"), {"procedure": unit.procedure.national_code})) == [first.pk]
    assert len(ids(client.get(url("dossier-list"), {"agency": unit.agency.code}))) == 2
    assert ids(client.get(url("dossier-list"), {"holder": "me"})) == [first.pk]
    assert ids(client.get(url("dossier-list"), {"holder": unit.specialist.pk})) == [second.pk]
    assert ids(client_for(unit.specialist).get(url("dossier-list"), {"holder": "me"})) == [second.pk]


def test_filter_by_received_dates_and_search(unit):
    early = receive(unit, "2026-03-02 08:00", name="Trần Thị Bình")
    late = receive(unit, "2026-03-04 08:00", name="Nguyễn Văn An")
    client = client_for(unit.officer)
    assert ids(client.get(url("dossier-list"), {"received_from": "2026-03-03"})) == [late.pk]
    assert ids(client.get(url("dossier-list"), {"received_to": "2026-03-03"})) == [early.pk]
    both = {"received_from": "2026-03-02", "received_to": "2026-03-04"}
    assert sorted(ids(client.get(url("dossier-list"), both))) == sorted([early.pk, late.pk])
    assert ids(client.get(url("dossier-list"), {"q": "260304"})) == [late.pk]  # part of the code
    assert ids(client.get(url("dossier-list"), {"q": "h99-260302"})) == [early.pk]  # code, other case
    for query in ("thị bình", "TRẦN THỊ", "Trần thị Bình", "bình"):
        assert ids(client.get(url("dossier-list"), {"q": query})) == [early.pk], query


def test_filter_by_warning_with_frozen_time(unit):
    # Received Monday 2026-03-02 at 08:00, 09:00 and 10:00: due Tuesday 08:00, 09:00 and 10:00.
    a = receive(unit, "2026-03-02 08:00")
    b = receive(unit, "2026-03-02 09:00")
    c = receive(unit, "2026-03-02 10:00")
    online = submit_online(unit, "2026-03-02 07:30")  # to be received within 8 working hours: Monday 17:00
    paused = receive(unit, "2026-03-02 08:00")
    services.dossier_request_payment(
        actor=unit.officer, dossier_id=paused.pk, amount=50000, at=t("2026-03-02 08:10")
    )  # the clock is stopped: no warning
    assert Dossier.objects.get(pk=online.pk).reception_due_at == t("2026-03-02 17:00")
    client = client_for(unit.officer)

    def level(value):
        return sorted(ids(client.get(url("dossier-list"), {"warning": value})))

    with freeze_time(t("2026-03-02 10:00")):
        # now + one working day = Tuesday 10:00. a: 90 + 240 + 30 = 360 working minutes left, b: 420 → due soon;
        # c: exactly 480 left → ok; online: 330 left → due soon.
        assert level("overdue") == []
        assert level("due_soon") == sorted([a.pk, b.pk, online.pk])
        assert level("ok") == sorted([c.pk, paused.pk])
    with freeze_time(t("2026-03-03 09:30")):
        # a (08:00), b (09:00) and the online reception (Monday 17:00) are past; c has 30 minutes left.
        assert level("overdue") == sorted([a.pk, b.pk, online.pk])
        assert level("due_soon") == [c.pk]
        assert level("ok") == [paused.pk]
        rows = {row["id"]: row["warning"] for row in client.get(url("dossier-list")).json()["results"]}
        # The list column agrees with the per-dossier rule of the services.
        for dossier in Dossier.objects.all():
            assert rows[dossier.pk] == services.dossier_warning(dossier), dossier.pk
    with freeze_time(t("2026-03-03 10:00")):
        assert level("due_soon") == [c.pk]  # the due minute itself is not overdue yet
    with freeze_time(t("2026-03-03 10:01")):
        assert c.pk in level("overdue")


@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "11"}, "status"),
        ({"status": "moi"}, "status"),
        ({"procedure": "9.999999"}, "procedure"),
        ({"agency": "XXX"}, "agency"),
        ({"holder": "bob"}, "holder"),
        ({"warning": "late"}, "warning"),
        ({"received_from": "2026-13-01"}, "received_from"),
        ({"received_to": "hôm qua"}, "received_to"),
    ],
)
def test_bad_filter_values_are_400_naming_the_field(unit, params, field):
    response = client_for(unit.officer).get(url("dossier-list"), params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


# --- detail ----------------------------------------------------------------------------------------


def test_detail_shape(unit, frozen):
    dossier = receive(unit)
    body = client_for(unit.officer).get(url("dossier-detail", pk=dossier.pk)).json()
    for key in (
        "applicant_id_number",
        "applicant_phone",
        "applicant_email",
        "applicant_address",
        "applicant_kind",
        "organisation_name",
        "delivery",
        "delivery_address",
        "submitted_at",
        "received_at",
        "clock_started_at",
        "due_at",
        "appointment_at",
        "returned_at",
        "timeliness",
        "status_plain",
        "current_agency",
        "process",
        "warning",
        "revision",
    ):
        assert key in body, key
    assert body["procedure"]["sector"]["code"] == unit.procedure.sector.code
    assert body["applicant_id_number"] == "001190012345" and body["applicant_kind"] == 1
    assert body["current_step"]["kind"] == "reception"
    [run] = body["step_runs"]
    assert run["step"]["name"] == "Tiếp nhận hồ sơ" and run["holder"]["name"] == "Phạm Lan"
    assert run["arrived_at"] == "2026-03-03T08:00:00+07:00" and run["departed_at"] is None
    assert (run["allowance_minutes"], run["used_minutes"], run["overdue"]) == (60, 60, False)  # 08:00 → 09:00
    [event] = body["events"]
    assert (event["action"], event["action_label"], event["actor_name"]) == ("receive", "Received", "Phạm Lan")
    assert event["actor_position"] == "Cán bộ một cửa" and event["actor_agency"]["code"] == "000.00.15.H99"
    assert (event["from_status"], event["to_status"]) == (None, 2)
    assert event["to_step"]["id"] == unit.steps[0].pk
    [document] = body["documents"]
    assert event["documents"] == [document["id"]]
    assert document["kind"] == "submitted" and document["name"] == "to-khai.pdf"
    assert document["download_url"].endswith(f"/api/v1/dossiers/{dossier.pk}/documents/{document['id']}/")


def test_allowed_actions_for_the_holder_and_the_others(unit, supervisor, frozen):
    dossier = receive(unit)

    def allowed(user):
        return client_for(user).get(url("dossier-detail", pk=dossier.pk)).json()["allowed_actions"]

    assert allowed(unit.officer) == [
        "refuse_reception",
        "forward",
        "handover",
        "request_supplement",
        "request_payment",
        "apologize",
        "stop",
        "withdraw",
    ]
    assert allowed(unit.specialist) == ["withdraw"]
    assert allowed(supervisor) == []  # supervisors read every unit's dossiers but act on none (TN 8.2)
    services.dossier_forward(actor=unit.officer, dossier_id=dossier.pk, to_holder=unit.specialist)
    assert allowed(unit.officer) == ["withdraw"]
    assert allowed(unit.specialist) == [
        "forward",
        "return_previous",
        "handover",
        "request_supplement",
        "request_payment",
        "apologize",
        "stop",
        "withdraw",
    ]


def test_allowed_actions_follow_the_state(unit, frozen):
    online = submit_online(unit)
    assert selectors.dossier_allowed_actions(online, unit.officer) == [
        "receive",
        "guide",
        "refuse_reception",
        "withdraw",
    ]
    assert selectors.dossier_allowed_actions(online, unit.specialist) == ["guide", "refuse_reception", "withdraw"]
    d = receive(unit)
    for actor, holder in ((unit.officer, unit.specialist), (unit.specialist, unit.leader)):
        d = services.dossier_forward(actor=actor, dossier_id=d.pk, to_holder=holder)
    assert "record_result" in selectors.dossier_allowed_actions(fresh(d), unit.leader)
    d = services.dossier_record_result(
        actor=unit.leader, dossier_id=d.pk, signer="Vũ Hải", files=[Upload("kq.pdf", ContentFile(PDF, name="kq.pdf"))]
    )
    assert selectors.dossier_allowed_actions(fresh(d), unit.officer) == ["return_result"]
    assert selectors.dossier_allowed_actions(fresh(d), unit.specialist) == []
    assert selectors.dossier_allowed_actions(fresh(d), AnonymousUser()) == []


class AnonymousUser:
    is_authenticated = False
    is_active = False


def test_another_units_dossier_is_404_like_a_missing_one(unit, other):
    theirs = receive(other)
    client = client_for(unit.officer)
    hidden = client.get(url("dossier-detail", pk=theirs.pk))
    missing = client.get(url("dossier-detail", pk=999999))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    response = post(unit.officer, theirs, "stop", {"revision": theirs.revision, "reason": "x"})
    assert response.status_code == 404
    assert fresh(theirs).status == Status.RECEIVED


# --- documents ---------------------------------------------------------------------------------------


def test_document_download_is_scoped(unit, other):
    dossier = receive(unit)
    document = dossier.documents.get()
    response = client_for(unit.specialist).get(url("dossier-document", pk=dossier.pk, document_id=document.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment") and "to-khai.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"  # never rendered by the browser as another type
    assert b"".join(response.streaming_content) == PDF
    path = url("dossier-document", pk=dossier.pk, document_id=document.pk)
    assert client_for(other.officer).get(path).status_code == 404
    assert APIClient().get(path).status_code in (401, 403)
    theirs = receive(other)
    # A document id of another dossier under a visible dossier's URL is not served either.
    foreign = url("dossier-document", pk=dossier.pk, document_id=theirs.documents.get().pk)
    assert client_for(unit.officer).get(foreign).status_code == 404


# --- actions -------------------------------------------------------------------------------------------


def test_receive_and_guide_online_dossiers(unit, frozen):
    online = submit_online(unit)
    response = post(unit.officer, online, "receive", {"revision": online.revision, "comment": "Đủ hồ sơ"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == 2 and body["received_at"] == "2026-03-03T09:00:00+07:00"
    assert body["due_at"] == "2026-03-04T09:00:00+07:00"  # Tuesday 09:00 + one working day
    assert body["revision"] == online.revision + 1
    again = post(unit.officer, online, "receive", {"revision": body["revision"]})
    assert again.status_code == 409 and again.json()["code"] == "InvalidState"
    second = submit_online(unit)
    response = post(
        unit.officer,
        second,
        "guide",
        {"revision": second.revision, "comment": "Bổ sung bản vẽ", "slip": pdf("huong-dan.pdf")},
        multipart=True,
    )
    assert response.status_code == 200 and response.json()["status"] == 5
    assert response.json()["documents"][-1]["kind"] == "slip"


def test_refuse_reception_with_a_slip_or_a_generated_one(unit, frozen, monkeypatch):
    online = submit_online(unit)
    response = post(
        unit.officer,
        online,
        "refuse-reception",
        {"revision": online.revision, "reason": "Sai thẩm quyền", "slip": pdf()},
        multipart=True,
    )
    assert response.status_code == 200 and response.json()["status"] == 3
    assert response.json()["events"][-1]["comment"] == "Sai thẩm quyền"

    calls = []

    def slip_upload(dossier, kind, *, fmt="pdf", **extra):
        calls.append((dossier.pk, kind, fmt, extra))
        return Upload("phieu-tu-choi.pdf", ContentFile(PDF, name="phieu-tu-choi.pdf"))

    monkeypatch.setitem(sys.modules, "workflow.slips", types.SimpleNamespace(slip_upload=slip_upload))
    second = submit_online(unit)
    response = post(
        unit.officer,
        second,
        "refuse-reception",
        {"revision": second.revision, "reason": "Không thuộc thẩm quyền", "generate_slip": True},
    )
    assert response.status_code == 200, response.json()
    assert calls == [(second.pk, "refusal", "pdf", {"reason": "Không thuộc thẩm quyền"})]
    assert response.json()["documents"][-1] | {"id": 0, "download_url": "", "created_at": ""} == {
        "id": 0,
        "kind": "slip",
        "kind_label": "Slip",
        "name": "phieu-tu-choi.pdf",
        "download_url": "",
        "created_at": "",
    }


def test_generate_slip_without_the_slips_module_is_a_400(unit, frozen, monkeypatch):
    monkeypatch.setitem(sys.modules, "workflow.slips", None)  # import fails
    online = submit_online(unit)
    response = post(
        unit.officer, online, "refuse-reception", {"revision": online.revision, "reason": "x", "generate_slip": True}
    )
    assert response.status_code == 400 and response.json()["code"] == "InvalidInput"
    assert fresh(online).status == Status.NEW


def test_slip_is_required(unit, frozen):
    dossier = receive(unit)
    events = DossierEvent.objects.count()
    response = post(
        unit.officer, dossier, "request-supplement", {"revision": dossier.revision, "comment": "Thiếu bản vẽ"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "SlipRequired" and response.json()["detail"]
    assert fresh(dossier).status == Status.RECEIVED and DossierEvent.objects.count() == events
    for action, data in (
        ("refuse-reception", {"reason": "x"}),
        ("apologize", {"reason": "x", "new_appointment": iso("2026-03-06 08:00")}),
    ):
        response = post(unit.officer, dossier, action, {"revision": dossier.revision, **data})
        assert response.status_code == 400 and response.json()["code"] == "SlipRequired", action
    both = post(
        unit.officer,
        dossier,
        "request-supplement",
        {"revision": dossier.revision, "comment": "x", "slip": pdf(), "generate_slip": "true"},
        multipart=True,
    )
    assert both.status_code == 400 and "generate_slip" in both.json()


def test_forward_return_previous_and_handover(unit, frozen):
    colleague = official(unit.agency, "chuyenvien2")
    hold(unit.steps[1], colleague)
    d = receive(unit)
    response = post(
        unit.officer,
        d,
        "forward",
        {"revision": d.revision, "to_holder": unit.specialist.pk, "comment": "Chuyển thẩm định"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 4 and body["current_step"]["id"] == unit.steps[1].pk
    assert body["current_holder"]["id"] == unit.specialist.pk
    assert body["events"][-1]["action"] == "forward" and body["events"][-1]["step_used_minutes"] == 60
    response = post(unit.specialist, d, "handover", {"revision": body["revision"], "colleague": colleague.pk})
    assert response.status_code == 200 and response.json()["current_holder"]["id"] == colleague.pk
    response = post(
        colleague,
        d,
        "forward",
        {"revision": response.json()["revision"], "to_step": unit.steps[2].pk, "to_holder": unit.leader.pk},
    )
    assert response.status_code == 200 and response.json()["current_step"]["id"] == unit.steps[2].pk
    response = post(
        unit.leader, d, "return-previous", {"revision": response.json()["revision"], "comment": "Giải trình diện tích"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["current_step"]["id"] == unit.steps[1].pk and body["current_holder"]["id"] == colleague.pk
    assert body["events"][-1]["comment"] == "Giải trình diện tích"


def test_forward_to_the_group_and_forward_with_files(unit, frozen):
    d = receive(unit)
    response = post(
        unit.officer, d, "forward", {"revision": d.revision, "files": [pdf("to-trinh.pdf")]}, multipart=True
    )
    assert response.status_code == 200
    body = response.json()
    assert body["current_holder"] is None  # the whole group of the review step
    assert body["events"][-1]["documents"] == [body["documents"][-1]["id"]]


def test_only_the_holder_may_act(unit, frozen):
    d = receive(unit)
    response = post(unit.specialist, d, "forward", {"revision": d.revision})
    assert response.status_code == 403 and response.json()["code"] == "ActionNotAllowed"
    assert fresh(d).current_step == unit.steps[0]


def test_supplement_and_resubmission(unit, frozen):
    d = receive(unit)
    response = post(
        unit.officer,
        d,
        "request-supplement",
        {"revision": d.revision, "comment": "Thiếu bản vẽ", "slip": pdf()},
        multipart=True,
    )
    assert response.status_code == 200 and response.json()["status"] == 5
    frozen.move_to(t("2026-03-05 10:00"))
    response = post(
        unit.officer,
        d,
        "resubmit",
        {"revision": response.json()["revision"], "files": [pdf("ban-ve.pdf"), pdf("ban-ve-2.pdf")]},
        multipart=True,
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    # A new reception (QT 19.3): clock from Thursday 10:00, due Friday 10:00.
    assert body["status"] == 4 and body["received_at"] == "2026-03-05T10:00:00+07:00"
    assert body["due_at"] == "2026-03-06T10:00:00+07:00"
    assert [doc["kind"] for doc in body["documents"]][-2:] == ["supplement", "supplement"]
    missing = post(unit.officer, d, "resubmit", {"revision": body["revision"]}, multipart=True)
    assert missing.status_code == 400 and "files" in missing.json()


def test_payment_request_and_confirmation(unit, frozen):
    d = receive(unit)
    response = post(unit.officer, d, "request-payment", {"revision": d.revision, "amount": 0})
    assert response.status_code == 400 and "amount" in response.json()
    response = post(unit.officer, d, "request-payment", {"revision": d.revision, "amount": 150000})
    assert response.status_code == 200 and response.json()["status"] == 6
    assert response.json()["events"][-1]["data"] == {"amount": 150000}
    response = post(
        unit.officer,
        d,
        "confirm-payment",
        {"revision": response.json()["revision"], "reference": "VNPAY-123", "receipt": pdf("bien-lai.pdf")},
        multipart=True,
    )
    assert response.status_code == 200 and response.json()["status"] == 4
    assert response.json()["documents"][-1]["kind"] == "payment"
    assert response.json()["events"][-1]["data"] == {"reference": "VNPAY-123"}


def test_apologize_moves_the_appointment(unit, frozen):
    d = receive(unit)
    naive = post(
        unit.officer,
        d,
        "apologize",
        {"revision": d.revision, "reason": "Chờ ý kiến", "new_appointment": "2026-03-10T08:00:00", "slip": pdf()},
        multipart=True,
    )
    assert naive.status_code == 400 and "new_appointment" in naive.json()
    response = post(
        unit.officer,
        d,
        "apologize",
        {"revision": d.revision, "reason": "Chờ ý kiến", "new_appointment": iso("2026-03-10 08:00"), "slip": pdf()},
        multipart=True,
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["appointment_at"] == "2026-03-10T08:00:00+07:00" and body["counts_as_late"] is True
    assert body["apology_count"] == 1


def test_stop_and_withdraw(unit, frozen):
    d = receive(unit)
    response = post(unit.officer, d, "stop", {"revision": d.revision, "reason": "Không đủ điều kiện"})
    assert response.status_code == 200 and response.json()["status"] == 8
    assert response.json()["returned_at"] == "2026-03-03T09:00:00+07:00"
    d2 = receive(unit)
    no_file = post(unit.specialist, d2, "withdraw", {"revision": d2.revision}, multipart=True)
    assert no_file.status_code == 400 and "request_file" in no_file.json()
    response = post(
        unit.specialist, d2, "withdraw", {"revision": d2.revision, "request_file": pdf("don-rut.pdf")}, multipart=True
    )
    assert response.status_code == 200 and response.json()["status"] == 7
    assert response.json()["documents"][-1]["kind"] == "withdrawal"


def test_record_and_return_result_by_post(unit, frozen):
    d = receive(unit)
    d = services.dossier_forward(actor=unit.officer, dossier_id=d.pk, to_holder=unit.specialist)
    d = services.dossier_forward(actor=unit.specialist, dossier_id=d.pk, to_holder=unit.leader)
    response = post(
        unit.leader,
        d,
        "record-result",
        {"revision": d.revision, "signer": "Vũ Hải", "result_file": pdf("giay-phep.pdf")},
        multipart=True,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 9 and body["result_signer"] == "Vũ Hải" and body["timeliness"] == "early"
    no_number = post(unit.officer, d, "return-result", {"revision": body["revision"], "method": "post"})
    assert no_number.status_code == 400 and no_number.json()["code"] == "InvalidInput"
    bad_method = post(unit.officer, d, "return-result", {"revision": body["revision"], "method": "drone"})
    assert bad_method.status_code == 400 and "method" in bad_method.json()
    response = post(
        unit.officer,
        d,
        "return-result",
        {"revision": body["revision"], "method": "post", "consignment_number": "EB123456789VN"},
    )
    assert response.status_code == 200 and response.json()["status"] == 10
    assert response.json()["consignment_number"] == "EB123456789VN"


def test_receive_at_the_counter(unit, other, frozen):
    data = {
        "procedure": unit.procedure.national_code,
        "agency": unit.agency.code,
        "applicant_name": "Đỗ Thị Hoa",
        "applicant_id_number": "034190001234",
        "applicant_phone": "0987654321",
        "channel": "post",
        "delivery": "post",
        "delivery_address": "12 Hạ Long",
        "files": [pdf("don.pdf"), pdf("ban-ve.pdf")],
    }
    response = client_for(unit.officer).post(url("dossier-receive-counter"), data, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == url("dossier-detail", pk=body["id"])
    assert body["code"] == "000.00.15.H99-260303-0001" and body["channel"] == "post" and body["status"] == 2
    assert len(body["documents"]) == 2 and body["current_holder"]["id"] == unit.officer.pk
    # Another unit's official cannot receive for this unit; unknown codes name their field.
    refused = client_for(other.officer).post(url("dossier-receive-counter"), {**data, "files": []}, format="multipart")
    assert refused.status_code == 403 and refused.json()["code"] == "ActionNotAllowed"
    unknown = client_for(unit.officer).post(
        url("dossier-receive-counter"), {"procedure": "9.999999", "agency": "XXX", "applicant_name": "A"}
    )
    assert unknown.status_code == 400 and set(unknown.json()) == {"procedure", "agency"}
    online = client_for(unit.officer).post(
        url("dossier-receive-counter"), {**data, "files": [], "channel": "online"}, format="multipart"
    )
    assert online.status_code == 400 and "channel" in online.json()


def test_an_id_beyond_any_database_integer_is_a_bad_request_not_a_server_error(unit):
    # Found by the schema fuzzing: SQLite raised OverflowError on a 21-digit id (a 500).
    response = client_for(unit.officer).post(
        url("dossier-bulk"), {"action": "forward", "dossiers": [{"id": 2**70, "revision": 0}]}, format="json"
    )
    assert response.status_code == 400 and "dossiers" in response.json()


def test_bulk_forward_and_return(unit, other, frozen):
    d1, d2, d3 = receive(unit), receive(unit), receive(unit)
    services.dossier_stop(actor=unit.officer, dossier_id=d3.pk, reason="x")
    theirs = receive(other)
    response = client_for(unit.officer).post(
        url("dossier-bulk"),
        {"action": "forward", "dossiers": items(d1, d2, d3, theirs) + [{"id": 999999, "revision": 0}]},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["done"] == [d1.code, d2.code]
    assert [f["dossier"] for f in body["failed"]] == [d3.code, str(theirs.pk), "999999"]  # no foreign code leaks
    assert fresh(theirs).status == Status.RECEIVED and fresh(d1).current_step == unit.steps[1]
    response = client_for(unit.specialist).post(
        url("dossier-bulk"),
        {"action": "return-previous", "dossiers": items(fresh(d1), fresh(d2)), "comment": "Xem lại"},
        format="json",
    )
    assert response.json()["done"] == [d1.code, d2.code]
    assert fresh(d1).current_step == unit.steps[0]
    bad = client_for(unit.officer).post(url("dossier-bulk"), {"action": "stop", "dossiers": []}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"action", "dossiers"}
    no_revision = client_for(unit.officer).post(
        url("dossier-bulk"), {"action": "forward", "dossiers": [{"id": d1.pk}]}, format="json"
    )
    assert no_revision.status_code == 400 and "revision" in str(no_revision.json())


def items(*dossiers):
    return [{"id": d.pk, "revision": d.revision} for d in dossiers]


def test_a_repeated_bulk_forward_acts_once(unit, frozen):
    """The attack: the same bulk "forward" sent twice carried the dossier past the appraisal step to the leader,
    with the appraisal "done" by the one-stop officer. The second request is now told the dossier changed."""
    dossier = receive(unit)
    body = {"action": "forward", "dossiers": items(dossier)}
    first = client_for(unit.officer).post(url("dossier-bulk"), body, format="json")
    again = client_for(unit.officer).post(url("dossier-bulk"), body, format="json")
    assert first.json()["done"] == [dossier.code] and again.json()["done"] == []
    assert again.json()["failed"] == [{"dossier": dossier.code, "message": str(ConcurrentChange.default_message)}]
    dossier = fresh(dossier)
    assert dossier.current_step == unit.steps[1]
    assert dossier.events.filter(action=Action.FORWARD).count() == 1


# --- one dossier end to end, with worked dates ------------------------------------------------------------


def test_end_to_end_flow_through_the_api(unit):
    # Friday 2026-01-02 16:00, 1 working day: 60 min on Friday + 420 on Monday → due Monday 16:00,
    # appointment Tuesday 07:30 (the session after the one the due time falls in, QT 18.3).
    with freeze_time(t("2026-01-02 16:00")):
        response = client_for(unit.officer).post(
            url("dossier-receive-counter"),
            {
                "procedure": unit.procedure.national_code,
                "agency": unit.agency.code,
                "applicant_name": "Trần Thị Bình",
                "delivery": "counter",
                "files": [pdf("don.pdf")],
            },
            format="multipart",
        )
    assert response.status_code == 201
    body = response.json()
    pk = body["id"]
    assert body["code"] == "000.00.15.H99-260102-0001"
    assert (body["due_at"], body["appointment_at"]) == ("2026-01-05T16:00:00+07:00", "2026-01-06T07:30:00+07:00")
    dossier = Dossier(pk=pk)

    with freeze_time(t("2026-01-02 16:30")):  # reception step used 30 min
        body = post(
            unit.officer, dossier, "forward", {"revision": body["revision"], "to_holder": unit.specialist.pk}
        ).json()
    assert body["events"][-1]["step_used_minutes"] == 30
    with freeze_time(t("2026-01-05 09:00")):
        row = client_for(unit.specialist).get(url("dossier-list"), {"holder": "me"}).json()["results"][0]
        # 09:00 → 16:00 Monday is 150 + 180 = 330 working minutes: less than a working day left.
        assert row["id"] == pk and row["warning"] == "due_soon"
    with freeze_time(t("2026-01-05 10:00")):  # review: Friday 16:30-17:00 + Monday 07:30-10:00 = 180 min
        body = post(
            unit.specialist, dossier, "forward", {"revision": body["revision"], "to_holder": unit.leader.pk}
        ).json()
    assert body["events"][-1]["step_used_minutes"] == 180
    with freeze_time(t("2026-01-05 15:00")):  # approval: 10:00-11:30 + 13:00-15:00 = 210 min > 60 allowed
        body = post(
            unit.leader,
            dossier,
            "record-result",
            {"revision": body["revision"], "signer": "Vũ Hải", "result_file": pdf("giay-phep.pdf")},
            multipart=True,
        ).json()
    assert body["status"] == 9 and body["result_recorded_at"] == "2026-01-05T15:00:00+07:00"
    assert body["timeliness"] == "on_time"  # 15:00 ≤ due 16:00, same day
    assert body["allowed_actions"] == []  # the leader does not hold the return step
    with freeze_time(t("2026-01-06 08:00")):
        detail = client_for(unit.officer).get(url("dossier-detail", pk=pk)).json()
        assert detail["allowed_actions"] == ["return_result"]
        body = post(unit.officer, dossier, "return-result", {"revision": body["revision"]}).json()
    assert body["status"] == 10 and body["returned_at"] == "2026-01-06T08:00:00+07:00"
    assert body["closed_at"] == "2026-01-06T08:00:00+07:00"
    assert [e["action"] for e in body["events"]] == ["receive", "forward", "forward", "record_result", "return_result"]
    runs = {(r["step"]["name"], r["used_minutes"], r["overdue"]) for r in body["step_runs"]}
    assert ("Tiếp nhận hồ sơ", 30, False) in runs and ("Thẩm định hồ sơ", 180, False) in runs
    assert ("Phê duyệt", 210, True) in runs
    assert [d["kind"] for d in body["documents"]] == ["submitted", "result"]


# --- concurrency ---------------------------------------------------------------------------------------------


def test_stale_revision_is_409_and_changes_nothing(unit, frozen):
    d = receive(unit)
    first = post(unit.officer, d, "request-payment", {"revision": d.revision, "amount": 1000})
    assert first.status_code == 200
    stale = post(unit.officer, d, "stop", {"revision": d.revision, "reason": "x"})
    assert stale.status_code == 409
    assert stale.json() == {
        "detail": "Someone else acted on this dossier a moment ago. Reload it to see the change; nothing was saved.",
        "code": "ConcurrentChange",
    }
    assert fresh(d).status == Status.PAYMENT and fresh(d).revision == first.json()["revision"]
    missing = post(unit.officer, d, "stop", {"reason": "x"})
    assert missing.status_code == 400 and "revision" in missing.json()


def test_two_officials_acting_on_the_same_revision(unit, frozen):
    colleague = official(unit.agency, "chuyenvien2")
    hold(unit.steps[1], colleague)
    d = services.dossier_forward(actor=unit.officer, dossier_id=receive(unit).pk)  # to the whole review group
    seen = {user: client_for(user).get(url("dossier-detail", pk=d.pk)).json() for user in (unit.specialist, colleague)}
    assert seen[unit.specialist]["revision"] == seen[colleague]["revision"]
    assert "forward" in seen[colleague]["allowed_actions"]
    won = post(
        unit.specialist, d, "forward", {"revision": seen[unit.specialist]["revision"], "to_holder": unit.leader.pk}
    )
    lost = post(colleague, d, "forward", {"revision": seen[colleague]["revision"], "to_holder": unit.leader.pk})
    assert won.status_code == 200 and lost.status_code == 409 and lost.json()["code"] == "ConcurrentChange"
    assert DossierEvent.objects.filter(dossier=d, action=Action.FORWARD).count() == 2
    assert StepRun.objects.filter(dossier=d, step=unit.steps[2]).count() == 1


# --- forged ids and files ----------------------------------------------------------------------------------------


def test_forged_ids_change_nothing(unit, other, frozen):
    d = receive(unit)
    before = (fresh(d).revision, fresh(d).current_step_id, fresh(d).current_holder_id, DossierEvent.objects.count())
    attempts = [
        ("forward", {"to_step": other.steps[2].pk}),  # a step of another unit's process
        ("forward", {"to_step": unit.steps[0].pk}),  # not a later step
        ("forward", {"to_holder": other.specialist.pk}),  # an official of another unit
        ("forward", {"to_holder": 999999}),  # no such user
        ("handover", {"colleague": other.officer.pk}),
        ("handover", {"colleague": 999999}),
    ]
    for action, data in attempts:
        response = post(unit.officer, d, action, {"revision": d.revision, **data})
        assert response.status_code in (400, 403, 404), (action, data, response.status_code)
    d.refresh_from_db()
    assert (d.revision, d.current_step_id, d.current_holder_id, DossierEvent.objects.count()) == before


def test_bad_file_types_are_refused(unit, frozen, settings):
    d = receive(unit)
    documents = d.documents.count()
    renamed_exe = pdf("giay-phep.pdf", EXE)
    response = post(
        unit.officer,
        d,
        "request-supplement",
        {"revision": d.revision, "comment": "x", "slip": renamed_exe},
        multipart=True,
    )
    assert response.status_code == 400 and "slip" in response.json()
    exe = SimpleUploadedFile("virus.exe", EXE)
    response = post(unit.officer, d, "forward", {"revision": d.revision, "files": [exe]}, multipart=True)
    assert response.status_code == 400 and "files" in response.json()
    for kind in files.ATTACKS:  # structure, not first bytes: HTML as PDF, DOCX bomb, ZIP with ../, image bomb
        evil = files.attack(kind)
        response = post(unit.officer, d, "forward", {"revision": d.revision, "files": [evil]}, multipart=True)
        assert response.status_code == 400 and evil.name in str(response.json()["files"]), kind
    settings.DOSSIER_UPLOAD_MAX_BYTES = 100
    big = pdf("lon.pdf", PDF + b"0" * 200)
    response = post(unit.officer, d, "forward", {"revision": d.revision, "files": [big]}, multipart=True)
    assert response.status_code == 400 and "files" in response.json()
    assert d.documents.count() == documents and fresh(d).revision == d.revision


@pytest.mark.parametrize(
    "name, content, ok",
    [
        ("a.pdf", PDF, True),
        ("a.PDF", b"\n\n" + PDF, True),
        ("a.png", PNG, True),
        ("a.jpg", files.image_bytes("JPEG"), True),
        ("a.docx", DOCX, True),
        ("a.xlsx", files.xlsx_bytes(), True),
        ("a.zip", files.zip_bytes({"a.pdf": PDF}), True),
        ("a.docx", b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml", False),  # a ZIP signature only
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, True),
        ("a.pdf", EXE, False),  # an .exe renamed .pdf
        ("a.png", PDF, False),  # content does not match the name
        ("a.exe", EXE, False),
        ("a.txt", b"hello", False),
        ("README", PDF, False),
        ("empty.pdf", b"", False),
    ],
)
def test_validate_upload(name, content, ok):
    upload = SimpleUploadedFile(name, content)
    if ok:
        validate_upload(upload)
        assert upload.read() == content  # the file is left at its start
    else:
        with pytest.raises(ValidationError):
            validate_upload(upload)


def test_validate_upload_size_limit():
    upload = SimpleUploadedFile("lon.pdf", PDF + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError) as error:
        validate_upload(upload)
    assert error.value.code == "file_too_large"


# --- schema -----------------------------------------------------------------------------------------------------


def test_schema_documents_the_dossier_api():
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in (
        "/api/v1/dossiers/",
        "/api/v1/dossiers/{id}/",
        "/api/v1/dossiers/{id}/documents/{document_id}/",
        "/api/v1/dossiers/{id}/forward/",
        "/api/v1/dossiers/{id}/refuse-reception/",
        "/api/v1/dossiers/receive-counter/",
        "/api/v1/dossiers/bulk/",
    ):
        assert path in paths, path
    forward = paths["/api/v1/dossiers/{id}/forward/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(forward["responses"])
    assert "ConcurrentChange" in str(forward["responses"]["409"])


def test_schema_of_the_workflow_endpoints_generates_without_warnings():
    """What ``manage.py spectacular --validate --fail-on-warn`` checks, narrowed to this app's views."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()
    assert "/api/v1/dossiers/" in schema["paths"]
    assert [m for m in messages if "workflow" in m] == []
    validate_schema(schema)  # a valid OpenAPI 3 document
