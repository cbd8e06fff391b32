"""The operators' pages of the interconnection axis, under /can-bo/lien-thong/."""

from django.urls import path

from . import views

app_name = "interop"

urlpatterns = [
    path("", views.bus, name="bus"),
    path("tinh-trang/", views.health, name="health"),
    # The dead-letter alert (egov.interop.services.delivery) links here: keep the address.
    path("thu-loi/<int:message_id>/", views.dead_letter, name="dead_letter"),
    path("thu-loi/<int:message_id>/gui-lai/", views.replay, name="replay"),
    path("thu-loi/<int:message_id>/huy/", views.discard, name="discard"),
    path("nhat-ky/<int:seq>/", views.log_row, name="log_row"),
]
