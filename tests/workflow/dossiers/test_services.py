"""Dossier actions with worked dates (QT 14-22). Every expected time is computed by hand in the comments."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.base import ContentFile

from catalog.models import TimeUnit
from tests.factories import AgencyFactory, ProcedureFactory
from tests.factories.workflow import official, published_process
from tests.factories.world import build_unit, member
from workflow.dossiers import services
from workflow.dossiers.services import Applicant, Upload
from workflow.errors import ActionNotAllowed, ConcurrentChange, InvalidInput, InvalidState, SlipRequired
from workflow.models import (
    Action,
    DocumentKind,
    Dossier,
    DossierEvent,
    ImmutableRecordError,
    Notification,
    Status,
    StepKind,
    StepRun,
    Timeliness,
)
from workflow.notifications.sms import LocmemSmsBackend

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def t(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


def slip(name="phieu.pdf"):
    return Upload(name, ContentFile(b"%PDF-1.4 slip", name=name), DocumentKind.SLIP)


def doc(name="to-khai.pdf", kind=DocumentKind.SUBMITTED):
    return Upload(name, ContentFile(b"%PDF-1.4 doc", name=name), kind)


@pytest.fixture
def unit():
    """Sở Xây dựng with a 1-working-day procedure (reception 1h, review 5h, approval 1h, return 1h)."""
    return build_unit(
        "000.00.15.H99",
        "Sở Xây dựng",
        procedure={
            "processing_time": Decimal("1"),
            "processing_time_unit": TimeUnit.DAY,
            "postal_return": True,
        },
        officials={
            "officer": member(username="motcua", position="Cán bộ một cửa"),
            "specialist": member(username="chuyenvien"),
            "leader": member(username="lanhdao", position="Lãnh đạo"),
        },
    )


def receive(unit, at, **kwargs):
    return services.dossier_receive_at_counter(
        actor=unit.officer,
        procedure=unit.procedure,
        agency=unit.agency,
        applicant=Applicant(
            name="Trần Thị Bình",
            id_number="001190012345",
            phone="0912345678",
            email="binh@example.com",
            address="Số 5 Lê Lợi",
        ),
        files=[doc()],
        at=at,
        **kwargs,
    )


# --- reception, codes, due and appointment ---------------------------------------------------


def test_counter_reception_friday_afternoon(unit):
    # Friday 2026-01-02 16:00 + 1 working day: 60 min left Friday, 420 min on Monday from 07:30
    # -> due Monday 16:00; appointment = start of the next session -> Tuesday 07:30 (QT 18.3).
    dossier = receive(unit, t("2026-01-02 16:00"))
    assert dossier.code == "000.00.15.H99-260102-0001"
    assert dossier.status == Status.RECEIVED
    assert dossier.clock_started_at == t("2026-01-02 16:00")
    assert dossier.due_at == t("2026-01-05 16:00")
    assert dossier.appointment_at == t("2026-01-06 07:30")
    assert dossier.current_step == unit.steps[0] and dossier.current_holder == unit.officer
    event = dossier.events.get()
    assert (event.action, event.actor, event.to_status) == (Action.RECEIVE, unit.officer, Status.RECEIVED)
    assert event.documents.count() == 1


def test_reception_at_noon_starts_the_clock_at_13h(unit):
    dossier = receive(unit, t("2026-03-03 12:10"))
    assert dossier.clock_started_at == t("2026-03-03 13:00")
    # 240 min until 17:00, 240 more from 07:30 -> Wednesday 11:30; due at a session end -> 13:00 the same day.
    assert dossier.due_at == t("2026-03-04 11:30")
    assert dossier.appointment_at == t("2026-03-04 13:00")


def test_reception_on_saturday_counts_from_monday(unit):
    # Saturday 2026-01-03 10:00 -> clock Monday 07:30, due Monday 17:00, appointment Tuesday 07:30.
    dossier = receive(unit, t("2026-01-03 10:00"))
    assert dossier.clock_started_at == t("2026-01-05 07:30")
    assert dossier.due_at == t("2026-01-05 17:00")
    assert dossier.appointment_at == t("2026-01-06 07:30")


def test_codes_follow_the_daily_sequence_per_agency(unit):
    codes = [receive(unit, t("2026-03-03 08:00")).code for _ in range(3)]
    assert codes == ["000.00.15.H99-260303-0001", "000.00.15.H99-260303-0002", "000.00.15.H99-260303-0003"]
    assert receive(unit, t("2026-03-04 08:00")).code == "000.00.15.H99-260304-0001"


def test_failed_reception_gives_its_number_back(unit):
    receive(unit, t("2026-03-03 08:00"))
    with pytest.raises(InvalidInput):
        receive(unit, t("2026-03-03 08:10"), delivery="post", delivery_address="")
    assert receive(unit, t("2026-03-03 08:20")).code.endswith("-0002")


def test_reception_notifies_by_email_and_sms_with_code_and_appointment(unit, django_capture_on_commit_callbacks):
    LocmemSmsBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dossier = receive(unit, t("2026-01-02 16:00"))
    assert len(mail.outbox) == 1
    assert dossier.code in mail.outbox[0].subject and "07:30 06/01/2026" in mail.outbox[0].subject
    assert LocmemSmsBackend.outbox and LocmemSmsBackend.outbox[0][0] == "0912345678"
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def test_notification_is_sent_once_even_if_the_task_runs_again(unit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        receive(unit, t("2026-01-02 16:00"))
    mail.outbox.clear()
    from workflow.notifications.outbox import deliver

    for notification in Notification.objects.all():
        assert deliver(notification.pk) is False
    assert mail.outbox == []


def test_online_submission_must_be_received_within_8_working_hours(unit):
    # Submitted Friday 2026-03-06 20:00 -> counts from Monday 07:30; 8 working hours -> Monday 17:00 (QN 13.2a).
    dossier = services.dossier_submit_online(
        applicant_user=None,
        procedure=unit.procedure,
        agency=unit.agency,
        applicant=Applicant(name="Lê Văn Cường", email="cuong@example.com"),
        at=t("2026-03-06 20:00"),
    )
    assert dossier.status == Status.NEW and dossier.code == "000.00.15.H99-260306-0001"
    assert dossier.reception_due_at == t("2026-03-09 17:00")
    received = services.dossier_receive_online(actor=unit.officer, dossier_id=dossier.pk, at=t("2026-03-09 08:00"))
    assert received.status == Status.RECEIVED
    assert received.due_at == t("2026-03-10 08:00")


# --- steps and time at each step ------------------------------------------------------------------


def test_forward_through_steps_records_time_used_per_step(unit):
    dossier = receive(unit, t("2026-03-02 08:00"))  # Monday
    dossier = services.dossier_forward(
        actor=unit.officer, dossier_id=dossier.pk, to_holder=unit.specialist, at=t("2026-03-02 09:00")
    )
    assert dossier.status == Status.PROCESSING and dossier.current_holder == unit.specialist
    forward = dossier.events.filter(action=Action.FORWARD).get()
    assert forward.step_used_minutes == 60 and forward.from_step == unit.steps[0]
    run = StepRun.objects.get(dossier=dossier, step=unit.steps[1])
    # 5 h from 09:00: 150 min to 11:30, 150 more from 13:00 -> 15:30.
    assert run.due_at == t("2026-03-02 15:30")


def test_forward_to_the_whole_group_then_a_member_picks_it_up(unit):
    colleague = official(unit.agency, "chuyenvien2")
    unit.steps[1].officials.add(colleague)
    unit.steps[1].officials.commit()
    dossier = receive(unit, t("2026-03-02 08:00"))
    dossier = services.dossier_forward(actor=unit.officer, dossier_id=dossier.pk, at=t("2026-03-02 09:00"))
    assert dossier.current_holder is None
    dossier = services.dossier_forward(
        actor=colleague, dossier_id=dossier.pk, to_holder=unit.leader, at=t("2026-03-02 10:00")
    )
    assert dossier.current_step == unit.steps[2]


def test_only_the_holder_may_act(unit):
    dossier = receive(unit, t("2026-03-02 08:00"))
    with pytest.raises(ActionNotAllowed):
        services.dossier_forward(actor=unit.specialist, dossier_id=dossier.pk, at=t("2026-03-02 09:00"))
    assert Dossier.objects.get(pk=dossier.pk).current_step == unit.steps[0]


def test_return_for_explanation_counts_for_the_step_that_sent_it(unit):
    # QT 20.1b: the specialist forwarded to the leader; the leader sends it back; time runs for the specialist.
    d = receive(unit, t("2026-03-02 08:00"))
    d = services.dossier_forward(
        actor=unit.officer, dossier_id=d.pk, to_holder=unit.specialist, at=t("2026-03-02 08:30")
    )
    d = services.dossier_forward(
        actor=unit.specialist, dossier_id=d.pk, to_holder=unit.leader, at=t("2026-03-02 10:30")
    )
    d = services.dossier_return_previous(
        actor=unit.leader, dossier_id=d.pk, comment="Giải trình diện tích", at=t("2026-03-02 11:00")
    )
    assert d.current_step == unit.steps[1] and d.current_holder == unit.specialist
    d = services.dossier_forward(
        actor=unit.specialist, dossier_id=d.pk, to_holder=unit.leader, at=t("2026-03-02 14:00")
    )
    review_runs = StepRun.objects.filter(dossier=d, step=unit.steps[1])
    # 08:30-10:30 (120) + 11:00-11:30 and 13:00-14:00 (90) = 210 min for the review step; the leader has 30.
    assert sum(r.used_minutes for r in review_runs) == 210
    assert StepRun.objects.get(dossier=d, step=unit.steps[2], departed_at__isnull=False).used_minutes == 30
    # The second stay at review was given only what was left of its 300 minutes: 300 - 120 = 180 from 11:00.
    second = review_runs.order_by("arrived_at")[1]
    assert second.due_at == t("2026-03-02 15:30")  # 30 min before noon + 150 after 13:00


def test_handover_to_a_colleague_of_the_same_unit_only(unit):
    colleague = official(unit.agency, "motcua2")
    unit.steps[0].officials.add(colleague)
    unit.steps[0].officials.commit()
    outsider = official(AgencyFactory(), "ngoai")
    d = receive(unit, t("2026-03-02 08:00"))
    with pytest.raises(InvalidInput):
        services.dossier_handover(actor=unit.officer, dossier_id=d.pk, colleague=outsider, at=t("2026-03-02 08:10"))
    # A colleague of the unit who is not in the step's group cannot take it either.
    with pytest.raises(InvalidInput):
        services.dossier_handover(actor=unit.officer, dossier_id=d.pk, colleague=unit.leader, at=t("2026-03-02 08:10"))
    d = services.dossier_handover(actor=unit.officer, dossier_id=d.pk, colleague=colleague, at=t("2026-03-02 08:10"))
    assert d.current_holder == colleague and d.current_step == unit.steps[0]


def test_step_overdue_flag(unit):
    d = receive(unit, t("2026-03-02 08:00"))
    d = services.dossier_forward(actor=unit.officer, dossier_id=d.pk, at=t("2026-03-02 10:00"))  # 120 > 60
    assert StepRun.objects.get(dossier=d, step=unit.steps[0]).overdue is True


# --- supplement, payment, apology ------------------------------------------------------------------


def test_supplement_requires_its_slip(unit):
    d = receive(unit, t("2026-03-02 08:00"))
    with pytest.raises(SlipRequired):
        services.dossier_request_supplement(
            actor=unit.officer, dossier_id=d.pk, comment="Thiếu bản vẽ", at=t("2026-03-02 09:00")
        )
    assert Dossier.objects.get(pk=d.pk).status == Status.RECEIVED


def test_supplement_pauses_and_resubmission_restarts_as_a_new_reception(unit):
    # Received Monday 2026-03-02 08:00 (due Tuesday 08:00). Supplement asked Monday 10:00.
    d = receive(unit, t("2026-03-02 08:00"))
    d = services.dossier_request_supplement(
        actor=unit.officer, dossier_id=d.pk, comment="Thiếu bản vẽ", files=[slip()], at=t("2026-03-02 10:00")
    )
    assert d.status == Status.SUPPLEMENT and d.clock_paused_at == t("2026-03-02 10:00")
    # Resubmitted Wednesday 14:00 -> counted from the beginning: due Thursday 14:00,
    # appointment = next session after the afternoon one -> Friday 07:30 (QT 19.3, 18.3).
    d = services.dossier_resubmit(
        actor=unit.officer, dossier_id=d.pk, files=[doc("ban-ve.pdf")], at=t("2026-03-04 14:00")
    )
    assert d.status == Status.PROCESSING
    assert d.clock_started_at == t("2026-03-04 14:00")
    assert d.due_at == t("2026-03-05 14:00")
    assert d.appointment_at == t("2026-03-06 07:30")
    assert d.current_holder == unit.officer and d.counts_as_late is False


def test_supplement_after_the_appointment_needs_an_apology_and_counts_late(unit):
    d = receive(unit, t("2026-03-02 08:00"))  # appointment Tuesday 2026-03-03 13:00 (due Tue 08:00)
    assert d.appointment_at == t("2026-03-03 13:00")
    with pytest.raises(InvalidState):
        services.dossier_request_supplement(
            actor=unit.officer, dossier_id=d.pk, comment="Thiếu", files=[slip()], at=t("2026-03-03 14:00")
        )
    d = services.dossier_apologize(
        actor=unit.officer,
        dossier_id=d.pk,
        new_appointment=t("2026-03-06 07:30"),
        reason="Cần xác minh thực địa",
        files=[slip("xin-loi.pdf")],
        at=t("2026-03-03 14:10"),
    )
    d = services.dossier_request_supplement(
        actor=unit.officer, dossier_id=d.pk, comment="Thiếu", files=[slip()], at=t("2026-03-03 14:20")
    )
    assert d.status == Status.SUPPLEMENT and d.counts_as_late is True


def test_apology_moves_the_appointment_and_the_result_counts_late(unit):
    d = receive(unit, t("2026-03-02 08:00"))
    with pytest.raises(SlipRequired):
        services.dossier_apologize(
            actor=unit.officer,
            dossier_id=d.pk,
            new_appointment=t("2026-03-06 07:30"),
            reason="Chậm",
            at=t("2026-03-02 09:00"),
        )
    d = services.dossier_apologize(
        actor=unit.officer,
        dossier_id=d.pk,
        new_appointment=t("2026-03-06 07:30"),
        reason="Chậm",
        files=[slip()],
        at=t("2026-03-02 09:00"),
    )
    assert d.appointment_at == t("2026-03-06 07:30") and d.counts_as_late
    d = _to_decision(unit, d, t("2026-03-02 09:30"))
    d = services.dossier_record_result(
        actor=unit.leader,
        dossier_id=d.pk,
        signer="Hoàng Văn Lãnh",
        files=[doc("giay-phep.pdf")],
        at=t("2026-03-02 10:00"),
    )
    assert d.timeliness == Timeliness.LATE  # before the due time, but rescheduled = late (QT 19.1)


def test_payment_request_pauses_the_clock_and_payment_resumes_it(unit):
    # Received Monday 08:00, due Tuesday 08:00. Payment asked Monday 10:00 (120 min used, 360 left).
    d = receive(unit, t("2026-03-02 08:00"))
    d = services.dossier_request_payment(actor=unit.officer, dossier_id=d.pk, amount=150000, at=t("2026-03-02 10:00"))
    assert d.status == Status.PAYMENT and d.clock_used_minutes == 120
    # Paid Wednesday 13:00 -> 360 min from 13:00 = 240 to 17:00 + 120 Thursday -> Thursday 09:30.
    d = services.dossier_confirm_payment(
        actor=unit.officer, dossier_id=d.pk, reference="VNPAY-123", at=t("2026-03-04 13:00")
    )
    assert d.status == Status.PROCESSING
    assert d.due_at == t("2026-03-05 09:30")


# --- results and endings -----------------------------------------------------------------------------


def _to_decision(unit, d, at):
    d = services.dossier_forward(actor=unit.officer, dossier_id=d.pk, to_holder=unit.specialist, at=at)
    return services.dossier_forward(actor=unit.specialist, dossier_id=d.pk, to_holder=unit.leader, at=at)


@pytest.mark.parametrize(
    "recorded, expected",
    [
        ("2026-03-02 16:00", Timeliness.EARLY),  # a day before the due day
        ("2026-03-03 08:00", Timeliness.ON_TIME),  # exactly at the due minute
        ("2026-03-03 07:45", Timeliness.ON_TIME),
        ("2026-03-03 08:01", Timeliness.LATE),
    ],
)
def test_result_timeliness_around_the_due_minute(unit, recorded, expected):
    d = receive(unit, t("2026-03-02 08:00"))  # due Tuesday 2026-03-03 08:00
    d = _to_decision(unit, d, t("2026-03-02 09:00"))
    d = services.dossier_record_result(
        actor=unit.leader, dossier_id=d.pk, signer="Hoàng Văn Lãnh", files=[doc("kq.pdf")], at=t(recorded)
    )
    assert d.status == Status.RESOLVED and d.timeliness == expected
    assert d.current_step.kind == StepKind.RESULT and d.current_holder is None


def test_result_cannot_be_recorded_before_the_decision_step(unit):
    d = receive(unit, t("2026-03-02 08:00"))
    with pytest.raises(InvalidState):
        services.dossier_record_result(
            actor=unit.officer, dossier_id=d.pk, signer="X", files=[doc()], at=t("2026-03-02 09:00")
        )


def test_return_result_by_post_needs_the_consignment_number(unit):
    d = receive(unit, t("2026-03-02 08:00"), delivery="post", delivery_address="Số 5 Lê Lợi")
    d = _to_decision(unit, d, t("2026-03-02 09:00"))
    d = services.dossier_record_result(
        actor=unit.leader, dossier_id=d.pk, signer="L", files=[doc()], at=t("2026-03-02 15:00")
    )
    with pytest.raises(InvalidInput):
        services.dossier_return_result(actor=unit.officer, dossier_id=d.pk, at=t("2026-03-02 16:00"))
    d = services.dossier_return_result(
        actor=unit.officer, dossier_id=d.pk, consignment_number="EB123456789VN", at=t("2026-03-02 16:00")
    )
    assert d.status == Status.RETURNED and d.returned_at == t("2026-03-02 16:00") and d.closed_at


def test_refuse_reception_needs_a_slip_and_counts_as_returned(unit):
    d = services.dossier_submit_online(
        applicant_user=None,
        procedure=unit.procedure,
        agency=unit.agency,
        applicant=Applicant(name="A"),
        at=t("2026-03-02 08:00"),
    )
    with pytest.raises(SlipRequired):
        services.dossier_refuse_reception(
            actor=unit.officer, dossier_id=d.pk, reason="Sai thẩm quyền", at=t("2026-03-02 09:00")
        )
    d = services.dossier_refuse_reception(
        actor=unit.officer, dossier_id=d.pk, reason="Sai thẩm quyền", files=[slip()], at=t("2026-03-02 09:00")
    )
    assert d.status == Status.NOT_ACCEPTED and d.returned_at == t("2026-03-02 09:00")


def test_stop_and_withdraw(unit):
    d1 = receive(unit, t("2026-03-02 08:00"))
    d1 = services.dossier_stop(
        actor=unit.officer, dossier_id=d1.pk, reason="Không đủ điều kiện", at=t("2026-03-02 09:00")
    )
    assert d1.status == Status.STOPPED and d1.returned_at == t("2026-03-02 09:00")
    assert d1.timeliness == Timeliness.EARLY
    d2 = receive(unit, t("2026-03-02 08:00"))
    with pytest.raises(InvalidInput):
        services.dossier_withdraw(actor=unit.officer, dossier_id=d2.pk, at=t("2026-03-02 09:00"))
    d2 = services.dossier_withdraw(
        actor=unit.officer, dossier_id=d2.pk, files=[doc("don-rut.pdf")], at=t("2026-03-02 09:00")
    )
    assert d2.status == Status.WITHDRAWAL and d2.closed_at


def test_actions_not_allowed_in_the_current_state_change_nothing(unit):
    d = receive(unit, t("2026-03-02 08:00"))
    d = services.dossier_stop(actor=unit.officer, dossier_id=d.pk, reason="x", at=t("2026-03-02 09:00"))
    before = DossierEvent.objects.count()
    with pytest.raises(InvalidState):
        services.dossier_forward(actor=unit.officer, dossier_id=d.pk, at=t("2026-03-02 10:00"))
    assert DossierEvent.objects.count() == before


# --- concurrency, scoping, immutability, bulk --------------------------------------------------------------


def test_a_stale_form_is_refused_and_nothing_is_half_written(unit):
    d = receive(unit, t("2026-03-02 08:00"))
    revision = d.revision
    services.dossier_forward(actor=unit.officer, dossier_id=d.pk, revision=revision, at=t("2026-03-02 09:00"))
    events = DossierEvent.objects.count()
    with pytest.raises(ConcurrentChange):
        services.dossier_handover(
            actor=unit.officer, dossier_id=d.pk, revision=revision, colleague=unit.specialist, at=t("2026-03-02 09:01")
        )
    assert DossierEvent.objects.count() == events


def test_official_of_another_unit_cannot_see_or_act(unit):
    other = official(AgencyFactory(), "donvikhac")
    d = receive(unit, t("2026-03-02 08:00"))
    assert not Dossier.objects.visible_to(other).filter(pk=d.pk).exists()
    assert Dossier.objects.visible_to(unit.specialist).filter(pk=d.pk).exists()
    with pytest.raises(ActionNotAllowed):
        services.dossier_stop(actor=other, dossier_id=d.pk, reason="x", at=t("2026-03-02 09:00"))
    with pytest.raises(ActionNotAllowed):
        services.dossier_receive_at_counter(
            actor=other,
            procedure=unit.procedure,
            agency=unit.agency,
            applicant=Applicant(name="X"),
            at=t("2026-03-02 08:00"),
        )


def test_events_cannot_be_edited_or_deleted(unit):
    d = receive(unit, t("2026-03-02 08:00"))
    event = d.events.get()
    event.comment = "sửa"
    with pytest.raises(ImmutableRecordError):
        event.save()
    with pytest.raises(ImmutableRecordError):
        event.delete()
    with pytest.raises(ImmutableRecordError):
        DossierEvent.objects.filter(pk=event.pk).update(comment="x")
    with pytest.raises(ImmutableRecordError):
        DossierEvent.objects.all().delete()


def test_bulk_forward_reports_each_failure_and_keeps_the_successes(unit):
    d1 = receive(unit, t("2026-03-02 08:00"))
    d2 = receive(unit, t("2026-03-02 08:00"))
    services.dossier_stop(actor=unit.officer, dossier_id=d2.pk, reason="x", at=t("2026-03-02 08:30"))
    outcome = services.dossiers_bulk(
        services.dossier_forward,
        actor=unit.officer,
        items=[(d.pk, d.revision) for d in Dossier.objects.filter(pk__in=[d1.pk, d2.pk])],
        at=t("2026-03-02 09:00"),
    )
    assert [d.pk for d in outcome.done] == [d1.pk]
    assert outcome.failed and outcome.failed[0][0] == d2.code


def test_inter_agency_time_is_split_per_agency(unit):
    # QT 20.2: a hand-off step at the tax department gets its own share of the time.
    tax = AgencyFactory(name="Chi cục Thuế")
    tax_officer = official(tax, "thue")
    procedure = ProcedureFactory(agencies=[unit.agency], processing_time=Decimal("2"))
    published_process(
        procedure,
        steps=[
            ("Tiếp nhận", StepKind.RECEPTION, "2"),
            ("Xác định nghĩa vụ thuế", StepKind.HANDOFF, "8", tax),
            ("Phê duyệt", StepKind.APPROVAL, "4"),
            ("Trả kết quả", StepKind.RESULT, "2"),
        ],
        officials={0: [unit.officer], 1: [tax_officer], 2: [unit.leader]},
    )
    d = services.dossier_receive_at_counter(
        actor=unit.officer,
        procedure=procedure,
        agency=unit.agency,
        applicant=Applicant(name="B"),
        at=t("2026-03-02 08:00"),
    )
    d = services.dossier_forward(actor=unit.officer, dossier_id=d.pk, at=t("2026-03-02 09:00"))
    assert Dossier.objects.visible_to(tax_officer).filter(pk=d.pk).exists()
    d = services.dossier_forward(actor=tax_officer, dossier_id=d.pk, to_holder=unit.leader, at=t("2026-03-03 09:00"))
    used = {agency.pk: minutes for agency, minutes in services.time_by_agency(d).items()}
    assert used[tax.pk] == 480  # Monday 09:00 -> Tuesday 09:00 = one working day
    assert used[unit.agency.pk] >= 60


def test_applicant_requests_withdrawal_online_then_an_official_closes_it(unit):
    from tests.factories.workflow import UserFactory

    citizen = UserFactory(username="congdan", is_staff=False)
    d = services.dossier_submit_online(
        applicant_user=citizen,
        procedure=unit.procedure,
        agency=unit.agency,
        applicant=Applicant(name="Công Dân"),
        at=t("2026-03-02 08:00"),
    )
    d = services.dossier_receive_online(actor=unit.officer, dossier_id=d.pk, at=t("2026-03-02 09:00"))
    with pytest.raises(ActionNotAllowed):
        services.dossier_request_withdrawal(
            actor=unit.specialist, dossier_id=d.pk, reason="x", at=t("2026-03-02 10:00")
        )
    d = services.dossier_request_withdrawal(
        actor=citizen, dossier_id=d.pk, reason="Nộp nhầm thủ tục", at=t("2026-03-02 10:00")
    )
    assert d.status == Status.WITHDRAWAL and d.closed_at is None and d.clock_paused_at == t("2026-03-02 10:00")
    d = services.dossier_withdraw(actor=unit.officer, dossier_id=d.pk, at=t("2026-03-02 11:00"))
    assert d.closed_at == t("2026-03-02 11:00") and d.returned_at == t("2026-03-02 11:00")
