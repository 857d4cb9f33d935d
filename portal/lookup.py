"""Public status lookup by dossier code, without signing in (AG 12; QT 14.4; QN 13.2đ; DESIGN §6).

Shows **exactly** what AG 12.1 lists — code + QR, receiving agency, the whole
route (every step's name and agency, in order), organisation name (if any),
applicant name, reception date, appointment date — plus the status in
plain words. An online dossier not accepted yet (never received: status 1,
or 5 after a guidance slip, 3 or 7 before reception) shows only code + QR,
agency, applicant name and submission date (AG 12.2). Never the ID number,
phone, address, e-mail or documents.

**Guessing codes must not pay** (DESIGN §6, Decree 13/2023/NĐ-CP): codes are
sequential, so the code alone shows the applicant's name masked — family name
in full, the other names as initials ("Nguyễn V. A.", :func:`portal.core.names.masked_name`).
The full name needs either the receipt's QR link (the dossier's lookup token,
``t=``) or the code plus the last 4 digits of the applicant's ID number or
phone (``last4=``, compared in constant time). Wrong digits answer exactly like
the code alone and cost one more hit of the per-client limit and one of the
dossier's own ``lookup_digits`` limit (10/hour, 20/day): past it, digits are no
longer checked for that dossier. The organisation's name is shown in full:
an organisation is not personal data (Decree 13 protects natural persons) and
AG 12.1d lists it; the person filing for it is masked like anyone else.

Ways in:

* ``/tra-cuu/?code=<code>[&last4=<digits>]`` — the form (typed code); counted by the per-client
  rate limit (scope ``lookup``, :mod:`portal.core.ratelimit`), shared with the API;
* ``/tra-cuu/?code=<code>&t=<lookup_token>`` — the link a dossier's QR code
  encodes (:func:`lookup_url`). The 128-bit ``Dossier.lookup_token`` cannot be
  guessed, so a matching token is not counted (a kiosk scanning many receipts
  is never throttled); a wrong token is counted like a typed code;
* ``GET /api/v1/lookup/<code>/`` (optionally ``?t=<token>`` or ``?last4=<digits>``), :mod:`portal.api_lookup`.

Besides the per-client limit, a **global anomaly limit** watches typed codes: when
``LOOKUP_ANOMALY["codes"]`` distinct codes come from ``LOOKUP_ANOMALY["addresses"]``
distinct client addresses within ``LOOKUP_ANOMALY["window"]`` seconds (an
enumeration spread over many addresses), every typed-code lookup — from any
address — shares the scope ``lookup_slow`` (default 60/minute in total) for
``LOOKUP_ANOMALY["hold"]`` seconds. Token holders are never slowed down.
Addresses come from :func:`portal.core.ratelimit.client_ip`, which trusts
``X-Forwarded-For`` only behind ``TRUSTED_PROXY_COUNT`` proxies, and once the
alarm is on the limit does not depend on addresses at all.

An unknown or malformed code and a code the caller may not see (a dossier never
submitted) get the same "not found" answer.

Speed (issue 14 item 16): the QR code depends only on the code and the site's
base URL, so its SVG is kept (:func:`qr_data_uri`, in-process LRU); the route
of a (frozen) published process version is kept in the cache for
``ROUTE_CACHE_SECONDS``; the dossier is one indexed SELECT of the columns shown.
"""

import functools
import re
import secrets

import segno
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from portal.core import ratelimit
from portal.core.links import absolute_url
from portal.core.names import masked_name
from workflow.models import Dossier, ProcessStep
from workflow.models.dossier import STATUS_PLAIN

CODE_PATTERN = re.compile(r"^[0-9A-Z][0-9A-Z.\-]{3,39}$")
TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")
DIGITS_PATTERN = re.compile(r"^[0-9]{4}$")
SCOPE = "lookup"
SLOW_SCOPE = "lookup_slow"  # the global limit while the anomaly alarm is on
DIGITS_SCOPE = "lookup_digits"  # wrong last-4 digits per dossier
ratelimit.define(SLOW_SCOPE, ["60/minute"])
ratelimit.define(DIGITS_SCOPE, ["10/hour", "20/day"])
ANOMALY_DEFAULTS = {"window": 60, "codes": 300, "addresses": 30, "hold": 900}
ROUTE_CACHE_SECONDS = 300

