"""The dossier status × action table (workflow/dossiers/transitions.py) is what the services accept and what the
screens and the API offer: in every state, for every official, a button is shown exactly when the service would
take the action (only a missing or wrong input may still be refused, and the form asks for it)."""

from decimal import Decimal

import pytest
from django.db import transaction

from tests.factories.workflow import UserFactory
from tests.workflow.dossiers.test_services import doc, receive, slip, t, unit  # noqa: F401 - the fixture
from workflow.dossiers import selectors, services, transitions
from workflow.dossiers.services import Applicant
from workflow.errors import ActionNotAllowed, InvalidInput, InvalidState, SlipRequired
from workflow.models import Action, Dossier, Status

pytestmark = pytest.mark.django_db
AT = t("2026-03-03 10:00")


def call(action, actor, dossier, colleague):
    """The service of ``action`` with inputs a form would send."""
    common = dict(actor=actor, dossier_id=dossier.pk, at=AT)
    calls = {
        Action.RECEIVE: lambda: services.dossier_receive_online(**common),
        Action.GUIDE: lambda: services.dossier_guide(**common, comment="Thiếu tờ khai", files=[slip()]),
        Action.REFUSE_RECEPTION: lambda: services.dossier_refuse_reception(**common, reason="x", files=[slip()]),
        Action.FORWARD: lambda: services.dossier_forward(**common),
        Action.RETURN_PREVIOUS: lambda: services.dossier_return_previous(**common, comment="Giải trình"),
        Action.HANDOVER: lambda: services.dossier_handover(**common, colleague=colleague),
        Action.REQUEST_SUPPLEMENT: lambda: services.dossier_request_supplement(**common, comment="x", files=[slip()]),
        Action.RESUBMIT: lambda: services.dossier_resubmit(**common, files=[doc()]),
        Action.REQUEST_PAYMENT: lambda: services.dossier_request_payment(**common, amount=Decimal("50000")),
        Action.CONFIRM_PAYMENT: lambda: services.dossier_confirm_payment(**common, reference="BL-1"),
        Action.APOLOGIZE: lambda: services.dossier_apologize(
            **common, reason="Chờ xác minh", new_appointment=t("2026-03-20 08:00"), files=[slip()]
        ),
        Action.STOP: lambda: services.dossier_stop(**common, reason="x", files=[slip()]),
        Action.WITHDRAW: lambda: services.dossier_withdraw(**common, files=[doc("don-rut.pdf")]),
        Action.RECORD_RESULT: lambda: services.dossier_record_result(**common, signer="Lãnh đạo", files=[doc()]),
        Action.RETURN_RESULT: lambda: services.dossier_return_result(**common),
    }
    return calls[action]()


def accepted(action, actor, dossier, colleague) -> bool:
    """Whether the service takes the action (in a savepoint rolled back, so the state is kept for the next)."""
    try:
        with transaction.atomic():
            call(action, actor, dossier, colleague)
            raise _Undo()
    except _Undo:
        return True
    except (InvalidInput, SlipRequired):
        return True  # the state allows it; only this test's input is refused
    except (ActionNotAllowed, InvalidState):
        return False


class _Undo(Exception):
    pass


def states(unit):
    """A dossier in each state an official meets, built through the services."""
    citizen = UserFactory(username="congdan", is_staff=False)
    online = services.dossier_submit_online(
        applicant_user=citizen,
        procedure=unit.procedure,
        agency=unit.agency,
        applicant=Applicant(name="Công Dân"),
        at=t("2026-03-02 08:00"),
    )
    yield "new online", online
    received = receive(unit, t("2026-03-02 08:00"))
    yield "received", received
    d = services.dossier_forward(actor=unit.officer, dossier_id=received.pk, at=t("2026-03-02 09:00"))
    yield "at review", d
    d = services.dossier_forward(actor=unit.specialist, dossier_id=d.pk, at=t("2026-03-02 10:00"))
    yield "at approval", d
    d = services.dossier_request_payment(
        actor=unit.leader, dossier_id=d.pk, amount=Decimal("1"), at=t("2026-03-02 10:30")
    )
    yield "payment", d
    d = services.dossier_confirm_payment(actor=unit.officer, dossier_id=d.pk, at=t("2026-03-02 10:40"))
    d = services.dossier_request_supplement(
        actor=unit.leader, dossier_id=d.pk, comment="x", files=[slip()], at=t("2026-03-02 11:00")
    )
    yield "supplement", d
    d = services.dossier_resubmit(actor=unit.officer, dossier_id=d.pk, files=[doc()], at=t("2026-03-02 13:00"))
    d = services.dossier_record_result(
        actor=unit.leader, dossier_id=d.pk, signer="Lãnh đạo", files=[doc()], at=t("2026-03-02 14:00")
    )
    yield "resolved", d
    last = receive(unit, t("2026-03-02 08:10"))
    for holder in (unit.officer, unit.specialist, unit.leader):  # on to the last step (return of the result)
        last = services.dossier_forward(actor=holder, dossier_id=last.pk, at=t("2026-03-02 09:00"))
    yield "at the last step", last
    withdrawing = receive(unit, t("2026-03-02 08:30"))
    withdrawing.applicant_user = citizen
    withdrawing.save(update_fields=["applicant_user"])
    yield (
        "withdrawal asked online",
        services.dossier_request_withdrawal(
            actor=citizen, dossier_id=withdrawing.pk, reason="Nộp nhầm", at=t("2026-03-02 09:30")
        ),
    )
    yield (
        "withdrawn (closed)",
        services.dossier_withdraw(actor=unit.officer, dossier_id=withdrawing.pk, at=t("2026-03-02 09:40")),
    )


