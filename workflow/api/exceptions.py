"""Domain errors to HTTP, in one place (REST_FRAMEWORK["EXCEPTION_HANDLER"]).

A :class:`workflow.errors.DossierError` raised by a service becomes its
``http_status`` with ``{"detail": <translated message>, "code": <error class>}``,
e.g. ``409 {"detail": "Someone else acted on this dossier ...", "code": "ConcurrentChange"}``.
Everything else goes to DRF's default handler.
"""
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from workflow.errors import DossierError


def exception_handler(exc, context):
    if isinstance(exc, DossierError):
        return Response({"detail": str(exc.message), "code": type(exc).__name__}, status=exc.http_status)
    return drf_exception_handler(exc, context)
