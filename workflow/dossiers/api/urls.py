"""Dossier routes under /api/v1/dossiers/ (names in the ``workflow_api`` namespace).

One view per operation: list, detail, document download, one POST per action
(``/dossiers/{id}/<action>/``), counter reception and bulk actions.
"""

from django.urls import path

from workflow.dossiers.api import views

app_name = "workflow_api"

urlpatterns = [
    path("dossiers/", views.DossierListApi.as_view(), name="dossier-list"),
    path("dossiers/receive-counter/", views.ReceiveCounterApi.as_view(), name="dossier-receive-counter"),
    path("dossiers/bulk/", views.BulkApi.as_view(), name="dossier-bulk"),
    path("dossiers/<int:pk>/", views.DossierDetailApi.as_view(), name="dossier-detail"),
    path("dossiers/<int:pk>/documents/<int:document_id>/", views.DossierDocumentApi.as_view(), name="dossier-document"),
] + [
    path(f"dossiers/<int:pk>/{segment}/", view.as_view(), name=f"dossier-{segment}")
    for segment, view in views.ACTION_VIEWS.items()
]
