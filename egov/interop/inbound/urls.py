"""/lgsp/: the token endpoint of connection accounts, and the API they call (its own Ninja
API, apart from the staff API at /api/v1/), every call of either logged."""

from django.urls import path, re_path

from .api import api
from .views import logged_urls, token, unknown_address

urlpatterns = [
    path("oauth/token/", token, name="lgsp-oauth-token"),
    path("v1/", logged_urls(api)),
    # Last: every other address under /lgsp/ answers the LGSP error in JSON, not a page.
    re_path(r"", unknown_address, name="lgsp-unknown"),
]
