"""Per-client rate limits on Django's cache, so guessing codes or passwords does not pay.

Limits are named *scopes*; each has one or more ``"<count>/<period>"`` rates
(period: ``second``, ``minute``, ``hour``, ``day``, or ``s``/``m``/``h``/``d``),
all of which must hold. Settings (read at each request, so tests can override)::

    RATELIMIT_ENABLED = True
    RATELIMIT_RATES = {"lookup": ["20/minute", "200/day"], "signin": ["10/minute", "50/hour"]}
    TRUSTED_PROXY_COUNT = 0  # > 0: the client IP is taken from X-Forwarded-For, that many proxies from the right

Usage — the same decorator on Django views and DRF views (function or method)::

    @ratelimit("lookup")
    def lookup_page(request): ...

    class LookupApi(APIView):
        @ratelimit("lookup")
        def get(self, request, code): ...

    @ratelimit("signin", methods=["POST"])            # count only POSTs
    @ratelimit("lookup", when=lambda r: "code" in r.GET)  # count only some requests

A module declares its own scopes' default rates with :func:`define`. :func:`spread` watches a scope for an attack
spread over many addresses (many distinct items from many distinct clients in a window) and raises an alarm
the caller answers with a global limit (the lookup's ``lookup_slow``, :mod:`portal.lookup`).

An excess request gets **429** with a translated message and ``Retry-After``
(seconds): a DRF view raises :class:`rest_framework.exceptions.Throttled`
(so the API's JSON error shape applies), a Django view returns a small HTML
page (or ``template_name`` rendered with ``retry_after``). Without the
decorator, :func:`check` answers ``(allowed, retry_after)`` for any key.

Counting is fixed-window and atomic (``cache.add`` then ``cache.incr``), so it
is exact across processes on a shared cache (Redis at province scale); on the
per-process local-memory cache each process counts on its own.

Why not django-ratelimit 4.1 (issue 13 item 6; it counts the same way, ``cache.add`` + ``incr``): it refuses with
``Ratelimited`` (a 403 ``PermissionDenied``; DRF answers 403) and never sends ``Retry-After``, where we answer 429
with ``Retry-After`` on pages and the API's JSON ``throttled`` shape; it takes one rate per decorator, while a
scope here has several rates read from the settings per request, and the lookup counts a hit only after a
token mismatch (:func:`check` gives ``retry_after``); its system check rejects the LocMemCache of dev and tests.
"""

import functools
import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _

DEFAULT_RATES = {
    "lookup": ["20/minute", "200/day"],
    "signin": ["10/minute", "50/hour"],
    "admin_signin": ["10/minute", "30/hour"],  # failed officials' sign-ins per address (portal/otp.py)
    "password_reset": ["5/hour", "20/day"],  # reset requests per address (portal/password_reset.py)
    "password_reset_account": ["3/hour", "6/day"],  # reset messages sent per account
}


def define(scope: str, rates: list[str]) -> None:
    """Declare a scope's default rates from the module that uses it (``RATELIMIT_RATES`` still overrides)."""
    DEFAULT_RATES.setdefault(scope, list(rates))


PERIODS = {"s": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"20/minute"`` → ``(20, 60)``."""
    count, _sep, period = rate.partition("/")
    return int(count), PERIODS[period.strip().lower()]


def rates_for(scope: str) -> list[tuple[int, int]]:
    configured = {**DEFAULT_RATES, **getattr(settings, "RATELIMIT_RATES", {})}
    rates = configured.get(scope, [])
    if isinstance(rates, str):
        rates = [rates]
    return [parse_rate(rate) for rate in rates]


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or X-Forwarded-For behind ``TRUSTED_PROXY_COUNT`` proxies.

    Each trusted proxy appends the address it saw, so the client is the
    ``TRUSTED_PROXY_COUNT``-th entry from the right; entries further left are
    whatever the client sent and are ignored.
    """
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-min(proxies, len(forwarded))]
    return remote


def valid_client_ip(request) -> str | None:
    """:func:`client_ip` as a normalised IP address, or ``None`` when it is not one (no ``REMOTE_ADDR``, a
    malformed X-Forwarded-For entry) — for columns that store addresses (``inet`` on PostgreSQL)."""
    try:
        return str(ipaddress.ip_address(client_ip(request).strip()))
    except ValueError:
        return None


def _count(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout)
        return 1


