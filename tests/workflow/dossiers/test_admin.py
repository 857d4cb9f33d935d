"""The officials' screens in the Wagtail admin (workflow/dossiers/admin.py): wiring, scoping and response shape.

The rules themselves are tested on the services (test_workflow_services.py);
here every screen is driven through the Django test client by logged-in
officials, and state changes are checked in the database.
"""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import constants
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time
from wagtail.users.models import UserProfile

from catalog.models import TimeUnit
from tests.factories import ProcedureFactory
from tests.factories.files import ATTACKS, PDF, attack
from tests.factories.workflow import official, published_process
from tests.factories.world import build_unit, hold, member, permission_group
from workflow.dossiers import services
from workflow.dossiers.forms import slips_available
from workflow.dossiers.services import Applicant, Upload
from workflow.models import (
    Action,
    DocumentKind,
    Dossier,
    Process,
    ProcessStatus,
    ProcessStep,
    Status,
    StepKind,
)
from workflow.processes import services as process_services

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = "2026-03-03 08:00:00+07:00"  # a Tuesday, inside the morning session


def t(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


def pdf(name="file.pdf", body=PDF):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def officials_group():
    return permission_group("Officials (test)", "wagtailadmin.access_admin")


def unit_admin_group():
    return permission_group(
        "Unit admins (test)",
        "wagtailadmin.access_admin",
        *(f"workflow.{codename}" for codename in ["add_process", "change_process", "delete_process", "view_process"]),
    )


def in_english(user):
    """These tests read the English source strings: the account uses the admin in English (the site default is vi)."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def staff(agency, username, position="Chuyên viên", group=None):
    user = official(agency, username, position=position)
    user.groups.add(group or officials_group())
    return in_english(user)


def make_unit(code, name, prefix):
    """A unit with a 1-working-day procedure and a published 4-step process (reception, review, approval, return)."""
    officials_only = (officials_group(),)
    u = build_unit(
        code,
        name,
        procedure={
            "processing_time": Decimal("1"),
            "processing_time_unit": TimeUnit.DAY,
            "postal_return": True,
        },
        officials={
            "officer": member(username=f"motcua.{prefix}", position="Cán bộ một cửa", groups=officials_only),
            "specialist": member(username=f"chuyenvien.{prefix}", groups=officials_only),
            "specialist2": member(username=f"chuyenvien2.{prefix}", groups=officials_only),
            "leader": member(username=f"lanhdao.{prefix}", position="Lãnh đạo", groups=officials_only),
        },
    )
    for user in u.officials.values():
        in_english(user)
    return u


@pytest.fixture
def a():
    return make_unit("000.00.15.H99", "Sở Xây dựng", "a")


@pytest.fixture
def b():
    return make_unit("000.00.16.H99", "Sở Tư pháp", "b")


def receive(unit, name="Trần Thị Bình", at=None):
    return services.dossier_receive_at_counter(
        actor=unit.officer,
        procedure=unit.procedure,
        agency=unit.agency,
        applicant=Applicant(name=name, id_number="001190012345", phone="0912345678"),
        files=[Upload("to-khai.pdf", ContentFile(b"%PDF-1.4 doc", name="to-khai.pdf"))],
        at=at,
    )


def submit_online(unit, name="Lê Văn Cường", at=None):
    return services.dossier_submit_online(
        applicant_user=None, procedure=unit.procedure, agency=unit.agency, applicant=Applicant(name=name), at=at
    )


def forward(unit, dossier, actor, to_holder=None):
    return services.dossier_forward(actor=actor, dossier_id=dossier.pk, to_holder=to_holder)


def url(name, *args):
    return reverse(f"dossiers:{name}", args=args)


def action_url(dossier, action):
    return url("action", dossier.pk, action.replace("_", "-"))


def post_action(client, dossier, action, data=None, files=None, revision=None):
    prefix = action
    payload = {f"{prefix}-revision": dossier.revision if revision is None else revision}
    for key, value in (data or {}).items():
        payload[f"{prefix}-{key}"] = value
    for key, value in (files or {}).items():
        payload[f"{prefix}-{key}"] = value
    return client.post(action_url(dossier, action), payload)


def messages_of(response):
    return [str(m.message) for m in response.context["messages"]] if response.context else []


def codes_in(html):
    """The dossier codes of the listing's rows (the title cell of each row), not echoes such as the search box."""
    return set(re.findall(r'<span id="dossier_\d+_title">\s*(000\.00\.1[56]\.H99-\d{6}-\d{4})\s*</span>', html))


def rows_text(html):
    """The text of the listing's table body, where the rows are."""
    match = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return match.group(1) if match else ""


# --- inboxes ------------------------------------------------------------------------------------


@freeze_time(NOW)
def test_inboxes_show_the_right_rows_per_official(client, a, b):
    held = receive(a, "Người Một")  # held by the officer at reception
    to_group = forward(a, receive(a, "Người Hai"), a.officer)  # at review, whole group
    to_named = forward(a, receive(a, "Người Ba"), a.officer, to_holder=a.specialist2)
    online = submit_online(a, "Người Bốn")
    other_unit = receive(b, "Người Khác")

    client.force_login(a.officer)
    mine = client.get(url("mine")).content.decode()
    assert codes_in(mine) == {held.code, online.code}  # online: unassigned at the reception step of their group
    reception = client.get(url("reception")).content.decode()
    assert codes_in(reception) == {online.code}

    client.force_login(a.specialist)
    assert codes_in(client.get(url("mine")).content.decode()) == {to_group.code}
    client.force_login(a.specialist2)
    assert codes_in(client.get(url("mine")).content.decode()) == {to_group.code, to_named.code}
    assert codes_in(client.get(url("mine") + "?holder=me").content.decode()) == {to_named.code}

    client.force_login(a.leader)
    assert codes_in(client.get(url("mine")).content.decode()) == set()
    unit = client.get(url("unit")).content.decode()
    assert codes_in(unit) == {held.code, to_group.code, to_named.code, online.code}
    assert other_unit.code not in unit
    assert "Current step and holder" in unit and "Người Ba" in unit


def test_all_list_includes_closed_dossiers_and_filters_by_status(client, a):
    with freeze_time(NOW):
        open_one = receive(a)
        closed = receive(a, "Người Đóng")
        services.dossier_stop(actor=a.officer, dossier_id=closed.pk, reason="Không đủ điều kiện")
        client.force_login(a.leader)
        assert codes_in(client.get(url("unit")).content.decode()) == {open_one.code}
        assert codes_in(client.get(url("all")).content.decode()) == {open_one.code, closed.code}
        stopped = client.get(url("all") + f"?status={Status.STOPPED}").content.decode()
        assert codes_in(stopped) == {closed.code}
        by_code = client.get(url("all") + f"?q={closed.code[-6:]}").content.decode()
        assert codes_in(by_code) == {closed.code}
        by_name = client.get(url("all") + "?q=Người Đóng").content.decode()
        assert codes_in(by_name) == {closed.code}


def test_filters_by_procedure_step_and_date_ranges(client, a):
    second = ProcedureFactory(agencies=[a.agency], processing_time=Decimal("2"), processing_time_unit=TimeUnit.DAY)
    published_process(second)
    hold(second.processes.get().steps.get(sort_order=0), a.officer)
    with freeze_time("2026-03-02 08:00:00+07:00"):  # Monday
        monday = receive(a, "Người Thứ Hai")
    with freeze_time(NOW):  # Tuesday
        at_review = forward(a, receive(a, "Người Thứ Ba"), a.officer)
        other = services.dossier_receive_at_counter(
            actor=a.officer, procedure=second, agency=a.agency, applicant=Applicant(name="Người Khác Thủ Tục")
        )
        client.force_login(a.leader)
        base = url("unit")
        assert codes_in(client.get(base).content.decode()) == {monday.code, at_review.code, other.code}
        assert codes_in(client.get(f"{base}?procedure={second.pk}").content.decode()) == {other.code}
        assert codes_in(client.get(f"{base}?step=thẩm định").content.decode()) == {at_review.code}
        received_tuesday = client.get(f"{base}?received_from=2026-03-03&received_to=2026-03-03").content.decode()
        assert codes_in(received_tuesday) == {at_review.code, other.code}
        # 1 working day from Monday 08:00 is Tuesday 08:00; from Tuesday 08:00 it is Wednesday 08:00 (2 days: Thursday)
        due_wednesday = client.get(f"{base}?due_from=2026-03-04&due_to=2026-03-04").content.decode()
        assert codes_in(due_wednesday) == {at_review.code}
        combined = client.get(f"{base}?procedure={a.procedure.pk}&q=Thứ Hai").content.decode()
        assert codes_in(combined) == {monday.code}


def test_warning_notes_follow_the_working_clock(client, a):
    # Received Tuesday 08:00 with 1 working day: due Wednesday 08:00. Reception step: 1 hour -> step due 09:00.
    with freeze_time(NOW):
        dossier = receive(a)
    assert dossier.due_at == t("2026-03-04 08:00")
    client.force_login(a.officer)
    with freeze_time("2026-03-03 08:30:00+07:00"):
        html = client.get(url("mine")).content.decode()
        assert "dossier-warning--due_soon" in html and "Less than one working day left" in html
        assert "Step overdue" not in html and "Step due within one working day" in html
    with freeze_time("2026-03-03 10:00:00+07:00"):
        html = client.get(url("mine")).content.decode()
        assert "Less than one working day left" in html and "Step overdue" in html
        overdue_only = client.get(url("mine") + "?warning=overdue").content.decode()
        assert dossier.code not in overdue_only
        assert dossier.code in client.get(url("mine") + "?warning=step").content.decode()
    with freeze_time("2026-03-04 09:00:00+07:00"):
        html = client.get(url("mine") + "?warning=overdue").content.decode()
        assert dossier.code in html and "dossier-warning--overdue" in html and ">Overdue<" in html.replace("\n", "")


def test_online_dossier_warns_on_the_eight_hour_reception_deadline(client, a):
    with freeze_time(NOW):
        dossier = submit_online(a)
    assert dossier.reception_due_at == t("2026-03-04 08:00")
    client.force_login(a.officer)
    with freeze_time("2026-03-03 09:00:00+07:00"):
        html = client.get(url("reception")).content.decode()
        assert dossier.code in html and "Reception due within one working day" in html
    with freeze_time("2026-03-04 10:00:00+07:00"):
        html = client.get(url("reception")).content.decode()
        assert "Reception overdue" in html and "8 working hours to receive" in html


#: Pinned query counts (measured 13 per inbox page and 19 for a detail page — its payments included — whatever the
#: number of rows or events; one spare for session/middleware changes). See the docstring of workflow/dossiers/admin.py.
INBOX_QUERIES = 14
DETAIL_QUERIES = 20


def _count_queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


@freeze_time(NOW)
def test_inbox_query_count_does_not_grow_with_rows(client, a):
    for index in range(5):
        forward(a, receive(a, f"Người {index}"), a.officer)
    client.force_login(a.specialist)
    path = url("mine")
    _count_queries(client, path)  # warm caches (calendar, content types)
    small = _count_queries(client, path)
    for index in range(5, 40):
        forward(a, receive(a, f"Người {index}"), a.officer)
    large = _count_queries(client, path)
    assert len(codes_in(client.get(path).content.decode())) == 40
    assert small == large
    assert small <= INBOX_QUERIES, small


@freeze_time(NOW)
def test_unit_and_reception_inbox_query_counts_do_not_grow_with_rows(client, a):
    def add_rows(count):
        for index in range(count):
            forward(a, receive(a, f"Người {index}"), a.officer, to_holder=a.specialist)
            submit_online(a, f"Trực tuyến {index}")

    add_rows(3)
    client.force_login(a.leader)
    paths = [url("unit"), url("reception"), url("all"), url("unit") + "?warning=due_soon&status=4"]
    for path in paths:
        _count_queries(client, path)  # warm caches
    small = {path: _count_queries(client, path) for path in paths}
    add_rows(20)
    large = {path: _count_queries(client, path) for path in paths}
    assert len(codes_in(client.get(url("unit")).content.decode())) == 46
    assert small == large
    assert max(small.values()) <= INBOX_QUERIES, small


@freeze_time(NOW)
def test_detail_query_count_does_not_grow_with_the_timeline(client, a):
    dossier = forward(a, receive(a), a.officer, to_holder=a.specialist)
    client.force_login(a.leader)
    path = url("detail", dossier.pk)
    _count_queries(client, path)
    small = _count_queries(client, path)
    for _round in range(4):  # 8 more events and step timers
        services.dossier_handover(actor=a.specialist, dossier_id=dossier.pk, colleague=a.specialist2)
        services.dossier_handover(actor=a.specialist2, dossier_id=dossier.pk, colleague=a.specialist)
    large = _count_queries(client, path)
    assert small == large and small <= DETAIL_QUERIES, (small, large)


# --- detail and actions ----------------------------------------------------------------------------------


@freeze_time(NOW)
def test_detail_shows_timeline_timers_and_only_allowed_actions(client, a):
    dossier = forward(a, receive(a), a.officer, to_holder=a.specialist)
    client.force_login(a.specialist)
    response = client.get(url("detail", dossier.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html and "Trần Thị Bình" in html
    # timeline: reception then forward, with who and the step move
    assert "Received" in html and "Forwarded" in html and "Cán bộ một cửa" in html
    assert "Tiếp nhận hồ sơ" in html and "Thẩm định hồ sơ" in html
    # step timers and per-agency time
    assert "Time at each step" in html and "Time per agency" in html and "Sở Xây dựng" in html
    # the submitted document is downloadable
    document = dossier.documents.get()
    assert url("document", dossier.pk, document.pk) in html
    actions = set(re.findall(r'id="action-([a-z_]+)"', html))
    assert {"forward", "return_previous", "handover", "request_supplement", "apologize", "stop"} <= actions
    assert not actions & {"receive", "record_result", "return_result", "confirm_payment"}

    client.force_login(a.leader)  # may see it, may not act on it
    html = client.get(url("detail", dossier.pk)).content.decode()
    assert not set(re.findall(r'id="action-([a-z_]+)"', html)) & {"forward", "handover", "stop"}


@freeze_time(NOW)
def test_receive_online_from_the_detail(client, a):
    dossier = submit_online(a)
    client.force_login(a.officer)
    response = post_action(client, dossier, "receive", {"comment": "Đủ hồ sơ"})
    assert response.status_code == 302 and response["Location"] == url("detail", dossier.pk)
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.current_holder == a.officer
    page = client.get(response["Location"])
    assert any("Received" in m for m in messages_of(page))


@freeze_time(NOW)
def test_forward_to_a_named_official_then_return_previous(client, a):
    dossier = receive(a)
    client.force_login(a.officer)
    html = client.get(url("detail", dossier.pk)).content.decode()
    assert "chuyenvien2" in html or a.specialist2.get_full_name() in html  # offered for the next step
    response = post_action(
        client, dossier, "forward", {"to_step": a.steps[1].pk, "to_holder": a.specialist2.pk, "comment": "Xem giúp"}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.current_step, dossier.current_holder, dossier.status) == (
        a.steps[1],
        a.specialist2,
        Status.PROCESSING,
    )

    client.force_login(a.specialist2)
    response = post_action(client, dossier, "return_previous", {"comment": "Thiếu bản vẽ"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.current_step, dossier.current_holder) == (a.steps[0], a.officer)
    assert dossier.events.filter(action=Action.RETURN_PREVIOUS, comment="Thiếu bản vẽ").exists()


@freeze_time(NOW)
def test_forward_refuses_an_official_who_cannot_hold_the_step(client, a):
    dossier = receive(a)
    client.force_login(a.officer)
    response = post_action(client, dossier, "forward", {"to_step": a.steps[1].pk, "to_holder": a.leader.pk})
    # the leader is not offered for the review step: the form refuses the choice, nothing changes
    assert response.status_code == 400
    dossier.refresh_from_db()
    assert dossier.current_step == a.steps[0]


@freeze_time(NOW)
def test_forward_to_a_forged_step_of_another_process_changes_nothing(client, a, b):
    dossier = receive(a)
    revision = dossier.revision
    client.force_login(a.officer)
    response = post_action(client, dossier, "forward", {"to_step": b.steps[1].pk})
    assert response.status_code == 400
    response = post_action(client, dossier, "forward", {"to_step": a.steps[0].pk})  # not a later step
    assert response.status_code == 400
    dossier.refresh_from_db()
    assert (dossier.current_step, dossier.revision) == (a.steps[0], revision)
    assert not dossier.events.filter(action=Action.FORWARD).exists()


@freeze_time(NOW)
def test_handover_to_a_colleague(client, a):
    dossier = forward(a, receive(a), a.officer, to_holder=a.specialist)
    client.force_login(a.specialist)
    response = post_action(client, dossier, "handover", {"colleague": a.specialist2.pk})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.current_holder == a.specialist2


@pytest.mark.skipif(not slips_available(), reason="workflow.slips is not there")
@freeze_time(NOW)
def test_request_supplement_with_a_generated_slip(client, a):
    dossier = forward(a, receive(a), a.officer, to_holder=a.specialist)
    client.force_login(a.specialist)
    response = post_action(
        client, dossier, "request_supplement", {"comment": "Bổ sung bản vẽ thiết kế", "slip_source": "generate"}
    )
    assert response.status_code == 302, messages_of(response)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT
    event = dossier.events.get(action=Action.REQUEST_SUPPLEMENT)
    slip = event.documents.get()
    assert slip.kind == DocumentKind.SLIP and slip.name.endswith(".pdf")
    assert slip.file.open("rb").read(5) == b"%PDF-"


@freeze_time(NOW)
def test_request_supplement_with_an_uploaded_slip(client, a):
    dossier = forward(a, receive(a), a.officer, to_holder=a.specialist)
    client.force_login(a.specialist)
    response = post_action(
        client,
        dossier,
        "request_supplement",
        {"comment": "Bổ sung bản vẽ", "slip_source": "upload"},
        {"slip_file": pdf("phieu-bo-sung.pdf")},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT
    assert dossier.documents.get(kind=DocumentKind.SLIP).name == "phieu-bo-sung.pdf"


@freeze_time(NOW)
def test_an_upload_that_is_not_what_its_name_says_is_refused(client, a):
    dossier = forward(a, receive(a), a.officer, to_holder=a.specialist)
    client.force_login(a.specialist)
    response = post_action(
        client,
        dossier,
        "request_supplement",
        {"comment": "Bổ sung", "slip_source": "upload"},
        {"slip_file": SimpleUploadedFile("phieu.pdf", b"MZ\x90\x00 not a pdf")},
    )
    assert response.status_code == 400
    assert "not a valid PDF" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


@freeze_time(NOW)
@pytest.mark.parametrize("kind", ATTACKS)
def test_officials_attachments_refuse_the_attack_files_and_keep_nothing(client, a, kind):
    dossier = forward(a, receive(a), a.officer, to_holder=a.specialist)
    documents = dossier.documents.count()
    client.force_login(a.specialist)
    evil = attack(kind)
    response = post_action(client, dossier, "forward", {"comment": ""}, {"files": [evil]})
    assert response.status_code == 400 and evil.name in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.current_holder == a.specialist and dossier.documents.count() == documents


@freeze_time(NOW)
def test_apologize_sets_a_new_appointment(client, a):
    dossier = forward(a, receive(a), a.officer, to_holder=a.specialist)
    client.force_login(a.specialist)
    response = post_action(
        client,
        dossier,
        "apologize",
        {"comment": "Cần xác minh thực địa", "new_appointment": "2026-03-10 07:30", "slip_source": "upload"},
        {"slip_file": pdf("xin-loi.pdf")},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    dossier.refresh_from_db()
    assert dossier.appointment_at == t("2026-03-10 07:30") and dossier.counts_as_late


@freeze_time(NOW)
def test_record_result_with_file_and_return_result(client, a):
    dossier = forward(a, forward(a, receive(a), a.officer, to_holder=a.specialist), a.specialist, to_holder=a.leader)
    client.force_login(a.leader)
    response = post_action(
        client, dossier, "record_result", {"signer": "Hoàng Văn Lãnh", "comment": ""}, {"files": [pdf("giay-phep.pdf")]}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RESOLVED and dossier.result_signer == "Hoàng Văn Lãnh"
    assert dossier.documents.get(kind=DocumentKind.RESULT).name == "giay-phep.pdf"

    client.force_login(a.officer)
    html = client.get(url("detail", dossier.pk)).content.decode()
    assert 'id="action-return_result"' in html
    response = post_action(client, dossier, "return_result", {"method": "counter"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED and dossier.closed_at is not None


@freeze_time(NOW)
def test_domain_error_is_shown_and_changes_nothing(client, a):
    dossier = forward(a, receive(a), a.officer, to_holder=a.specialist)
    client.force_login(a.specialist)
    # return-previous needs a comment: the form says so
    response = post_action(client, dossier, "return_previous", {"comment": ""})
    assert response.status_code == 400
    # a service refusal (recording a result before the decision step) is a message, nothing changes
    response = post_action(
        client,
        dossier,
        "record_result",
        {"signer": "X"},
        {"files": [pdf()]},
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert any("decision step" in m for m in messages_of(page))
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and not dossier.documents.filter(kind=DocumentKind.RESULT).exists()


@freeze_time(NOW)
def test_a_stale_revision_shows_the_concurrency_message_and_changes_nothing(client, a):
    dossier = forward(a, receive(a), a.officer, to_holder=a.specialist)
    stale = dossier.revision
    services.dossier_handover(actor=a.specialist, dossier_id=dossier.pk, colleague=a.specialist2)
    services.dossier_handover(actor=a.specialist2, dossier_id=dossier.pk, colleague=a.specialist)
    dossier.refresh_from_db()
    events = dossier.events.count()
    client.force_login(a.specialist)
    response = post_action(client, dossier, "return_previous", {"comment": "Giải trình"}, revision=stale)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert any("Someone else acted on this dossier" in m for m in messages_of(page))
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.revision, after.current_step, after.current_holder) == (dossier.revision, a.steps[1], a.specialist)
    assert after.events.count() == events


# --- scoping ----------------------------------------------------------------------------------------------


@freeze_time(NOW)
def test_another_units_official_gets_404_and_never_sees_the_dossier(client, a, b):
    dossier = receive(a, "Bí Mật")
    document = dossier.documents.get()
    client.force_login(b.officer)
    assert client.get(url("detail", dossier.pk)).status_code == 404
    assert client.get(url("document", dossier.pk, document.pk)).status_code == 404
    assert client.get(url("document", 999999, document.pk)).status_code == 404
    response = post_action(client, dossier, "forward", {"to_step": a.steps[1].pk})
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.current_step == a.steps[0]
    for inbox in ("mine", "unit", "reception", "all"):
        html = client.get(url(inbox)).content.decode()
        assert dossier.code not in html and "Bí Mật" not in html
        # the search box echoes what was typed; the rows must not contain the dossier
        searched = client.get(url(inbox) + f"?q={dossier.code}").content.decode()
        assert codes_in(searched) == set() and "Bí Mật" not in searched
    searched = client.get(url("all_results") + "?q=Bí").content.decode()
    assert codes_in(searched) == set() and dossier.code not in searched and "Bí Mật" not in searched
    # the same searches find it for an official of unit A (so the checks above can fail)
    client.force_login(a.officer)
    assert codes_in(client.get(url("all") + f"?q={dossier.code}").content.decode()) == {dossier.code}
    client.force_login(b.officer)
    # the bulk form cannot reach it either
    response = client.post(url("bulk"), {"action": "forward", "dossiers": [f"{dossier.pk}:{dossier.revision}"]})
    dossier.refresh_from_db()
    assert dossier.current_step == a.steps[0]

    client.force_login(a.officer)
    response = client.get(url("document", dossier.pk, document.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 doc"
    # served as a download, never rendered: an uploaded file cannot run as a page of the admin's origin
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"


def test_accounts_that_are_not_officials_cannot_open_the_inboxes(client, django_user_model):
    user = in_english(django_user_model.objects.create_user("bientap", password="x"))
    user.groups.add(officials_group())
    client.force_login(user)
    # Wagtail's answer to a permission error in the admin: back to the dashboard with a message
    for path in (url("mine"), url("unit"), url("all"), url("receive")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home"), path
    home = client.get(reverse("wagtailadmin_home"))
    assert [m.level for m in home.context["messages"]] == [constants.ERROR] * 4  # Wagtail's "no permission" message
    html = home.content.decode()
    assert url("mine") not in html and 'id="dossier-counts"' not in html  # no menu entry, no dashboard panel


# --- counter reception, bulk, dashboard ---------------------------------------------------------------------


@freeze_time(NOW)
def test_counter_reception_creates_a_dossier_with_its_code(client, a, b):
    client.force_login(a.officer)
    page = client.get(url("receive"))
    assert page.status_code == 200
    procedures = page.context["form"].fields["procedure"].queryset
    assert a.procedure in procedures and b.procedure not in procedures
    response = client.post(
        url("receive"),
        {
            "procedure": a.procedure.pk,
            "channel": "counter",
            "applicant_kind": 1,
            "applicant_name": "Phạm Thị Dung",
            "applicant_id_number": "001190099999",
            "delivery": "post",
            "delivery_address": "Số 9 Trần Phú",
            "paper_dossier": "on",
            "files": [pdf("don.pdf"), pdf("ban-ve.pdf")],
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get(applicant_name="Phạm Thị Dung")
    assert response["Location"] == url("detail", dossier.pk)
    assert dossier.code == "000.00.15.H99-260303-0001"
    assert (dossier.status, dossier.delivery, dossier.agency) == (Status.RECEIVED, "post", a.agency)
    assert dossier.documents.count() == 2
    page = client.get(response["Location"])
    assert any(dossier.code in m for m in messages_of(page))
    if slips_available():
        assert "/slip/receipt.pdf" in page.content.decode()

    # another unit's procedure is refused by the form
    response = client.post(
        url("receive"),
        {
            "procedure": b.procedure.pk,
            "channel": "counter",
            "applicant_kind": 1,
            "applicant_name": "X",
            "delivery": "counter",
        },
    )
    assert response.status_code == 400 and Dossier.objects.count() == 1


@freeze_time(NOW)
def test_bulk_forward_reports_successes_and_failures(client, a):
    ready = [receive(a, f"Người {i}") for i in range(3)]
    new = submit_online(a)  # status 1: cannot be forwarded
    client.force_login(a.officer)
    response = client.post(url("bulk"), {"action": "forward", "dossiers": checked(*ready, new), "next": url("mine")})
    assert response.status_code == 302 and response["Location"] == url("mine")
    for dossier in ready:
        dossier.refresh_from_db()
        assert dossier.current_step == a.steps[1] and dossier.current_holder is None
    texts = messages_of(client.get(url("mine")))
    assert any("3 dossier(s)" in m for m in texts)
    assert any(new.code in m and "not changed" in m for m in texts)


@freeze_time(NOW)
def test_bulk_return_previous_needs_a_comment(client, a):
    dossier = forward(a, receive(a), a.officer, to_holder=a.specialist)
    client.force_login(a.specialist)
    client.post(url("bulk"), {"action": "return_previous", "dossiers": checked(dossier)})
    dossier.refresh_from_db()
    assert dossier.current_step == a.steps[1]
    client.post(url("bulk"), {"action": "return_previous", "dossiers": checked(dossier), "comment": "Giải trình"})
    dossier.refresh_from_db()
    assert (dossier.current_step, dossier.current_holder) == (a.steps[0], a.officer)


def checked(*dossiers):
    """What the inbox's checkboxes send: each dossier with the revision the list showed."""
    return [f"{d.pk}:{d.revision}" for d in dossiers]


@freeze_time(NOW)
def test_the_bulk_form_submitted_twice_acts_once(client, a):
    dossier = receive(a)
    client.force_login(a.officer)
    html = client.get(url("mine")).content.decode()
    box = f'value="{dossier.pk}:{dossier.revision}"'
    assert box in html  # the checkbox carries the revision the list showed
    form = {"action": "forward", "dossiers": checked(dossier), "next": url("mine")}
    client.post(url("bulk"), form)
    client.post(url("bulk"), form)  # a double click, or the browser's "resend"
    dossier.refresh_from_db()
    assert dossier.current_step == a.steps[1]
    assert dossier.events.filter(action=Action.FORWARD).count() == 1
    texts = messages_of(client.get(url("mine")))
    assert any(dossier.code in m and "not changed" in m and "Someone else acted" in m for m in texts), texts


def test_a_tampered_bulk_form_changes_nothing(client, a):
    dossier = receive(a)
    client.force_login(a.officer)
    client.post(url("bulk"), {"action": "forward", "dossiers": [str(dossier.pk)], "next": url("mine")})
    dossier.refresh_from_db()
    assert dossier.current_step == a.steps[0]
    assert any("out of date" in m for m in messages_of(client.get(url("mine"))))


def test_inbox_shows_the_bulk_bar(client, a):
    client.force_login(a.officer)
    html = client.get(url("mine")).content.decode()
    assert 'id="dossier-bulk-form"' in html and url("bulk") in html


def test_dashboard_panel_shows_the_officials_counts(client, a):
    with freeze_time(NOW):
        receive(a)
        receive(a)
        submit_online(a)
    client.force_login(a.officer)
    with freeze_time("2026-03-03 09:00:00+07:00"):
        response = client.get(reverse("wagtailadmin_home"))
    html = response.content.decode()
    assert response.status_code == 200 and 'id="dossier-counts"' in html
    assert f"{url('mine')}?holder=me" in html and f"{url('mine')}?warning=overdue" in html
    panel = re.search(r'<ul class="dossier-counts" id="dossier-counts">(.*?)</ul>', html, re.S).group(1)
    counts = re.findall(r"<strong>(\d+)</strong>", panel)
    # held by me, waiting for reception, overdue, due soon (the two received and the online one: < 1 day left)
    assert counts[:4] == ["2", "1", "0", "3"]


# --- process designer -------------------------------------------------------------------------------------

PROCESS_URL = "wagtailsnippets_workflow_process"


def purl(name, *args):
    return reverse(f"{PROCESS_URL}:{name}", args=args)


@pytest.fixture
def designer(a):
    return staff(a.agency, "quantri.a", "Quản trị đơn vị", group=unit_admin_group())


def step_data(index, name, kind, hours, officials=()):
    return {
        f"steps-{index}-name": name,
        f"steps-{index}-position": "",
        f"steps-{index}-kind": kind,
        f"steps-{index}-allowance_hours": hours,
        f"steps-{index}-agency": "",
        f"steps-{index}-officials": list(officials),
        f"steps-{index}-ORDER": str(index + 1),
        f"steps-{index}-DELETE": "",
        f"steps-{index}-id": "",
    }


def test_create_a_process_with_steps_in_the_admin(client, a, designer):
    procedure = ProcedureFactory(agencies=[a.agency], processing_time=Decimal("1"), processing_time_unit=TimeUnit.DAY)
    client.force_login(designer)
    assert client.get(purl("add")).status_code == 200
    data = {
        "name": "Quy trình cấp phép",
        "procedure": procedure.pk,
        "agency": a.agency.pk,
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "1000",
    }
    data.update(step_data(0, "Tiếp nhận", StepKind.RECEPTION, "1", [a.officer.pk]))
    data.update(step_data(1, "Thẩm định", StepKind.PROCESSING, "5", [a.specialist.pk, a.specialist2.pk]))
    data.update(step_data(2, "Trả kết quả", StepKind.RESULT, "1"))
    response = client.post(purl("add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    process = Process.objects.get(name="Quy trình cấp phép")
    assert (process.status, process.version, process.agency) == (ProcessStatus.DRAFT, 1, a.agency)
    steps = list(process.steps.all())
    assert [(s.sort_order, s.name) for s in steps] == [(0, "Tiếp nhận"), (1, "Thẩm định"), (2, "Trả kết quả")]
    assert set(steps[1].officials.all()) == {a.specialist, a.specialist2}
    # 7 hours of steps for an 8-hour procedure: warned after saving and on the inspect screen
    page = client.get(response["Location"])
    assert any("add up to 7" in m for m in messages_of(page))
    inspect = client.get(purl("inspect", process.pk)).content.decode()
    assert "add up to 7 working hours" in inspect and "processing time is 8 working hours" in inspect
    edit = client.get(purl("edit", process.pk)).content.decode()
    assert "add up to 7 working hours" in edit


def test_officials_offered_for_a_step_are_officials_of_the_unit(client, a, b, designer, django_user_model):
    django_user_model.objects.create_user("khong-phai-can-bo")
    client.force_login(designer)
    html = client.get(purl("add")).content.decode()
    assert "motcua.a" in html or a.officer.get_full_name() in html
    assert b.officer.get_full_name() not in html and "khong-phai-can-bo" not in html


def test_publish_freezes_and_new_draft_version_copies_steps(client, a, designer):
    draft = Process.objects.create(procedure=a.procedure, agency=a.agency, name="Quy trình mới", version=2)
    for index, (name, kind, hours) in enumerate(
        [("Tiếp nhận", StepKind.RECEPTION, "2"), ("Giải quyết", StepKind.APPROVAL, "4"), ("Trả", StepKind.RESULT, "2")]
    ):
        step = ProcessStep.objects.create(
            process=draft, sort_order=index, name=name, kind=kind, allowance_hours=Decimal(hours)
        )
        hold(step, a.officer)
    old = Process.objects.create(
        procedure=a.procedure, agency=a.agency, name="Cũ", version=1, status=ProcessStatus.PUBLISHED
    )
    client.force_login(designer)
    inspect = client.get(purl("inspect", draft.pk)).content.decode()
    assert "Publish this version" in inspect and "add up to" not in inspect
    response = client.post(purl("publish", draft.pk))
    assert response.status_code == 302
    draft.refresh_from_db()
    old.refresh_from_db()
    assert (draft.status, old.status) == (ProcessStatus.PUBLISHED, ProcessStatus.RETIRED)

    # frozen: the edit screen refuses, with a message, and offers the new draft version
    response = client.get(purl("edit", draft.pk))
    assert response.status_code == 302 and response["Location"] == purl("inspect", draft.pk)
    page = client.get(response["Location"])
    assert any("frozen" in m for m in messages_of(page)) and "Create a new draft version" in page.content.decode()
    response = client.post(purl("edit", draft.pk), {"name": "Đổi tên"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Quy trình mới"
    assert client.post(purl("publish", draft.pk)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == ProcessStatus.PUBLISHED

    response = client.post(purl("new_version", draft.pk))
    assert response.status_code == 302
    copy = Process.objects.get(status=ProcessStatus.DRAFT)
    assert response["Location"] == purl("edit", copy.pk)
    assert (copy.version, copy.procedure, copy.agency) == (3, a.procedure, a.agency)
    assert [(s.name, s.allowance_hours, list(s.officials.all())) for s in copy.steps.all()] == [
        (s.name, s.allowance_hours, list(s.officials.all())) for s in draft.steps.all()
    ]
    assert client.get(purl("edit", copy.pk)).status_code == 200


def test_three_stage_short_process(client, a, designer):
    procedure = ProcedureFactory(agencies=[a.agency], processing_time=Decimal("4"), processing_time_unit=TimeUnit.HOUR)
    client.force_login(designer)
    assert purl("short") in client.get(purl("list")).content.decode()
    assert client.get(purl("short")).status_code == 200
    response = client.post(
        purl("short"), {"procedure": procedure.pk, "agency": a.agency.pk, "resolution_officials": [a.leader.pk]}
    )
    assert response.status_code == 302
    process = Process.objects.get(procedure=procedure)
    assert process.is_short and process.status == ProcessStatus.DRAFT
    steps = list(process.steps.all())
    assert [s.kind for s in steps] == [StepKind.RECEPTION, StepKind.APPROVAL, StepKind.RESULT]
    assert sum(s.allowance_minutes for s in steps) == procedure.processing_minutes == 240
    assert list(steps[1].officials.all()) == [a.leader]
    assert not process_services.process_allowance_mismatch(process)


def test_unit_admin_sees_only_their_units_processes(client, a, b, designer):
    other_admin = staff(b.agency, "quantri.b", "Quản trị đơn vị", group=unit_admin_group())
    client.force_login(other_admin)
    html = client.get(purl("list")).content.decode()
    assert b.process.name in html and a.process.name not in html
    assert client.get(purl("inspect", a.process.pk)).status_code == 404
    assert client.get(purl("edit", a.process.pk)).status_code == 404
    assert client.post(purl("publish", a.process.pk)).status_code == 404
    assert client.post(purl("new_version", a.process.pk)).status_code == 404
    # nor create one for A's procedure
    response = client.post(purl("short"), {"procedure": a.procedure.pk, "agency": a.agency.pk})
    assert response.status_code == 400 and not Process.objects.filter(is_short=True).exists()


def draft_with_steps(a, steps, agency="own"):
    process = Process.objects.create(
        procedure=a.procedure, agency=a.agency if agency == "own" else agency, name="Quy trình nháp", version=5
    )
    created = []
    for index, (name, kind, hours) in enumerate(steps):
        created.append(
            ProcessStep.objects.create(
                process=process, sort_order=index, name=name, kind=kind, allowance_hours=Decimal(hours)
            )
        )
    return process, created


def edit_data(process, rows):
    """The edit form's POST: ``rows`` = (step or None, name, kind, hours, officials, order, agency)."""
    data = {
        "name": process.name,
        "procedure": process.procedure_id,
        "agency": process.agency_id or "",
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": str(sum(1 for r in rows if r[0])),
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for index, (step, name, kind, hours, officials, order, agency) in enumerate(rows):
        data.update(step_data(index, name, kind, hours, officials))
        data[f"steps-{index}-id"] = step.pk if step else ""
        data[f"steps-{index}-ORDER"] = str(order)
        data[f"steps-{index}-agency"] = agency.pk if agency else ""
    return data


def test_edit_a_draft_reorders_steps_and_changes_who_holds_them(client, a, designer):
    process, (first, second, third) = draft_with_steps(
        a,
        [
            ("Tiếp nhận", StepKind.RECEPTION, "1"),
            ("Phê duyệt", StepKind.APPROVAL, "2"),
            ("Thẩm định", StepKind.PROCESSING, "5"),
        ],
    )
    client.force_login(designer)
    response = client.post(
        purl("edit", process.pk),
        edit_data(
            process,
            [
                (first, "Tiếp nhận", StepKind.RECEPTION, "1", [a.officer.pk], 1, None),
                (second, "Phê duyệt", StepKind.APPROVAL, "1", [a.leader.pk], 3, None),
                (third, "Thẩm định", StepKind.PROCESSING, "5", [a.specialist.pk, a.specialist2.pk], 2, None),
                (None, "Trả kết quả", StepKind.RESULT, "1", [], 4, None),
            ],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    steps = list(ProcessStep.objects.filter(process=process).order_by("sort_order"))
    assert [(s.sort_order, s.name) for s in steps] == [
        (0, "Tiếp nhận"),
        (1, "Thẩm định"),
        (2, "Phê duyệt"),
        (3, "Trả kết quả"),
    ]
    assert [set(s.officials.all()) for s in steps] == [{a.officer}, {a.specialist, a.specialist2}, {a.leader}, set()]
    # 1 + 5 + 1 + 1 = 8 working hours = the procedure's one day: no warning any more
    page = client.get(response["Location"])
    assert not any("add up to" in m for m in messages_of(page))
    assert "add up to" not in client.get(purl("inspect", process.pk)).content.decode()


def test_step_holders_and_hand_off_agency_are_checked(client, a, b, designer):
    process, (first, second) = draft_with_steps(
        a, [("Tiếp nhận", StepKind.RECEPTION, "4"), ("Thẩm định", StepKind.PROCESSING, "4")]
    )
    client.force_login(designer)

    def post(rows):
        response = client.post(purl("edit", process.pk), edit_data(process, rows))
        return response, response.content.decode()

    # a hand-off step without its agency, and another agency on a plain processing step
    response, html = post(
        [
            (first, "Tiếp nhận", StepKind.RECEPTION, "4", [], 1, b.agency),
            (second, "Liên thông", StepKind.HANDOFF, "4", [], 2, None),
        ]
    )
    assert response.status_code == 200
    assert "needs the agency that handles it" in html and "Only an inter-agency hand-off step" in html
    # a hand-off to the process's own agency, and own-unit officials holding another agency's step
    response, html = post(
        [
            (first, "Tiếp nhận", StepKind.RECEPTION, "4", [], 1, None),
            (second, "Liên thông", StepKind.HANDOFF, "4", [a.specialist.pk], 2, b.agency),
        ]
    )
    assert response.status_code == 200 and "Only officials of Sở Tư pháp can hold this step" in html
    response, html = post(
        [
            (first, "Tiếp nhận", StepKind.RECEPTION, "4", [], 1, None),
            (second, "Liên thông", StepKind.HANDOFF, "4", [], 2, a.agency),
        ]
    )
    assert response.status_code == 200 and "A hand-off goes to another agency" in html
    process.refresh_from_db()
    second.refresh_from_db()
    assert (second.kind, second.agency, list(second.officials.all())) == (StepKind.PROCESSING, None, [])
    # a correct hand-off: saved
    response, html = post(
        [
            (first, "Tiếp nhận", StepKind.RECEPTION, "4", [a.officer.pk], 1, None),
            (second, "Liên thông", StepKind.HANDOFF, "4", [], 2, b.agency),
        ]
    )
    assert response.status_code == 302, html[:2000]
    second.refresh_from_db()
    assert (second.kind, second.agency) == (StepKind.HANDOFF, b.agency)


def test_unit_admin_may_look_at_but_not_change_the_shared_default_process(client, a, designer):
    shared, _steps = draft_with_steps(a, [("Tiếp nhận", StepKind.RECEPTION, "8")], agency=None)
    default = a.process  # published, procedure-wide (no agency)
    client.force_login(designer)
    inspect = client.get(purl("inspect", shared.pk))
    assert inspect.status_code == 200
    html = inspect.content.decode()
    assert "changed by supervisors only" in html and "Publish this version" not in html
    assert "Create a new draft version" not in client.get(purl("inspect", default.pk)).content.decode()
    response = client.get(purl("edit", shared.pk))
    assert response.status_code == 302 and response["Location"] == purl("inspect", shared.pk)
    assert any("only supervisors" in m for m in messages_of(client.get(response["Location"])))
    assert client.post(purl("publish", shared.pk)).status_code == 302
    assert client.post(purl("new_version", default.pk)).status_code == 302
    shared.refresh_from_db()
    assert shared.status == ProcessStatus.DRAFT
    assert Process.objects.filter(procedure=a.procedure).count() == 2
    response = client.post(purl("delete", shared.pk))
    assert Process.objects.filter(pk=shared.pk).exists()


@freeze_time(NOW)
def test_cash_at_the_counter_is_recorded_as_a_payment_with_its_e_receipt(client, a):
    from workflow.models import Payment, PaymentStatus

    dossier = receive(a)
    dossier = services.dossier_request_payment(actor=a.officer, dossier_id=dossier.pk, amount=150000)
    client.force_login(a.officer)
    response = post_action(client, dossier, "confirm_payment", {"method": "cash", "reference": "Quầy số 3"})
    assert response.status_code == 302
    payment = Payment.objects.get(dossier=dossier)
    assert (payment.provider, payment.amount, payment.status) == ("counter", 150000, PaymentStatus.PAID)
    assert payment.receipt_number == f"{NOW[:4]}-000001" and payment.provider_reference == "cash:Quầy số 3"
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.events.get(action="confirm_payment").comment == payment.reference
    html = client.get(url("detail", dossier.pk)).content.decode()
    assert payment.receipt_number in html and "150.000 đ" in html  # the payment on the dossier's screen


@freeze_time(NOW)
def test_a_refused_confirmation_records_no_payment(client, a, b):
    from workflow.models import Payment

    dossier = receive(a)
    dossier = services.dossier_request_payment(actor=a.officer, dossier_id=dossier.pk, amount=150000)
    client.force_login(b.officer)  # another unit
    response = post_action(client, dossier, "confirm_payment", {"method": "card"})
    assert response.status_code in (403, 404)
    assert not Payment.objects.exists()
    client.force_login(a.officer)
    post_action(client, dossier, "confirm_payment", {"method": "other", "reference": "UNC 123"})
    assert not Payment.objects.exists()  # paid elsewhere: confirmed with its proof, no e-receipt here
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
