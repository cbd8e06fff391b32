"""/lgsp/: the token endpoint of connection accounts, and the API they call (its own Ninja
API, apart from the staff API at /api/v1/), every call of either logged."""

from django.urls import path

from .api import api
from .views import logged_urls, token

urlpatterns = [
    path("oauth/token/", token, name="lgsp-oauth-token"),
    path("v1/", logged_urls(api)),
]
