"""A page's htmx request that must sign in first opens the sign-in page as a whole page and
comes back to the page, not to the fragment."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.conftest import CENTER, PASSWORD

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://testserver/can-bo/?tab=mine"}


def test_an_expired_session_under_htmx_opens_the_sign_in_page(client, staff, settings):
    staff("tiepnhan", CENTER, "reception")
    client.post(reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD})
    Session.objects.filter(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).delete()
    answer = client.get(reverse("notifications:list"), headers=HTMX)
    assert answer.status_code == 200 and answer.content == b""
    assert answer["HX-Redirect"] == "/dang-nhap/?next=%2Fcan-bo%2F%3Ftab%3Dmine"


def test_a_foreign_current_page_is_not_where_it_comes_back_to(client):
    headers = {"HX-Request": "true", "HX-Current-URL": "https://evil.example/can-bo/"}
    answer = client.get(reverse("desk:worklist"), headers=headers)
    assert answer["HX-Redirect"] == f"{reverse('accounts:login')}?next=/can-bo/"


def test_other_answers_and_plain_requests_are_left_alone(client, staff):
    plain = client.get(reverse("desk:worklist"))
    assert plain.status_code == 302 and "HX-Redirect" not in plain
    staff("tiepnhan", CENTER, "reception")
    client.post(reverse("accounts:login"), {"username": "tiepnhan", "password": PASSWORD})
    moved = client.get("/favicon.ico", headers=HTMX)  # a redirect elsewhere stays one
    assert moved.status_code == 302 and "HX-Redirect" not in moved
