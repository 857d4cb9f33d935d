"""The report engine against 31 hand-built dossiers (DESIGN §8, QT 18.6-18.7, QT 19).

Every dossier below carries, written by hand, the figures it must count in for
May 2026 and the official responsible for it. The expected value of every
figure, for every grouping, is the sum of those hand labels over the group;
the totals are also written out literally. Timestamps are explicit (local
time, Asia/Ho_Chi_Minh), so the boundaries are exact to the minute.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import AgencyFactory, ProcedureFactory, SectorFactory
from tests.factories.workflow import UserFactory, official, published_process
from workflow import reports
from workflow.dossiers import cycles
from workflow.models import Action, Channel, Dossier, DossierEvent, Status, StepRun, Timeliness
from workflow.reports import FIGURES, Period
from workflow.worktime import get_calendar

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MAY = Period.month(2026, 5)
NOW = datetime(2026, 6, 10, 9, 0, tzinfo=TZ)


def at(text):
    """'05-04 08:00' -> 2026-05-04 08:00 local."""
    day, clock = text.split()
    month, dom = day.split("-")
    hour, minute = clock.split(":")
    return datetime(2026, int(month), int(dom), int(hour), int(minute), tzinfo=TZ)


C, O, P = Channel.COUNTER, Channel.ONLINE, Channel.POST
E, T, L = Timeliness.EARLY, Timeliness.ON_TIME, Timeliness.LATE

# code: (agency, procedure, channel, status, fields, runs [(holder, arrived, departed, used, cycle)],
#        official responsible (None: no named official), figures it counts in for May 2026, processing minutes)
SPEC = {
    # early, returned in May; the run of the result step after the result is not processing time
    "D01": (
        "A",
        "P1",
        C,
        Status.RETURNED,
        dict(received="05-04 08:00", due="05-08 17:00", result="05-06 10:00", returned="05-07 09:00", timeliness=E),
        [
            ("uA1", "05-04 08:00", "05-05 08:00", 480),
            ("uA2", "05-05 08:00", "05-06 10:00", 630),
            (None, "05-06 10:00", "05-07 09:00", 400),
        ],
        "uA2",
        "received new new_counter resolved early with_result returned on_time_766",
        1110,
    ),
    # result exactly at the due minute: on time
    "D02": (
        "A",
        "P1",
        O,
        Status.RESOLVED,
        dict(received="05-04 09:00", due="05-08 10:15", result="05-08 10:15", timeliness=T),
        [("uA1", "05-04 09:00", "05-08 10:15", 1875)],
        "uA1",
        "received new new_online resolved on_time with_result on_time_766",
        1875,
    ),
    # one minute after the due minute: late
    "D03": (
        "A",
        "P1",
        O,
        Status.RETURNED,
        dict(received="05-04 09:00", due="05-08 10:15", result="05-08 10:16", returned="05-11 08:00", timeliness=L),
        [("uA1", "05-04 09:00", "05-08 10:16", 1876)],
        "uA1",
        "received new new_online resolved late with_result returned",
        1876,
    ),
    # carried over from April, late
    "D04": (
        "A",
        "P3",
        C,
        Status.RETURNED,
        dict(received="04-20 08:00", due="05-04 17:00", result="05-05 10:00", returned="05-06 08:00", timeliness=L),
        [("uA2", "04-20 08:00", "05-05 10:00", 4800)],
        "uA2",
        "received carried_over resolved late with_result returned",
        4800,
    ),
    # carried over, re-received after a supplement (cycle 2): only the second cycle's time counts
    "D05": (
        "A",
        "P3",
        P,
        Status.RESOLVED,
        dict(
            received="04-29 08:00", due="05-12 17:00", result="05-12 08:00", timeliness=T, cycle=2, supplement_count=1
        ),
        [("uA1", "04-27 08:00", "04-29 08:00", 300, 1), ("uA2", "04-30 08:00", "05-12 08:00", 2880, 2)],
        "uA2",
        "received carried_over resolved on_time with_result on_time_766",
        2880,
    ),
    # resolved in April, returned in May: only "returned"
    "D06": (
        "A",
        "P1",
        C,
        Status.RETURNED,
        dict(received="04-01 08:00", due="04-10 17:00", result="04-10 08:00", returned="05-02 08:00", timeliness=T),
        [("uA1", "04-01 08:00", "04-10 08:00", 2000)],
        "uA1",
        "returned",
        0,
    ),
    # all in April: nothing
    "D07": (
        "A",
        "P1",
        C,
        Status.RETURNED,
        dict(received="04-01 08:00", due="04-10 17:00", result="04-10 08:00", returned="04-11 08:00", timeliness=T),
        [("uA1", "04-01 08:00", "04-10 08:00", 2000)],
        "uA1",
        "",
        0,
    ),
    # apology and reschedule: late although recorded before the due time (QT 19.1)
    "D08": (
        "A",
        "P3",
        O,
        Status.RESOLVED,
        dict(received="05-11 08:00", due="05-15 17:00", result="05-14 09:00", timeliness=L, counts_as_late=True),
        [("uA1", "05-11 08:00", "05-14 09:00", 1500)],
        "uA1",
        "received new new_online resolved late with_result",
        1500,
    ),
    # open at the end, due after it
    "D09": (
        "A",
        "P1",
        C,
        Status.PROCESSING,
        dict(received="05-20 08:00", due="06-05 17:00"),
        [("uA1", "05-20 08:00", None, 0)],
        "uA1",
        "received new new_counter in_progress within_time",
        0,
    ),
    # open at the end, due before it
    "D10": (
        "A",
        "P1",
        O,
        Status.PROCESSING,
        dict(received="05-11 08:00", due="05-25 17:00"),
        [("uA2", "05-11 08:00", None, 0)],
        "uA2",
        "received new new_online in_progress overdue",
        0,
    ),
    # returned for a supplement (QT 19.2): a returned result at that moment, two days before the due day: early
    "D11": (
        "A",
        "P3",
        C,
        Status.SUPPLEMENT,
        dict(received="05-12 08:00", due="05-22 17:00", paused="05-20 10:00", supplement_count=1),
        [("uA1", "05-12 08:00", "05-20 10:00", 2500)],
        "uA1",
        "received new new_counter resolved early supplement_returned on_time_766",
        2500,
    ),
    # carried over from March, still open, waiting at a group step (no named official)
    "D12": (
        "A",
        "P3",
        C,
        Status.PROCESSING,
        dict(received="03-16 08:00", due="04-10 17:00"),
        [],
        None,
        "received carried_over in_progress overdue",
        0,
    ),
    # finished in June: in progress at May's end; the official is the one holding it at May's end
    "D13": (
        "A",
        "P1",
        C,
        Status.RESOLVED,
        dict(received="05-20 08:00", due="06-05 17:00", result="06-03 08:00", timeliness=E),
        [("uA1", "05-20 08:00", "06-02 08:00", 3000), ("uA2", "06-02 08:00", "06-03 08:00", 480)],
        "uA1",
        "received new new_counter in_progress within_time",
        0,
    ),
    # finished late in June, already overdue at May's end (due Friday 16:00: 60 working minutes over)
    "D14": (
        "A",
        "P1",
        C,
        Status.RETURNED,
        dict(received="05-20 08:00", due="05-29 16:00", result="06-03 08:00", returned="06-04 08:00", timeliness=L),
        [("uA1", "05-20 08:00", "06-03 08:00", 4000)],
        "uA1",
        "received new new_counter in_progress overdue",
        0,
    ),
    # received after the period
    "D15": (
        "A",
        "P1",
        C,
        Status.PROCESSING,
        dict(received="06-02 08:00", due="06-10 17:00"),
        [("uA1", "06-02 08:00", None, 0)],
        "uA1",
        "",
        0,
    ),
    # submitted online, never received
    "D16": ("A", "P1", O, Status.NEW, dict(submitted="05-20 08:00"), [], None, "", 0),
    # an online submission refused before reception: not accepted, outside the workload, never late
    "D17": (
        "A",
        "P1",
        O,
        Status.NOT_ACCEPTED,
        dict(submitted="05-10 08:00", closed="05-11 09:00", returned="05-11 09:00", timeliness=E),
        [],
        None,
        "not_accepted",
        0,
    ),
    # stopped (refusal to resolve): a returned result (QT 19.2), early
    "D18": (
        "A",
        "P3",
        C,
        Status.STOPPED,
        dict(received="05-05 08:00", due="05-20 17:00", closed="05-15 08:00", returned="05-15 08:00", timeliness=E),
        [("uA2", "05-05 08:00", "05-15 08:00", 3000)],
        "uA2",
        "received new new_counter resolved early stopped on_time_766",
        0,
    ),
    # carried over and withdrawn
    "D19": (
        "A",
        "P1",
        O,
        Status.WITHDRAWAL,
        dict(received="04-25 08:00", due="05-10 17:00", closed="05-06 08:00", returned="05-06 08:00", timeliness=E),
        [("uA1", "04-25 08:00", "05-06 08:00", 3000)],
        "uA1",
        "received carried_over withdrawn",
        0,
    ),
    # withdrawal requested, not closed yet: in progress, paused
    "D20": (
        "A",
        "P1",
        O,
        Status.WITHDRAWAL,
        dict(received="05-18 08:00", due="05-29 17:00", paused="05-19 08:00"),
        [("uA2", "05-18 08:00", None, 0)],
        "uA2",
        "received new new_online in_progress within_time paused",
        0,
    ),
    # early, returned the same day
    "D21": (
        "B",
        "P2",
        C,
        Status.RETURNED,
        dict(
            received="05-04 08:00",
            due="05-11 17:00",
            result="05-07 08:00",
            returned="05-07 15:00",
            timeliness=E,
        ),
        [("uB1", "05-04 08:00", "05-07 08:00", 1200)],
        "uB1",
        "received new new_counter resolved early with_result returned on_time_766",
        1200,
    ),
    # B's dossier now held by A at an inter-agency step
    "D22": (
        "B",
        "P2",
        O,
        Status.PROCESSING,
        dict(received="05-29 16:00", due="06-03 17:00", current_agency="A"),
        [("uB1", "05-29 16:00", None, 0)],
        "uB1",
        "received new new_online in_progress within_time",
        0,
    ),
    # one minute before the due time: on time
    "D23": (
        "B",
        "P3",
        P,
        Status.RESOLVED,
        dict(received="05-06 08:00", due="05-08 17:00", result="05-08 16:59", timeliness=T),
        [("uB1", "05-06 08:00", "05-08 16:59", 960)],
        "uB1",
        "received new new_post resolved on_time with_result on_time_766",
        960,
    ),
    # finished in April, returned in May
    "D24": (
        "B",
        "P3",
        C,
        Status.RETURNED,
        dict(received="04-27 08:00", due="05-05 17:00", result="04-29 08:00", returned="05-04 08:00", timeliness=E),
        [("uB1", "04-27 08:00", "04-30 08:00", 900)],
        "uB1",
        "returned",
        0,
    ),
    # stopped in April
    "D25": (
        "B",
        "P2",
        O,
        Status.STOPPED,
        dict(received="04-29 08:00", due="05-05 17:00", closed="04-29 16:00", returned="04-29 16:00", timeliness=E),
        [("uB1", "04-29 08:00", "04-30 08:00", 480)],
        "uB1",
        "",
        0,
    ),
    # waiting for payment
    "D26": (
        "B",
        "P2",
        O,
        Status.PAYMENT,
        dict(received="05-12 08:00", due="05-20 17:00", paused="05-13 08:00"),
        [("uB1", "05-12 08:00", "05-13 08:00", 480)],
        "uB1",
        "received new new_online in_progress within_time paused",
        0,
    ),
    # rescheduled, still open: overdue although its due time is in the future
    "D27": (
        "B",
        "P2",
        C,
        Status.PROCESSING,
        dict(received="05-14 08:00", due="06-20 17:00", counts_as_late=True),
        [],
        None,
        "received new new_counter in_progress overdue",
        0,
    ),
    # result at the very first minute of May: resolved in May
    "D28": (
        "B",
        "P3",
        O,
        Status.RESOLVED,
        dict(received="04-15 08:00", due="05-06 17:00", result="05-01 00:00", timeliness=E),
        [("uB1", "04-15 08:00", "05-01 00:00", 3600)],
        "uB1",
        "received carried_over resolved early with_result on_time_766",
        3600,
    ),
    # received at the first minute of June: outside
    "D29": (
        "B",
        "P3",
        O,
        Status.PROCESSING,
        dict(received="06-01 00:00", due="06-05 17:00"),
        [("uB1", "06-01 00:00", None, 0)],
        "uB1",
        "",
        0,
    ),
    # received the last working minute of April, result at the first minute of June: carried over, open and
    # overdue at the end
    "D30": (
        "B",
        "P2",
        C,
        Status.RESOLVED,
        dict(received="04-29 16:59", due="05-29 16:00", result="06-01 00:00", timeliness=L),
        [("uB1", "04-30 23:59", "06-01 00:00", 9000)],
        "uB1",
        "received carried_over in_progress overdue",
        0,
    ),
    # refused after reception: a returned result (QT 19.2), early
    "D31": (
        "A",
        "P1",
        C,
        Status.NOT_ACCEPTED,
        dict(received="05-13 08:00", due="05-20 17:00", closed="05-14 08:00", returned="05-14 08:00", timeliness=E),
        [("uA1", "05-13 08:00", "05-14 08:00", 480)],
        "uA1",
        "received new new_counter resolved early refused on_time_766",
        0,
    ),
}

#: The May 2026 totals, counted by hand from the labels above.
TOTALS = {
    "received": 23,  # = carried over 6 + new 17 = resolved 12 + withdrawn 1 + in progress 10
    "carried_over": 6,
    "new": 17,
    "new_online": 7,
    "new_counter": 9,
    "new_post": 1,
    "resolved": 12,  # = early 6 + on time 3 + late 3 = with a result 9 + refused 1 + stopped 1 + supplement 1
    "early": 6,
    "on_time": 3,
    "late": 3,
    "with_result": 9,
    "refused": 1,
    "stopped": 1,
    "supplement_returned": 1,
    "withdrawn": 1,
    "in_progress": 10,  # = within time 5 + overdue 5
    "within_time": 5,
    "overdue": 5,
    "paused": 2,
    "not_accepted": 1,
    "guided": 0,
    "late_receptions": 0,
    "returned": 6,
    "on_time_766": 9,
    "processing_minutes": 22301,
}


@pytest.fixture
def world():
    a, b = AgencyFactory(name="Sở A"), AgencyFactory(name="Sở B")
    s1, s2 = SectorFactory(name="Lĩnh vực 1"), SectorFactory(name="Lĩnh vực 2")
    procedures = {
        "P1": ProcedureFactory(sector=s1, agencies=[a]),
        "P2": ProcedureFactory(sector=s1, agencies=[b]),
        "P3": ProcedureFactory(sector=s2, agencies=[a, b]),
    }
    users = {
        "uA1": official(a, "ua1", first_name="Một", last_name="Cán bộ A"),
        "uA2": official(a, "ua2", first_name="Hai", last_name="Cán bộ A"),
        "uB1": official(b, "ub1", first_name="Một", last_name="Cán bộ B"),
    }
    agencies = {"A": a, "B": b}
    steps = {key: published_process(p).steps.first() for key, p in procedures.items()}
    dossiers = {}
    for code, (agency, proc, channel, status, f, runs, _official, _figures, _minutes) in SPEC.items():
        stamp = {
            k: at(v)
            for k, v in f.items()
            if k in ("received", "due", "result", "returned", "closed", "paused", "submitted")
        }
        d = Dossier.objects.create(
            code=code,
            procedure=procedures[proc],
            agency=agencies[agency],
            channel=channel,
            status=status,
            applicant_name="Nguyễn Văn Thử",
            submitted_at=stamp.get("submitted", stamp.get("received")),
            received_at=stamp.get("received"),
            clock_started_at=stamp.get("received"),
            due_at=stamp.get("due"),
            result_recorded_at=stamp.get("result"),
            returned_at=stamp.get("returned"),
            closed_at=stamp.get("closed", stamp.get("returned") if status == Status.RETURNED else None),
            clock_paused_at=stamp.get("paused"),
            timeliness=f.get("timeliness", ""),
            counts_as_late=f.get("counts_as_late", False),
            supplement_count=f.get("supplement_count", 0),
            cycle=f.get("cycle", 1),
            current_agency=agencies[f.get("current_agency", agency)],
        )
        for run in runs:
            holder, arrived, departed, used = run[:4]
            StepRun.objects.create(
                dossier=d,
                step=steps[proc],
                cycle=run[4] if len(run) > 4 else d.cycle,
                agency=agencies[agency],
                holder=users.get(holder),
                arrived_at=at(arrived),
                departed_at=at(departed) if departed else None,
                used_minutes=used,
            )
        _log(d, status, f, stamp, _minutes)
        dossiers[code] = d
    return {
        "agencies": agencies,
        "procedures": procedures,
        "users": users,
        "sectors": {"S1": s1, "S2": s2},
        "dossiers": dossiers,
    }


def _log(d, status, f, stamp, minutes):
    """The dossier's event log as the services would have written it; the facts are derived from it."""
    calendar = get_calendar()
    rows = []

    def event(action, moment, **fields):
        rows.append(
            DossierEvent(
                dossier=d,
                action=action,
                actor_name="Cán bộ",
                at=moment,
                effective_at=calendar.next_working_moment(moment),
                due_at=stamp.get("due"),
                **fields,
            )
        )

    received = stamp.get("received")
    if received is None:
        event(Action.SUBMIT, stamp["submitted"], to_status=Status.NEW)
    else:
        event(Action.RECEIVE, received, to_status=Status.RECEIVED)
        if f.get("counts_as_late"):
            event(Action.APOLOGIZE, received + timedelta(minutes=1))
    if stamp.get("result"):
        event(Action.RECORD_RESULT, stamp["result"], step_used_minutes=minutes or None, to_status=Status.RESOLVED)
        if stamp.get("returned"):
            event(Action.RETURN_RESULT, stamp["returned"], to_status=Status.RETURNED)
    elif stamp.get("closed"):
        action = {Status.NOT_ACCEPTED: Action.REFUSE_RECEPTION, Status.STOPPED: Action.STOP}.get(
            status, Action.WITHDRAW
        )
        event(action, stamp["closed"], step_used_minutes=minutes or None, to_status=status)
    elif stamp.get("paused"):
        action = {Status.SUPPLEMENT: Action.REQUEST_SUPPLEMENT, Status.PAYMENT: Action.REQUEST_PAYMENT}.get(status)
        data = {}
        if action is None:
            action, data = Action.WITHDRAW, {"requested_by_applicant": True}
        event(action, stamp["paused"], step_used_minutes=minutes or None, to_status=status, data=data)
    for row in rows:
        row.save()
    cycles.refresh(d)


