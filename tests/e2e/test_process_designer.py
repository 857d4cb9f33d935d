"""The process designer in a browser (issue 17): the edit page of a unit's draft copied from the province's default
process and the process's page with its diagram have no serious or critical axe-core violation, and the steps'
hours sum and its warning follow the hours boxes as they are typed, with no script error."""

import pytest

from tests.e2e.browser import admin_sign_in
from tests.e2e.look import SERIOUS, ConsoleErrors, axe_violations

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_process_designer_is_accessible_and_sums_the_hours_live(browser, live_server, demo):
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from catalog.models import Agency
    from workflow.models import Process
    from workflow.processes.services import process_copy_for_unit

    admin = get_user_model().objects.get(username="quantri.sxd")
    unit = Agency.objects.get(code="000.00.15.H99")
    default = Process.objects.filter(agency__isnull=True, procedure__agencies=unit, is_short=False).first()
    draft = process_copy_for_unit(actor=admin, process_id=default.pk, agency=unit)
    expected = draft.procedure.processing_minutes // 60
    TOTPDevice.objects.filter(user=admin).delete()  # admin_sign_in gives them an authenticator of its own
    base = live_server.url
    page = admin_sign_in(browser, base, admin)
    errors = ConsoleErrors(page.context)
    found = []

    page.goto(f"{base}/admin/snippets/workflow/process/edit/{draft.pk}/")
    page.wait_for_load_state("networkidle")
    summary = page.locator("[data-process-designer]")
    status = summary.locator("[data-designer-status]")
    assert f"{expected} / {expected} giờ làm việc" in status.inner_text()
    assert "vừa đủ" in status.inner_text() and "is-equal" in summary.get_attribute("class")
    assert page.locator("button[name=process-publish]").count() == 1  # “Save and publish” in the action menu
    found += axe_violations(page, SERIOUS)

    hours = page.locator("input[name='steps-1-allowance_hours']")
    before = float(hours.input_value())
    hours.fill(str(before + 3))
    assert f"{expected + 3} / {expected} giờ làm việc" in status.inner_text()
    assert "Vượt thời hạn giải quyết 3 giờ làm việc" in status.inner_text()
    assert "is-over" in summary.get_attribute("class")
    assert "· " + f"{before + 3:g}".replace(".", ",") + " giờ" in page.locator("#inline_child_steps-1").inner_text()
    hours.fill(str(before - 1))
    assert "Còn 1 giờ làm việc" in status.inner_text() and "is-under" in summary.get_attribute("class")
    found += axe_violations(page, SERIOUS)  # with the warning on screen

    # moved with the keyboard: the focus stays on the step's buttons and the move is announced
    page.locator("#inline_child_steps-1 [data-inline-panel-child-move-up]").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.closest('[data-inline-panel-child]').id") == "inline_child_steps-1"
    assert "nay là bước 1 trong" in page.locator("[data-designer-announce]").inner_text()

    page.goto(f"{base}/admin/snippets/workflow/process/inspect/{draft.pk}/")
    page.wait_for_load_state("networkidle")
    diagram = page.locator("svg.process-diagram[role=img]")
    assert diagram.count() == 1 and diagram.locator("title").count() == 1
    assert diagram.bounding_box()["width"] <= 1366 - 200  # inside the content column at 1366 px, no scrolling
    found += axe_violations(page, SERIOUS)
    assert not found, "\n".join(found)
    assert not errors.errors, "\n".join(errors.errors)
