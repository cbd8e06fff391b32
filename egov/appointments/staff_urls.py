"""Staff pages, mounted at /can-bo/lich-hen/ (namespace "appointments_staff")."""

from django.urls import path

from . import staff_views

app_name = "appointments_staff"

urlpatterns = [
    path("", staff_views.today, name="today"),
    path("<uuid:appointment_uuid>/da-den/", staff_views.arrive, name="arrive"),
    path("<uuid:appointment_uuid>/so/", staff_views.ticket, name="ticket"),
]
