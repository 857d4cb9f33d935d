"""QT 21 warnings to the holder and the unit admin, each sent once."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils.translation import gettext

from catalog.officials.roles import LEADER, RECEPTION_OFFICER, SPECIALIST, UNIT_ADMIN
from tests.factories.world import build_unit, member
from workflow.dossiers import services
from workflow.dossiers.deadline_warnings import deadline_warnings_send
from workflow.dossiers.services import Applicant

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def t(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


@pytest.fixture
def dossier():
    u = build_unit(
        procedure={"processing_time": Decimal("2")},
        officials={
            "officer": member(username="motcua", email="motcua@example.gov.vn"),
            "admin": member(UNIT_ADMIN, username="quantri", email="quantri@example.gov.vn"),
        },
        holders={0: ["officer"]},
    )
    officer, procedure, agency = u.officer, u.procedure, u.agency
    # Monday 2026-03-02 08:00 + 2 working days -> due Wednesday 08:00.
    return services.dossier_receive_at_counter(
        actor=officer, procedure=procedure, agency=agency, applicant=Applicant(name="A"), at=t("2026-03-02 08:00")
    )


def test_nothing_while_more_than_a_working_day_is_left(dossier):
    assert deadline_warnings_send(now=t("2026-03-02 17:00")) == 0  # 1 day + 30 min left


def test_due_soon_then_overdue_each_sent_once_to_holder_and_unit_admin(dossier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_warnings_send(now=t("2026-03-03 09:00")) == 2  # due Wed 08:00: 420 working minutes left (< 480)
    assert sorted(m.to[0] for m in mail.outbox) == ["motcua@example.gov.vn", "quantri@example.gov.vn"]
    due = {"code": dossier.code, "due": "08:00 04/03/2026"}
    assert mail.outbox[0].subject == gettext("Less than one working day left: dossier %(code)s is due at %(due)s") % due
    assert deadline_warnings_send(now=t("2026-03-03 10:00")) == 0  # already told
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_warnings_send(now=t("2026-03-04 08:01")) == 2
    assert mail.outbox[-1].subject == gettext("Overdue: dossier %(code)s was due at %(due)s") % due
    assert deadline_warnings_send(now=t("2026-03-05 08:00")) == 0


def test_a_step_that_names_nobody_warns_its_group_in_its_unit(django_capture_on_commit_callbacks):
    u = build_unit(
        procedure={"processing_time": Decimal("2")},
        officials={
            "officer": member(RECEPTION_OFFICER, username="motcua", email="motcua@example.gov.vn"),
            "specialist": member(SPECIALIST, username="chuyenvien", email="chuyenvien@example.gov.vn"),
            "leader": member(LEADER, username="lanhdao", email="lanhdao@example.gov.vn"),
        },
        holders={0: ["officer"]},  # the appraisal step names nobody: the unit's specialists hold it
    )
    other = build_unit(officials={"specialist": member(SPECIALIST, email="other@example.gov.vn")}, procedure=False)
    assert other.agency != u.agency
    dossier = services.dossier_receive_at_counter(
        actor=u.officer, procedure=u.procedure, agency=u.agency, applicant=Applicant(name="A"), at=t("2026-03-02 08:00")
    )
    services.dossier_forward(
        actor=u.officer, dossier_id=dossier.pk, revision=dossier.revision, at=t("2026-03-02 09:00")
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_warnings_send(now=t("2026-03-03 09:00")) == 1
    assert [m.to for m in mail.outbox] == [["chuyenvien@example.gov.vn"]]


def test_an_online_dossier_awaiting_reception_warns_the_units_reception_officers(django_capture_on_commit_callbacks):
    """QN 13.2a: received within 8 working hours; the warning reaches the one-stop officers of the reception step's
    unit (the demo's steps name nobody), not only the unit admin."""
    from tests.factories.citizens import citizen, submit_online

    u = build_unit(
        officials={
            "officer": member(RECEPTION_OFFICER, username="motcua", email="motcua@example.gov.vn"),
            "specialist": member(SPECIALIST, username="chuyenvien", email="chuyenvien@example.gov.vn"),
            "admin": member(UNIT_ADMIN, username="quantri", email="quantri@example.gov.vn"),
        },
        holders={},
    )
    # Submitted Friday 2026-03-06 16:00: 1 working hour that day + Monday 07:30-11:30 and 13:00-16:00.
    dossier = submit_online(u, citizen(), at=t("2026-03-06 16:00"))
    assert dossier.reception_due_at == t("2026-03-09 16:00")
    with django_capture_on_commit_callbacks(execute=True):  # 8 working hours is one day: due soon from the start
        assert deadline_warnings_send(now=t("2026-03-06 16:05")) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["motcua@example.gov.vn", "quantri@example.gov.vn"]
    assert deadline_warnings_send(now=t("2026-03-09 15:59")) == 0  # already told
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_warnings_send(now=t("2026-03-09 16:01")) == 2  # overdue for reception
    assert "chuyenvien@example.gov.vn" not in {m.to[0] for m in mail.outbox}
