"""Reception cycles, the facts reports count, with worked dates (DESIGN §5.5, §8; QT 18.2, 19.2, 19.3; QN 13.2a).

The unit's procedure takes 1 working day (480 working minutes); sessions 07:30–11:30 and 13:00–17:00.
"""

import pytest

from tests.workflow.dossiers.test_services import _to_decision, doc, receive, slip, t, unit  # noqa: F401
from workflow.dossiers import cycles, services
from workflow.dossiers.services import Applicant
from workflow.errors import InvalidState
from workflow.models import CycleEnding, Dossier, ReceptionCycle, Timeliness

pytestmark = pytest.mark.django_db


def record_result(unit, d, at):
    return services.dossier_record_result(
        actor=unit.leader, dossier_id=d.pk, signer="Hoàng Văn Lãnh", files=[doc("giay-phep.pdf")], at=at
    )


def facts(d):
    return list(ReceptionCycle.objects.filter(dossier=d).order_by("number"))


def submit_online(unit, at):
    return services.dossier_submit_online(
        applicant_user=None,
        procedure=unit.procedure,
        agency=unit.agency,
        applicant=Applicant(name="Lê Văn Cường"),
        at=at,
    )


# --- QT 18.2: working minutes and effective moments -------------------------------------------------------------


@pytest.mark.parametrize(
    "recorded, expected",
    [
        ("2026-03-03 11:30", Timeliness.ON_TIME),  # the due minute
        ("2026-03-03 12:15", Timeliness.ON_TIME),  # lunch: 0 working minutes past 11:30
        ("2026-03-03 13:00", Timeliness.ON_TIME),  # the next session's start is the same working moment
        ("2026-03-03 13:01", Timeliness.LATE),  # one working minute over
    ],
)
def test_a_result_compares_working_minutes_with_the_due_time(unit, recorded, expected):
    # Received Monday 2026-03-02 11:30 -> clock from 13:00; 240 min to 17:00 + 240 on Tuesday -> due Tue 11:30.
    d = receive(unit, t("2026-03-02 11:30"))
    assert d.due_at == t("2026-03-03 11:30")
    d = _to_decision(unit, d, t("2026-03-02 14:00"))
    d = record_result(unit, d, t(recorded))
    assert d.timeliness == expected
    (cycle,) = facts(d)
    assert (cycle.ending, cycle.timeliness) == (CycleEnding.RESULT, expected)


def test_a_result_recorded_on_saturday_counts_at_monday_0730_in_the_next_month(unit):
    # Received Friday 2026-02-27 08:00 -> due Monday 2026-03-02 08:00. The result, recorded on Saturday 28/2
    # 10:00, takes effect on Monday 2/3 07:30 (QT 18.2): before the due time, and in March's figures.
    d = receive(unit, t("2026-02-27 08:00"))
    assert d.due_at == t("2026-03-02 08:00")
    d = _to_decision(unit, d, t("2026-02-27 09:00"))
    d = record_result(unit, d, t("2026-02-28 10:00"))
    event = d.events.get(action="record_result")
    assert event.at == t("2026-02-28 10:00")  # the real moment is kept
    assert event.effective_at == t("2026-03-02 07:30")
    (cycle,) = facts(d)
    assert cycle.ended_at == t("2026-03-02 07:30")
    # early = on a day before the due day: Monday is the due day -> on time
    assert cycle.timeliness == Timeliness.ON_TIME == d.timeliness


# --- QT 19.3b: a supplement after the due time ------------------------------------------------------------------


