"""Site chrome on every public page: the section links and support contacts (cached, see :func:`cached_chrome`)
and the maintenance notices."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import get_language

NAV_PAGE_TYPES = {
    "procedureindexpage": "procedures",
    "agencyindexpage": "agencies",
    "faqindexpage": "faq",
    "newsindexpage": "news",
}
TERMS_SLUG = "dieu-khoan-su-dung"


def _nav_links(request):
    """URLs of the site's section pages, found in one query."""
    from wagtail.models import Page

    links = dict.fromkeys([*NAV_PAGE_TYPES.values(), "terms"], "#")
    pages = Page.objects.live().filter(depth__lte=4).filter(
        content_type__model__in=list(NAV_PAGE_TYPES)
    ) | Page.objects.live().filter(slug=TERMS_SLUG)
    for page in pages.select_related("content_type"):
        key = "terms" if page.slug == TERMS_SLUG else NAV_PAGE_TYPES.get(page.content_type.model)
        if key:
            links[key] = page.get_url(request) or "#"
    return links


CHROME_CACHE_KEY = "site_chrome"
CHROME_CACHE_SECONDS = 300


def cached_chrome(request):
    """The section links, the Wagtail site and its support contacts of this host, kept in the cache per host,
    port and language (issue 14 item 16: finding them was half of a public page's time), and put on the
    request where Wagtail looks for them (``Site.find_for_request``, ``SupportSettings.for_request``). Any saved
    or deleted page, site or site setting empties the cache (:func:`forget_chrome`)."""
    from wagtail.models import Site

    from portal.models import SupportSettings

    key = f"{request._get_raw_host()}|{request.get_port()}|{get_language()}"
    entries = cache.get(CHROME_CACHE_KEY) or {}
    entry = entries.get(key)
    if entry is None:
        site = Site.find_for_request(request)
        entry = {
            "nav": _nav_links(request),
            "site": site,
            "support": SupportSettings.for_site(site) if site is not None else None,
        }
        cache.set(CHROME_CACHE_KEY, {**entries, key: entry}, CHROME_CACHE_SECONDS)
        return entry
    if not hasattr(request, "_wagtail_site"):
        request._wagtail_site = entry["site"]
    attr = SupportSettings.get_cache_attr_name()
    if entry["support"] is not None and not hasattr(request, attr):
        entry["support"]._request = request
        setattr(request, attr, entry["support"])
    return entry


def forget_chrome(sender, instance, **kwargs):
    from wagtail.contrib.settings.models import BaseSiteSetting
    from wagtail.models import Page, Site

    if isinstance(instance, Page | Site | BaseSiteSetting):
        cache.delete(CHROME_CACHE_KEY)


post_save.connect(forget_chrome, dispatch_uid="portal.site_chrome.saved")
post_delete.connect(forget_chrome, dispatch_uid="portal.site_chrome.deleted")


def site_chrome(request):
    """Navigation links and maintenance notices shown on every public page."""
    from catalog.selectors import maintenance_notices_visible

    if request.path.startswith(("/admin/", "/api/")):
        return {}
    return {"nav": cached_chrome(request)["nav"], "maintenance_notices": maintenance_notices_visible(timezone.now())}
