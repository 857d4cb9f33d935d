"""Catalog routes under /api/v1/ (names in the ``catalog_api`` namespace)."""

from rest_framework.routers import SimpleRouter

from catalog.api import schema, views  # noqa: F401  (schema registers the OpenAPI extensions)

app_name = "catalog_api"

router = SimpleRouter()
router.register("procedures", views.ProcedureViewSet, basename="procedure")
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("sectors", views.SectorViewSet, basename="sector")
router.register("faq", views.FaqViewSet, basename="faq")

urlpatterns = router.urls
