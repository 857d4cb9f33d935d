"""Security headers that Django 5.2 does not set itself: Content-Security-Policy and Permissions-Policy.

Two policies (DESIGN §10, issue 8 item 4):

* **public** (everything not listed below): scripts only from our own origin
  (no inline scripts, no ``eval``), no plugins, no framing by other sites,
  forms post only to us. Inline *styles* are allowed: a few public pages carry
  a ``<style>`` block or a ``style`` attribute (the feedback form's honeypot),
  and style injection cannot run code. A template that really needs an inline
  script writes ``<script nonce="{{ request.csp_nonce }}">``; the nonce is
  added to the header only on responses that used it.
* **relaxed** (``CSP_RELAXED_PATHS``: the Wagtail admin and the API docs):
  Wagtail 8's admin still renders inline ``<script>`` blocks (date pickers,
  inline panels, workflow dialogs) and inline styles, its bundled axe-core
  accessibility checker compiles templates with ``new Function``, and image
  previews use ``blob:`` URLs (wagtail/wagtail#1288, #7053); Swagger UI and
  Redoc initialise with inline scripts and Redoc runs a ``blob:`` worker.

Both add the media origins (``CSP_MEDIA_SOURCES``, plus the S3 bucket or
endpoint when object storage is configured) to ``img-src``/``media-src``.
``frame-ancestors`` follows the response's ``X-Frame-Options`` (``DENY`` →
``'none'``, ``SAMEORIGIN`` → ``'self'`` as on Wagtail's preview panel), and a
view that sets its own ``Content-Security-Policy`` (printable slips) keeps it.

Settings: ``CSP_ENABLED``, ``CSP_REPORT_ONLY``, ``CSP_REPORT_URI``,
``CSP_RELAXED_PATHS``, ``CSP_MEDIA_SOURCES``, ``CSP_FRAME_SOURCES``,
``CSP_FORM_ACTION_SOURCES``, ``CSP_PUBLIC_POLICY``/``CSP_RELAXED_POLICY``
(full overrides: dict of directive → list of sources), ``PERMISSIONS_POLICY``.
"""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.functional import SimpleLazyObject

PUBLIC_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "media-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "worker-src": ["'self'"],
    "manifest-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
RELAXED_POLICY = {
    **PUBLIC_POLICY,
    "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "worker-src": ["'self'", "blob:"],
}
RELAXED_PATHS = ["/admin/", "/api/docs/", "/api/redoc/"]
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)


def _origin(url):
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def media_sources():
    """Where images and media may come from besides our own origin: configured plus object storage."""
    sources = list(getattr(settings, "CSP_MEDIA_SOURCES", []))
    candidates = [_origin(settings.MEDIA_URL)]
    for name in ("default", "private"):
        options = settings.STORAGES.get(name, {}).get("OPTIONS", {}) or {}
        if "s3" not in settings.STORAGES.get(name, {}).get("BACKEND", ""):
            continue
        bucket = options.get("bucket_name") or getattr(settings, "AWS_STORAGE_BUCKET_NAME", "")
        custom = options.get("custom_domain") or getattr(settings, "AWS_S3_CUSTOM_DOMAIN", None)
        endpoint = options.get("endpoint_url") or getattr(settings, "AWS_S3_ENDPOINT_URL", None)
        if custom:
            candidates.append(f"https://{custom}")
        elif endpoint:
            candidates.append(_origin(endpoint))
        elif bucket:
            candidates.append(f"https://{bucket}.s3.amazonaws.com")
            region = options.get("region_name")
            if region:
                candidates.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    for candidate in candidates:
        if candidate and candidate not in sources:
            sources.append(candidate)
    return sources


def is_relaxed(path):
    return any(path.startswith(prefix) for prefix in getattr(settings, "CSP_RELAXED_PATHS", RELAXED_PATHS))


def build_policy(request, response):
    relaxed = is_relaxed(request.path_info)
    base = getattr(settings, "CSP_RELAXED_POLICY" if relaxed else "CSP_PUBLIC_POLICY", None)
    policy = {k: list(v) for k, v in (base or (RELAXED_POLICY if relaxed else PUBLIC_POLICY)).items()}
    extra_media = media_sources()
    for directive in ("img-src", "media-src"):
        policy.setdefault(directive, ["'self'"]).extend(s for s in extra_media if s not in policy[directive])
    policy.setdefault("frame-src", ["'self'"]).extend(getattr(settings, "CSP_FRAME_SOURCES", []))
    policy.setdefault("form-action", ["'self'"]).extend(getattr(settings, "CSP_FORM_ACTION_SOURCES", []))
    nonce = getattr(request, "_csp_nonce", None)
    if nonce and not relaxed:  # a nonce would switch off 'unsafe-inline' on the relaxed policy
        policy["script-src"].append(f"'nonce-{nonce}'")
    if "frame-ancestors" not in policy:
        xfo = response.get("X-Frame-Options", "").upper()
        if xfo == "SAMEORIGIN":
            policy["frame-ancestors"] = ["'self'"]
        elif xfo == "DENY" or not getattr(response, "xframe_options_exempt", False):
            policy["frame-ancestors"] = ["'none'"]
    report_uri = getattr(settings, "CSP_REPORT_URI", "")
    if report_uri:
        policy["report-uri"] = [report_uri]
    return "; ".join(f"{directive} {' '.join(sources)}".strip() for directive, sources in policy.items())


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy (or -Report-Only) and Permissions-Policy; place right after SecurityMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def make_nonce():
            request._csp_nonce = secrets.token_urlsafe(18)
            return request._csp_nonce

        request.csp_nonce = SimpleLazyObject(make_nonce)
        response = self.get_response(request)
        if getattr(settings, "CSP_ENABLED", True):
            header = (
                "Content-Security-Policy-Report-Only"
                if getattr(settings, "CSP_REPORT_ONLY", False)
                else "Content-Security-Policy"
            )
            if "Content-Security-Policy" not in response and header not in response:
                response[header] = build_policy(request, response)
        permissions = getattr(settings, "PERMISSIONS_POLICY", PERMISSIONS_POLICY)
        if permissions and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions
        return response
