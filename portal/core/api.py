"""Domain errors to HTTP, in one place (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``).

A :class:`portal.core.errors.DomainError` raised by any service becomes its ``http_status`` with
``{"detail": <translated message>, "code": <error class>}``, e.g.
``409 {"detail": "Someone else acted on this dossier ...", "code": "ConcurrentChange"}``.
Everything else goes to DRF's default handler.
"""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.core.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc.message), "code": exc.code}, status=exc.http_status)
    return drf_exception_handler(exc, context)
