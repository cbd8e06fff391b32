"""An address that no endpoint serves, under either API, answers that API's JSON error, never
the site's HTML page: a client parses the answer it gets whatever it asked."""

from typing import Any

import pytest
from django.test import Client

from egov.interop.models import MessageLog

pytestmark = pytest.mark.django_db

API_NOT_FOUND = {
    "error": {"code": "not_found", "message": "Không có địa chỉ này trong API.", "fields": {}}
}
LGSP_NOT_FOUND = {
    "error_code": "201",
    "message": "RECORD_NOT_FOUND: Không có dịch vụ tại địa chỉ này.",
}


@pytest.fixture
def http() -> Client:
    """A client that, like any outside caller, sends no CSRF token."""
    return Client(enforce_csrf_checks=True)


def call(http: Client, method: str, path: str) -> Any:
    """The method on the path, with a JSON body unless it is a GET."""
    if method == "GET":
        return http.get(path)
    return http.generic(method, path, b"{}", content_type="application/json")


def answer(response: Any, status: int) -> Any:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nonexistent",
        "/api/v1/procedures/",  # the endpoint is /procedures
        "/api/v1/dossiers/001.03.50.H01-261116-0001/nonexistent",
        "/api/v1/v2/procedures",
    ],
)
def test_an_unknown_api_address_answers_the_api_error(http, method, path):
    response = call(http, method, path)
    assert answer(response, 404) == API_NOT_FOUND


def test_a_method_an_api_address_does_not_take_answers_the_api_error(http):
    response = http.delete("/api/v1/procedures")
    assert answer(response, 405) == {
        "error": {
            "code": "method_not_allowed",
            "message": "Địa chỉ này không nhận phương thức đó.",
            "fields": {},
        }
    }
    assert response["Allow"] == "GET"


def test_known_api_addresses_still_answer(http):
    assert answer(http.get("/api/v1/procedures"), 200)["count"] == 0
    assert answer(http.get("/api/v1/dossiers"), 401)["error"]["code"] == "unauthenticated"
    assert http.get("/api/v1/openapi.json").status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "path",
    [
        "/lgsp/nonexistent",
        "/lgsp/v2/dossiers/001.03.50.H01-261116-0001/status",
        "/lgsp/oauth/",
        "/lgsp/v1",
        "/lgsp/v1/nonexistent",
    ],
)
def test_an_unknown_lgsp_address_answers_the_lgsp_error_and_is_logged(http, method, path):
    response = call(http, method, path)
    assert answer(response, 404) == LGSP_NOT_FOUND
    # Like every call to the bus, the refused one is in the message log.
    row = MessageLog.objects.get(direction="in")
    assert (row.service, row.response_status, row.response_code) == ("lgsp.unknown", 404, "201")


def test_a_method_an_lgsp_address_does_not_take_answers_the_lgsp_error(http):
    response = http.put("/lgsp/v1/tax/payments", data="{}", content_type="application/json")
    assert answer(response, 405)["error_code"] == "201"
    assert response["Allow"] == "POST"


def test_the_site_keeps_its_own_not_found_page(http):
    response = http.get("/nonexistent/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
