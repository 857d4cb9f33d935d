"""Public pages (namespace ``feedback``), included by portal/urls.py before Wagtail's catch-all."""

from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("phan-anh/", views.feedback_new, name="new"),
    path("phan-anh/tra-cuu/", views.feedback_lookup, name="lookup"),
    path("phan-anh/tra-loi/", views.public_answers, name="answers"),
    path("danh-gia/", views.rate_public, name="rate"),
    path("danh-gia/ho-so/<str:code>/", views.rate_mine, name="rate_mine"),
    path("danh-gia/ket-qua/", views.rating_results, name="rating_results"),
    path("hoi-dap/gui-cau-hoi/", views.ask_question, name="ask"),
]