def figures_of(code):
    return set(SPEC[code][7].split())


def hand_counts(codes):
    """The expected figures of a group of dossiers: the sum of their hand labels."""
    counts = {name: sum(1 for c in codes if name in figures_of(c)) for name in FIGURES}
    counts["processing_minutes"] = sum(SPEC[c][8] for c in codes)
    return counts


def group_key(world, code, group_by):
    agency, proc = SPEC[code][0], SPEC[code][1]
    procedure = world["procedures"][proc]
    if group_by == "agency":
        return world["agencies"][agency].pk
    if group_by == "sector":
        return procedure.sector_id
    if group_by == "procedure":
        return procedure.pk
    holder = SPEC[code][6]
    return world["users"][holder].pk if holder else None


def test_hand_totals_match_the_labels():
    assert hand_counts(list(SPEC)) == TOTALS


def test_total_figures(world):
    report = reports.report(period=MAY, group_by=None, now=NOW)
    assert report.total.counts == TOTALS
    total = report.total
    # resolved ÷ (received − withdrawn): the withdrawal is left out of the denominator (QT 19.2c)
    assert total.resolution_rate == round(12 / 22, 4)
    assert total.on_time_rate == round(9 / 12, 4)
    assert total.on_time_rate_766 == round(9 / 17, 4)  # ÷ (resolved 12 + overdue 5)
    assert total.online_share == round(7 / 17, 4)
    assert total.avg_processing_days == round(22301 / 12 / 480, 2) == 3.87


