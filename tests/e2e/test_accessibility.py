"""axe-core in the browser (issue 14 item 9): the public pages, the e-form wizard, the lookup, the feedback form and
the officials' main admin screens have no serious or critical violation; the admin dashboard none of moderate impact
either. axe-core 4.10.3 is vendored (tests/e2e/vendor/axe-core, never a CDN) and run by tests/e2e/look.py; a failure
lists every violation with the page, the rule and the elements.

The wizard is walked with a flash message on screen (saved, then resumed): its message list was an ``<ul>`` given
``role="status"``, which made each ``<li>`` a list item outside any list (axe ``listitem``, serious).
"""

import pytest

from tests.e2e.browser import PDF, TIMEOUT, admin_sign_in, citizen_sign_in, fill_building_step, next_step
from tests.e2e.look import SERIOUS, axe_violations

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def check(page, found, impacts=SERIOUS):
    page.wait_for_load_state("networkidle")
    found.extend(axe_violations(page, impacts))


def test_public_pages_wizard_lookup_and_feedback_have_no_serious_violation(browser, live_server, demo, tmp_path):
    from workflow.models import Dossier

    base = live_server.url
    found = []
    visitor = browser.new_context(locale="vi-VN")
    visitor.set_default_timeout(TIMEOUT)
    page = visitor.new_page()
    received = Dossier.objects.filter(received_at__isnull=False).order_by("pk").first()
    for path in (
        "/",
        "/thu-tuc-hanh-chinh/",
        "/thu-tuc-hanh-chinh/?q=giay+phep+xay+dung",
        "/thu-tuc-hanh-chinh/1.011876/",
        "/tra-cuu/",
        f"/tra-cuu/?code={received.code}",
        "/tra-cuu/?code=000.00.15.H99-000000-9999",
        "/phan-anh/",
    ):
        page.goto(base + path)
        check(page, found)
    page.goto(f"{base}/tra-cuu/?code={received.code}")
    assert received.code in page.locator(".lookup-result").inner_text()  # the answer, checked above

    # --- the wizard, every step, with the "saved" and "resumed" messages on screen ------------------------
    page = citizen_sign_in(browser, base)
    page.goto(f"{base}/thu-tuc-hanh-chinh/1.011876/")
    with page.expect_navigation():
        page.locator("a.button.primary[href*='/nop-truc-tuyen/']").click()
    page.wait_for_selector("form.eform")
    check(page, found)
    page.locator("input[name$='-la_to_chuc'][value=yes]").check()
    with page.expect_navigation():
        page.locator("button[name=eform_save]").click()
    assert page.locator(".messages").count() == 1, "saving the form shows a message"
    check(page, found)  # the list of unfinished forms
    page.goto(f"{base}/thu-tuc-hanh-chinh/1.011876/")
    with page.expect_navigation():
        page.locator("a.button.primary[href*='/nop-truc-tuyen/']").click()
    page.wait_for_selector("form.eform")
    assert page.locator(".messages").count() == 1, "resuming the form says so"
    check(page, found)
    next_step(page)
    check(page, found)
    with page.expect_navigation():  # the submitted step with its errors
        page.locator("form.eform button.primary[type=submit]").click()
    assert page.locator(".errorlist-summary").count() == 1
    check(page, found)
    drawing = tmp_path / "ban-ve.pdf"
    drawing.write_bytes(PDF)
    fill_building_step(page, drawing)
    next_step(page)
    check(page, found)
    page.fill("[name$='-ten_to_chuc']", "Công ty TNHH Xây dựng An Bình")
    page.fill("[name$='-ma_so_thue']", "0101234567")
    next_step(page)
    check(page, found)  # documents
    for field in page.locator("input[type=file][name^='documents-doc_']").all():
        field.set_input_files(str(drawing))
    next_step(page)
    check(page, found)  # delivery
    offered = page.locator("input[name='delivery-agency']").first
    if offered.get_attribute("type") == "radio":
        offered.check()
    page.locator("input[name='delivery-delivery'][value=online]").check()
    next_step(page)
    page.wait_for_selector("input[name='review-confirm']")
    check(page, found)  # review

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


def test_admin_screens_have_no_serious_violation(browser, live_server, demo):
    from django.contrib.auth import get_user_model

    from workflow.models import Dossier, Status

    base = live_server.url
    found = []
    from django_otp.plugins.otp_totp.models import TOTPDevice

    specialist = get_user_model().objects.get(username="chuyenvien.sxd")  # holds the demo's dossiers in progress
    TOTPDevice.objects.filter(user=specialist).delete()  # admin_sign_in gives them an authenticator of its own
    page = admin_sign_in(browser, base, specialist)
    page.goto(f"{base}/admin/")
    check(page, found, impacts=("moderate", *SERIOUS))  # the dashboard: not even a moderate one
    for path in ("/admin/dossiers/mine/", "/admin/dossiers/unit/", "/admin/reports/", "/admin/reports/index-766/"):
        page.goto(base + path)
        assert page.locator("h1").count() >= 1, path
        check(page, found)
    dossier = Dossier.objects.filter(status=Status.PROCESSING, current_holder=specialist).order_by("pk").first()
    page.goto(f"{base}/admin/dossiers/{dossier.pk}/")
    page.wait_for_selector("details[id^=action-]")
    for box in page.locator("details[id^=action-]").all():  # the action forms are checked unfolded
        box.evaluate("d => { d.open = true; }")
    check(page, found)
    # ... and with the apology's date-time picker open (its icon buttons had no name: button-name, critical)
    page.locator("input[name='apologize-new_appointment']").click()
    picker = page.locator(".xdsoft_datetimepicker:visible").first
    picker.wait_for(state="visible")
    assert picker.locator(".xdsoft_prev").first.get_attribute("aria-label") == "Tháng trước"
    check(page, found)

    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)