#: The keys of each answer, for tests and the API schema.
FULL_KEYS = (
    "code",
    "qr",
    "agency",
    "route",
    "organisation_name",
    "applicant_name",
    "name_masked",
    "received_at",
    "appointment_at",
    "status",
    "status_text",
)
REDUCED_KEYS = ("code", "qr", "agency", "applicant_name", "name_masked", "submitted_at")

#: The dossier's columns a lookup reads (one indexed SELECT with the agency's name).
_COLUMNS = (
    "code",
    "agency__name",
    "process_id",
    "organisation_name",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "submitted_at",
    "received_at",
    "appointment_at",
    "status",
    "lookup_token",
)


def normalize_code(code) -> str:
    return (code or "").strip().upper()[:40]


def normalize_token(token) -> str:
    token = (token or "").strip().lower()
    return token if TOKEN_PATTERN.match(token) else ""


def normalize_digits(digits) -> str:
    return (digits or "").strip()[:8]


def lookup_url(dossier_or_code, *, with_token=True) -> str:
    """The public lookup link: ``{SITE_BASE_URL}/tra-cuu/?code=<code>[&t=<lookup_token>]``.

    Give a :class:`~workflow.models.Dossier` to get the QR link with its token
    (what receipts should print), or a code for the plain link.
    """
    if isinstance(dossier_or_code, Dossier):
        params = {"code": dossier_or_code.code}
        if with_token and dossier_or_code.lookup_token:
            params["t"] = dossier_or_code.lookup_token
    else:
        params = {"code": dossier_or_code}
    return absolute_url(reverse("lookup"), params)


@functools.lru_cache(maxsize=2048)
def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def qr_data_uri(dossier_or_code, *, with_token=True) -> str:
    """The lookup link as an SVG QR code, as a ``data:`` URI (no external service).

    Kept per link (in-process LRU of 2,048): a link depends only on the code, the token and the site's base URL."""
    return _qr_svg(lookup_url(dossier_or_code, with_token=with_token))


def _route(dossier):
    """Every step of the dossier's process version with its agency, in order (cached: a published version is
    frozen; an agency renamed shows within ``ROUTE_CACHE_SECONDS``)."""
    if dossier.process_id is None:
        return []
    key = f"lookup:route:{dossier.process_id}"
    route = cache.get(key)
    if route is None:
        steps = ProcessStep.objects.filter(process_id=dossier.process_id).order_by("sort_order", "pk")
        route = [
            {"step": name, "agency": agency or dossier.agency.name}
            for name, agency in steps.values_list("name", "agency__name")
        ]
        cache.set(key, route, ROUTE_CACHE_SECONDS)
    return route


def is_public(dossier) -> bool:
    """Whether the lookup may show anything of this dossier: it must have been submitted or received."""
    return dossier.submitted_at is not None or dossier.received_at is not None


def find_dossier(code):
    """The dossier with this code (1 query, the columns a lookup reads), or None for a malformed or unknown code."""
    code = normalize_code(code)
    if not CODE_PATTERN.match(code):
        return None
    try:
        return Dossier.objects.select_related("agency").only(*_COLUMNS).get(code=code)
    except Dossier.DoesNotExist:
        return None


def token_matches(dossier, token) -> bool:
    token = normalize_token(token)
    return bool(
        dossier is not None and token and dossier.lookup_token and secrets.compare_digest(token, dossier.lookup_token)
    )


def _last4(value) -> str:
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


def digits_match(dossier, digits) -> bool:
    """Whether ``digits`` are the last 4 digits of the applicant's ID number or phone (constant time: both are
    always compared, whatever the input)."""
    digits = normalize_digits(digits)
    wanted = digits if DIGITS_PATTERN.match(digits) else "----"
    matched = False
    for candidate in (_last4(dossier.applicant_id_number), _last4(dossier.applicant_phone)):
        matched |= secrets.compare_digest(wanted, candidate or "####")
    return matched and wanted != "----"


def public_answer(dossier, *, full_name=False) -> dict | None:
    """The public answer for a dossier (see the module docstring), or None when there is nothing to show.

    ``full_name``: the caller proved it holds the receipt (token or digits); otherwise the name is masked. The
    QR shown encodes the plain code link: the lookup never reveals the token.
    """
    if dossier is None or not is_public(dossier):
        return None
    name = {
        "applicant_name": dossier.applicant_name if full_name else masked_name(dossier.applicant_name),
        "name_masked": not full_name,
    }
    if dossier.received_at is None:  # AG 12.2: an online dossier not (yet) accepted
        return {
            "code": dossier.code,
            "qr": qr_data_uri(dossier.code),
            "agency": dossier.agency.name,
            **name,
            "submitted_at": dossier.submitted_at,
        }
    return {
        "code": dossier.code,
        "qr": qr_data_uri(dossier.code),
        "agency": dossier.agency.name,
        "route": _route(dossier),
        "organisation_name": dossier.organisation_name or None,
        **name,
        "received_at": dossier.received_at,
        "appointment_at": dossier.appointment_at,
        "status": dossier.status,
        "status_text": str(STATUS_PLAIN.get(dossier.status, "")),
    }