@pytest.mark.parametrize("group_by", ["agency", "sector", "procedure", "official"])
def test_every_grouping_matches_the_hand_figures_and_reconciles(world, group_by):
    report = reports.report(period=MAY, group_by=group_by, now=NOW)
    expected = {}
    for code in SPEC:
        if figures_of(code):
            expected.setdefault(group_key(world, code, group_by), []).append(code)
    got = {row.key: row.counts for row in report.rows}
    assert set(got) == set(expected)
    for key, codes in expected.items():
        assert got[key] == hand_counts(codes), (group_by, key)
    assert report.total.counts == TOTALS
    for name in TOTALS:
        assert sum(row.counts[name] for row in report.rows) == TOTALS[name]


def test_balance_identities_hold_in_every_row(world):
    for group_by in reports.GROUPINGS:
        for row in reports.report(period=MAY, group_by=group_by, now=NOW).rows:
            c = row.counts
            assert c["received"] == c["carried_over"] + c["new"] == c["resolved"] + c["withdrawn"] + c["in_progress"]
            assert c["resolved"] == c["with_result"] + c["refused"] + c["stopped"] + c["supplement_returned"]
            assert c["new"] == c["new_online"] + c["new_counter"] + c["new_post"]
            assert c["resolved"] == c["early"] + c["on_time"] + c["late"]
            assert c["in_progress"] == c["within_time"] + c["overdue"]


