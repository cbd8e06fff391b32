"""Every page of the notifications app, mounted at the site's root by egov/urls.py
(`path("", include("egov.notifications.site_urls"))`): a staff member's notices under
/can-bo/thong-bao/ (`urls.py`) and a citizen's choice of channels at /tai-khoan/thong-bao/.
One module, so the two share the namespace "notifications" (two includes with one namespace
would hide each other's names)."""

from django.urls import include, path

from . import urls, views

app_name = "notifications"

urlpatterns = [
    path("can-bo/thong-bao/", include(urls.urlpatterns)),
    path("tai-khoan/thong-bao/", views.preferences, name="preferences"),
]
