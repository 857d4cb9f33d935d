"""Settings shared by every environment.

Everything that differs between a laptop and a province-scale deployment is
read from environment variables, so the same code runs on SQLite + local files
+ huey-on-SQLite and on PostgreSQL + Redis + object storage.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal",
    "catalog",
    "eforms",
    "workflow",
    "feedback",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "import_export",
    "simple_history",
    "formtools",
    "huey.contrib.djhuey",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",  # second factor of officials (portal/otp.py)
    "django_otp.plugins.otp_totp",
    "axes",  # failed sign-in lockout (portal/signin_security.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.core.security.SecurityHeadersMiddleware",  # CSP + Permissions-Policy (portal/core/security.py)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.DefaultVietnameseLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.AdminLanguageMiddleware",  # the official's admin language, also on 404 / refusals
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.signin_security.AdminIdleTimeoutMiddleware",  # officials signed out after inactivity
    "portal.otp.AdminOTPRequiredMiddleware",  # officials: TOTP before any admin page
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a lockout into the "locked" page; keep last
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.site_chrome",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web process and the huey consumer share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Officials (staff): at least 3 of lower case, upper case, digits, symbols (portal/signin_security.py).
    {"NAME": "portal.signin_security.OfficialPasswordValidator"},
]

# --- Language and time -------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
# Ours first (they win), then our fill-ins for strings Wagtail ships untranslated.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "wagtail"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Officials work in Vietnam time; Wagtail's default list also offers the system's "localtime" and legacy names.
WAGTAIL_USER_TIME_ZONES = ["Asia/Ho_Chi_Minh"]
WAGTAIL_I18N_ENABLED = False  # UI is bilingual; catalog content is Vietnamese only.

# --- Static and media ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Citizens' files never live under MEDIA_ROOT: they are served only through
# permission-checked views.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))

if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    _s3 = {
        "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL"),
        "region_name": os.environ.get("AWS_S3_REGION_NAME"),
    }
    STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3, "default_acl": None}},
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**_s3, "location": "private", "querystring_auth": True, "default_acl": "private"},
        },
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

# --- Wagtail -----------------------------------------------------------------
WAGTAIL_ENABLE_UPDATE_CHECK = False  # no calls home from officials' browsers (and CSP connect-src 'self')
WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME", "Cổng Dịch vụ công tỉnh")
# The one public base URL every absolute link, e-mail, SMS and QR code is built from (portal.core.links).
SITE_BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "txt", "zip"]

# --- Cache ------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background jobs (huey) --------------------------------------------------
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "tthc", "url": REDIS_URL, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "tthc",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
    }
HUEY["consumer"] = {"workers": int(os.environ.get("HUEY_WORKERS", "2")), "worker_type": "thread"}
# Nobody reads task results; the notification outbox, not huey, remembers what was sent
# (workflow/notifications/outbox.py).
HUEY["results"] = False

# --- E-mail / SMS --------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dichvucong@example.gov.vn")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))  # well under NOTIFICATION_SEND_LEASE (5 min)

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "portal.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TTHC API",
    "DESCRIPTION": "API của Hệ thống thông tin giải quyết thủ tục hành chính cấp tỉnh.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Self-hosted Swagger/Redoc assets: no external CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Product settings (provinces differ) ----------------------------------------
# Planned maintenance is announced this many working days ahead (TN 9: 2, TN 10/BN 9: 5).
MAINTENANCE_NOTICE_WORKING_DAYS = int(os.environ.get("MAINTENANCE_NOTICE_WORKING_DAYS", "5"))
# Each process re-reads the working calendar's version at most this often (the staleness bound of an admin edit on
# other app servers; workflow/worktime/loading.py).
WORKTIME_CALENDAR_RECHECK_SECONDS = float(os.environ.get("WORKTIME_CALENDAR_RECHECK_SECONDS", "5"))
CATALOG_PAGE_SIZE = 20
# Published figures (late list, 766 index, transparency months) of this many last months are recomputed nightly;
# a difference is shown as a revision beside the published figures (workflow/reports/snapshots.py).
PUBLISHED_FIGURES_RECHECK_MONTHS = int(os.environ.get("PUBLISHED_FIGURES_RECHECK_MONTHS", "3"))

# Online payment (workflow/payments/; docs/payments.md): the providers offered to applicants, in order, and each
# provider's credentials. The demo provider runs offline (a sandbox page on this site) and is on by default.
PAYMENT_PROVIDERS = env_list("PAYMENT_PROVIDERS", "demo")
PAYMENT_DEMO_SECRET = os.environ.get("PAYMENT_DEMO_SECRET", "demo-payment-secret")
PAYMENT_VNPAY_TMN_CODE = os.environ.get("PAYMENT_VNPAY_TMN_CODE", "")
PAYMENT_VNPAY_HASH_SECRET = os.environ.get("PAYMENT_VNPAY_HASH_SECRET", "")
PAYMENT_VNPAY_URL = os.environ.get("PAYMENT_VNPAY_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html")
PAYMENT_VNPAY_QUERY_URL = os.environ.get(
    "PAYMENT_VNPAY_QUERY_URL", "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
)

# Citizen side (portal/): per-client rate limits on the cache (Redis when REDIS_URL is set, shared by all app
# servers). Scopes "lookup" (/tra-cuu/ and /api/v1/lookup/) and "signin"; see portal/core/ratelimit.py.
RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") == "1"
RATELIMIT_RATES = {
    "lookup": os.environ.get("RATELIMIT_LOOKUP", "20/minute,200/day").split(","),
    "signin": os.environ.get("RATELIMIT_SIGNIN", "10/minute,50/hour").split(","),
    # Failed officials' sign-ins per address (/admin/login/, password spraying; issue 15 item 4).
    "admin_signin": os.environ.get("RATELIMIT_ADMIN_SIGNIN", "10/minute,30/hour").split(","),
    # Password-reset requests per address, and reset messages sent per account (issue 15 item 6).
    "password_reset": os.environ.get("RATELIMIT_PASSWORD_RESET", "5/hour,20/day").split(","),
    "password_reset_account": os.environ.get("RATELIMIT_PASSWORD_RESET_ACCOUNT", "3/hour,6/day").split(","),
}
# Number of reverse proxies in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Lookup's global anomaly limit (portal/lookup.py, issue 15 item 3): "codes" distinct dossier codes from
# "addresses" distinct clients within "window" s → for "hold" s every typed-code lookup shares "lookup_slow".
LOOKUP_ANOMALY = {
    "window": int(os.environ.get("LOOKUP_ANOMALY_WINDOW", "60")),
    "codes": int(os.environ.get("LOOKUP_ANOMALY_CODES", "300")),
    "addresses": int(os.environ.get("LOOKUP_ANOMALY_ADDRESSES", "30")),
    "hold": int(os.environ.get("LOOKUP_ANOMALY_HOLD", "900")),
}
RATELIMIT_RATES["lookup_slow"] = os.environ.get("RATELIMIT_LOOKUP_SLOW", "60/minute").split(",")
RATELIMIT_RATES["lookup_digits"] = os.environ.get("RATELIMIT_LOOKUP_DIGITS", "10/hour,20/day").split(",")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail logs every background reference-index task at INFO.
        "django_tasks": {"level": "WARNING"},
    },
}
SMS_BACKEND = os.environ.get("SMS_BACKEND", "workflow.notifications.sms.ConsoleSmsBackend")

# --- Feedback and ratings (feedback/; DESIGN §7) ------------------------------
# Answer due in working days from reception: 15 (QN 18.1); Thái Nguyên: 10 (TN 15.2).
FEEDBACK_ANSWER_WORKING_DAYS = int(os.environ.get("FEEDBACK_ANSWER_WORKING_DAYS", "15"))
FEEDBACK_UPDATE_WORKING_DAYS = 5  # progress update cadence while overdue (QN 18.1)
FEEDBACK_PUBLISH_WORKING_DAYS = 2  # answer published within (QN 18.2)
FEEDBACK_DUE_SOON_WORKING_DAYS = 2  # reminder to the agency before the deadline
# The provincial service centre's mailboxes for reminders; empty: every supervisor's e-mail.
FEEDBACK_CENTRE_EMAILS = [e for e in os.environ.get("FEEDBACK_CENTRE_EMAILS", "").split(",") if e]
RATELIMIT_RATES.update(
    {
        "feedback": os.environ.get("RATELIMIT_FEEDBACK", "5/minute,30/day").split(","),
        "rating": os.environ.get("RATELIMIT_RATING", "10/minute,100/day").split(","),
    }
)

# --- Security headers (portal/core/security.py; docs/deployment.md) ------------------
# Strict CSP on the public site, a relaxed one under CSP_RELAXED_PATHS (Wagtail admin, API docs).
CSP_ENABLED = env_bool("CSP_ENABLED", True)
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
CSP_REPORT_URI = os.environ.get("CSP_REPORT_URI", "")
CSP_MEDIA_SOURCES = env_list("CSP_MEDIA_SOURCES")  # extra image/media origins (a CDN); S3 is added automatically
CSP_FRAME_SOURCES = env_list("CSP_FRAME_SOURCES")  # e.g. https://www.youtube.com for embedded videos
CSP_FORM_ACTION_SOURCES = env_list("CSP_FORM_ACTION_SOURCES")  # e.g. the national e-ID provider
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # officials' e-mail hashes are not sent to a third party

# --- Sign-in security (DESIGN §10; portal/signin_security.py, portal/otp.py, portal/citizens/oidc.py) -------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out username+IP pairs
    "portal.citizens.accounts.backends.EmailOrPhoneBackend",  # citizens: e-mail or phone + password
    "django.contrib.auth.backends.ModelBackend",  # officials: username + password (then TOTP)
    "portal.citizens.oidc.VneidBackend",  # citizens: national e-ID (OpenID Connect), only when VNEID_OIDC_* is set
]
LOGIN_URL = "citizen:login"  # where login_required public views send visitors (the admin has its own sign-in)
# Lockout (django-axes): 5 failures for the same username from the same IP → locked for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "portal.signin_security.axes_username"
AXES_CLIENT_IP_CALLABLE = "portal.signin_security.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "portal.signin_security.lockout_response"
AXES_VERBOSE = False
# Sessions: 8 hours for everybody; officials' cookies end with the browser and their admin session after
# 30 minutes without a request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
OFFICIAL_SESSION_EXPIRE_AT_BROWSER_CLOSE = True
ADMIN_SESSION_IDLE_TIMEOUT = int(os.environ.get("ADMIN_SESSION_IDLE_TIMEOUT", str(30 * 60)))  # seconds; 0: off
# Second factor: officials (is_staff / is_superuser) give a TOTP code before any admin page; until then their
# session is anonymous everywhere else (API included). The demo's officials share a published key (README).
OTP_REQUIRED_FOR_STAFF = env_bool("OTP_REQUIRED_FOR_STAFF", True)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "TTHC")
# Citizen sign-in with the national e-ID (VNeID) over OpenID Connect; the button shows only when configured.
VNEID_OIDC_ISSUER = os.environ.get("VNEID_OIDC_ISSUER", "")
VNEID_OIDC_DISCOVERY_URL = os.environ.get("VNEID_OIDC_DISCOVERY_URL", "")  # default: ISSUER + /.well-known/…
VNEID_OIDC_CLIENT_ID = os.environ.get("VNEID_OIDC_CLIENT_ID", "")
VNEID_OIDC_CLIENT_SECRET = os.environ.get("VNEID_OIDC_CLIENT_SECRET", "")
VNEID_OIDC_SCOPES = os.environ.get("VNEID_OIDC_SCOPES", "openid profile")
VNEID_OIDC_SIGN_ALGO = os.environ.get("VNEID_OIDC_SIGN_ALGO", "RS256")
VNEID_OIDC_TIMEOUT = int(os.environ.get("VNEID_OIDC_TIMEOUT", "10"))
# Claim names at the provider for our identity fields, e.g. "id_number=so_dinh_danh,full_name=ho_ten"
# (fields: id_number, full_name, date_of_birth, gender, address, phone, email; defaults in portal/citizens/oidc.py).
VNEID_OIDC_CLAIMS = dict(item.split("=", 1) for item in env_list("VNEID_OIDC_CLAIMS") if "=" in item)
