"""Public status lookup by dossier code, without signing in (AG 12; QT 14.4; QN 13.2đ).

Shows **exactly** what AG 12.1 lists — code + QR, receiving agency, the whole
route (every step's name and agency, in order), organisation name (if any),
applicant full name, reception date, appointment date — plus the status in
plain words. An online dossier not accepted yet (never received: status 1,
or 5 after a guidance slip, 3 or 7 before reception) shows only code + QR,
agency, applicant name and submission date (AG 12.2). Never the ID number,
phone, address, e-mail or documents.

Ways in:

* ``/tra-cuu/?code=<code>`` — the form (typed code); counted by the per-client
  rate limit (scope ``lookup``, :mod:`portal.core.ratelimit`), shared with the API;
* ``/tra-cuu/?code=<code>&t=<lookup_token>`` — the link a dossier's QR code
  encodes (:func:`lookup_url`). The 128-bit ``Dossier.lookup_token`` cannot be
  guessed, so a matching token is not counted (a kiosk scanning many receipts
  is never throttled); a wrong token is counted like a typed code;
* ``GET /api/v1/lookup/<code>/`` (optionally ``?t=<token>``), :mod:`portal.api_lookup`.

An unknown or malformed code and a code the caller may not see (a dossier never
submitted) get the same "not found" answer.
"""

import re
import secrets

import segno
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from portal.core import ratelimit
from portal.core.links import absolute_url
from workflow.models import Dossier
from workflow.models.dossier import STATUS_PLAIN

CODE_PATTERN = re.compile(r"^[0-9A-Z][0-9A-Z.\-]{3,39}$")
TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")
SCOPE = "lookup"

#: The keys of each answer, for tests and the API schema.
FULL_KEYS = (
    "code",
    "qr",
    "agency",
    "route",
    "organisation_name",
    "applicant_name",
    "received_at",
    "appointment_at",
    "status",
    "status_text",
)
REDUCED_KEYS = ("code", "qr", "agency", "applicant_name", "submitted_at")


def normalize_code(code) -> str:
    return (code or "").strip().upper()[:40]


def normalize_token(token) -> str:
    token = (token or "").strip().lower()
    return token if TOKEN_PATTERN.match(token) else ""


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


def qr_data_uri(dossier_or_code, *, with_token=True) -> str:
    """The lookup link as an SVG QR code, as a ``data:`` URI (no external service)."""
    return segno.make(lookup_url(dossier_or_code, with_token=with_token), error="m").svg_data_uri(scale=4, border=2)


def _route(dossier):
    if dossier.process_id is None:
        return []
    return [
        {"step": step.name, "agency": (step.agency or dossier.agency).name}
        for step in dossier.process.steps.select_related("agency").order_by("sort_order", "pk")
    ]


def is_public(dossier) -> bool:
    """Whether the lookup may show anything of this dossier: it must have been submitted or received."""
    return dossier.submitted_at is not None or dossier.received_at is not None


def find_dossier(code):
    """The dossier with this code (1 query), or None for a malformed or unknown code."""
    code = normalize_code(code)
    if not CODE_PATTERN.match(code):
        return None
    return Dossier.objects.select_related("agency", "process").filter(code=code).first()


def token_matches(dossier, token) -> bool:
    token = normalize_token(token)
    return bool(
        dossier is not None and token and dossier.lookup_token and secrets.compare_digest(token, dossier.lookup_token)
    )


def public_answer(dossier) -> dict | None:
    """The public answer for a dossier (see the module docstring), or None when there is nothing to show.

    The QR shown encodes the plain code link: the lookup never reveals the token.
    """
    if dossier is None or not is_public(dossier):
        return None
    if dossier.received_at is None:  # AG 12.2: an online dossier not (yet) accepted
        return {
            "code": dossier.code,
            "qr": qr_data_uri(dossier.code),
            "agency": dossier.agency.name,
            "applicant_name": dossier.applicant_name,
            "submitted_at": dossier.submitted_at,
        }
    return {
        "code": dossier.code,
        "qr": qr_data_uri(dossier.code),
        "agency": dossier.agency.name,
        "route": _route(dossier),
        "organisation_name": dossier.organisation_name or None,
        "applicant_name": dossier.applicant_name,
        "received_at": dossier.received_at,
        "appointment_at": dossier.appointment_at,
        "status": dossier.status,
        "status_text": str(STATUS_PLAIN.get(dossier.status, "")),
    }


def lookup_result(code) -> dict | None:
    """The public answer for ``code``, or None (unknown, malformed or not shown)."""
    return public_answer(find_dossier(code))


def limited_lookup(request, code, token):
    """``(answer or None, retry_after)``: the lookup behind the rate limit, shared by the page and the API.

    A typed code is counted before the database is touched. A request with a
    well-formed token is looked up first and counted only if the token does
    not match the dossier. ``retry_after > 0`` means: refuse with 429.
    """
    key = ratelimit.client_ip(request)
    if normalize_token(token):
        dossier = find_dossier(code)
        if token_matches(dossier, token):
            return public_answer(dossier), 0
        allowed, retry_after = ratelimit.check(SCOPE, key)
        return (public_answer(dossier), 0) if allowed else (None, retry_after)
    allowed, retry_after = ratelimit.check(SCOPE, key)
    if not allowed:
        return None, retry_after
    return lookup_result(code), 0


@never_cache
def lookup_page(request):
    """``/tra-cuu/``: the form, and the answer for ``?code=`` (the QR link lands here with ``&t=``)."""
    code = normalize_code(request.GET.get("code", ""))
    result, retry_after = (None, 0)
    if code:
        result, retry_after = limited_lookup(request, code, request.GET.get("t", ""))
        if retry_after:
            return ratelimit.too_many_response(request, retry_after, "portal/lookup/too_many.html")
    status = 404 if code and result is None else 200
    return render(
        request,
        "portal/lookup/lookup.html",
        {
            "code": code,
            "result": result,
            "not_found": status == 404,
            "reduced": result is not None and "route" not in result,
        },
        status=status,
    )
