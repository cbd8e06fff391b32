"""Citizen pages, mounted at /dat-lich/ (namespace "appointments")."""

from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("", views.start, name="start"),
    path("thu-tuc/", views.choose_procedure, name="procedure"),
    path("noi-nop/", views.choose_desk, name="desk"),
    path("ngay/", views.choose_day, name="day"),
    path("gio/", views.choose_time, name="time"),
    path("thong-tin/", views.details, name="details"),
    path("kiem-tra/", views.check, name="check"),
    # The secret link: anything else here is a token, known or not (a 404 that says so).
    path("<str:token>/", views.manage, name="manage"),
    path("<str:token>/huy/", views.cancel, name="cancel"),
    path("<str:token>/doi-lich/", views.change, name="change"),
]
