from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.views import serve as wagtail_serve

from portal import otp
from portal.health import healthz
from portal.lookup import lookup_page
from portal.password_reset import AdminPasswordResetView

urlpatterns = [
    path("healthz/", healthz, name="healthz"),  # readiness (portal/health.py)
    path("admin/otp/", otp.verify, name="portal_otp_verify"),  # officials' second factor (portal/otp.py)
    path("admin/otp/setup/", otp.setup, name="portal_otp_setup"),
    path("admin/login/", otp.AdminLoginView.as_view(), name="portal_admin_login"),  # Wagtail's, no "remember me"
    # Wagtail's reset form, for officials only and throttled (portal/password_reset.py).
    path("admin/password_reset/", AdminPasswordResetView.as_view(), name="portal_admin_password_reset"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("tai-khoan/", include("portal.citizens.accounts.urls")),
    path("tra-cuu/", lookup_page, name="lookup"),
    path("cong-khai/", include("workflow.reports.public")),
    path("nop-truc-tuyen/", include("eforms.urls")),
    path("thanh-toan/", include("workflow.payments.urls")),
    path("", include("feedback.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    # Wagtail's own pattern rejects dots; procedure pages live at their national code (e.g. /.../1.001612/).
    re_path(r"^((?:[\w\-.]+/)*)$", wagtail_serve, name="wagtail_serve_dotted"),
    path("", include(wagtail_urls)),
]
