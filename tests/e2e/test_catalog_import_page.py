"""The catalog import / export page in a real browser: its buttons show a small icon beside a readable label."""

import pytest
from django.contrib.auth import get_user_model

from tests.e2e.browser import PASSWORD, admin_sign_in

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_upload_and_export_buttons_show_a_small_icon_and_their_label(browser, live_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's event loop runs in this thread
    admin = get_user_model().objects.create_superuser("catalogue", "c@example.gov.vn", PASSWORD)
    page = admin_sign_in(browser, live_server.url, admin)
    page.goto(f"{live_server.url}/admin/catalog-import/")

    buttons = [page.locator("form[enctype] button[type=submit]"), *page.locator("a[href*='/export/']").all()]
    assert len(buttons) == 7  # upload + 3 sheets x 2 formats
    for button in buttons:
        label = button.inner_text().strip()
        assert label, button.evaluate("node => node.outerHTML")
        icon = button.locator("svg.icon").bounding_box()
        box = button.bounding_box()
        assert icon["width"] <= 24 and icon["height"] <= 24, (label, icon)
        assert box["height"] <= 60, (label, box)
