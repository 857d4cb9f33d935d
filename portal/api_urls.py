"""All /api/v1/ routes; each app contributes its own router."""

from django.urls import include, path

urlpatterns = [
    path("", include("catalog.api.urls")),
    path("", include("workflow.dossiers.api.urls")),
    path("reports/", include("workflow.reports.api")),
    path("", include("portal.api_lookup_urls")),
    path("", include("feedback.api_urls")),
    path("", include("catalog.access_log.api")),  # GET access-statistics/ (catalog/access_log/api.py)
]