def test_official_grouping_by_hand(world):
    users = world["users"]
    report = reports.report(period=MAY, group_by="official", now=NOW)
    rows = {row.key: row for row in report.rows}
    # uA1: D02 D03 D08 D09 D11 D13 D14 D19 D31 — received 9; resolved 5: D11 and D31 early, D02 on time, D03
    # and D08 late; in progress D09 D13 D14; withdrawn D19; refused after reception D31
    a1 = rows[users["uA1"].pk]
    assert (a1.received, a1.resolved, a1.early, a1.on_time, a1.late, a1.in_progress, a1.withdrawn, a1.refused) == (
        9,
        5,
        2,
        1,
        2,
        3,
        1,
        1,
    )
    assert a1.label == "Cán bộ A Một"
    # no named official: D12, D27 (and D17, not accepted, outside the workload)
    assert rows[None].received == 2 and rows[None].not_accepted == 1 and rows[None].label


@pytest.mark.parametrize("group_by", [None, "agency", "sector", "procedure", "official"])
def test_drilldown_lists_exactly_the_dossiers_behind_each_number(world, group_by):
    supervisor = UserFactory(is_superuser=True)
    keys = {None} if group_by is None else {group_key(world, c, group_by) for c in SPEC}
    for figure in FIGURES:
        for key in keys:
            codes = set(
                reports.drilldown(
                    user=supervisor, period=MAY, figure=figure, group_by=group_by, key=key, now=NOW
                ).values_list("dossier__code", flat=True)
            )
            expected = {
                c
                for c in SPEC
                if figure in figures_of(c) and (group_by is None or group_key(world, c, group_by) == key)
            }
            assert codes == expected, (figure, group_by, key)


