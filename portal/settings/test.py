from portal.settings.base import *  # noqa: F401,F403
from portal.settings.base import HUEY

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HUEY = {**HUEY, "immediate": True}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:  # noqa: F405 - CI's PostgreSQL + Redis pass (.ci/run): cache and rate limits on Redis, huey still
    # immediate. One Redis database per xdist worker, so one worker's cache.clear() (FLUSHDB) never wipes
    # another's counters; a per-process key prefix keeps a rerun clear of an earlier run's keys.
    import os as _os
    import sys as _sys
    from urllib.parse import urlsplit as _urlsplit

    _worker = _os.environ.get("PYTEST_XDIST_WORKER", "")
    _url = _urlsplit(REDIS_URL)  # noqa: F405
    if _worker.startswith("gw"):
        _url = _url._replace(path=f"/{1 + int(_worker[2:]) % 15}")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _url.geturl(),
            "KEY_PREFIX": f"test{_os.getpid()}" if "pytest" in _sys.modules else "",
        }
    }
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
SMS_BACKEND = "workflow.notifications.sms.LocmemSmsBackend"
