"""Submit online, mounted at /nop-truc-tuyen/ (namespace ``eforms``)."""

from django.urls import path

from eforms import views

app_name = "eforms"

urlpatterns = [
    path("", views.draft_list, name="drafts"),
    path("bieu-mau/<str:code>/", views.start, name="start"),
    path("ho-so/<uuid:draft_id>/", views.SubmitWizard.as_view(), name="wizard"),
    path("ho-so/<uuid:draft_id>/xoa/", views.draft_delete, name="draft_delete"),
    path("ho-so/<uuid:draft_id>/da-nop/", views.acknowledgement, name="acknowledgement"),
]
