"""The public site on a phone (375×812) and on a desktop (1366×768), measured in the browser (issue 14 item 10).

On a phone: the header is one compact row with a menu button (aria-expanded, opens and closes with the keyboard),
so the header and the maintenance notice end within 120 px; no page scrolls sideways; the e-form's inputs and the
lookup's code box fill the content column (≥ 90 %); the procedure's documents are cards whose name cell spans the
card (not one word per line). On a desktop nothing of that regresses: the whole menu shows without a button, the
documents are a table with its header, inputs keep a readable width.
"""

import pytest
from django.utils import timezone

from tests.e2e.browser import TIMEOUT, citizen_sign_in

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 768}


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def no_sideways_scroll(page):
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways: {width} px wide"


def content_width(page):
    """The width of the content column: main's box less its padding."""
    return page.evaluate(
        """() => { const m = document.querySelector('main'); const s = getComputedStyle(m);
                   return m.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); }"""
    )


def wide_inputs(page, minimum):
    widths = page.evaluate(
        """() => [...document.querySelectorAll('form.eform .eform-field input:not([type=radio]):not([type=checkbox])'
                  + ':not([type=hidden]):not([type=file]), form.eform .eform-field textarea')]
               .filter(e => e.offsetParent !== null && !e.closest('table'))
               .map(e => [e.name, e.getBoundingClientRect().width])"""
    )
    assert widths, f"{page.url}: no input found"
    narrow = [(name, round(width)) for name, width in widths if width < minimum]
    assert not narrow, f"{page.url}: inputs narrower than {minimum:.0f} px: {narrow}"
    return widths


def open_wizard(browser, viewport, base):
    page = citizen_sign_in(browser, base, viewport=viewport)
    page.goto(f"{base}/thu-tuc-hanh-chinh/1.011876/")
    with page.expect_navigation():
        page.locator("a.button.primary[href*='/nop-truc-tuyen/']").click()
    page.wait_for_selector("form.eform")
    return page


def test_public_site_on_a_phone_and_on_a_desktop(browser, live_server, demo):
    from catalog.selectors import maintenance_notices_visible
    from workflow.models import Dossier

    base = live_server.url
    assert maintenance_notices_visible(timezone.now()), (
        "the demo shows a maintenance notice: it counts in the header height"
    )
    code = Dossier.objects.filter(received_at__isnull=False).order_by("pk").first().code

    # --- phone ----------------------------------------------------------------------------------------
    phone = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True)
    phone.set_default_timeout(TIMEOUT)
    page = phone.new_page()
    for path in ("/", "/thu-tuc-hanh-chinh/", "/thu-tuc-hanh-chinh/1.011876/", "/tra-cuu/", f"/tra-cuu/?code={code}"):
        page.goto(base + path)
        no_sideways_scroll(page)
        top = page.evaluate("() => document.querySelector('main').getBoundingClientRect().top")
        assert top <= 120, f"{path}: the header, menu and notice take {top:.0f} px before the content"
        assert page.locator(".site-menu nav").is_hidden(), f"{path}: the menu is folded behind its button"

    # the menu button: keyboard opens it, Escape closes it and gives the focus back
    button = page.locator("button.menu-toggle")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-controls") == "site-menu"
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    lookup = page.locator(".site-menu nav a[href='/tra-cuu/']")
    assert lookup.is_visible()
    link_box = lookup.bounding_box()
    assert link_box["height"] >= 40, "menu links are big enough to tap"
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and page.locator(".site-menu nav").is_hidden()
    assert page.evaluate("() => document.activeElement.classList.contains('menu-toggle')")

    # the lookup's code box fills the column
    page.goto(f"{base}/tra-cuu/")
    assert box(page, "#lookup-code")["width"] >= 0.9 * content_width(page)

    # the documents of a procedure: cards with the whole name on a line of its own
    page.goto(f"{base}/thu-tuc-hanh-chinh/1.011876/")
    table = box(page, "table.documents")
    names = page.locator("table.documents td.doc-name").all()
    assert len(names) >= 3
    for name in names:
        cell = name.bounding_box()
        lines = name.evaluate(
            """e => { const s = getComputedStyle(e);
                      return (e.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom))
                             / parseFloat(s.lineHeight); }"""
        )
        words = len(name.inner_text().split())
        assert cell["width"] >= 0.8 * table["width"], f"the name '{name.inner_text()}' is squeezed: {cell['width']} px"
        assert round(lines) <= max(2, words / 3), f"'{name.inner_text()}' takes {lines:.1f} lines"
    assert page.locator("table.documents thead").bounding_box()["height"] <= 1, "no column header row on a phone"
    shown = page.locator("table.documents tbody tr td[data-label]").first.evaluate(
        "e => getComputedStyle(e, '::before').content"
    )
    assert "Bản chính" in shown, f"each card names its figures (shown: {shown})"

    # the e-form: inputs as wide as the column, no sideways scroll
    page = open_wizard(browser, PHONE, base)
    no_sideways_scroll(page)
    wide_inputs(page, 0.9 * content_width(page))

    # --- desktop --------------------------------------------------------------------------------------
    desktop = browser.new_context(locale="vi-VN", viewport=DESKTOP)
    desktop.set_default_timeout(TIMEOUT)
    page = desktop.new_page()
    for path in ("/", "/thu-tuc-hanh-chinh/1.011876/", "/tra-cuu/"):
        page.goto(base + path)
        no_sideways_scroll(page)
        assert page.locator("button.menu-toggle").is_hidden(), "no menu button on a desktop"
        links = page.locator(".site-menu nav a")
        assert all(link.is_visible() for link in links.all()), "the whole menu shows"
        nav = box(page, ".site-menu nav")
        assert nav["height"] <= 48, f"{path}: the menu fits one row ({nav['height']} px)"
    page.goto(f"{base}/thu-tuc-hanh-chinh/1.011876/")
    assert page.locator("table.documents thead").is_visible()
    name = box(page, "table.documents td.doc-name")
    assert name["height"] <= 40, "a document's name is on one line of the table"
    page = open_wizard(browser, DESKTOP, base)
    no_sideways_scroll(page)
    widths = wide_inputs(page, 400)
    assert max(width for _, width in widths) <= 700, "inputs are not stretched across a wide screen"
