"""The site's URL map as egov/urls.py will have it once the integrator mounts
`egov.notifications.site_urls` at the root (the staff notices and the citizen's page in one
namespace); until then, the tests of the citizen's page use this one."""

from django.urls import URLResolver, include, path

from egov.urls import urlpatterns as site

NOTIFICATIONS = {"egov.notifications.urls", "egov.notifications.site_urls"}


def _notifications(pattern: object) -> bool:
    return (
        isinstance(pattern, URLResolver)
        and getattr(pattern.urlconf_module, "__name__", "") in NOTIFICATIONS
    )


urlpatterns = [
    path("", include("egov.notifications.site_urls")),
    *[pattern for pattern in site if not _notifications(pattern)],
]
