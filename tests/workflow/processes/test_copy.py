"""A unit admin copies the province's default process for their unit in one action (process_copy_for_unit), from
a button on the default process's page; the copy is a draft of the unit's own process that the review checks."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories.world import hold
from workflow.errors import ActionNotAllowed, InvalidInput, InvalidState
from workflow.models import Process, ProcessStatus, StepKind
from workflow.processes import services
from workflow.processes.services import StepSpec

pytestmark = pytest.mark.django_db


def purl(name, *args):
    return reverse(f"wagtailsnippets_workflow_process:{name}", args=args)


def test_a_unit_admin_copies_the_default_process_for_their_unit(default_process, home, other, procedure):
    copy = services.process_copy_for_unit(actor=home.admin, process_id=default_process.pk, agency=home.agency)
    assert (copy.agency, copy.status, copy.version, copy.procedure) == (home.agency, ProcessStatus.DRAFT, 1, procedure)
    assert [(s.sort_order, s.name, s.kind, s.allowance_hours, s.holder_role, s.agency) for s in copy.steps.all()] == [
        (s.sort_order, s.name, s.kind, s.allowance_hours, s.holder_role, s.agency) for s in default_process.steps.all()
    ]
    assert copy.steps.get(kind=StepKind.HANDOFF).agency == other.agency
    default_process.refresh_from_db()
    assert default_process.status == ProcessStatus.PUBLISHED and default_process.steps.count() == 5
    # until the copy is published, the unit's dossiers follow the default process
    assert Process.objects.for_procedure(procedure, home.agency) == default_process
    services.process_publish(actor=home.admin, process_id=copy.pk)
    assert Process.objects.for_procedure(procedure, home.agency) == copy
    assert Process.objects.for_procedure(procedure, other.agency) == default_process


def test_officials_of_other_units_are_left_out_of_the_copy(default_process, home, other):
    review_step, handoff = default_process.steps.all()[1], default_process.steps.all()[2]
    hold(review_step, home.specialist, other.officials["specialist"])  # a default process may name any unit's
    hold(handoff, other.officials["specialist"])
    copy = services.process_copy_for_unit(actor=home.admin, process_id=default_process.pk, agency=home.agency)
    steps = list(copy.steps.all())
    assert list(steps[1].officials.all()) == [home.specialist]
    assert list(steps[2].officials.all()) == [other.officials["specialist"]]  # the hand-off stays with B's
    assert copy.left_out == {"Thẩm định hồ sơ": ["Vũ Tài"]}


def test_a_copy_is_refused_when_the_unit_may_not_have_it(default_process, home, other, procedure):
    copy = services.process_copy_for_unit(actor=home.admin, process_id=default_process.pk, agency=home.agency)
    with pytest.raises(InvalidState, match="already has a draft of this process"):
        services.process_copy_for_unit(actor=home.admin, process_id=default_process.pk, agency=home.agency)
    with pytest.raises(InvalidState, match="Only a procedure's default process is copied"):
        services.process_copy_for_unit(actor=home.admin, process_id=copy.pk, agency=home.agency)
    with pytest.raises(ActionNotAllowed):  # another unit
        services.process_copy_for_unit(actor=home.admin, process_id=default_process.pk, agency=other.agency)
    # B's copy would hand the dossier off to B itself
    with pytest.raises(InvalidInput, match="A hand-off goes to another agency"):
        services.process_copy_for_unit(actor=_admin_of(other), process_id=default_process.pk, agency=other.agency)
    assert Process.objects.filter(agency=other.agency).count() == 0
    assert Process.objects.count() == 2


def _admin_of(unit):
    from catalog.officials import roles
    from tests.factories.world import add_official, member

    return add_official(unit.agency, member(roles.UNIT_ADMIN, username=f"quantri.{unit.agency.pk}"))


def test_the_default_process_page_offers_the_copy_to_the_unit_admin(client, default_process, home):
    client.force_login(home.admin)
    page = client.get(purl("inspect", default_process.pk)).content.decode()
    assert "Copy for Sở Xây dựng" in page and purl("copy_for_unit", default_process.pk) in page
    response = client.post(purl("copy_for_unit", default_process.pk), {"agency": home.agency.pk})
    copy = Process.objects.get(agency=home.agency)
    assert response.status_code == 302 and response["Location"] == purl("edit", copy.pk)
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert any("Draft version 1 for Sở Xây dựng copied" in m for m in messages)
    page = client.get(purl("inspect", default_process.pk)).content.decode()
    assert "Copy for Sở Xây dựng" not in page and "Edit the draft of Sở Xây dựng" in page
    # a second POST (another tab) is refused with the reason, nothing made
    response = client.post(purl("copy_for_unit", default_process.pk), {"agency": home.agency.pk})
    assert response.status_code == 302 and Process.objects.filter(agency=home.agency).count() == 1
    # the unit's own process offers no copy
    assert "Copy for" not in client.get(purl("inspect", copy.pk)).content.decode()


def test_an_official_without_the_designer_right_gets_no_copy(client, default_process, home):
    client.force_login(home.specialist)
    assert client.post(purl("copy_for_unit", default_process.pk), {"agency": home.agency.pk}).status_code in (302, 403)
    assert not Process.objects.filter(agency=home.agency).exists()


def test_the_short_process_obeys_the_same_review(procedure, home):
    draft = services.process_create_short(actor=home.admin, procedure=procedure, agency=home.agency)
    assert services.process_review_of(draft).ok and not services.process_review_of(draft).allowance_mismatch
    spec = StepSpec("Trả", StepKind.RESULT, Decimal("1"), officials=[home.officer])
    assert services.process_review(procedure=procedure, agency=home.agency, steps=[spec]).ok
