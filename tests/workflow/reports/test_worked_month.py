"""May 2026 worked by hand: 17 dossiers through the services, every figure of the month written out (DESIGN §8;
QT 18.2, 18.7, 19.1-19.3; QN 13.2a).

The unit's procedure takes 1 working day (480 working minutes); sessions 07:30-11:30 and 13:00-17:00. 30/4 and
1/5 are holidays and 2-3/5 a weekend, so the first working day of May is Monday 4/5; 30-31/5 are a weekend.
May is ``[2026-05-01 00:00, 2026-06-01 00:00)``.

=====  ====================================================================  ===========================================
 id    what happens                                                          in May's figures
=====  ====================================================================  ===========================================
 A     counter 29/4 10:00 (due Mon 4/5 10:00); result Mon 4/5 09:00,          carried over; resolved on time (due day);
       returned Tue 5/5                                                      returned
 B     counter 28/4 08:00 (due 29/4 08:00); result only on 2/6               carried over; in progress, overdue
 C     counter Mon 4/5 08:00 (due Tue 5/5 08:00); result Mon 16:00,           new; resolved early (a day before the due
       returned Tue 5/5                                                      day); returned
 D     counter Tue 5/5 08:00 (due Wed 6/5 08:00); result Wed 09:00            new; resolved late
 E     counter Wed 27/5 08:00 (due Thu 28/5 08:00); supplement asked          new; resolved early (return for
       Wed 10:00; resubmitted Tue 2/6                                        supplement); the resubmission is June's
 F     counter Fri 29/5 10:00 (due Mon 1/6 10:00); apology Mon 1/6 08:00      new; in progress, within time
 G     counter Mon 11/5 08:00 (due Tue 12/5 08:00); refused Mon 10:00         new; resolved early (a refusal)
 H     counter Mon 11/5 08:00 (due Tue 12/5 08:00); apology Tue 09:00,        new; resolved late (stopped)
       stopped Tue 09:30
 I     counter Wed 13/5 08:00; withdrawal asked Wed 09:00, done Thu 09:00     new; withdrawn (apart)
 J     counter Thu 28/5 08:00 (due Fri 29/5 08:00); payment asked             new; in progress, within time, paused
       Thu 10:00, paid Wed 3/6
 K     online Mon 18/5 08:00, received 09:00 (due Tue 19/5 09:00); result     new online; resolved on time; returned
       Tue 08:00, returned Tue 2/6                                           only in June
 K2    online Fri 22/5 16:00 (to receive by Mon 25/5 16:00), received         new online, a late reception; resolved on
       Mon 16:30 (due Tue 26/5 16:30); result Tue 15:00                      time
 L     online Mon 18/5 08:00, refused before reception Tue 19/5 09:00         not accepted (never late), late reception
 M     online Mon 18/5 08:00, guided Mon 10:00                                guided
 N     counter Mon 20/4 08:00, result Mon 20/4 16:00                          nothing (ended in April)
 O     counter Thu 28/5 13:00 (due Fri 29/5 11:30); result Sat 30/5 10:00     new; in progress, overdue (the result
       (effective Mon 1/6 07:30)                                             counts on Monday 1/6, QT 18.2)
 Q     counter 22/4 08:00, supplement asked 22/4 10:00 (April's);             new (the resubmission); in progress,
       resubmitted Wed 6/5 08:00 (due Thu 7/5 08:00); apology Thu 07:50      overdue (apologised for)
=====  ====================================================================  ===========================================

received 14 = carried over 2 (A, B) + new 12 = resolved 8 + withdrawn 1 + in progress 5.
"""

import pytest

from tests.factories.workflow import UserFactory
from tests.workflow.dossiers.test_services import _to_decision, doc, receive, slip, t, unit  # noqa: F401
from workflow import reports
from workflow.dossiers import cycles, services
from workflow.dossiers.services import Applicant
from workflow.models import Channel, Delivery, Dossier, FigureKind, ReceptionCycle
from workflow.reports import snapshots

