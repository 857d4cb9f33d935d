"""``/healthz/``: the readiness check load balancers and operators ask before sending traffic to an app server.

It answers 200 ``{"status": "ok"}`` when the server can serve pages, else 503 with what is missing in plain
words — notably the static files: with the manifest storage of production every page that names a static file
fails until ``manage.py collectstatic`` has run, and a 500 on every page says nothing of why.
"""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache():
    cache.set("healthz", "1", 10)
    if cache.get("healthz") != "1":
        raise RuntimeError("the cache does not keep what is written to it")


def _static_files():
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return  # development: files are served from the apps' folders
    if staticfiles_storage.read_manifest() is None:
        raise RuntimeError(
            f"static files are not collected in {settings.STATIC_ROOT}: run `manage.py collectstatic --noinput` "
            "(the tthc-web unit does it before starting)"
        )


CHECKS = {"database": _database, "cache": _cache, "static_files": _static_files}


@never_cache
def healthz(request):
    problems = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # the point is to report any failure, not to raise it
            problems[name] = str(error) or error.__class__.__name__
    if problems:
        return JsonResponse({"status": "unavailable", "problems": problems}, status=503)
    return JsonResponse({"status": "ok"})
