"""The staff's feedback pages, included by the URL map at /can-bo/phan-anh/ (behind the
second factor, as every /can-bo/ page)."""

from django.urls import path

from . import views

app_name = "feedback_staff"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<uuid:reference>/", views.detail, name="detail"),
    path("<uuid:reference>/thao-tac/<str:action>/", views.act, name="act"),
]
