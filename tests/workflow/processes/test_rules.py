"""The process designer's rules (QT 22) live in workflow/processes/services.py: the designer's form, publishing,
the short-process shortcut, the demo loader and the load seed all go through them, so no way round the form
builds a process the form would refuse."""

from decimal import Decimal

import pytest

from tests.factories import AgencyFactory, ProcedureFactory
from tests.factories.workflow import UserFactory, official
from workflow.errors import InvalidInput
from workflow.models import Process, ProcessStatus, ProcessStep, StepKind
from workflow.processes import services
from workflow.processes.services import StepSpec

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    home = AgencyFactory(code="000.00.15.H99", name="Sở Xây dựng")
    other = AgencyFactory(code="000.00.16.H99", name="Sở Tài chính")
    procedure = ProcedureFactory(agencies=[home])
    return home, other, procedure


def test_step_problems_name_the_field_and_the_rule(world):
    home, other, _procedure = world
    outsider = official(other, "canbo.stc", first_name="Lan", last_name="Trần")
    assert set(services.step_problems(kind=StepKind.HANDOFF, agency=None, process_agency=home)) == {"agency"}
    assert set(services.step_problems(kind=StepKind.PROCESSING, agency=other, process_agency=home)) == {"agency"}
    assert set(services.step_problems(kind=StepKind.HANDOFF, agency=home, process_agency=home)) == {"agency"}
    problems = services.step_problems(kind=StepKind.PROCESSING, agency=None, process_agency=home, officials=[outsider])
    assert set(problems) == {"officials"} and "Trần Lan" in problems["officials"]
    # A hand-off step is held by the officials of the agency it goes to.
    assert services.step_problems(kind=StepKind.HANDOFF, agency=other, process_agency=home, officials=[outsider]) == {}
    # A procedure-wide default process (no unit): any unit's officials.
    assert (
        services.step_problems(kind=StepKind.PROCESSING, agency=None, process_agency=None, officials=[outsider]) == {}
    )


def test_building_a_process_outside_the_form_is_checked_and_changes_nothing(world):
    home, other, procedure = world
    with pytest.raises(InvalidInput, match="Liên thông"):
        services.process_build(
            procedure=procedure,
            agency=home,
            name="Quy trình",
            steps=[
                StepSpec("Tiếp nhận", StepKind.RECEPTION, Decimal("1")),
                StepSpec("Liên thông", StepKind.HANDOFF, Decimal("4")),  # without the agency that handles it
            ],
        )
    assert not Process.objects.exists() and not ProcessStep.objects.exists()
    process = services.process_build(
        procedure=procedure,
        agency=home,
        name="Quy trình",
        status=ProcessStatus.PUBLISHED,
        steps=[
            StepSpec("Tiếp nhận", StepKind.RECEPTION, Decimal("1")),
            StepSpec("Liên thông", StepKind.HANDOFF, Decimal("4"), agency=other),
            StepSpec("Trả kết quả", StepKind.RESULT, Decimal("1")),
        ],
    )
    assert [(s.sort_order, s.name) for s in process.steps.all()] == [
        (0, "Tiếp nhận"),
        (1, "Liên thông"),
        (2, "Trả kết quả"),
    ]
    assert process.status == ProcessStatus.PUBLISHED and process.published_at is not None and process.version == 1


def test_publishing_refuses_a_step_held_by_another_units_official(world):
    home, other, procedure = world
    admin = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    draft = services.process_build(
        procedure=procedure, agency=home, name="Nháp", steps=[StepSpec("Thẩm định", StepKind.PROCESSING, Decimal("8"))]
    )
    step = draft.steps.get()
    step.officials.add(official(other, "canbo.stc"))  # written behind the form's back
    step.officials.commit()
    with pytest.raises(InvalidInput, match="Thẩm định"):
        services.process_publish(actor=admin, process_id=draft.pk)
    draft.refresh_from_db()
    assert draft.status == ProcessStatus.DRAFT


def test_the_short_process_shortcut_refuses_officials_of_another_unit(world):
    home, other, procedure = world
    admin = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    with pytest.raises(InvalidInput):
        services.process_create_short(
            actor=admin, procedure=procedure, agency=home, resolution_officials=[official(other, "canbo.stc")]
        )
    assert not Process.objects.exists()
    short = services.process_create_short(
        actor=admin, procedure=procedure, agency=home, resolution_officials=[official(home, "chuyenvien")]
    )
    assert [s.kind for s in short.steps.all()] == [StepKind.RECEPTION, StepKind.APPROVAL, StepKind.RESULT]
    assert list(short.steps.all()[1].officials.values_list("username", flat=True)) == ["chuyenvien"]
