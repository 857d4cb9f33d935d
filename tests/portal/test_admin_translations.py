"""The Wagtail admin speaks Vietnamese: our fill-in catalogs in ``locale/wagtail`` are picked up.

Wagtail's own ``vi`` catalogs translate only a small part of the admin, so we ship
``locale/wagtail/vi/LC_MESSAGES/django.po`` and ``djangojs.po``. These tests log in as an
official whose admin language is Vietnamese and check that screens used all day show the
Vietnamese wording and not the English originals.

The ``.mo`` files are build output (``make messages``); if one is missing or older than its
``.po`` (e.g. the catalog was just edited), the session fixture below compiles it in place.
"""

import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.utils import find_command
from django.utils.translation.reloader import translation_file_changed

pytestmark = pytest.mark.django_db

WAGTAIL_LOCALE = Path(settings.BASE_DIR) / "locale" / "wagtail"
CATALOGS = [WAGTAIL_LOCALE / "vi" / "LC_MESSAGES" / f"{domain}.po" for domain in ("django", "djangojs")]


def _compile_if_stale(po: Path) -> None:
    """Compile ``po`` to the ``.mo`` beside it unless that is already up to date.

    Safe for parallel workers: msgfmt writes a private temporary file in the same
    directory, which then atomically replaces the ``.mo`` (identical content whoever wins).
    """
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return
    msgfmt = find_command("msgfmt")
    if msgfmt is None:
        pytest.fail(f"{mo} is missing or stale and msgfmt (GNU gettext) is not installed; run `make messages`.")
    fd, tmp = tempfile.mkstemp(prefix=f".{mo.name}.", suffix=".tmp", dir=mo.parent)
    os.close(fd)
    try:
        subprocess.run([msgfmt, "--check-format", "-o", tmp, str(po)], check=True, capture_output=True)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the .mo must stay readable by the web server
        os.replace(tmp, mo)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@pytest.fixture(scope="session")
def wagtail_vi_catalogs():
    for po in CATALOGS:
        _compile_if_stale(po)
    # Catalogs may already have been loaded in this process (e.g. while migrating the test
    # database) before this worker or another one wrote the .mo: drop Django's and gettext's
    # caches, as the autoreloader does when a .mo changes, so the next request reloads them.
    translation_file_changed(sender=None, file_path=CATALOGS[0].with_suffix(".mo"))


@pytest.fixture
def official(client, django_user_model, wagtail_vi_catalogs):
    from wagtail.users.models import UserProfile

    user = django_user_model.objects.create_superuser("canbo", "canbo@example.gov.vn", "mat-khau-rat-dai-123")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "vi"
    profile.save()
    client.force_login(user)
    return user


def _sidebar_strings(html):
    """Every string in the sidebar's JSON props (menu labels are rendered client-side from these)."""
    match = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    assert match, "sidebar props not found"
    found = set()

    def walk(node):
        if isinstance(node, str):
            found.add(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(match.group(1)))
    return found


def _visible_text(html):
    """Page text plus the attributes screen readers announce; scripts and styles left out."""
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    attrs = re.findall(r'(?:aria-label|title|placeholder)="([^"]*)"', html)
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(text.split() + attrs)


def test_locale_paths_include_wagtail_fill_ins():
    assert WAGTAIL_LOCALE in [Path(p) for p in settings.LOCALE_PATHS], (
        'add BASE_DIR / "locale" / "wagtail" to LOCALE_PATHS in portal/settings/base.py'
    )


def test_dashboard_and_sidebar_are_vietnamese(client, official):
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    text = _visible_text(html)

    assert "<title>Bảng điều khiển" in html
    assert "Dashboard" not in text
    for vietnamese, english in [
        ("Tổng quan trang web", "Site summary"),
        ("Tìm kiếm trong tất cả các trang…", "Search all pages"),
        ("Chuyển đến nội dung chính", "Skip to main content"),
    ]:
        assert vietnamese in text
        assert english not in text

    menu = _sidebar_strings(html)
    for vietnamese, english in [
        ("Tài liệu", "Documents"),
        ("Hình ảnh", "Images"),
        ("Báo cáo", "Reports"),
        ("Cài đặt", "Settings"),
        ("Trợ giúp", "Help"),
        ("Đăng xuất", "Log out"),
        ("Lịch sử trang web", "Site history"),
        ("Bộ sưu tập", "Collections"),
    ]:
        assert vietnamese in menu, vietnamese
        assert english not in menu, english


def test_users_listing_is_vietnamese(client, official):
    response = client.get("/admin/users/")
    assert response.status_code == 200
    text = _visible_text(response.content.decode())

    for vietnamese, english in [
        ("Tên đăng nhập", "Username"),
        ("Cấp truy cập", "Access level"),
        ("Đăng nhập lần cuối", "Last login"),
        ("Thao tác hàng loạt", "Bulk actions"),
        ("Hiện bộ lọc", "Show filters"),
        ("Trang trước", "Previous"),
        ("Trang sau", "Next"),
        ("Xóa những người dùng đã chọn", "Delete selected users"),
    ]:
        assert vietnamese in text, vietnamese
        assert english not in text, english


def test_admin_javascript_catalog_is_vietnamese(client, official):
    response = client.get("/admin/jsi18n/")
    assert response.status_code == 200
    body = response.content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", body, re.S).group(1))
    assert catalog["Loading…"] == "Đang tải…"
    assert catalog["Toggle sidebar"] == "Ẩn/hiện thanh bên"
    assert catalog["Dashboard"] == "Bảng điều khiển"
