"""The forward form names each official once (issue 14 item 8b), however many later steps they may hold."""

from collections import Counter

import pytest

from tests.factories.citizens import citizen, construction_unit, receive, submit_online
from workflow.dossiers.forms import ForwardForm

pytestmark = pytest.mark.django_db


def test_each_official_is_offered_once_and_the_chosen_step_is_checked():
    unit = construction_unit()  # 4 steps; step 2 falls back to its group (specialists of the unit)
    unit.process.steps.get(sort_order=1).officials.clear()
    dossier = receive(unit, submit_online(unit, citizen()))
    form = ForwardForm(dossier=dossier, user=unit.officer)
    offered = [value for value, _label in form.fields["to_holder"].choices if value != ""]
    assert offered and all(count == 1 for count in Counter(offered).values()), form.fields["to_holder"].choices
    assert {unit.officer.pk, unit.specialist.pk} <= set(offered)

    steps = {s.sort_order: s for s in unit.process.steps.all()}
    other = steps[2]  # held at another agency: none of this unit's officials may hold it
    data = {
        f"{ForwardForm.action}-revision": dossier.revision,
        f"{ForwardForm.action}-to_step": other.pk,
        f"{ForwardForm.action}-to_holder": unit.specialist.pk,
    }
    refused = ForwardForm(data, dossier=dossier, user=unit.officer)
    assert not refused.is_valid() and "to_holder" in refused.errors
    data[f"{ForwardForm.action}-to_step"] = steps[1].pk
    assert ForwardForm(data, dossier=dossier, user=unit.officer).is_valid()
