from django.urls import path

from . import mine, submit, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("thu-tuc/<str:national_code>/", views.procedure_detail, name="procedure"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("tra-cuu/<str:code>/", views.lookup, name="lookup_code"),
    # Online submission, one question per page (submit.py).
    path("nop-ho-so/<str:national_code>/", submit.start, name="submit_start"),
    path("ho-so-nhap/<str:draft>/xoa/", submit.delete, name="draft_delete"),
    path("ho-so-nhap/<str:draft>/<str:page>/", submit.page, name="draft_page"),
    path("ho-so-nhap/<str:draft>/", submit.resume, name="draft"),
    # The applicant's own dossiers and papers (mine.py).
    path("ho-so-cua-toi/", mine.dossier_list, name="my_dossiers"),
    path("ho-so-cua-toi/<str:key>/", mine.dossier_detail, name="my_dossier"),
    path("ho-so-cua-toi/<str:key>/bo-sung/", mine.supplement, name="my_supplement"),
    path("ho-so-cua-toi/<str:key>/rut/", mine.withdraw, name="my_withdraw"),
    path("ho-so-cua-toi/<str:key>/danh-gia/", mine.rate, name="my_rate"),
    path("ho-so-cua-toi/<str:key>/tep/<str:document>/", mine.download, name="my_download"),
    path("giay-to-cua-toi/", mine.documents, name="my_documents"),
    path("giay-to-cua-toi/<str:document>/", mine.document_download, name="my_document"),
]