def test_a_supplement_between_the_due_time_and_the_appointment_needs_an_apology_and_is_late(unit):
    # Received Monday 2026-03-02 09:00 -> due Tuesday 09:00, appointment Tuesday 13:00 (QT 18.3).
    d = receive(unit, t("2026-03-02 09:00"))
    assert (d.due_at, d.appointment_at) == (t("2026-03-03 09:00"), t("2026-03-03 13:00"))
    # Tuesday 10:00 is past the due time, though before the appointment: an apology first.
    with pytest.raises(InvalidState):
        services.dossier_request_supplement(
            actor=unit.officer, dossier_id=d.pk, comment="Thiếu", files=[slip()], at=t("2026-03-03 10:00")
        )
    d = services.dossier_apologize(
        actor=unit.officer,
        dossier_id=d.pk,
        new_appointment=t("2026-03-06 07:30"),
        reason="Cần bổ sung bản vẽ",
        files=[slip("xin-loi.pdf")],
        at=t("2026-03-03 10:05"),
    )
    d = services.dossier_request_supplement(
        actor=unit.officer, dossier_id=d.pk, comment="Thiếu", files=[slip()], at=t("2026-03-03 10:10")
    )
    (cycle,) = facts(d)
    # The return for supplement is a returned result (QT 19.2), and late (QT 19.3b).
    assert (cycle.ending, cycle.timeliness, cycle.ended_at) == (
        CycleEnding.SUPPLEMENT,
        Timeliness.LATE,
        t("2026-03-03 10:10"),
    )
    assert cycle.overdue_since == t("2026-03-03 09:01")


def test_a_supplement_before_the_due_time_is_an_on_time_return_and_the_resubmission_a_new_cycle(unit):
    d = receive(unit, t("2026-03-02 09:00"))  # due Tuesday 09:00
    d = services.dossier_request_supplement(
        actor=unit.officer, dossier_id=d.pk, comment="Thiếu", files=[slip()], at=t("2026-03-03 08:30")
    )
    # Resubmitted Thursday 14:00 -> a new reception: due Friday 14:00.
    d = services.dossier_resubmit(
        actor=unit.officer, dossier_id=d.pk, files=[doc("ban-ve.pdf")], at=t("2026-03-05 14:00")
    )
    first, second = facts(d)
    assert (first.ending, first.timeliness, first.supplement_number) == (CycleEnding.SUPPLEMENT, Timeliness.ON_TIME, 1)
    assert (second.entered_at, second.due_at, second.ended_at) == (t("2026-03-05 14:00"), t("2026-03-06 14:00"), None)
    assert d.timeliness == ""  # a new reception: nothing returned in this cycle yet


# --- QT 19.2: refusals, stops and withdrawals -------------------------------------------------------------------


def test_an_online_dossier_refused_before_reception_is_never_late(unit):
    # Submitted Monday 2026-03-02 08:00: to be received by Monday 16:00 (8 working hours, QN 13.2a).
    d = submit_online(unit, t("2026-03-02 08:00"))
    d = services.dossier_refuse_reception(
        actor=unit.officer, dossier_id=d.pk, reason="Sai thẩm quyền", files=[slip()], at=t("2026-03-03 09:00")
    )
    (cycle,) = facts(d)
    assert (cycle.ending, cycle.timeliness) == (CycleEnding.NOT_ACCEPTED, "")
    assert cycle.reception_late is True  # answered Tuesday 09:00, past Monday 16:00
    assert Dossier.objects.get(pk=d.pk).timeliness == ""


def test_an_online_dossier_received_within_8_working_hours_is_not_a_late_reception(unit):
    d = submit_online(unit, t("2026-03-06 16:00"))  # Friday 16:00 -> by Monday 16:00
    d = services.dossier_receive_online(actor=unit.officer, dossier_id=d.pk, at=t("2026-03-09 16:00"))
    assert facts(d)[0].reception_late is False
    late = submit_online(unit, t("2026-03-06 16:00"))
    late = services.dossier_receive_online(actor=unit.officer, dossier_id=late.pk, at=t("2026-03-09 16:01"))
    assert facts(late)[0].reception_late is True