pytestmark = pytest.mark.django_db

MAY = reports.Period.month(2026, 5)

EXPECTED = {
    "received": 14,
    "carried_over": 2,  # A, B
    "new": 12,  # C D E F G H I J K K2 O Q
    "new_online": 2,  # K, K2
    "new_counter": 10,
    "new_post": 0,
    "resolved": 8,  # A C D E G H K K2
    "early": 3,  # C, E, G
    "on_time": 3,  # A, K, K2
    "late": 2,  # D, H
    "with_result": 5,  # A C D K K2
    "refused": 1,  # G
    "stopped": 1,  # H
    "supplement_returned": 1,  # E
    "withdrawn": 1,  # I
    "in_progress": 5,  # B F J O Q
    "within_time": 2,  # F, J
    "overdue": 3,  # B, O, Q
    "paused": 1,  # J
    "not_accepted": 1,  # L
    "guided": 1,  # M
    "late_receptions": 2,  # K2, L
    "returned": 2,  # A, C
    "on_time_766": 6,  # the early and on-time ones, none after a second supplement request
}


def online(unit, at, name="Lê Văn Cường"):
    return services.dossier_submit_online(
        applicant_user=None, procedure=unit.procedure, agency=unit.agency, applicant=Applicant(name=name), at=at
    )


def result(unit, d, at):
    return services.dossier_record_result(
        actor=unit.leader, dossier_id=d.pk, signer="Hoàng Văn Lãnh", files=[doc("kq.pdf")], at=at
    )


def hand_over(unit, d, at):
    return services.dossier_return_result(actor=unit.officer, dossier_id=d.pk, method=Delivery.COUNTER, at=at)


def apologize(unit, d, at, appointment):
    return services.dossier_apologize(
        actor=unit.officer,
        dossier_id=d.pk,
        new_appointment=t(appointment),
        reason="Cần thêm thời gian thẩm định",
        files=[slip("thu-xin-loi.pdf")],
        at=t(at),
    )


def supplement(unit, d, at):
    return services.dossier_request_supplement(
        actor=unit.officer, dossier_id=d.pk, comment="Thiếu bản vẽ", files=[slip()], at=t(at)
    )


