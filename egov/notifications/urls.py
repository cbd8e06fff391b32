"""A staff member's notices, under /can-bo/thong-bao/. `site_urls` mounts these with the
citizen's page; egov/urls.py may still include this module alone at can-bo/thong-bao/."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("da-doc-tat-ca/", views.mark_all_read, name="mark_all_read"),
    path("<int:notification_id>/da-doc/", views.mark_read, name="mark_read"),
    path("thu-dien-tu/", views.staff_email, name="staff_email"),
]
