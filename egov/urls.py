"""The URL map. Page addresses are Vietnamese words without diacritics, as citizens type them."""

from django.contrib import admin
from django.urls import include, path

from egov.api import api_urls

urlpatterns = [
    # The API answers JSON for every address under it, known or not (egov/api.py).
    path("api/v1/", api_urls()),
    path("", include("egov.portal.urls")),
    path("", include("egov.accounts.urls")),
    path("can-bo/lien-thong/", include("egov.interop.urls")),
    path("can-bo/thong-bao/", include("egov.notifications.urls")),
    path("can-bo/", include("egov.desk.urls")),
    path("lgsp/", include("egov.interop.inbound.urls")),
    path("quan-tri/", admin.site.urls),
]