def check(scope: str, key: str, now: float | None = None, *, peek: bool = False) -> tuple[bool, int]:
    """Count one hit of ``key`` in ``scope``: ``(allowed, seconds until allowed again)``. ``peek``: do not count,
    only answer whether one more hit would be allowed."""
    if not getattr(settings, "RATELIMIT_ENABLED", True):
        return True, 0
    now = time.time() if now is None else now
    retry_after = 0
    for limit, period in rates_for(scope):
        window = int(now // period)
        key_name = f"rl:{scope}:{period}:{window}:{key}"
        count = (cache.get(key_name) or 0) + 1 if peek else _count(key_name, period + 1)
        if count > limit:
            retry_after = max(retry_after, int((window + 1) * period - now) + 1)
    return retry_after == 0, retry_after


def blocked(scope: str, key: str, now: float | None = None) -> int:
    """Seconds until ``key`` may hit ``scope`` again (0: now), counting nothing.

    With :func:`check` called only for the hits that should count (e.g. failed sign-ins), ``blocked`` answers
    whether the next request may go ahead at all: once a rate's count is reached, the rest of its window waits.
    """
    return check(scope, key, now, peek=True)[1]


def spread(scope: str, item: str, client: str, *, window: int, items: int, clients: int, hold: int, now=None) -> bool:
    """Watch ``scope`` for an attack spread over many addresses: whether its *alarm* is on.

    Counts, per fixed window of ``window`` seconds, the distinct ``item``s (e.g. dossier codes) and the distinct
    ``client``s (:func:`client_ip`, so a forged ``X-Forwarded-For`` is one client, see its trust rule) that hit
    the scope. Once both reach their thresholds the alarm stays on for ``hold`` seconds, whatever the addresses
    of later requests: callers then apply a global limit (:func:`check` with one shared key). Counting is in the
    cache (``cache.add`` marks an item seen, ``cache.incr`` counts it), exact across processes on Redis.
    """
    if not getattr(settings, "RATELIMIT_ENABLED", True):
        return False
    now = time.time() if now is None else now
    prefix = f"rl:spread:{scope}:{window}:{int(now // window)}"
    counts = {}
    for kind, value in (("items", item), ("clients", client)):
        # hashed: the item is what a client typed (any characters, any length), not a safe cache key
        digest = hashlib.blake2b(str(value).encode(), digest_size=12).hexdigest()
        if cache.add(f"{prefix}:{kind}:{digest}", 1, window + 1):
            counts[kind] = _count(f"{prefix}:{kind}", window + 1)
    alarm_key = f"rl:alarm:{scope}"
    if counts:  # the counts only grow when something new arrives
        n_items = counts.get("items") or cache.get(f"{prefix}:items", 0)
        n_clients = counts.get("clients") or cache.get(f"{prefix}:clients", 0)
        if n_items >= items and n_clients >= clients:
            cache.set(alarm_key, int(now), hold)
            return True
    return cache.get(alarm_key) is not None


def message(retry_after: int) -> str:
    return _("Too many requests from your connection. Please try again in %(seconds)d seconds.") % {
        "seconds": retry_after
    }


def _find_request(args):
    for arg in args:
        if isinstance(arg, HttpRequest) or (hasattr(arg, "META") and hasattr(arg, "method")):
            return arg
    raise TypeError("ratelimit: the decorated view received no request")


def too_many_response(request, retry_after, template_name=None):
    """The 429 answer of a Django view: ``template_name`` rendered with ``retry_after`` and ``message``."""
    if template_name:
        body = render_to_string(
            template_name, {"retry_after": retry_after, "message": message(retry_after)}, request=request
        )
    else:
        body = f'<!DOCTYPE html><title>429</title><p role="alert">{escape(message(retry_after))}</p>'
    response = HttpResponse(body, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def _too_many(request, retry_after, template_name):
    try:
        from rest_framework.exceptions import Throttled
        from rest_framework.request import Request
    except ImportError:  # pragma: no cover - DRF is part of the stack
        Request = None
    if Request is not None and isinstance(request, Request):
        raise Throttled(wait=retry_after, detail=message(retry_after))
    return too_many_response(request, retry_after, template_name)


def ratelimit(scope: str, *, methods=None, when=None, key=client_ip, template_name=None):
    """Decorate a view (function, method, DRF handler) to allow at most the scope's rates per client."""
    methods = {m.upper() for m in methods} if methods else None

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            request = _find_request(args)
            counted = (methods is None or request.method in methods) and (when is None or when(request))
            if counted:
                allowed, retry_after = check(scope, key(request))
                if not allowed:
                    return _too_many(request, retry_after, template_name)
            return view(*args, **kwargs)

        return wrapper

    return decorator