def may_until_its_end(unit):
    """Everything that happened by the end of May, in the order it happened."""
    n = receive(unit, t("2026-04-20 08:00"))
    n = _to_decision(unit, n, t("2026-04-20 09:00"))
    result(unit, n, t("2026-04-20 16:00"))
    q = receive(unit, t("2026-04-22 08:00"))
    q = supplement(unit, q, "2026-04-22 10:00")
    b = receive(unit, t("2026-04-28 08:00"))
    a = receive(unit, t("2026-04-29 10:00"))
    assert (a.due_at, b.due_at) == (t("2026-05-04 10:00"), t("2026-04-29 08:00"))
    a = _to_decision(unit, a, t("2026-04-29 11:00"))

    a = result(unit, a, t("2026-05-04 09:00"))
    c = receive(unit, t("2026-05-04 08:00"))
    c = _to_decision(unit, c, t("2026-05-04 09:00"))
    c = result(unit, c, t("2026-05-04 16:00"))
    hand_over(unit, a, t("2026-05-05 08:00"))
    hand_over(unit, c, t("2026-05-05 08:30"))
    d = receive(unit, t("2026-05-05 08:00"))
    d = _to_decision(unit, d, t("2026-05-05 09:00"))
    result(unit, d, t("2026-05-06 09:00"))
    q = services.dossier_resubmit(
        actor=unit.officer, dossier_id=q.pk, files=[doc("ban-ve.pdf")], at=t("2026-05-06 08:00")
    )
    assert q.due_at == t("2026-05-07 08:00")
    q = apologize(unit, q, "2026-05-07 07:50", "2026-05-15 07:30")

    g = receive(unit, t("2026-05-11 08:00"))
    services.dossier_refuse_reception(
        actor=unit.officer, dossier_id=g.pk, reason="Không thuộc thẩm quyền", files=[slip()], at=t("2026-05-11 10:00")
    )
    h = receive(unit, t("2026-05-11 08:00"))
    h = apologize(unit, h, "2026-05-12 09:00", "2026-05-20 07:30")
    services.dossier_stop(actor=unit.officer, dossier_id=h.pk, reason="Vướng quy hoạch", at=t("2026-05-12 09:30"))
    i = receive(unit, t("2026-05-13 08:00"))
    citizen = UserFactory(username="congdan", is_staff=False)
    Dossier.objects.filter(pk=i.pk).update(applicant_user=citizen)
    i = services.dossier_request_withdrawal(actor=citizen, dossier_id=i.pk, reason="Nộp nhầm", at=t("2026-05-13 09:00"))
    services.dossier_withdraw(
        actor=unit.officer, dossier_id=i.pk, files=[doc("van-ban-rut.pdf")], at=t("2026-05-14 09:00")
    )

    k = online(unit, t("2026-05-18 08:00"))
    k = services.dossier_receive_online(actor=unit.officer, dossier_id=k.pk, at=t("2026-05-18 09:00"))
    assert k.due_at == t("2026-05-19 09:00")
    m = online(unit, t("2026-05-18 08:00"), name="Phạm Thị Mai")
    services.dossier_guide(
        actor=unit.officer, dossier_id=m.pk, comment="Nộp tại UBND cấp xã", files=[slip()], at=t("2026-05-18 10:00")
    )
    k = _to_decision(unit, k, t("2026-05-18 10:00"))
    k = result(unit, k, t("2026-05-19 08:00"))
    lo = online(unit, t("2026-05-18 08:00"), name="Đỗ Văn Long")
    services.dossier_refuse_reception(
        actor=unit.officer, dossier_id=lo.pk, reason="Sai thẩm quyền", files=[slip()], at=t("2026-05-19 09:00")
    )
    k2 = online(unit, t("2026-05-22 16:00"), name="Vũ Thị Kim")
    k2 = services.dossier_receive_online(actor=unit.officer, dossier_id=k2.pk, at=t("2026-05-25 16:30"))
    assert k2.due_at == t("2026-05-26 16:30")
    k2 = _to_decision(unit, k2, t("2026-05-26 08:00"))
    result(unit, k2, t("2026-05-26 15:00"))

    e = receive(unit, t("2026-05-27 08:00"))
    e = supplement(unit, e, "2026-05-27 10:00")
    j = receive(unit, t("2026-05-28 08:00"))
    j = services.dossier_request_payment(actor=unit.officer, dossier_id=j.pk, amount=150000, at=t("2026-05-28 10:00"))
    o = receive(unit, t("2026-05-28 13:00"))
    assert o.due_at == t("2026-05-29 11:30")  # the working moment of 13:00, the afternoon not yet begun
    o = _to_decision(unit, o, t("2026-05-28 14:00"))
    f = receive(unit, t("2026-05-29 10:00"))
    assert f.due_at == t("2026-06-01 10:00")
    # Saturday: recorded now, counted on Monday 1/6 07:30 (QT 18.2) - still in progress at May's end.
    o = result(unit, o, t("2026-05-30 10:00"))
    return {"b": b, "e": e, "f": f, "j": j, "k": k}


def june(unit, dossiers):
    """Later actions, none of which may change May."""
    apologize(unit, dossiers["f"], "2026-06-01 08:00", "2026-06-08 07:30")
    b = _to_decision(unit, dossiers["b"], t("2026-06-01 09:00"))
    result(unit, b, t("2026-06-02 09:00"))
    services.dossier_resubmit(actor=unit.officer, dossier_id=dossiers["e"].pk, files=[doc()], at=t("2026-06-02 08:00"))
    hand_over(unit, dossiers["k"], t("2026-06-02 08:00"))
    services.dossier_confirm_payment(
        actor=unit.officer, dossier_id=dossiers["j"].pk, reference="VNPAY-9", at=t("2026-06-03 13:00")
    )


