"""Published figures are snapshots (DESIGN §8, issue 16.2): the monthly late list, the 766 index and the closed
months of the transparency page are stored when published; a recomputation that differs is a revision shown
beside the published figures, with what changed, never a silent replacement.

The dossiers are built through the services with explicit moments (local time). A 1-working-day procedure:
received Monday 04/05/2026 08:00 → due Tuesday 05/05 08:00.
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from freezegun import freeze_time

from catalog.models import TimeUnit
from tests.factories.world import build_unit, member
from workflow.dossiers import services
from workflow.dossiers.services import Applicant, Upload
from workflow.errors import InvalidState
from workflow.models import (
    DocumentKind,
    FigureKind,
    FigureRevision,
    ImmutableRecordError,
    LateList,
    PublishedFigures,
)
from workflow.reports import snapshots
from workflow.reports.periods import Period
from workflow.reports.services import late_list_publish

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
APRIL, MAY, JUNE = Period.month(2026, 4), Period.month(2026, 5), Period.month(2026, 6)


def t(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


PUBLISHED_AT, RECHECKED_AT, LATER = t("2026-06-10 09:00"), t("2026-06-12 09:00"), t("2026-06-13 09:00")


def doc(name="to-khai.pdf", kind=DocumentKind.SUBMITTED):
    return Upload(name, ContentFile(b"%PDF-1.4 doc", name=name), kind)


@pytest.fixture
def unit():
    return build_unit(
        "000.00.15.H99",
        "Sở Xây dựng",
        procedure={"processing_time": Decimal("1"), "processing_time_unit": TimeUnit.DAY},
        officials={
            "officer": member(username="motcua", position="Cán bộ một cửa"),
            "specialist": member(username="chuyenvien"),
            "leader": member(username="lanhdao", position="Lãnh đạo", first_name="Lãnh", last_name="Hoàng Văn"),
        },
    )


def receive(unit, at):
    applicant = Applicant(name="Trần Thị Bình", id_number="001190012345", phone="0912345678", address="Số 5 Lê Lợi")
    d = services.dossier_receive_at_counter(
        actor=unit.officer, procedure=unit.procedure, agency=unit.agency, applicant=applicant, files=[doc()], at=at
    )
    d = services.dossier_forward(actor=unit.officer, dossier_id=d.pk, to_holder=unit.specialist, at=at)
    return services.dossier_forward(actor=unit.specialist, dossier_id=d.pk, to_holder=unit.leader, at=at)


def resolve(unit, dossier, at):
    return services.dossier_record_result(
        actor=unit.leader, dossier_id=dossier.pk, signer="Hoàng Văn Lãnh", files=[doc("kq.pdf")], at=at
    )


@pytest.fixture
def months(unit):
    """April: one dossier resolved early. May: one resolved early, one open and overdue at the month's end
    (due 05/05 08:00). Everything published on 10/06."""
    resolve(unit, receive(unit, t("2026-04-06 08:00")), t("2026-04-06 15:00"))
    resolve(unit, receive(unit, t("2026-05-04 08:00")), t("2026-05-04 15:00"))
    open_one = receive(unit, t("2026-05-04 08:00"))
    for period in (APRIL, MAY):
        snapshots.publish_month(period, now=PUBLISHED_AT)
    return open_one


def values(payload, section, key, column):
    rows = next(s["rows"] for s in payload["sections"] if s["key"] == section)
    return next(r["values"][column] for r in rows if r["key"] == key)


# --- the pure comparison -----------------------------------------------------------------------------------------

COLUMNS = [
    {"key": "overdue", "label": "Overdue", "format": "count"},
    {"key": "rate", "label": "Rate", "format": "rate"},
]


def payload(rows, columns=COLUMNS):
    return {"columns": columns, "sections": [{"key": "agency", "label": "Agencies", "rows": rows}]}


def row(key, label, **values):
    return {"key": key, "label": label, "agency": int(key), "extra": {}, "values": values}


def test_diff_lists_each_changed_figure_per_row():
    published = payload([row("1", "Sở A", overdue=2, rate=0.5), row("2", "Sở B", overdue=1, rate=None)])
    now = payload([row("1", "Sở A", overdue=1, rate=0.5), row("2", "Sở B", overdue=1, rate=None)])
    assert snapshots.diff(published, published) == []
    assert [(c["where"], c["figure"], c["published"], c["now"]) for c in snapshots.diff(published, now)] == [
        ("Sở A", "Overdue", 2, 1)
    ]


def test_diff_of_a_row_that_appears_or_goes_lists_its_non_zero_figures():
    published = payload([row("1", "Sở A", overdue=2, rate=0.0)])
    now = payload([row("2", "Sở B", overdue=1, rate=None)])
    assert [(c["where"], c["column"], c["published"], c["now"]) for c in snapshots.diff(published, now)] == [
        ("Sở A", "overdue", 2, None),
        ("Sở B", "overdue", None, 1),
    ]


def test_diff_compares_only_the_figures_both_have():
    """A figure the engine renamed or added later is not a revision of the published one."""
    published = payload([row("1", "Sở A", overdue=2, refused=1)], [*COLUMNS, {"key": "refused", "label": "Refused"}])
    now = payload(
        [row("1", "Sở A", overdue=2, not_accepted=1)], [*COLUMNS, {"key": "not_accepted", "label": "Not accepted"}]
    )
    assert snapshots.diff(published, now) == []


# --- publish and recheck -----------------------------------------------------------------------------------------


def test_the_open_month_is_never_published(unit):
    receive(unit, t("2026-06-01 08:00"))
    for kind in FigureKind.values:
        with pytest.raises(InvalidState):
            snapshots.publish(kind, JUNE, now=t("2026-06-30 16:00"))
    with pytest.raises(InvalidState):
        late_list_publish(month=JUNE.first, now=t("2026-06-30 16:00"))
    assert not PublishedFigures.objects.exists() and not LateList.objects.exists()
    assert snapshots.recheck(FigureKind.TRANSPARENCY, JUNE, now=t("2026-07-01 09:00")) is None
    assert snapshots.recheck_recent(now=t("2026-06-30 16:00")) == []


def test_a_backdated_result_is_a_revision_beside_the_published_figures(unit, months):
    late = {k: PublishedFigures.objects.get(kind=k, period="2026-05") for k in FigureKind.values}
    agency = str(unit.agency.pk)
    assert values(late[FigureKind.TRANSPARENCY].payload, "agency", agency, "overdue") == 1
    assert values(late[FigureKind.LATE_LIST].payload, "agency", agency, "overdue") == 1
    # On 12/06 the leader records the open dossier's result as signed on 20/05 (late): May now reads differently.
    resolve(unit, months, t("2026-05-20 10:00"))
    revisions = snapshots.recheck_recent(now=RECHECKED_AT)
    assert sorted((r.snapshot.kind, r.snapshot.period) for r in revisions) == [
        (FigureKind.LATE_LIST, "2026-05"),
        (FigureKind.TRANSPARENCY, "2026-05"),
    ]  # April did not change, nor did May's 766 index (resolved 2 of 2 on time-or-late as 1 of 1 + 1 overdue)
    transparency = FigureRevision.objects.get(snapshot=late[FigureKind.TRANSPARENCY])
    changed = {(c["section"], c["column"]): (c["published"], c["now"]) for c in transparency.changes}
    assert changed[("agency", "overdue")] == (1, 0)
    assert changed[("agency", "resolved")] == (1, 2)
    assert changed[("agency", "late")] == (0, 1)
    assert changed[("agency", "on_time_rate")] == (1.0, 0.5)
    assert changed[("total", "overdue")] == (1, 0)
    late_list = FigureRevision.objects.get(snapshot=late[FigureKind.LATE_LIST])
    assert {(c["where"], c["column"], c["published"], c["now"]) for c in late_list.changes} == {
        ("Sở Xây dựng", "resolved", 1, 2),
        ("Sở Xây dựng", "late_resolved", 0, 1),
        ("Sở Xây dựng", "overdue", 1, 0),
        ("Hoàng Văn Lãnh", "resolved", 1, 2),
        ("Hoàng Văn Lãnh", "late_resolved", 0, 1),
        ("Hoàng Văn Lãnh", "overdue", 1, 0),
    }  # late 1 and share 1 ÷ 2 = 50% are unchanged
    # the published figures stand
    for kind, snapshot in late.items():
        assert PublishedFigures.objects.get(pk=snapshot.pk).payload == snapshot.payload, kind
    assert LateList.objects.get(month=MAY.first).entries.get(kind="agency").overdue == 1
    # the same recomputation again stores nothing; publishing again replaces nothing
    assert snapshots.recheck_recent(now=LATER) == []
    assert FigureRevision.objects.count() == 2
    assert snapshots.publish(FigureKind.TRANSPARENCY, MAY, now=LATER).pk == late[FigureKind.TRANSPARENCY].pk
    again = late_list_publish(month=MAY.first, now=LATER)
    assert again.entries.get(kind="agency").overdue == 1 and LateList.objects.count() == 2
    assert PublishedFigures.objects.count() == 6 and FigureRevision.objects.count() == 2


def test_an_early_backdated_result_revises_the_766_index(unit, months):
    published = PublishedFigures.objects.get(kind=FigureKind.INDEX_766, period="2026-05")
    assert values(published.payload, "agency", str(unit.agency.pk), "group_progress") == 10.0  # 1 of (1 + 1)
    resolve(unit, months, t("2026-05-04 16:00"))  # before the due time: early
    revision = snapshots.recheck(FigureKind.INDEX_766, MAY, now=RECHECKED_AT)
    change = next(c for c in revision.changes if c["column"] == "group_progress")
    assert (change["where"], change["published"], change["now"]) == ("Sở Xây dựng", 10.0, 20.0)
    assert snapshots.recheck(FigureKind.INDEX_766, MAY, now=LATER) is None


def test_a_second_change_is_a_second_revision_still_against_the_published_figures(unit, months):
    resolve(unit, months, t("2026-05-20 10:00"))
    first = snapshots.recheck(FigureKind.TRANSPARENCY, MAY, now=RECHECKED_AT)
    receive(unit, t("2026-05-25 08:00"))  # a dossier received on 25/05 (due 26/05), entered late: overdue again
    second = snapshots.recheck(FigureKind.TRANSPARENCY, MAY, now=LATER)
    assert first is not None and second is not None and first.pk != second.pk
    changed = {(c["section"], c["column"]): (c["published"], c["now"]) for c in second.changes}
    assert changed[("agency", "received")] == (2, 3)
    assert changed[("agency", "resolved")] == (1, 2)  # against the published 1, not the first revision's 2
    assert ("agency", "overdue") not in changed  # 1 as published (another dossier)


def test_the_public_trend_shows_published_months_as_published(unit, months):
    from workflow.reports import figures

    resolve(unit, months, t("2026-05-20 10:00"))
    snapshots.recheck_recent(now=RECHECKED_AT)
    computed = figures.trend(months=[APRIL, MAY, JUNE], now=RECHECKED_AT)
    assert [(p["resolved"], p["in_progress"]) for p in computed] == [(1, 0), (2, 0), (0, 0)]
    shown = snapshots.published_trend(computed)
    assert [(p["resolved"], p["in_progress"], p["on_time_rate"]) for p in shown] == [
        (1, 0, 1.0),
        (1, 1, 1.0),  # May as published: 1 resolved early, 1 open
        (0, 0, None),  # June: open, as computed
    ]


def test_published_figures_and_revisions_cannot_be_changed(unit, months):
    snapshot = PublishedFigures.objects.first()
    snapshot.payload = {}
    with pytest.raises(ImmutableRecordError):
        snapshot.save()
    with pytest.raises(ImmutableRecordError):
        PublishedFigures.objects.update(payload={})
    with pytest.raises(ImmutableRecordError):
        PublishedFigures.objects.all().delete()


def test_a_late_list_stored_before_snapshots_is_taken_as_published(unit, months):
    """A list in the late-list tables without a snapshot (published before this existed) is adopted as it is."""
    from workflow.models import LateListEntry

    old = LateList.objects.create(month=Period.month(2026, 3).first, computed_at=t("2026-04-01 08:00"))
    old.published_at = t("2026-04-01 08:00")
    old.save()
    LateListEntry.objects.create(
        late_list=old, kind="agency", agency=unit.agency, name="Sở Xây dựng", agency_name="Sở Xây dựng", late=1
    )
    revision = snapshots.recheck(FigureKind.LATE_LIST, "2026-03", now=RECHECKED_AT)
    snapshot = PublishedFigures.objects.get(kind=FigureKind.LATE_LIST, period="2026-03")
    assert snapshot.published_at == t("2026-04-01 08:00")
    assert values(snapshot.payload, "agency", str(unit.agency.pk), "late") == 1
    assert revision is not None and ("Sở Xây dựng", "late", 1, None) in {
        (c["where"], c["column"], c["published"], c["now"]) for c in revision.changes
    }  # March had no late dossier when recomputed


# --- what the pages and the API show ------------------------------------------------------------------------------


def test_the_public_pages_show_the_published_figures_and_the_revision(unit, months, client):
    resolve(unit, months, t("2026-05-20 10:00"))
    snapshots.recheck_recent(now=RECHECKED_AT)
    page = client.get(reverse("transparency_month", args=["2026-05"])).content.decode()
    assert "Công khai ngày 10/06/2026" in page
    note = page.split('class="revision-note" role="note"><strong>', 1)[1].split("</strong>", 1)[0]
    assert note.startswith("Điều chỉnh ngày 12/06/2026: ")
    assert "Quá hạn 1 → 0 (Sở Xây dựng)" in note  # overdue at the month's end, as published → now
    assert "Đã xử lý xong 1 → 2 (Sở Xây dựng)" in note and "Tổng cộng" not in note  # the total: in the table
    published, revised = page.split('class="published-revision"', 1)
    assert 'data-figure="overdue">1<' in published and 'data-figure="overdue">0<' not in published
    assert 'data-figure="overdue">0<' in revised  # the recomputed figures, behind a toggle
    with freeze_time("2026-06-20 03:00:00"):
        home = client.get(reverse("transparency")).content.decode()
    assert note in home and reverse("transparency_month", args=["2026-05"]) in home
    assert client.get(reverse("transparency_month", args=["2026-06"])).status_code == 404  # never published
    late = client.get(reverse("transparency_late_list", args=["2026-05"])).content.decode()
    assert "Điều chỉnh ngày 12/06/2026: " in late and "Đang giải quyết, quá hạn 1 → 0 (Sở Xây dựng)" in late
    april = client.get(reverse("transparency_month", args=["2026-04"])).content.decode()
    assert "Điều chỉnh ngày" not in april


def test_admin_screens_and_api_show_published_and_revisions(unit, months, client):
    from catalog.officials.roles import SUPERVISOR
    from tests.factories.workflow import UserFactory
    from tests.factories.world import in_roles
    from tests.workflow.reports.test_views import admin_access

    resolve(unit, months, t("2026-05-04 16:00"))
    supervisor = admin_access(UserFactory(username="giamsat", email="giamsat@example.gov.vn"))
    in_roles(supervisor, SUPERVISOR)
    from django.contrib.auth.models import Permission

    supervisor.user_permissions.add(Permission.objects.get(codename="view_all_units"))
    client.force_login(supervisor)
    # the admin button on a published month rechecks it: a revision beside the list, the list unchanged
    with freeze_time("2026-06-12 02:00:00"):
        response = client.post(reverse("reports:late_lists"), {"month": "2026-05"})
        assert response.status_code == 302
        assert client.post(reverse("reports:late_lists"), {"month": "2026-06"}).status_code == 302
    assert not PublishedFigures.objects.filter(period="2026-06").exists()
    screen = client.get(reverse("reports:late_lists"), {"month": "2026-05"}).content.decode()
    assert "Điều chỉnh ngày 12/06/2026" in screen
    snapshots.recheck(FigureKind.INDEX_766, MAY, now=RECHECKED_AT)
    screen = client.get(reverse("reports:index766"), {"period": "2026-05"}).content.decode()
    assert "Công khai ngày 10/06/2026" in screen and "Điều chỉnh ngày 12/06/2026" in screen
    data = client.get("/api/v1/reports/published/index_766/2026-05/").json()
    assert data["published_at"] and data["published"]["sections"][0]["rows"][0]["values"]["group_progress"] == 10.0
    assert [c["now"] for c in data["revisions"][0]["changes"] if c["column"] == "group_progress"] == [20.0]
    assert data["revisions"][0]["figures"]["sections"][0]["rows"][0]["values"]["group_progress"] == 20.0
    lists = client.get("/api/v1/reports/late-lists/2026-05/").json()
    assert [e["overdue"] for e in lists["entries"] if e["kind"] == "agency"] == [1]
    assert lists["revisions"][0]["entries"] == []  # nobody late any more
    assert lists["revisions"][0]["changes"]
    assert client.get("/api/v1/reports/published/index_766/2026-06/").status_code == 404
    assert client.get("/api/v1/reports/published/nothing/2026-05/").status_code == 404
