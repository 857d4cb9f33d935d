from django.urls import path

from portal.api_lookup import LookupApi

app_name = "lookup_api"

urlpatterns = [
    path("lookup/<str:code>/", LookupApi.as_view(), name="lookup"),
]