def may(now):
    return reports.report(period=MAY, group_by=None, now=now).total


def test_may_worked_by_hand_and_unchanged_by_june_and_a_rebuild(unit):
    dossiers = may_until_its_end(unit)
    total = may(t("2026-06-01 08:00"))
    counts = {name: total.counts[name] for name in EXPECTED}
    assert counts == EXPECTED
    # the balance, whatever the grouping
    assert total.received == total.carried_over + total.new == total.resolved + total.withdrawn + total.in_progress
    assert total.resolution_rate == round(8 / (14 - 1), 4)  # withdrawals out of the denominator
    assert total.on_time_rate == 0.75  # (3 early + 3 on time) / 8 resolved (QT 18.7)
    assert total.on_time_rate_766 == round(6 / (8 + 3), 4)  # over resolved + in progress overdue
    assert total.online_share == round(2 / 12, 4)
    # the same month read while it still ran (on the 29th at noon) counted only what had happened by then
    running = may(t("2026-05-29 12:00"))
    assert (running.received, running.in_progress, running.overdue) == (14, 5, 2)  # O overdue only from 13:01

    june(unit, dossiers)
    after = may(t("2026-07-01 08:00"))
    assert after.counts == total.counts
    june_total = reports.report(period=reports.Period.month(2026, 6), group_by=None, now=t("2026-07-01 08:00")).total
    # June: B F J O Q carried over; E's resubmission is new; B and O resolved late; K handed over
    assert (june_total.carried_over, june_total.new, june_total.resolved) == (5, 1, 2)
    assert (june_total.late, june_total.returned) == (2, 1)

    ReceptionCycle.objects.all().delete()
    cycles.rebuild()
    assert may(t("2026-07-01 08:00")).counts == total.counts


def test_published_may_stays_and_a_back_dated_reception_shows_as_a_revision(unit):
    dossiers = may_until_its_end(unit)
    published = snapshots.publish(FigureKind.TRANSPARENCY, MAY, now=t("2026-06-01 08:00"))
    shown = {s["key"]: s for s in published.payload["sections"]}["total"]["rows"][0]["values"]
    assert (shown["received"], shown["resolved"], shown["overdue"]) == (14, 8, 3)

    june(unit, dossiers)
    assert snapshots.recheck(FigureKind.TRANSPARENCY, MAY, now=t("2026-06-05 08:00")) is None  # nothing differs

    # A counter reception of Friday 29/5 15:00 typed in only on 5/6 (the counter's network was down).
    late_entry = receive(unit, t("2026-05-29 15:00"))
    assert late_entry.channel == Channel.COUNTER
    revision = snapshots.recheck(FigureKind.TRANSPARENCY, MAY, now=t("2026-06-05 09:00"))
    totals = {(c["column"], c["published"], c["now"]) for c in revision.changes if c["row"] == "total"}
    assert {("received", 14, 15), ("new", 12, 13), ("in_progress", 5, 6)} <= totals
    note = snapshots.revision_note(revision)
    assert note == (
        "Điều chỉnh ngày 05/06/2026: Đã tiếp nhận 14 → 15 (Sở Xây dựng); Mới tiếp nhận trong kỳ 12 → 13 (Sở Xây dựng); "
        "Đang thực hiện 5 → 6 (Sở Xây dựng); Tỷ lệ giải quyết 61,5% → 57,1% (Sở Xây dựng); "
        "Tỷ lệ trực tuyến 16,7% → 15,4% (Sở Xây dựng)"
    )  # 8 / 13 -> 8 / 14 resolved; 2 / 12 -> 2 / 13 online
    # the published figures are untouched
    published.refresh_from_db()
    assert {s["key"]: s for s in published.payload["sections"]}["total"]["rows"][0]["values"]["received"] == 14
