"""Deployment hardening (issue 8 item 4): `check --deploy`, secrets from the environment, security headers, CSP."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from portal.core import security

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "manage.py").is_file())
pytestmark = pytest.mark.django_db


def production_env(tmp_path, **overrides):
    """A clean environment for `portal.settings.production`: only what a real server's env file would hold."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_", "PYTEST_"))}
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "TRUSTED_PROXY_COUNT",
        "BEHIND_PROXY",
        "CSP_MEDIA_SOURCES",
    ):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "example.gov.vn",
            "VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        }
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run(args, env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def production_settings(tmp_path, names, **env):
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))"
    )
    result = run(["-c", code], production_env(tmp_path, **env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- check --deploy and secrets ----------------------------------------------------------------------


def test_check_deploy_passes_without_warnings(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set in production"),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set in production"),
        ({"SECRET_KEY": "dev-only-insecure-key-change-me"}, "at least 50 characters"),
        ({"SECRET_KEY": "too-short-" * 3}, "at least 50 characters"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must be set in production"),
    ],
)
def test_production_refuses_to_start_without_secrets_from_the_environment(tmp_path, env, message):
    result = run(["manage.py", "check"], production_env(tmp_path, **env))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_production_settings_behind_the_proxy(tmp_path):
    names = [
        "DEBUG",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "X_FRAME_OPTIONS",
        "TRUSTED_PROXY_COUNT",
        "SECURE_REFERRER_POLICY",
        "CACHES",
        "HUEY",
        "STORAGES",
        "MIDDLEWARE",
    ]
    values = production_settings(tmp_path, names)
    assert values["DEBUG"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_SSL_REDIRECT"] is True and values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["X_FRAME_OPTIONS"] == "DENY" and values["TRUSTED_PROXY_COUNT"] == 1
    assert values["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin"
    assert "portal.core.security.SecurityHeadersMiddleware" in values["MIDDLEWARE"]
    # No proxy in front (BEHIND_PROXY=0): X-Forwarded-* are not trusted at all.
    direct = production_settings(tmp_path, ["SECURE_PROXY_SSL_HEADER", "TRUSTED_PROXY_COUNT"], BEHIND_PROXY="0")
    assert direct == {"SECURE_PROXY_SSL_HEADER": None, "TRUSTED_PROXY_COUNT": 0}


def test_production_scale_out_services_come_from_the_environment(tmp_path):
    values = production_settings(
        tmp_path,
        ["CACHES", "HUEY", "STORAGES", "DATABASES"],
        REDIS_URL="redis://10.0.0.5:6379/0",
        DATABASE_URL="postgres://tthc:pw@10.0.0.4:5432/tthc",
        AWS_STORAGE_BUCKET_NAME="tthc-files",
        AWS_S3_ENDPOINT_URL="https://s3.example.gov.vn",
    )
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["HUEY"]["huey_class"] == "huey.RedisHuey" and values["HUEY"]["immediate"] is False
    assert values["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert values["STORAGES"]["private"]["OPTIONS"]["default_acl"] == "private"
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert values["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True


# --- headers on real pages (test settings run the same middleware) -------------------------------


def csp(response):
    return dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in response["Content-Security-Policy"].split(";"))
    )


def test_public_page_has_a_strict_policy_and_security_headers(client):
    response = client.get("/tra-cuu/")
    assert response.status_code == 200
    policy = csp(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline scripts, no eval
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["form-action"] == "'self'"
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_public_html_has_no_inline_scripts(client):
    """What the strict policy would block: every <script> on the lookup page and sign-in page has a src."""
    import re

    for url in ("/tra-cuu/", "/tai-khoan/dang-nhap/", "/phan-anh/"):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or "nonce=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=\"", html), url  # no inline event handlers


def test_api_responses_carry_the_strict_policy(client):
    response = client.get("/api/v1/lookup/XX-0000/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_admin_gets_the_relaxed_policy_and_works(client, django_user_model):
    login = client.get("/admin/login/")
    assert login.status_code == 200
    policy = csp(login)
    assert "'unsafe-inline'" in policy["script-src"] and "'unsafe-inline'" in policy["style-src"]
    assert "blob:" in policy["img-src"] and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    user = django_user_model.objects.create_superuser("root", "root@example.gov.vn", "Str0ng-pass-2026")
    client.force_login(user)
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "'unsafe-inline'" in csp(dashboard)["script-src"]
    assert "gravatar" not in dashboard.content.decode()  # avatars are not fetched from a third party


def test_api_docs_get_the_relaxed_policy(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "'unsafe-inline'" in csp(response)["script-src"]


# --- the middleware itself ---------------------------------------------------------------------------


def run_middleware(path, view):
    request = RequestFactory().get(path)
    return request, security.SecurityHeadersMiddleware(lambda req: view(req))(request)


def test_a_view_that_sets_its_own_policy_keeps_it():
    _, response = run_middleware("/tai-khoan/x/", lambda r: _with_header(HttpResponse("x"), "default-src 'none'"))
    assert response["Content-Security-Policy"] == "default-src 'none'"


def _with_header(response, value):
    response["Content-Security-Policy"] = value
    return response


def test_nonce_is_added_only_when_a_template_used_it():
    _, plain = run_middleware("/", lambda r: HttpResponse("x"))
    assert "nonce-" not in plain["Content-Security-Policy"]
    seen = {}

    def view(request):
        seen["nonce"] = str(request.csp_nonce)
        return HttpResponse(f'<script nonce="{seen["nonce"]}">1</script>')

    _, response = run_middleware("/", view)
    assert f"script-src 'self' 'nonce-{seen['nonce']}'" in response["Content-Security-Policy"]
    # Never on the relaxed policy, where a nonce would switch 'unsafe-inline' off for the admin's scripts.
    _, admin = run_middleware("/admin/", view)
    assert "nonce-" not in admin["Content-Security-Policy"]


def test_frame_ancestors_follow_x_frame_options():
    def sameorigin(request):
        response = HttpResponse("preview")
        response["X-Frame-Options"] = "SAMEORIGIN"  # Wagtail's preview panel
        return response

    _, response = run_middleware("/admin/pages/3/edit/preview/", sameorigin)
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


def test_object_storage_origin_is_allowed_for_images(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "tthc", "endpoint_url": "https://s3.example.gov.vn:9000"},
        },
    }
    settings.CSP_MEDIA_SOURCES = ["https://cdn.example.gov.vn"]
    settings.CSP_REPORT_URI = "/csp-report/"
    _, response = run_middleware("/", lambda r: HttpResponse("x"))
    header = response["Content-Security-Policy"]
    assert "img-src 'self' data: https://cdn.example.gov.vn https://s3.example.gov.vn:9000" in header
    assert "report-uri /csp-report/" in header


def test_report_only_mode(settings):
    settings.CSP_REPORT_ONLY = True
    _, response = run_middleware("/", lambda r: HttpResponse("x"))
    assert "Content-Security-Policy" not in response
    assert "script-src 'self'" in response["Content-Security-Policy-Report-Only"]


# --- readiness (portal/health.py) ------------------------------------------------------------------------------


@pytest.fixture
def manifest_storage(settings, tmp_path):
    """Production's static storage on an empty STATIC_ROOT: what a server looks like before collectstatic."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    staticfiles_storage._wrapped = empty
    yield tmp_path
    staticfiles_storage._wrapped = empty


def test_readiness_says_static_files_are_missing_instead_of_a_500(client, manifest_storage):
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert "collectstatic" in response.json()["problems"]["static_files"]
    (manifest_storage / "staticfiles.json").write_text(
        '{"paths": {"css/site.css": "css/site.abc.css"}, "version": "1.1"}'
    )
    from django.contrib.staticfiles.storage import staticfiles_storage

    staticfiles_storage._wrapped = empty
    response = client.get("/healthz/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_the_web_unit_collects_static_files_before_it_starts():
    unit = (ROOT / "deploy" / "systemd" / "tthc-web.service").read_text()
    pre = [line for line in unit.splitlines() if line.startswith("ExecStartPre=")]
    assert any("collectstatic --noinput" in line for line in pre)
    static_root = next(
        line
        for line in (ROOT / "deploy" / "tthc.env.example").read_text().splitlines()
        if line.startswith("STATIC_ROOT=")
    )
    assert static_root.split("=", 1)[1] in unit  # and may write there (ProtectSystem=strict)