def test_a_dossier_stopped_while_waiting_for_a_supplement_keeps_the_supplements_return(unit):
    d = receive(unit, t("2026-03-02 09:00"))  # due Tuesday 09:00
    d = services.dossier_request_supplement(
        actor=unit.officer, dossier_id=d.pk, comment="Thiếu", files=[slip()], at=t("2026-03-02 10:00")
    )
    # Returned on Monday, a day before the due day: early. Stopped three weeks later, long after the stale due
    # time: not a second result, and not late.
    d = services.dossier_stop(actor=unit.officer, dossier_id=d.pk, reason="Quá hạn bổ sung", at=t("2026-03-23 09:00"))
    (cycle,) = facts(d)
    assert (cycle.ending, cycle.timeliness) == (CycleEnding.SUPPLEMENT, Timeliness.EARLY)
    assert d.timeliness == Timeliness.EARLY


def test_a_withdrawal_after_the_applicants_request_is_counted_apart_not_late(unit):
    d = receive(unit, t("2026-03-02 09:00"))  # due Tuesday 09:00
    d = services.dossier_withdraw(
        actor=unit.officer, dossier_id=d.pk, files=[doc("don-rut.pdf")], at=t("2026-03-10 09:00")
    )
    (cycle,) = facts(d)
    assert (cycle.ending, cycle.timeliness) == (CycleEnding.WITHDRAWN, "")
    assert d.timeliness == ""


# --- history: later actions never change what the facts say about the past --------------------------------------


def test_an_apology_after_the_month_end_does_not_make_the_month_overdue(unit):
    # Received Tuesday 2026-03-31 08:00 -> due Wednesday 1/4 08:00: within time at the end of March.
    d = receive(unit, t("2026-03-31 08:00"))
    d = services.dossier_apologize(
        actor=unit.officer,
        dossier_id=d.pk,
        new_appointment=t("2026-04-10 07:30"),
        reason="Chậm",
        files=[slip()],
        at=t("2026-04-01 07:45"),
    )
    (cycle,) = facts(d)
    assert cycle.overdue_since == t("2026-04-01 07:45")  # the apology, before the due minute 08:01
    assert cycle.overdue_since > t("2026-04-01 00:00")


def test_a_payment_pause_before_the_due_time_keeps_the_dossier_within_time_until_it_resumes(unit):
    # Received Monday 2026-03-02 08:00 (due Tuesday 08:00); payment asked Monday 10:00 (360 min left).
    d = receive(unit, t("2026-03-02 08:00"))
    d = services.dossier_request_payment(actor=unit.officer, dossier_id=d.pk, amount=150000, at=t("2026-03-02 10:00"))
    (cycle,) = facts(d)
    assert cycle.overdue_since is None  # its clock stopped before the due time
    assert [(p.started_at, p.ended_at) for p in cycle.pauses.all()] == [(t("2026-03-02 10:00"), None)]
    # Paid Wednesday 13:00 -> due Thursday 09:30; overdue from 09:31.
    d = services.dossier_confirm_payment(
        actor=unit.officer, dossier_id=d.pk, reference="VNPAY-1", at=t("2026-03-04 13:00")
    )
    (cycle,) = facts(d)
    assert (cycle.due_at, cycle.overdue_since) == (t("2026-03-05 09:30"), t("2026-03-05 09:31"))
    assert [(p.started_at, p.ended_at) for p in cycle.pauses.all()] == [(t("2026-03-02 10:00"), t("2026-03-04 13:00"))]


