"""The designer's screens: the edit page with the live hours sum and “Save and publish”, the field errors from the
review, and the process's page with its diagram; their queries do not grow with the steps."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workflow.models import Process, ProcessStatus, StepKind
from workflow.processes import services
from workflow.processes.services import StepSpec

pytestmark = pytest.mark.django_db


def purl(name, *args):
    return reverse(f"wagtailsnippets_workflow_process:{name}", args=args)


def draft_of(unit, procedure, count=5, other=None):
    kinds = [StepKind.RECEPTION] + [StepKind.PROCESSING] * (count - 2) + [StepKind.RESULT]
    steps = [StepSpec(f"Bước {i + 1}", kind, Decimal("40") / count) for i, kind in enumerate(kinds)]
    if other is not None:
        steps[1] = StepSpec("Lấy ý kiến", StepKind.HANDOFF, steps[1].allowance_hours, agency=other.agency)
    return services.process_build(procedure=procedure, agency=unit.agency, name="Quy trình của Sở", steps=steps)


def form_data(process, rows):
    """The edit form's POST: ``rows`` = dicts of a step's fields (``id`` for a saved step)."""
    data = {
        "name": process.name,
        "procedure": process.procedure_id,
        "agency": process.agency_id or "",
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in {"position": "", "agency": "", "holder_role": "", "DELETE": "", "id": ""}.items():
            data[f"steps-{index}-{key}"] = row.get(key, value)
        for key in ("name", "kind", "allowance_hours"):
            data[f"steps-{index}-{key}"] = row[key]
        data[f"steps-{index}-ORDER"] = str(index + 1)
        data[f"steps-{index}-officials"] = row.get("officials", [])
    return data


def rows_of(process):
    return [
        {
            "id": s.pk,
            "name": s.name,
            "kind": s.kind,
            "allowance_hours": str(s.allowance_hours),
            "agency": s.agency_id or "",
        }
        for s in process.steps.all()
    ]


def test_the_edit_page_carries_the_live_sum_and_a_wide_hours_box(client, home, procedure):
    draft = draft_of(home, procedure)
    client.force_login(home.admin)
    html = client.get(purl("edit", draft.pk)).content.decode()
    assert "data-process-designer" in html and "workflow/process-designer.js" in html
    # each procedure's processing time in working minutes, for the sum as one types
    assert f'"{procedure.pk}": 2400' in html
    assert 'type="number" name="steps-0-allowance_hours"' in html and 'step="0.25"' in html
    assert "process-step-hours" in html
    # Publish on the edit page: the action menu's “Save and publish”
    assert 'name="process-publish"' in html and "Save and publish" in html


def test_save_and_publish_from_the_edit_page(client, home, procedure):
    old = draft_of(home, procedure)
    services.process_publish(actor=home.admin, process_id=old.pk)
    draft = services.process_new_draft(actor=home.admin, process_id=old.pk)
    client.force_login(home.admin)
    rows = rows_of(draft)
    rows[1]["name"] = "Thẩm định hồ sơ"
    response = client.post(purl("edit", draft.pk), form_data(draft, rows) | {"process-publish": ""})
    assert response.status_code == 302 and response["Location"] == purl("inspect", draft.pk)
    draft.refresh_from_db()
    old.refresh_from_db()
    assert (draft.status, old.status) == (ProcessStatus.PUBLISHED, ProcessStatus.RETIRED)
    assert draft.steps.all()[1].name == "Thẩm định hồ sơ"
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert any("Version 2 of “Quy trình của Sở” is published" in m for m in messages)
    # a published version offers no “Save and publish” (its edit page is closed anyway)
    assert client.get(purl("edit", draft.pk)).status_code == 302


def test_the_form_shows_the_reviews_errors_on_their_fields(client, home, other, procedure, superuser):
    draft = draft_of(home, procedure)
    client.force_login(superuser)
    rows = rows_of(draft)
    rows[1].update(kind=StepKind.HANDOFF, agency=home.agency.pk)  # a hand-off to the process's own agency
    rows[2].update(holder_role="leader", officials=[other.officials["specialist"].pk])
    response = client.post(purl("edit", draft.pk), form_data(draft, rows))
    html = response.content.decode()
    assert response.status_code == 200
    assert "A hand-off goes to another agency" in html and "Only officials of Sở Xây dựng can hold this step" in html
    # a procedure the chosen unit does not implement: on the agency field
    procedure.agencies.remove(other.agency)
    moved = form_data(draft, rows_of(draft)) | {"agency": other.agency.pk}
    html = client.post(purl("edit", draft.pk), moved).content.decode()
    assert "Sở Tài chính does not implement this procedure" in html
    draft.refresh_from_db()
    assert draft.agency == home.agency and draft.status == ProcessStatus.DRAFT


def test_the_process_page_draws_the_process(client, home, other, procedure):
    draft = draft_of(home, procedure, other=other)
    step = draft.steps.all()[2]
    step.officials.set([home.specialist])
    step.officials.commit()
    client.force_login(home.admin)
    html = client.get(purl("inspect", draft.pk)).content.decode()
    svg = html[html.index('<svg class="process-diagram"') : html.index("</svg>", html.index("process-diagram"))]
    assert 'role="img"' in svg and 'aria-labelledby="process-diagram-title process-diagram-desc"' in svg
    assert '<title id="process-diagram-title">Diagram of the process “Quy trình của Sở”, version 1: 5 steps' in svg
    assert svg.count("<rect") == 10 and svg.count("marker-end") == 4  # a box (and its stripe) per step, arrows
    for text in (
        "1. Bước 1",
        "2. Lấy ý kiến",
        "At: Sở Tài chính",
        "Officials: Phạm Văn Chuyên",
        "Group: One-stop officer",
    ):
        assert text in svg, text
    assert "8 working hours" in svg
    assert "Steps: 40 of 40 working hours" in html
    # described in words for screen readers: every step, its holder, agency and hours
    desc = svg[svg.index("<desc") : svg.index("</desc>")]
    assert "2. Lấy ý kiến, Inter-agency hand-off, Group: Specialist, at Sở Tài chính, 8 working hours" in desc


@pytest.mark.parametrize("page", ["inspect", "edit"])
def test_the_designer_pages_read_the_same_number_of_queries_whatever_the_steps(client, home, procedure, page):
    client.force_login(home.admin)
    counts = []
    for count in (3, 9):
        draft = draft_of(home, procedure, count=count)
        for step in draft.steps.all():
            step.officials.set([home.specialist, home.leader])
            step.officials.commit()
        client.get(purl(page, draft.pk))  # warm the per-process caches (session, permissions)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(purl(page, draft.pk)).status_code == 200
        counts.append(len(queries))
        Process.objects.filter(pk=draft.pk).delete()
    assert counts[0] == counts[1], counts
