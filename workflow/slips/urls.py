"""Slip downloads, mounted under /admin/ by the ``register_admin_urls`` hook in :mod:`workflow.wagtail_hooks`.

    /admin/dossiers/<pk>/slip/<kind>.pdf    the filled slip as PDF
    /admin/dossiers/<pk>/slip/<kind>.doc    the filled slip as an editable Word document (.docx)

``reverse("workflow_slips:download", kwargs={"pk": 1, "kind": "receipt", "fmt": "pdf"})``
"""

from django.urls import path

from workflow.slips import views

app_name = "workflow_slips"

urlpatterns = [
    path("dossiers/<int:pk>/slip/<slug:kind>.<str:fmt>", views.slip_download, name="download"),
]
