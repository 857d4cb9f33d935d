"""The citizen area, mounted at /tai-khoan/ (namespace ``citizen``)."""

from django.urls import path

from portal.citizens import oidc
from portal.citizens.accounts import dossier_views, store_views, views

app_name = "citizen"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("dang-ky/", views.sign_up, name="sign_up"),
    path("dang-nhap/", views.SignInView.as_view(), name="login"),
    path("dang-xuat/", views.SignOutView.as_view(), name="logout"),
    path("vneid/", oidc.VneidLoginView.as_view(), name="vneid_login"),  # national e-ID (portal/citizens/oidc.py)
    path("vneid/callback/", oidc.VneidCallbackView.as_view(), name="vneid_callback"),
    path("quen-mat-khau/", views.password_reset, name="password_reset"),
    path("quen-mat-khau/da-gui/", views.password_reset_sent, name="password_reset_sent"),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        views.CitizenPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("doi-mat-khau/", views.password_change, name="password_change"),
    path("thong-tin/", views.profile, name="profile"),
    path("kho-du-lieu/", store_views.store_list, name="store"),
    path("kho-du-lieu/tai-len/", store_views.store_upload, name="store_upload"),
    path("kho-du-lieu/<int:pk>/tai-ve/", store_views.store_download, name="store_download"),
    path("kho-du-lieu/<int:pk>/xoa/", store_views.store_delete, name="store_delete"),
    path("ho-so/", dossier_views.dossier_list, name="dossiers"),
    path("ho-so/<int:pk>/", dossier_views.dossier_detail, name="dossier"),
    path("ho-so/<int:pk>/tai-lieu/<int:document_id>/", dossier_views.dossier_document, name="dossier_document"),
    path("ho-so/<int:pk>/giay-tiep-nhan.pdf", dossier_views.dossier_receipt, name="dossier_receipt"),
    path("ho-so/<int:pk>/bo-sung/", dossier_views.dossier_supplement, name="dossier_supplement"),
    path(
        "ho-so/<int:pk>/bien-lai/<int:payment_id>.pdf",
        dossier_views.dossier_payment_receipt,
        name="dossier_payment_receipt",
    ),
    path("ho-so/<int:pk>/rut-ho-so/", dossier_views.dossier_withdraw, name="dossier_withdraw"),
]
