from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("ho-so/<str:key>/", views.dossier_page, name="dossier"),
    path("ho-so/<str:key>/thao-tac/<str:action>/", views.dossier_action, name="action"),
    path("ho-so/<str:key>/giao-viec/", views.dossier_assign, name="assign"),
]
