"""Rate limits on the public endpoints (issue 8 item 4), and on Redis shared by every app server (item 7).

The CI pass with REDIS_URL (.ci/run) runs this file — and the whole suite — with the cache on Redis.
"""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache, caches

from portal.core import ratelimit

pytestmark = pytest.mark.django_db

ON_REDIS = "redis" in django_settings.CACHES["default"]["BACKEND"].lower()

# (scope, method, url, data): every anonymous endpoint that looks something up by a guessable code or
# accepts a submission. One hit is allowed, the second from the same client is refused with 429.
PUBLIC_ENDPOINTS = [
    ("lookup", "get", "/tra-cuu/", {"code": "000.00.00.H00-260101-0001"}),
    ("lookup", "get", "/api/v1/lookup/000.00.00.H00-260101-0001/", None),
    ("lookup", "get", "/phan-anh/tra-cuu/", {"code": "PA-000000"}),
    ("lookup", "get", "/api/v1/feedback/PA-000000/", None),
    ("signin", "post", "/tai-khoan/dang-nhap/", {"username": "x@example.com", "password": "wrong-password"}),
    ("signin", "post", "/tai-khoan/dang-ky/", {"email": "x@example.com"}),
    ("feedback", "post", "/phan-anh/", {}),
    ("feedback", "post", "/api/v1/feedback/", {}),
    ("feedback", "post", "/hoi-dap/gui-cau-hoi/", {}),
    ("rating", "post", "/danh-gia/", {}),
    ("rating", "post", "/api/v1/ratings/", {}),
    # Officials' sign-in: failed attempts per address (issue 15 item 4); password resets (item 6).
    ("admin_signin", "post", "/admin/login/", {"username": "khong.co", "password": "wrong-password"}),
    ("password_reset", "post", "/admin/password_reset/", {"email": "x@example.com"}),
    ("password_reset", "post", "/tai-khoan/quen-mat-khau/", {"identifier": "x@example.com"}),
]


@pytest.fixture(autouse=True)
def _one_per_minute(settings):
    settings.RATELIMIT_ENABLED = True
    # Per day, not per minute: two requests never straddle a window boundary (fixed windows, portal/core/ratelimit.py).
    settings.RATELIMIT_RATES = {
        scope: ["1/day"] for scope in ("lookup", "signin", "feedback", "rating", "admin_signin", "password_reset")
    }
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("scope", "method", "url", "data"), PUBLIC_ENDPOINTS, ids=[f"{m.upper()} {u}" for _s, m, u, _d in PUBLIC_ENDPOINTS]
)
def test_public_endpoint_is_rate_limited(client, scope, method, url, data):
    first = getattr(client, method)(url, data or {})
    assert first.status_code != 429, (url, first.status_code)
    second = getattr(client, method)(url, data or {})
    assert second.status_code == 429, (url, second.status_code)
    assert int(second["Retry-After"]) > 0
    # Another client (another address) is not affected.
    other = getattr(client, method)(url, data or {}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code != 429


def test_limits_count_per_client_behind_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # production default behind nginx (portal/settings/production.py)
    url = "/api/v1/lookup/000.00.00.H00-260101-0001/"
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code != 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code != 429
    # A client cannot pick a fresh address by prepending its own X-Forwarded-For entries.
    assert client.get(url, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.1").status_code == 429


def test_test_settings_keep_background_jobs_immediate():
    assert django_settings.HUEY["immediate"] is True


@pytest.mark.skipif(not ON_REDIS, reason="REDIS_URL not set: the PostgreSQL + Redis CI pass runs this")
def test_counters_live_on_redis_and_are_shared_by_app_servers(settings):
    """Two cache connections (two gunicorn workers or two servers) see one counter: the limit is exact overall."""
    settings.RATELIMIT_RATES = {"lookup": ["3/minute"]}
    other_server = caches.create_connection("default")
    assert other_server is not cache and type(other_server).__name__ == "RedisCache"
    now = 1_800_000_000.0
    assert ratelimit.check("lookup", "203.0.113.9", now=now) == (True, 0)
    assert other_server.get(f"rl:lookup:60:{int(now // 60)}:203.0.113.9") == 1
    allowed = [ratelimit.check("lookup", "203.0.113.9", now=now)[0] for _ in range(2)]
    other_server.incr(f"rl:lookup:60:{int(now // 60)}:203.0.113.9")  # a hit counted by the other server
    assert allowed == [True, True]
    assert ratelimit.check("lookup", "203.0.113.9", now=now)[0] is False