def test_rebuilding_the_facts_from_the_log_gives_the_same_rows(unit):
    a = receive(unit, t("2026-03-02 08:00"))
    a = services.dossier_request_supplement(
        actor=unit.officer, dossier_id=a.pk, comment="Thiếu", files=[slip()], at=t("2026-03-02 10:00")
    )
    a = services.dossier_resubmit(actor=unit.officer, dossier_id=a.pk, files=[doc()], at=t("2026-03-04 14:00"))
    a = _to_decision(unit, a, t("2026-03-04 15:00"))
    a = record_result(unit, a, t("2026-03-07 09:00"))
    b = receive(unit, t("2026-03-02 08:00"))
    services.dossier_request_payment(actor=unit.officer, dossier_id=b.pk, amount=1000, at=t("2026-03-02 09:00"))

    def rows():
        return [
            (c.dossier_id, c.number, c.entered_at, c.ended_at, c.ending, c.timeliness, c.due_at, c.overdue_since)
            + (c.used_minutes, tuple((p.started_at, p.ended_at) for p in c.pauses.all()))
            for c in ReceptionCycle.objects.order_by("dossier_id", "number").prefetch_related("pauses")
        ]

    before = rows()
    ReceptionCycle.objects.all().delete()
    assert cycles.rebuild() == 2
    assert rows() == before
    # the second cycle was due Thursday 14:00; its result, recorded on Saturday, counts Monday 07:30: late
    assert len(before) == 3 and before[1][5] == Timeliness.LATE


def test_the_facts_command_finds_no_difference_and_rebuilds(unit):
    from io import StringIO

    from django.core.management import call_command

    d = receive(unit, t("2026-03-02 08:00"))
    d = services.dossier_request_payment(actor=unit.officer, dossier_id=d.pk, amount=1000, at=t("2026-03-02 09:00"))
    out = StringIO()
    call_command("report_facts", stdout=out)
    assert "1 dossiers, 0 whose facts differ" in out.getvalue()
    ReceptionCycle.objects.filter(dossier=d).update(due_at=t("2026-03-10 08:00"))  # written around the services
    out = StringIO()
    call_command("report_facts", stdout=out)
    assert "1 dossiers, 1 whose facts differ" in out.getvalue()
    call_command("report_facts", "--rebuild", stdout=StringIO())
    assert facts(d)[0].due_at == t("2026-03-03 08:00")


def test_a_past_month_keeps_its_figures_after_later_actions_and_a_rebuild(unit):
    from workflow import reports

    april = reports.Period.month(2026, 4)
    now = t("2026-06-01 08:00")
    # Received Wednesday 22/4 08:00 (due Thursday 23/4 08:00); supplement asked Wednesday 22/4 10:00.
    d = receive(unit, t("2026-04-22 08:00"))
    d = services.dossier_request_supplement(
        actor=unit.officer, dossier_id=d.pk, comment="Thiếu", files=[slip()], at=t("2026-04-22 10:00")
    )
    # An open one, due Monday 4/5 (30/4 and 1/5 are holidays): within time at April's end.
    e = receive(unit, t("2026-04-29 10:00"))
    before = reports.report(period=april, group_by=None, now=now).total.counts
    assert (before["received"], before["new"], before["resolved"], before["early"], before["supplement_returned"]) == (
        2,
        2,
        1,
        1,
        1,
    )
    assert (before["in_progress"], before["within_time"], before["overdue"]) == (1, 1, 0)
    # May: the dossier is resubmitted (a new reception, counted in May) and resolved; the open one gets an
    # apology and a result — none of it changes April.
    d = services.dossier_resubmit(actor=unit.officer, dossier_id=d.pk, files=[doc()], at=t("2026-05-06 08:00"))
    d = _to_decision(unit, d, t("2026-05-06 09:00"))
    record_result(unit, d, t("2026-05-06 10:00"))
    services.dossier_apologize(
        actor=unit.officer,
        dossier_id=e.pk,
        new_appointment=t("2026-05-20 07:30"),
        reason="Chậm",
        files=[slip()],
        at=t("2026-05-04 08:00"),
    )
    assert reports.report(period=april, group_by=None, now=now).total.counts == before
    may = reports.report(period=reports.Period.month(2026, 5), group_by=None, now=now).total.counts
    assert (may["received"], may["carried_over"], may["new"], may["resolved"]) == (2, 1, 1, 1)
    assert (may["in_progress"], may["overdue"]) == (1, 1)  # the apology made it overdue in May
    ReceptionCycle.objects.all().delete()
    cycles.rebuild()
    assert reports.report(period=april, group_by=None, now=now).total.counts == before
