from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    # Sign-out is a POST (a form with the CSRF token), so no link or image can sign anyone out.
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("xac-thuc/", views.verify, name="verify"),
    path("xac-thuc/cai-dat/", views.enrol, name="enrol"),
]
