from django.urls import path

from . import intake, views

app_name = "desk"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("tong-quan/", views.dashboard, name="dashboard"),
    path("co-quan/", views.choose_agency, name="choose_agency"),
    path("tiep-nhan/", intake.intake_start, name="intake"),
    path("tiep-nhan/nguoi-nop/", intake.intake_applicant, name="intake_applicant"),
    path("tiep-nhan/tra-cuu-dan-cu/", intake.intake_population, name="intake_population"),
    path("tiep-nhan/xa-phuong/", intake.intake_wards, name="intake_wards"),
    path("tiep-nhan/<str:national_code>/", intake.intake_form, name="intake_form"),
    path("ho-so/<str:key>/", views.dossier_page, name="dossier"),
    path("ho-so/<str:key>/thao-tac/<str:action>/", views.dossier_action, name="action"),
    path("ho-so/<str:key>/giao-viec/", views.dossier_assign, name="assign"),
]
