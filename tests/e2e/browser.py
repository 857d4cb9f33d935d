"""What the browser tests share: Debian's Chromium driven by Playwright, the demo's commune officials, the admin
sign-in with the second factor, and the small steps (act on a dossier, next wizard step).

Chromium is never downloaded: ``/usr/bin/chromium`` (Debian package ``chromium``, installed by
``scripts/check_system.sh --browser`` from ``make test``). Without it the tests are skipped with a message.
On failure every open page is screenshotted to ``var/test-artifacts/`` (gitignored). The fixtures ``browser``
and ``demo`` are in ``tests/e2e/conftest.py``.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from catalog.officials import roles
from tests.factories import files
from tests.factories.world import in_roles

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = next(p for p in Path(__file__).resolve().parents if (p / "manage.py").is_file()) / "var" / "test-artifacts"
PASSWORD = "Demo@2026!tthc"  # portal.demo.loader.DEMO_PASSWORD
COMMUNE = "001.01.01.H99"  # UBND phường Trung Tâm: one of the communes implementing 1.011876
PDF = files.PDF  # a real one-page PDF: uploads are parsed (portal.core.uploads)
TIMEOUT = 30_000


def chromium_or_skip():
    path = CHROMIUM if os.path.isfile(CHROMIUM) else shutil.which("chromium")
    if not path:
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install the Debian package 'chromium' "
            "(make test does it with apt-get when run as root) to run the browser journey"
        )
    return path


def commune_officials():
    """Reception officer, specialist and leader of the receiving commune (the demo's officials are Sở Xây dựng's).

    The demo process steps list no officials, so a step is held by the officials of the receiving unit."""
    from catalog.models import Agency, Official

    User = get_user_model()
    agency = Agency.objects.get(code=COMMUNE)
    people = {}
    staff = (
        ("officer", "motcua.tt", roles.RECEPTION_OFFICER),
        ("specialist", "chuyenvien.tt", roles.SPECIALIST),
        ("leader", "lanhdao.tt", roles.LEADER),
    )
    for key, username, group in staff:
        user = User.objects.create_user(
            username, f"{username}@anbinh.gov.vn", PASSWORD, is_staff=True, first_name=key.title(), last_name="Phường"
        )
        in_roles(user, group)
        Official.objects.create(user=user, agency=agency, position=roles.DEFAULT_NAMES[group])
        people[key] = user
    people["agency"] = agency
    return people


def otp_code(key: bytes) -> str:
    from django_otp.oath import totp

    return f"{totp(key):06d}"


def admin_sign_in(browser, base, user, enrol=False):
    """Password on Wagtail's sign-in form, then the second factor (portal/otp.py) typed like from a phone app.

    ``enrol``: a first sign-in, the official has no authenticator yet; the set-up page shows a QR code and the
    key as text, which is what the "app" reads here. Otherwise the official's authenticator already exists.
    """
    import base64

    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = None if enrol else TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
    context = browser.new_context(locale="vi-VN", accept_downloads=True)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(f"{base}/admin/login/")
    assert page.locator("input[name=remember]").count() == 0  # officials' sessions end with the browser
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    page.wait_for_selector("input[name=otp_token]")
    assert page.locator("input[name=otp_token]").count() == 1
    if enrol:
        assert "/admin/otp/setup/" in page.url and page.locator(".otp-qr svg").count() == 1
        secret = page.locator("#otp-secret").inner_text().replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    else:
        assert "/admin/otp/" in page.url and "/setup/" not in page.url
        key = device.bin_key
    token = page.locator("input[name=otp_token]")
    token.fill(otp_code(key))
    with page.expect_navigation():
        token.press("Enter")
    assert "/admin/login/" not in page.url and "/admin/otp/" not in page.url, (
        f"{user.username} could not sign in to the admin: {page.url}"
    )
    if enrol:
        assert TOTPDevice.objects.get(user=user).confirmed
    return page


def act(page, base, dossier, action, fill=None):
    """Open the dossier in the admin, unfold the action and submit it."""
    page.goto(f"{base}/admin/dossiers/{dossier.pk}/")
    box = page.locator(f"details#action-{action}")
    box.wait_for()
    box.locator("summary").click()
    if fill:
        fill(box)
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    page.wait_for_selector("#dossier-title, .w-header")
    assert page.locator(".messages .error, .help-critical").count() == 0, page.locator(".messages").inner_text()


def next_step(page):
    with page.expect_navigation():
        page.locator("form.eform button.primary[type=submit]").click()
    errors = page.locator(".errorlist-summary")
    assert errors.count() == 0, page.locator("form.eform").inner_text()


def citizen_sign_in(browser, base, **context_options):
    """A new browser context (Vietnamese, ``context_options`` such as ``viewport``) with the demo citizen signed in
    by phone number and password."""
    context = browser.new_context(locale="vi-VN", **context_options)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", "0912345678")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    return page


def fill_building_step(page, drawing):
    """The demo building-permit form's building step: site, kind (radio or select), area, floors, drawing file."""
    page.fill("[name$='-dia_diem']", "Thửa 12, tờ bản đồ 5, phường Trung Tâm")
    page.locator("[name$='-loai_cong_trinh']").first.wait_for()
    choice = page.locator("[name$='-loai_cong_trinh']")
    if choice.first.evaluate("e => e.tagName") == "SELECT":
        choice.select_option("nha_o")
    else:
        page.locator("input[name$='-loai_cong_trinh'][value=nha_o]").check()
    page.fill("[name$='-dien_tich']", "120")
    page.fill("[name$='-so_tang']", "3")
    page.set_input_files("input[type=file][name$='-ban_ve']", str(drawing))
