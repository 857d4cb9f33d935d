from django.urls import path

from workflow.payments import views

app_name = "payments"

urlpatterns = [
    path("ho-so/<int:dossier_id>/", views.start, name="start"),
    path("thu-nghiem/<str:reference>/", views.demo_sandbox, name="demo_sandbox"),
    path("ket-qua/<str:provider>/", views.payment_return, name="return"),
    path("thong-bao/<str:provider>/", views.notify, name="notify"),
]
