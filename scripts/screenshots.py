"""Screenshots of the public site on a phone and a desktop, and of the officials' inbox, for the README.

Run against a server with the demo data (``make run`` in another terminal):

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]

Writes docs/screenshots/<page>-<mobile|desktop>.png (and admin-inbox-1366.png): Debian's Chromium driven by
Playwright, the first 1,600 px of each page, reduced to a 256-colour palette so each file stays under ~150 KB.
The demo citizen (0912345678) opens the e-form; the demo specialist (chuyenvien.sxd) signs in with the demo's
public authenticator key for the inbox. The script starts a fresh e-form each time (deleting it at the end).
"""

import base64
import hashlib
import hmac
import struct
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "Demo@2026!tthc"  # portal.demo.loader.DEMO_PASSWORD
DEMO_OTP_KEY = "TTHCDEMOTTHCDEMOTTHCDEMOTTHCDEMO"  # portal.demo: the public demo authenticator key
SIZES = {"mobile": {"width": 375, "height": 812}, "desktop": {"width": 1366, "height": 768}}
MAX_HEIGHT = 1600


def totp(secret: str) -> str:
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def shoot(page, name):
    height = min(page.evaluate("() => document.documentElement.scrollHeight"), MAX_HEIGHT)
    width = page.viewport_size["width"]
    target = OUT / f"{name}.png"
    page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": width, "height": height}, full_page=True)
    Image.open(target).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    print(f"{target.relative_to(ROOT)}  {target.stat().st_size // 1024} KB")


def main(base):
    from playwright.sync_api import sync_playwright  # a test-only dependency, imported when used

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"], headless=True)
        for kind, viewport in SIZES.items():
            context = browser.new_context(locale="vi-VN", viewport=viewport, is_mobile=kind == "mobile")
            page = context.new_page()
            for name, path in (("home", "/"), ("procedure", "/thu-tuc-hanh-chinh/1.011876/"), ("lookup", "/tra-cuu/")):
                page.goto(base + path)
                if name == "lookup":
                    page.fill("#lookup-code", "000.00.15.H99-")
                shoot(page, f"{name}-{kind}")
            page.goto(f"{base}/tai-khoan/dang-nhap/")
            page.fill("input[name=username]", "0912345678")
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.locator("input[name=password]").press("Enter")
            page.goto(f"{base}/thu-tuc-hanh-chinh/1.011876/")
            with page.expect_navigation():
                page.locator("a.button.primary[href*='/nop-truc-tuyen/']").click()
            page.locator("input[name$='-la_to_chuc'][value=no]").check()
            with page.expect_navigation():
                page.locator("form.eform button.primary[type=submit]").click()
            page.wait_for_selector("[name$='-dia_diem']")
            shoot(page, f"wizard-{kind}")
            with page.expect_navigation():
                page.locator("form.eform-delete button").click()
            context.close()

        context = browser.new_context(locale="vi-VN", viewport=SIZES["desktop"])
        page = context.new_page()
        page.goto(f"{base}/admin/login/")
        page.fill("input[name=username]", "chuyenvien.sxd")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("input[name=password]").press("Enter")
        page.fill("input[name=otp_token]", totp(DEMO_OTP_KEY))
        with page.expect_navigation():
            page.locator("input[name=otp_token]").press("Enter")
        page.goto(f"{base}/admin/dossiers/unit/")
        page.wait_for_load_state("networkidle")
        shoot(page, "admin-inbox-1366")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
