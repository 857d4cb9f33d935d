from django.utils import timezone

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


def site_chrome(request):
    """Navigation links and maintenance notices shown on every public page."""
    from catalog.selectors import maintenance_notices_visible

    if request.path.startswith(("/admin/", "/api/")):
        return {}
    return {"nav": _nav_links(request), "maintenance_notices": maintenance_notices_visible(timezone.now())}
