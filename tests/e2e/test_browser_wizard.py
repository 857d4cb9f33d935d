"""The e-form wizard in a real browser keeps a chosen file across "More rows" and "Back" (issue 14 item 4).

A citizen chose the drawing on the building step, pressed "More rows" to add a contractor, and the file was
silently gone; no step said a file was attached. The first step is posted through the test client in the same
session (its address picker is not what this test is about); the building step is filled in Chromium.
"""

import pytest

from tests.e2e.browser import PDF, TIMEOUT
from tests.eforms.conftest import _fresh_engine_cache, applicant, eform, unit  # noqa: F401 (fixtures)
from tests.eforms.test_wizard import STEP1, start

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DRAWING = PDF + b"%" + b"x" * 2400


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch, settings):
    """Playwright's sync API runs an event loop in this thread, from before the e-form fixtures use the ORM."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.RATELIMIT_ENABLED = False


def test_a_chosen_file_survives_more_rows_and_back_and_reaches_the_review(
    browser, live_server, client, unit, eform, applicant, tmp_path
):
    wizard = start(client, applicant, eform)
    response = wizard.post("s1", STEP1)
    assert wizard.current_step(response) == "s2", response.context["form"].errors

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{live_server.url}{wizard.url}")
    drawing = tmp_path / "ban-ve.pdf"
    drawing.write_bytes(DRAWING)

    page.check("[name='s2-loai_cong_trinh'][value='nha_o']")
    page.fill("[name='s2-dien_tich']", "120,5")
    page.fill("[name='s2-mo_ta']", "Nhà ở 3 tầng")
    page.fill("[name='s2-nha_thau-0-ten']", "Công ty Xây dựng Hạ Long")
    page.set_input_files("[name='s2-ban_ve']", str(drawing))
    with page.expect_navigation():
        page.click("button[name='wizard_refresh']")

    # The rows were added, and the step says the drawing is attached, with its size and Remove.
    assert page.locator("[name='s2-nha_thau-2-ten']").count() == 1
    current = page.locator(".eform-current-file")
    assert "ban-ve.pdf" in current.inner_text() and "KB" in current.inner_text()
    assert current.locator("button[name='eform_remove_file']").is_visible()
    assert page.input_value("[name='s2-nha_thau-0-ten']") == "Công ty Xây dựng Hạ Long"

    page.check("[name='s2-hang_muc'][value='mong']")
    page.fill("[name='s2-nha_thau-0-so_nguoi']", "12")
    page.fill("[name='s2-nha_thau-0-ngay']", "2026-03-01")
    with page.expect_navigation():  # "Next" without choosing the file again
        page.click(".eform-buttons button.primary")
    assert page.locator(".errorlist").count() == 0, page.locator("main").inner_text()
    assert page.locator("input[type=file][name^='documents-doc_']").count() >= 1  # the documents step

    with page.expect_navigation():  # "Back" to the building step: still attached
        page.click("button[name='wizard_goto_step'][value='s2']")
    assert "ban-ve.pdf" in page.locator(".eform-current-file").inner_text()
    context.close()

    kept = type(wizard.draft).objects.get(pk=wizard.draft.pk).state["step_files"]["s2"]
    assert kept["s2-ban_ve"]["name"] == "ban-ve.pdf"
