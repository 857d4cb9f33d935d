"""Absolute public links (lookup, rating, verification, e-mails, SMS, QR codes) from one site base URL.

The base is ``settings.SITE_BASE_URL`` (environment variable ``BASE_URL``; ``make run`` sets it from HOST and
PORT). Nothing else in the code writes a scheme or a host.
"""

from urllib.parse import urlencode

from django.conf import settings


def site_base_url() -> str:
    """The configured public base URL without a trailing slash, e.g. ``https://dichvucong.tinh.gov.vn``."""
    return settings.SITE_BASE_URL.rstrip("/")


def absolute_url(path: str, query: dict | None = None) -> str:
    """``path`` (from ``reverse`` or a page URL) on the public site, with ``query`` URL-encoded."""
    url = f"{site_base_url()}/{path.lstrip('/')}"
    if query:
        url = f"{url}?{urlencode(query)}"
    return url
