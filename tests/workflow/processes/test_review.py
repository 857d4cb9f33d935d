"""One function checks a whole process (workflow.processes.services.process_review): the designer's form, building
(the demo loader, the short process), copying for a unit and publishing all refuse what it refuses, and show its
warnings (allowances against the processing time, a group in which the unit has no official)."""

from decimal import Decimal

import pytest

from portal.demo.workflow_data import load_processes
from tests.factories import ProcedureFactory
from tests.factories.workflow import UserFactory
from workflow.errors import InvalidInput
from workflow.models import Process, ProcessStatus, StepKind
from workflow.processes import services
from workflow.processes.services import StepSpec

pytestmark = pytest.mark.django_db


def review(procedure, agency, *steps):
    return services.process_review(procedure=procedure, agency=agency, steps=list(steps))


def test_every_rule_is_named_on_its_step_and_field(procedure, home, other):
    outsider = other.officials["specialist"]
    found = review(
        procedure,
        home.agency,
        StepSpec("", StepKind.RECEPTION, Decimal("4")),
        StepSpec("Thẩm định", "guesswork", None, holder_role="unit_admin"),
        StepSpec("Liên thông", StepKind.HANDOFF, Decimal("-1")),
        StepSpec("Phê duyệt", StepKind.APPROVAL, Decimal("4"), agency=other.agency),
        StepSpec(
            "Trả",
            StepKind.RESULT,
            Decimal("4"),
            officials=[outsider, UserFactory(username="khong-phai", first_name="Ngoài", last_name="Người")],
        ),
    )
    assert not found.ok
    assert {index: set(fields) for index, fields in found.errors.items()} == {
        0: {"name"},
        1: {"kind", "holder_role", "allowance_hours"},
        2: {"allowance_hours", "agency"},
        3: {"agency"},
        4: {"officials"},
    }
    assert found.errors[4]["officials"] == "Only officials can hold a step: Người Ngoài."
    with pytest.raises(InvalidInput, match="Step “Liên thông”: The allowance cannot be negative"):
        found.refuse()


def test_a_whole_process_needs_a_step_and_a_unit_implementing_the_procedure(home):
    elsewhere = ProcedureFactory(agencies=[])
    found = review(elsewhere, home.agency)
    assert set(found.errors[None]) == {"steps", "agency"}
    assert "Sở Xây dựng does not implement this procedure" in found.errors[None]["agency"]
    # a procedure-wide default process belongs to no unit
    assert review(elsewhere, None, StepSpec("Tiếp nhận", StepKind.RECEPTION, Decimal("1"))).ok


def test_a_hand_off_step_is_held_by_the_other_agencys_group_or_officials(procedure, home, other):
    by_group = review(
        procedure,
        home.agency,
        StepSpec("Lấy ý kiến", StepKind.HANDOFF, Decimal("40"), agency=other.agency, holder_role="specialist"),
    )
    assert by_group.ok and not by_group.warnings
    by_name = review(
        procedure,
        home.agency,
        StepSpec("Lấy ý kiến", StepKind.HANDOFF, Decimal("40"), agency=other.agency, officials=[home.specialist]),
    )
    assert "Only officials of Sở Tài chính can hold this step" in by_name.errors[0]["officials"]
    # B has no leader: a step held by B's leaders could never be taken
    nobody = review(
        procedure,
        home.agency,
        StepSpec("Lấy ý kiến", StepKind.HANDOFF, Decimal("40"), agency=other.agency, holder_role="leader"),
    )
    assert nobody.ok
    assert nobody.warnings == [
        "Step “Lấy ý kiến”: no official of Sở Tài chính is in the group “Leader”, so nobody could take its "
        "dossiers. Add officials to the group or name the officials who hold the step."
    ]


def test_allowances_over_the_processing_time_are_a_warning(procedure, home):
    found = review(
        procedure,
        home.agency,
        StepSpec("Tiếp nhận", StepKind.RECEPTION, Decimal("4")),
        StepSpec("Thẩm định", StepKind.PROCESSING, Decimal("38.5")),
    )
    assert found.ok and found.allowance_over
    assert (found.steps_minutes, found.expected_minutes) == (2550, 2400)
    assert "add up to 42,5 working hours" in found.warnings[0] and "is 40 working hours" in found.warnings[0]


def test_publishing_refuses_what_the_review_refuses(procedure, home, superuser):
    """A unit's draft written behind the form's back for a procedure the unit gave up is not published."""
    draft = services.process_build(
        procedure=procedure,
        agency=home.agency,
        name="Nháp",
        steps=[StepSpec("Giải quyết", StepKind.APPROVAL, Decimal("40"))],
    )
    procedure.agencies.remove(home.agency)
    with pytest.raises(InvalidInput, match="does not implement this procedure"):
        services.process_publish(actor=superuser, process_id=draft.pk)
    draft.refresh_from_db()
    assert draft.status == ProcessStatus.DRAFT


def test_the_demo_loader_builds_processes_the_review_accepts(procedure):
    ProcedureFactory(processing_time=Decimal("4"))  # an on-the-spot procedure too
    load_processes()
    processes = list(Process.objects.all())
    assert len(processes) == 2
    for process in processes:
        found = services.process_review_of(process)
        assert found.ok, found.messages()
        assert found.steps_minutes <= found.expected_minutes
