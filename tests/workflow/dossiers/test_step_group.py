"""A step that lists no officials is held by its group (DESIGN §5.3), not by every official of the unit.

Issue 15 item 1: the one-stop officer forwarded a dossier to the appraisal step, which named nobody, and could then
act on it there ("appraisal done by the one-stop officer"). Now the appraisal step is held by the unit's
specialists and the approval step by its leaders, as the demo processes name them.
"""

import pytest
from django.core.management import call_command

from catalog.officials import roles
from tests.factories.citizens import citizen, receive, submit_online
from tests.factories.world import build_unit, member
from workflow.dossiers import queries, services
from workflow.dossiers.selectors import WarningThresholds, dossier_allowed_actions
from workflow.errors import ActionNotAllowed
from workflow.models import Action, ProcessStep, StepKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    """Sở Xây dựng whose processing and approval steps list nobody: their groups hold them."""
    return build_unit(
        officials={
            "officer": member(roles.RECEPTION_OFFICER, username="motcua"),
            "specialist": member(roles.SPECIALIST, username="chuyenvien"),
            "leader": member(roles.LEADER, username="lanhdao"),
        },
        holders={0: ["officer"], 3: ["officer"]},
    )


def forwarded_to_appraisal(unit):
    dossier = receive(unit, submit_online(unit, citizen()))
    return services.dossier_forward(actor=unit.officer, dossier_id=dossier.pk, revision=dossier.revision)


def test_the_one_stop_officer_cannot_act_at_the_appraisal_step_it_forwarded_to(unit):
    dossier = forwarded_to_appraisal(unit)
    assert dossier.current_step.kind == StepKind.PROCESSING and dossier.current_holder is None

    with pytest.raises(ActionNotAllowed):
        services.dossier_forward(actor=unit.officer, dossier_id=dossier.pk, revision=dossier.revision)
    assert Action.FORWARD not in dossier_allowed_actions(dossier, unit.officer)

    dossier = services.dossier_forward(actor=unit.specialist, dossier_id=dossier.pk, revision=dossier.revision)
    assert dossier.current_step.kind == StepKind.APPROVAL
    with pytest.raises(ActionNotAllowed):  # the leaders' step: the specialist who sent it there is done
        services.dossier_forward(actor=unit.specialist, dossier_id=dossier.pk, revision=dossier.revision)
    assert Action.FORWARD in dossier_allowed_actions(dossier, unit.leader)


def test_each_official_finds_the_group_step_in_their_own_inbox_only(unit):
    dossier = forwarded_to_appraisal(unit)

    def mine(user):
        return set(queries.inbox_queryset("mine", user, WarningThresholds.at()).values_list("pk", flat=True))

    assert dossier.pk in mine(unit.specialist)
    assert dossier.pk not in mine(unit.officer) and dossier.pk not in mine(unit.leader)


def test_the_forward_choices_are_the_next_steps_group(unit):
    dossier = receive(unit, submit_online(unit, citizen()))
    appraisal = unit.steps[1]
    assert queries.officials_for_step(appraisal, dossier) == [unit.specialist]
    assert queries.officials_for_step(unit.steps[2], dossier) == [unit.leader]


def test_the_designer_may_give_a_step_to_another_group(unit):
    appraisal = unit.steps[1]
    ProcessStep.objects.filter(pk=appraisal.pk).update(holder_role=roles.LEADER)
    dossier = forwarded_to_appraisal(unit)
    with pytest.raises(ActionNotAllowed):
        services.dossier_forward(actor=unit.specialist, dossier_id=dossier.pk, revision=dossier.revision)
    services.dossier_forward(actor=unit.leader, dossier_id=dossier.pk, revision=dossier.revision)


def test_every_demo_step_names_its_group():
    call_command("load_demo", verbosity=0)
    steps = ProcessStep.objects.all()
    assert steps.exists() and not steps.filter(holder_role="").exists()
    expected = {
        StepKind.RECEPTION: roles.RECEPTION_OFFICER,
        StepKind.PROCESSING: roles.SPECIALIST,
        StepKind.APPROVAL: roles.LEADER,
        StepKind.RESULT: roles.RECEPTION_OFFICER,
    }
    assert {(s.kind, s.holder_role) for s in steps} <= set(expected.items())
