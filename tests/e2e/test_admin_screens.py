"""The officials' screens in a browser at 1366×768 (issue 14 items 3 and 6).

The dossier inbox reads at 1366 px with the sidebar open: every dossier code is on one line and the warning column
is inside the window and its table box (no sideways scrolling needed); the screenshot is kept in
var/test-artifacts/inbox-1366.png. The dossier page raises no console error (it threw ``initDateTimeChooser is not
defined``) and the apology's new appointment opens the admin's date-time picker, not a bare text box. No console
error or uncaught exception on any admin page visited.
"""

import pytest

from tests.e2e.browser import ARTIFACTS, admin_sign_in
from tests.e2e.look import ConsoleErrors

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_inbox_at_1366_and_dossier_page_without_console_errors(browser, live_server, demo):
    from django.contrib.auth import get_user_model

    from workflow.models import Dossier, Status

    base = live_server.url
    from django_otp.plugins.otp_totp.models import TOTPDevice

    specialist = get_user_model().objects.get(username="chuyenvien.sxd")  # holds the demo's dossiers in progress
    TOTPDevice.objects.filter(user=specialist).delete()  # admin_sign_in gives them an authenticator of its own
    page = admin_sign_in(browser, base, specialist)
    page.set_viewport_size({"width": 1366, "height": 768})
    console = ConsoleErrors(page.context)

    # --- the inbox -------------------------------------------------------------------------------------
    for inbox in ("mine", "unit"):
        page.goto(f"{base}/admin/dossiers/{inbox}/")
        page.wait_for_load_state("networkidle")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"inbox-{inbox}-1366.png"))
        codes = page.locator("td.dossier-col-code a").all()
        assert codes, f"the {inbox} inbox lists dossiers"
        for code in codes:
            height = code.bounding_box()["height"]
            line = float(
                code.evaluate(
                    "e => parseFloat(getComputedStyle(e).lineHeight) || 1.2 * parseFloat(getComputedStyle(e).fontSize)"
                )
            )
            assert height < 1.5 * line, f"the code {code.inner_text()} wraps: {height} px for a {line} px line"
        scroller = page.locator(".dossier-table-scroll")
        sizes = scroller.evaluate(
            "b => ({scroll: b.scrollWidth, client: b.clientWidth, right: b.getBoundingClientRect().right})"
        )
        assert sizes["scroll"] <= sizes["client"] + 1, f"the {inbox} table must be scrolled sideways: {sizes}"
        header = page.locator("th.dossier-col-warning")
        assert header.is_visible()
        right = header.bounding_box()["x"] + header.bounding_box()["width"]
        assert right <= min(1366, sizes["right"]) + 1, f"the warning column is cut off at {right} px"
        warnings = page.locator("td.dossier-col-warning .dossier-warning").all()
        for warning in warnings:
            cell = warning.bounding_box()
            assert cell["x"] + cell["width"] <= 1366 + 1, f"the warning '{warning.inner_text()}' is cut off"

    # --- the dossier page and the apology's new appointment ------------------------------------------------
    dossier = Dossier.objects.filter(status=Status.PROCESSING, current_holder=specialist).order_by("pk").first()
    page.goto(f"{base}/admin/dossiers/{dossier.pk}/")
    page.wait_for_load_state("networkidle")
    apology = page.locator("details#action-apologize")
    apology.locator("summary").click()
    field = apology.locator("input[name='apologize-new_appointment']")
    field.click()
    picker = page.locator(".xdsoft_datetimepicker").first
    picker.wait_for(state="visible")
    picker.locator(".xdsoft_date:not(.xdsoft_disabled)").last.click()
    assert field.input_value(), "choosing a day in the picker fills the new appointment"

    # --- the other main admin pages ------------------------------------------------------------------
    for path in ("/admin/", "/admin/dossiers/reception/", "/admin/reports/", "/admin/reports/late-lists/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert "/admin/login/" not in page.url, path

    assert not console.errors, "console errors on admin pages:\n" + "\n".join(console.errors)
