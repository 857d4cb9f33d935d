"""Download a filled slip of a dossier (staff only, scoped to the user's unit: another unit's dossier is a 404)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from catalog.access_log.services import record_access
from catalog.models import AccessKind
from workflow.models import Dossier, SlipKind
from workflow.slips.rendering import render_slip
from workflow.slips.vocabulary import TZ

#: URL format → :func:`workflow.slips.render_slip` format.
URL_FORMATS = {"pdf": "pdf", "doc": "doc", "docx": "doc"}


def slip_url(dossier, kind, fmt="pdf") -> str:
    """The admin URL of a dossier's slip, e.g. ``/admin/dossiers/12/slip/receipt.pdf``."""
    return reverse("workflow_slips:download", kwargs={"pk": getattr(dossier, "pk", dossier), "kind": kind, "fmt": fmt})


def _when(value):
    """``2026-02-02T13:00`` (a datetime-local input) → aware datetime in Vietnam time, or None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return timezone.make_aware(parsed, TZ) if timezone.is_naive(parsed) else parsed


@require_GET
def slip_download(request, pk, kind, fmt):
    """The slip ``kind`` of dossier ``pk`` as PDF (inline) or Word (attachment).

    Optional query parameters fill a slip before its action is recorded (e.g.
    from an action form's "preview the slip" link): ``comment``, ``reason``,
    ``missing_documents`` (one per line) and ``new_appointment``
    (``YYYY-MM-DDTHH:MM``, Vietnam time).
    """
    user = request.user
    if not (user.is_active and (user.is_staff or user.is_superuser)):
        raise PermissionDenied
    if kind not in SlipKind.values or fmt not in URL_FORMATS:
        raise Http404
    dossier = get_object_or_404(Dossier.objects.visible_to(user).select_related("agency__parent", "procedure"), pk=pk)
    extra = {name: request.GET[name] for name in ("comment", "reason", "missing_documents") if request.GET.get(name)}
    if new_appointment := _when(request.GET.get("new_appointment")):
        extra["new_appointment"] = new_appointment
    rendered = render_slip(dossier, kind, URL_FORMATS[fmt], official=user, **extra)
    record_access(request, AccessKind.SLIP_DOWNLOAD, dossier=dossier, object_id=f"{dossier.pk}/{kind}")
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = content_disposition_header(fmt != "pdf", rendered.filename)
    response["Cache-Control"] = "private, no-store"
    return response
