"""The URL map. Page addresses are Vietnamese words without diacritics, as citizens type them."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from egov.accounts import views as accounts_views
from egov.api import api_urls


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask /favicon.ico whatever the page links: the site's icon."""
    return HttpResponseRedirect(static("core/favicon.svg"))


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
    # The admin site signs in, and changes one's own password, on this site's pages.
    path("quan-tri/login/", accounts_views.admin_sign_in),
    path(
        "quan-tri/password_change/",
        RedirectView.as_view(pattern_name="accounts:password_change"),
    ),
    path("quan-tri/", admin.site.urls),
    path("favicon.ico", favicon),
]
