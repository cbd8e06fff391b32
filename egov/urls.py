"""The URL map. Page addresses are Vietnamese words without diacritics, as citizens type them."""

from django.contrib import admin
from django.urls import include, path

from egov.api import api_urls

urlpatterns = [
    # The API answers JSON for every address under it, known or not (egov/api.py).
    path("api/v1/", api_urls()),
    path("", include("egov.portal.urls")),
    path("", include("egov.accounts.urls")),
    path("dat-lich/", include("egov.appointments.urls")),
    path("phan-anh/", include("egov.feedback.urls")),
    path("can-bo/lich-hen/", include("egov.appointments.staff_urls")),
    path("can-bo/phan-anh/", include("egov.feedback.staff_urls")),
    path("can-bo/lien-thong/", include("egov.interop.urls")),
    path("", include("egov.notifications.site_urls")),
    path("can-bo/", include("egov.desk.urls")),
    path("lgsp/", include("egov.interop.inbound.urls")),
    path("quan-tri/", admin.site.urls),
]
