"""All /api/v1/ routes; each app contributes its own router."""
from django.urls import include, path

urlpatterns = [
    path("", include("catalog.api.urls")),
]
