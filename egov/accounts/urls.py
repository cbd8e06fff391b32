from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    # Citizens and organisations: the national e-identity (egov.accounts.vneid).
    path("dang-nhap/vneid/", views.vneid_start, name="vneid_start"),
    path("dang-nhap/vneid/ve/", views.vneid_callback, name="vneid_callback"),
    # Staff who forgot their password: a link by e-mail, or the administrator (the page says).
    path("dang-nhap/quen-mat-khau/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "dang-nhap/quen-mat-khau/da-gui/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "dang-nhap/dat-lai/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "dang-nhap/dat-lai/xong/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Sign-out is a POST (a form with the CSRF token), so no link or image can sign anyone out.
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("xac-thuc/", views.verify, name="verify"),
    path("xac-thuc/cai-dat/", views.enrol, name="enrol"),
    # The officer's own account (behind the second factor: egov.accounts.middleware).
    path("tai-khoan/", views.account, name="account"),
    path(
        "tai-khoan/ma-truy-cap/<uuid:token_id>/thu-hoi/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
    path(
        "tai-khoan/ma-truy-cap/thu-hoi-tat-ca/",
        views.api_tokens_revoke_all,
        name="api_tokens_revoke_all",
    ),
    path("tai-khoan/doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "tai-khoan/doi-mat-khau/xong/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
