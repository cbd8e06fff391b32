"""The public's feedback pages, included by the URL map at /phan-anh/."""

from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("", views.published_list, name="published"),
    path("gui/", views.send, name="send"),
    path("da-gui/", views.sent, name="sent"),
    path("theo-doi/", views.follow_lookup, name="follow_lookup"),
    path("theo-doi/<uuid:reference>/", views.follow, name="follow"),
    path("tra-loi/<uuid:public_id>/", views.published_detail, name="published_detail"),
]