def test_unit_users_see_their_unit_supervisors_all(world):
    a_user = world["users"]["uA1"]
    report = reports.report(user=a_user, period=MAY, group_by="agency", now=NOW)
    # A's dossiers, and B's D22 held by A at an inter-agency step (the one scoping rule)
    codes_a = [c for c in SPEC if SPEC[c][0] == "A"] + ["D22"]
    assert report.total.counts == hand_counts([c for c in codes_a if figures_of(c)])
    assert {row.key for row in report.rows} == {world["agencies"]["A"].pk, world["agencies"]["B"].pk}
    b_row = next(r for r in report.rows if r.key == world["agencies"]["B"].pk)
    assert b_row.received == 1 and b_row.in_progress == 1
    drill = reports.drilldown(
        user=a_user, period=MAY, figure="received", group_by="agency", key=world["agencies"]["B"].pk, now=NOW
    )
    assert list(drill.values_list("dossier__code", flat=True)) == ["D22"]
    supervisor = UserFactory(is_superuser=True)
    assert reports.report(user=supervisor, period=MAY, group_by=None, now=NOW).total.counts == TOTALS
    nobody = UserFactory(username="khach", is_staff=True)
    assert reports.report(user=nobody, period=MAY, group_by="agency", now=NOW).rows == []


