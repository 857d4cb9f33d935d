"""The site chrome of every public page (navigation links, the site, its support contacts) is kept in the cache
(issue 14 item 16) and follows every change of pages, sites and site settings."""

import pytest
from django.urls import reverse
from wagtail.models import Site

from portal.demo.loader import load_pages
from portal.models import AgencyIndexPage, SupportSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_pages():
    load_pages()


def chrome_queries(captured):
    tables = ("wagtailcore_page", "wagtailcore_site", "portal_supportsettings")
    return [q["sql"] for q in captured if any(f'"{table}"' in q["sql"] for table in tables)]


def test_a_public_page_finds_its_chrome_without_queries_once_cached(client, site_pages, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("lookup"))
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("lookup")).content.decode()
    assert chrome_queries(captured) == []
    assert 'href="/trang-chu/co-quan/"' in html or 'href="/co-quan/"' in html
    with django_assert_max_num_queries(1):  # the maintenance notices only
        client.get(reverse("lookup"))


def test_moved_page_unpublished_page_and_new_hotline_show_at_once(client, site_pages):
    agencies = AgencyIndexPage.objects.get()
    before = client.get(reverse("lookup")).content.decode()
    old_url = agencies.get_url()
    assert f'href="{old_url}"' in before
    agencies.slug = "danh-ba-co-quan"
    agencies.save_revision().publish()
    html = client.get(reverse("lookup")).content.decode()
    assert f'href="{AgencyIndexPage.objects.get().get_url()}"' in html and f'href="{old_url}"' not in html
    AgencyIndexPage.objects.get().unpublish()
    assert "danh-ba-co-quan" not in client.get(reverse("lookup")).content.decode()
    support = SupportSettings.for_site(Site.objects.get(is_default_site=True))
    support.hotline = "1900 9999"
    support.save()
    assert "1900 9999" in client.get(reverse("lookup")).content.decode()