def test_buttons_are_exactly_what_the_services_accept(unit):
    outsider_unit = UserFactory(username="nguoingoai", is_staff=True)
    colleagues = {unit.officer: unit.specialist, unit.specialist: unit.officer, unit.leader: unit.officer}
    checked = 0
    for label, dossier in states(unit):
        for actor in (unit.officer, unit.specialist, unit.leader, outsider_unit):
            fresh = selectors.dossier_get(user=unit.officer, dossier_id=dossier.pk)
            offered = set(selectors.dossier_allowed_actions(fresh, actor, now=AT))
            for action in selectors.ACTION_NAMES:
                taken = accepted(action, actor, Dossier.objects.get(pk=dossier.pk), colleagues.get(actor))
                assert (action.value in offered) == taken, (label, actor.username, action.value, offered)
                checked += 1
    assert checked == 10 * 4 * len(selectors.ACTION_NAMES)


def test_every_status_outside_a_row_is_refused_and_changes_nothing(unit):
    dossier = receive(unit, t("2026-03-02 08:00"))
    admin = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    for action, rule in transitions.TRANSITIONS.items():
        if action == transitions.REQUEST_WITHDRAWAL:
            continue
        for status in set(Status) - rule.statuses:
            Dossier.objects.filter(pk=dossier.pk).update(status=status)
            before = Dossier.objects.values("status", "revision", "closed_at").get(pk=dossier.pk)
            with pytest.raises(InvalidState):
                call(action, admin, Dossier.objects.get(pk=dossier.pk), unit.specialist)
            assert Dossier.objects.values("status", "revision", "closed_at").get(pk=dossier.pk) == before


def test_an_online_withdrawal_request_is_offered_to_the_officer_who_closes_it(unit):
    """Status 7 asked online: the officer sees "withdraw" (the service accepts it); once closed, nobody does."""
    citizen = UserFactory(username="congdan", is_staff=False)
    d = receive(unit, t("2026-03-02 08:00"))
    Dossier.objects.filter(pk=d.pk).update(applicant_user=citizen)
    services.dossier_request_withdrawal(actor=citizen, dossier_id=d.pk, reason="Nộp nhầm", at=t("2026-03-02 09:00"))
    d = selectors.dossier_get(user=unit.officer, dossier_id=d.pk)
    assert d.status == Status.WITHDRAWAL and "withdraw" in selectors.dossier_allowed_actions(d, unit.officer)
    services.dossier_withdraw(actor=unit.officer, dossier_id=d.pk, at=t("2026-03-02 10:00"))
    d = selectors.dossier_get(user=unit.officer, dossier_id=d.pk)
    assert d.closed_at == t("2026-03-02 10:00")
    assert selectors.dossier_allowed_actions(d, unit.officer) == []
    with pytest.raises(InvalidState):
        services.dossier_withdraw(actor=unit.officer, dossier_id=d.pk, at=t("2026-03-02 11:00"))


def test_who_comes_before_status_so_an_outsider_learns_nothing(unit):
    """Acting on another unit's dossier says "not found", whatever its state (not "not possible while …")."""
    dossier = receive(unit, t("2026-03-02 08:00"))
    outsider = UserFactory(username="donvikhac", is_staff=True)
    for action in (Action.FORWARD, Action.GUIDE, Action.RETURN_RESULT):
        with pytest.raises(ActionNotAllowed):
            call(action, outsider, dossier, None)
