from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    # Citizens and organisations: the national e-identity (egov.accounts.vneid).
    path("dang-nhap/vneid/", views.vneid_start, name="vneid_start"),
    path("dang-nhap/vneid/ve/", views.vneid_callback, name="vneid_callback"),
    # Sign-out is a POST (a form with the CSRF token), so no link or image can sign anyone out.
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("xac-thuc/", views.verify, name="verify"),
    path("xac-thuc/cai-dat/", views.enrol, name="enrol"),
]
