"""UI strings in the chosen language, everywhere; content stays as written (issue 14 item 17).

Public site: the section pages' titles (Wagtail pages, ``title_en``) and the fee kinds. Admin: the labels Wagtail
translates once at start-up (chooser buttons, snippet breadcrumbs, see portal/admin_i18n.py), the pages it
renders outside its views (404, permission denied: the account's admin language), and the English words it
leaves in Vietnamese mode ("Actions", True/False, "Email", "localtime", content-type labels).
"""

import re

import pytest
from django.conf import settings
from wagtail.users.models import UserProfile

from portal.demo.loader import load_pages
from portal.models import procedure_url
from tests.e2e.screens import use_language, visible_text
from tests.factories import ProcedureFactory, ProcedureFeeFactory
from tests.factories.workflow import UserFactory

pytestmark = pytest.mark.django_db


def h1(response):
    return re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S).group(1).strip()


def title(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


@pytest.fixture
def site_pages():
    load_pages()


@pytest.mark.parametrize(
    "url, vi, en",
    [
        ("/thu-tuc-hanh-chinh/", "Thủ tục hành chính", "Administrative procedures"),
        ("/co-quan/", "Cơ quan giải quyết thủ tục", "Agencies"),
        ("/hoi-dap/", "Câu hỏi thường gặp", "Frequently asked questions"),
        ("/tin-tuc/", "Tin tức – thông báo", "News and notices"),
        ("/dieu-khoan-su-dung/", "Điều khoản sử dụng", "Terms of use"),
    ],
)
def test_section_page_titles_follow_the_language(client, site_pages, url, vi, en):
    use_language(client, "en")
    response = client.get(url)
    assert h1(response) == en and title(response).startswith(f"{en} – ")
    assert vi not in visible_text(response.content.decode())
    use_language(client, "vi")
    response = client.get(url)
    assert h1(response) == vi and title(response).startswith(f"{vi} – ")


def test_fee_kinds_are_one_language(client, site_pages):
    procedure = ProcedureFactory()
    ProcedureFeeFactory(procedure=procedure, kind="charge", name="Lệ phí cấp giấy phép")
    ProcedureFeeFactory(procedure=procedure, kind="fee", name="Phí thẩm định")
    use_language(client, "en")
    text = visible_text(client.get(procedure_url(procedure)).content.decode())
    assert "Charge – Lệ phí cấp giấy phép" in text and "Fee – Phí thẩm định" in text
    assert "(lệ phí)" not in text and "(phí)" not in text
    use_language(client, "vi")
    text = visible_text(client.get(procedure_url(procedure)).content.decode())
    assert "Lệ phí – Lệ phí cấp giấy phép" in text and "Phí – Phí thẩm định" in text


# --- the admin ---------------------------------------------------------------------------------------------


@pytest.fixture
def admin_user(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def account_language(user, language):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()


@pytest.mark.parametrize("first", ["vi", "en"])
def test_chooser_buttons_and_breadcrumbs_follow_each_request(client, admin_user, first):
    """Whichever language the admin was first used in, the next reader gets their own."""
    second = "en" if first == "vi" else "vi"
    words = {
        "vi": {"home": "Trang chủ", "choose": "Chọn lĩnh vực"},
        "en": {"home": "Home", "choose": "Choose sector"},
    }
    for language in (first, second):
        use_language(client, language)
        listing = client.get("/admin/snippets/catalog/procedure/").content.decode()
        breadcrumbs = re.search(r"<nav[^>]*w-breadcrumbs.*?</nav>", listing, re.S)
        crumbs = visible_text(breadcrumbs.group(0) if breadcrumbs else listing)
        other = words[second if language == first else first]
        assert words[language]["home"] in crumbs and other["home"] not in crumbs, (language, crumbs)
        form = visible_text(client.get("/admin/snippets/catalog/procedure/add/").content.decode())
        assert words[language]["choose"] in form and other["choose"] not in form, language


@pytest.mark.parametrize("language, cookie, expected", [("en", "vi", "Page not found"), ("vi", "en", "Không tìm thấy")])
def test_admin_404_page_follows_the_account_language(client, admin_user, language, cookie, expected):
    account_language(admin_user, language)
    use_language(client, cookie)
    response = client.get("/admin/no-such-screen/")
    assert response.status_code == 404 and expected in response.content.decode()


@pytest.mark.parametrize(
    "language, cookie, expected",
    [("en", "vi", "you do not have permission to access this area"), ("vi", "en", "Bạn không có quyền truy cập")],
)
def test_admin_permission_denied_follows_the_account_language(client, language, cookie, expected):
    from django.contrib.auth.models import Permission

    official = UserFactory()
    official.user_permissions.add(Permission.objects.get(codename="access_admin"))
    account_language(official, language)
    client.force_login(official)
    use_language(client, cookie)
    response = client.get("/admin/users/", follow=True)
    assert expected in response.content.decode()


def test_vietnamese_admin_leaves_no_english_words(client, admin_user):
    procedure = ProcedureFactory()
    use_language(client, "vi")
    listing = client.get("/admin/users/").content.decode()
    assert 'aria-label="Thao tác"' in listing and 'aria-label="Actions"' not in listing

    account = client.get("/admin/account/").content.decode()
    assert "localtime" not in account and "Poland" not in account  # Wagtail offered every zone file
    assert "Thư điện tử" in visible_text(client.get(f"/admin/users/edit/{admin_user.pk}/").content.decode())

    inspect = visible_text(client.get(f"/admin/snippets/catalog/procedure/inspect/{procedure.pk}/").content.decode())
    assert not re.search(r"(?<![\w-])(True|False)(?![\w-])", inspect)
    assert "Có" in inspect and "Search text" not in inspect and "Created at" not in inspect

    group = client.get("/admin/groups/new/").content.decode()
    assert "Wagtail core" not in visible_text(group)
    objects = visible_text(re.search(r'id="object-permissions-section".*?</section>', group, re.S).group(0))
    assert "Can add" not in objects and "Quyền thêm thủ tục hành chính" in objects
    assert settings.LANGUAGE_CODE == "vi"


def test_page_permission_checkboxes_are_named_in_vietnamese(client, admin_user):
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission, Page

    group = Group.objects.create(name="Biên tập trang")
    GroupPagePermission.objects.create(
        group=group, page=Page.get_first_root_node(), permission=Permission.objects.get(codename="add_page")
    )
    use_language(client, "vi")
    html = client.get(f"/admin/groups/edit/{group.pk}/").content.decode()
    section = re.search(r'id="page-permissions-section".*?</section>', html, re.S).group(0)
    labels = re.findall(
        r'<label for="id_page_permissions-\d+-permissions_\d+" class="w-sr-only">([^<]*)</label>', section
    )
    assert labels and not any("Can " in label or "Wagtail core" in label for label in labels), labels
    assert str(Page.permission_types[0][2]) in labels
