"""The project's URL map with the appointment pages mounted where the integrator mounts them
(/dat-lich/, /can-bo/lich-hen/), for as long as egov/urls.py does not include them itself."""

from django.urls import URLPattern, URLResolver, include, path

from egov.urls import urlpatterns as project

_mounted = {getattr(pattern, "namespace", None) for pattern in project}

urlpatterns: list[URLPattern | URLResolver] = []
if "appointments" not in _mounted:
    urlpatterns.append(path("dat-lich/", include("egov.appointments.urls")))
if "appointments_staff" not in _mounted:
    urlpatterns.append(path("can-bo/lich-hen/", include("egov.appointments.staff_urls")))
urlpatterns += project
