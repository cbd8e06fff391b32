"""The site's URL map with the feedback pages where the integrator includes them (public at
/phan-anh/, staff at /can-bo/phan-anh/), for `@pytest.mark.urls` until egov/urls.py has them."""

from django.urls import include, path

from egov.urls import urlpatterns as site

_namespaces = {getattr(pattern, "namespace", None) for pattern in site}

urlpatterns = list(site)
if "feedback" not in _namespaces:
    urlpatterns.insert(0, path("phan-anh/", include("egov.feedback.urls")))
if "feedback_staff" not in _namespaces:
    urlpatterns.insert(0, path("can-bo/phan-anh/", include("egov.feedback.staff_urls")))