def test_running_period_uses_now_for_overdue(world):
    # D10 is due 25 May 17:00: within time on the 20th, overdue on the 26th.
    def d10_overdue(now):
        return reports.drilldown(user=None, period=MAY, figure="overdue", now=now).filter(dossier__code="D10").exists()

    assert not d10_overdue(datetime(2026, 5, 20, 12, 0, tzinfo=TZ))
    assert d10_overdue(datetime(2026, 5, 26, 8, 0, tzinfo=TZ))


def test_filters_restrict_like_the_grouping(world):
    procedure = world["procedures"]["P3"]
    report = reports.report(period=MAY, group_by=None, filters={"procedure": procedure.pk}, now=NOW)
    codes = [c for c in SPEC if SPEC[c][1] == "P3" and figures_of(c)]
    assert report.total.counts == hand_counts(codes)


def test_trend_months_agree_with_monthly_reports(world):
    months = [Period.month(2026, 4), MAY, Period.month(2026, 6)]
    trend = reports.trend(months=months, now=NOW)
    for month, point in zip(months, trend):
        total = reports.report(period=month, group_by=None, now=NOW).total
        assert (point["new"], point["resolved"], point["in_progress"]) == (total.new, total.resolved, total.in_progress)
        assert point["on_time"] == total.early + total.on_time
    assert trend[1]["new"] == 17 and trend[1]["resolved"] == 12