def lookup_result(code, *, full_name=False) -> dict | None:
    """The public answer for ``code``, or None (unknown, malformed or not shown); the name masked unless
    ``full_name``."""
    return public_answer(find_dossier(code), full_name=full_name)


def _anomaly_settings():
    return {**ANOMALY_DEFAULTS, **getattr(settings, "LOOKUP_ANOMALY", {})}


def _typed_code_allowed(request, code) -> int:
    """Count one typed-code lookup: 0 when allowed, else the seconds to wait (per-client limit, then the global
    limit while the anomaly alarm is on)."""
    client = ratelimit.client_ip(request)
    allowed, retry_after = ratelimit.check(SCOPE, client)
    if not allowed:
        return retry_after
    anomaly = _anomaly_settings()
    alarmed = ratelimit.spread(
        SCOPE,
        normalize_code(code),
        client,
        window=anomaly["window"],
        items=anomaly["codes"],
        clients=anomaly["addresses"],
        hold=anomaly["hold"],
    )
    if alarmed:
        allowed, retry_after = ratelimit.check(SLOW_SCOPE, "all")
        if not allowed:
            return retry_after
    return 0


def _check_digits(request, dossier, digits) -> tuple[bool, int]:
    """``(digits match, retry_after)``. A wrong guess costs one more per-client hit and one of the dossier's
    ``lookup_digits`` limit; past that limit the digits are not checked for the dossier (answered as wrong)."""
    if not normalize_digits(digits) or dossier is None or not is_public(dossier):
        return False, 0
    open_to_guesses = ratelimit.check(DIGITS_SCOPE, dossier.code, peek=True)[0]
    if digits_match(dossier, digits) and open_to_guesses:
        return True, 0
    ratelimit.check(DIGITS_SCOPE, dossier.code)
    allowed, retry_after = ratelimit.check(SCOPE, ratelimit.client_ip(request))
    return False, (0 if allowed else retry_after)


def limited_lookup(request, code, token="", digits=""):
    """``(answer or None, retry_after)``: the lookup behind the rate limits, shared by the page and the API.

    A matching token (the QR link) is never counted and shows the full name. Anything else is a typed code:
    counted (per client, then the global anomaly limit) before the database is touched, unless a well-formed
    token made us look first; then ``digits`` (last 4 of the ID number or phone) may show the full name.
    ``retry_after > 0`` means: refuse with 429.
    """
    dossier, looked_up = None, False
    if normalize_token(token):
        dossier, looked_up = find_dossier(code), True
        if token_matches(dossier, token):
            return public_answer(dossier, full_name=True), 0
    retry_after = _typed_code_allowed(request, code)
    if retry_after:
        return None, retry_after
    if not looked_up:
        dossier = find_dossier(code)
    full_name, retry_after = _check_digits(request, dossier, digits)
    if retry_after:
        return None, retry_after
    return public_answer(dossier, full_name=full_name), 0


@never_cache
def lookup_page(request):
    """``/tra-cuu/``: the form, and the answer for ``?code=`` (+ optional ``&last4=``; the QR link lands here
    with ``&t=``). The digits are never echoed back into the form."""
    code = normalize_code(request.GET.get("code", ""))
    digits = normalize_digits(request.GET.get("last4", ""))
    result, retry_after = (None, 0)
    if code:
        result, retry_after = limited_lookup(request, code, request.GET.get("t", ""), digits)
        if retry_after:
            return ratelimit.too_many_response(request, retry_after, "portal/lookup/too_many.html")
    status = 404 if code and result is None else 200
    return render(
        request,
        "portal/lookup/lookup.html",
        {
            "code": code,
            "result": result,
            "digits_wrong": bool(digits) and result is not None and result["name_masked"],
            "not_found": status == 404,
            "reduced": result is not None and "route" not in result,
        },
        status=status,
    )