def test_closed_months_of_the_trend_are_counted_once(world, django_assert_num_queries):
    """A closed month cannot change, so its trend point is counted once; writing facts of a closed month (a
    back-dated record, a rebuild) makes the next trend count again."""
    months = [Period.month(2026, 4), MAY]
    first = reports.trend(months=months, now=NOW)
    with django_assert_num_queries(0):
        assert reports.trend(months=months, now=NOW) == first
    supervisor = UserFactory(is_superuser=True)
    with django_assert_num_queries(0):  # remembered for every reader who sees all units
        assert reports.trend(user=supervisor, months=months, now=NOW) == first
    # the page's own report of May stands in for May: only April is counted (or remembered)
    may = reports.report(period=MAY, group_by=None, now=NOW).total.counts
    cycles.past_facts_changed()
    with django_assert_num_queries(1):
        assert reports.trend(months=months, now=NOW, known={MAY.key: may}) == first

    # an apology recorded back-dated in May (D02 was on time at 10:15 on 8/5): May's on-time count drops
    d02 = world["dossiers"]["D02"]
    DossierEvent.objects.create(
        dossier=d02, action=Action.APOLOGIZE, actor_name="Cán bộ", at=at("05-07 08:00"), effective_at=at("05-07 08:00")
    )
    cycles.refresh(d02)
    again = reports.trend(months=months, now=NOW)
    assert again[1]["on_time"] == first[1]["on_time"] - 1
    assert again[0] == first[0]
    cycles.rebuild()
    with django_assert_num_queries(1):
        assert reports.trend(months=months, now=NOW) == again


def test_year_total_reconciles_with_its_months(world):
    year = reports.report(period=Period.year(2026), group_by=None, now=NOW).total
    months = [reports.report(period=m, group_by=None, now=NOW).total for m in Period.year(2026).months()]
    for name in ("new", "resolved", "early", "on_time", "late", "refused", "stopped", "withdrawn", "returned"):
        assert getattr(year, name) == sum(getattr(m, name) for m in months), name


def test_backlog_by_warning_level(world):
    now = at("05-22 09:00")  # a Friday
    supervisor = UserFactory(is_superuser=True)
    levels = reports.backlog(now=now)

    def codes(level):
        return set(reports.backlog_drilldown(user=supervisor, level=level, now=now).values_list("code", flat=True))

    # Open now (no result, not closed, received): D09 D10 D11 D12 D15 D20 D22 D26 D27 D29.
    assert codes("overdue") == {"D12", "D27"}  # due 10 April; rescheduled
    assert codes("paused") == {"D11", "D20", "D26"}
    assert codes("ok") | codes("due_soon") == {"D09", "D10", "D15", "D22", "D29"}
    assert levels == {level: len(codes(level)) for level in reports.BACKLOG_LEVELS}


def test_period_parsing():
    assert Period.parse("2026-05") == MAY
    assert Period.parse("2026") == Period.year(2026)
    assert Period.parse("2026-Q2") == Period(MAY.first.replace(month=4), Period.month(2026, 6).last)
    assert Period.parse("2026-05-03..2026-05-09").key == "2026-05-03..2026-05-09"
    assert MAY.key == "2026-05"
    for bad in ("", "2026-13", "x", "2026-05-09..2026-05-01", "2026-Q5"):
        with pytest.raises(ValueError):
            Period.parse(bad)
