"""The whole /api/v1/ against its own OpenAPI, with schemathesis (issue 12, point 8): for every
operation, generated requests (valid and not) never get a server error, and every status and
body answered is one the OpenAPI documents.

The examples are bounded (MAX_EXAMPLES per operation, no shrinking), so the suite stays quick;
schemathesis's CLI over the running demo does the long probe (the issue's 22,000 requests).
"""

import contextlib
import json
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from egov.dossiers.models import Dossier
from tests.dossiers.test_api import BODY, bearer, post

pytestmark = [pytest.mark.django_db]

MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@contextlib.contextmanager
def connection_kept() -> Iterator[None]:
    """Schemathesis calls the WSGI application itself: as Django's test client does, a
    request must not close the database connection, which holds the test's transaction
    (PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db):
    with connection_kept():
        return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def officer(client, people, procedures, clock, settings):
    """An officer's token and one dossier of theirs, so reads find something to answer."""
    settings.MOTCUA_PUBLIC_LOOKUP_RATE = "100000/m"
    settings.MOTCUA_TOKEN_RATE = "100000/m"
    headers = bearer(client, "tiepnhan.xa")
    assert post(client, "/api/v1/dossiers", BODY, headers).status_code == 201
    assert Dossier.objects.count() == 1
    return headers


@pytest.fixture
def through_wsgi(officer):
    """The officer's token, with the connection kept (after the officer's own requests
    through the test client, which connects the signal again)."""
    with connection_kept():
        yield officer


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_no_undocumented_answer(case, through_wsgi):
    case.call_and_validate(headers=through_wsgi, checks=CHECKS)


@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_without_a_token_the_same(case, through_wsgi):
    case.call_and_validate(checks=CHECKS)


def test_the_openapi_documents_each_operations_errors_with_the_error_schema(client):
    spec = client.get("/api/v1/openapi.json").json()
    intake = spec["paths"]["/api/v1/dossiers"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "413", "422", "500"} <= set(intake)
    assert intake["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    assert "429" in spec["paths"]["/api/v1/public/dossiers/{code}"]["get"]["responses"]
    assert "401" in spec["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert set(spec["components"]["schemas"]["ErrorDetail"]["properties"]) == {
        "code",
        "message",
        "fields",
    }


def test_an_anonymous_write_is_401_not_a_csrf_403(client, procedures):
    response = client.post("/api/v1/dossiers", BODY, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_session_without_its_csrf_token_gets_the_json_error(people, procedures):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people["desk"])
    response = browser.post("/api/v1/dossiers", BODY, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert Dossier.objects.count() == 0


def test_a_body_over_the_limit_is_413_in_the_error_shape(client, officer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    big = {**BODY, "form_data": {"child_full_name": "x" * 2000}}
    response = post(client, "/api/v1/dossiers", big, officer)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_an_unhandled_error_is_500_in_the_error_shape(client, monkeypatch, procedures, caplog):
    from egov.catalog import api as catalog_api

    def broken(**kwargs):
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(catalog_api, "procedure_get", broken)
    response = client.get("/api/v1/procedures/1.001193")
    assert response.status_code == 500
    body = response.json()
    assert body["error"]["code"] == "server_error" and "fault" not in response.content.decode()
    assert "a fault of ours" in caplog.text  # logged with its traceback


def test_control_characters_are_refused_naming_the_field(client, officer):
    bad = {**BODY, "applicant": {**BODY["applicant"], "full_name": "Nguyễn\x00 Văn A"}}
    response = post(client, "/api/v1/dossiers", bad, officer)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "control_characters"
    assert set(error["fields"]) == {"applicant.full_name"}
    assert Dossier.objects.count() == 1  # the officer fixture's own
    assert client.get("/api/v1/procedures?search=a%0bb").status_code == 422


def test_a_body_is_read_as_json_whatever_its_content_type_says(client, officer):
    bad = {**BODY, "form_data": {"child_full_name": "Trần\x00 Bảo"}}
    response = client.post(
        "/api/v1/dossiers", json.dumps(bad), content_type="text/plain", headers=officer
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "control_characters"
    assert Dossier.objects.count() == 1


def test_an_address_with_a_control_character(client, procedures):
    for address in ("/api/v1/procedures/1.0%0011", "/api/v1/public/dossiers/ab%00c"):
        response = client.get(address)
        assert response.status_code == 422, address
        assert response.json()["error"]["fields"] == {"path": "Có ký tự điều khiển."}


def test_too_many_fields_and_deep_json_answer_the_error_shape(client, officer):
    fields = client.post("/api/v1/dossiers", {f"f{n}": "x" for n in range(1500)}, headers=officer)
    assert fields.status_code == 400 and fields.json()["error"]["code"] == "bad_request"
    deep = client.post(
        "/api/v1/dossiers", "[" * 200_000, content_type="application/json", headers=officer
    )
    assert deep.status_code == 400 and deep.json()["error"]["code"] == "bad_request"


def test_django_refusals_inside_an_endpoint_keep_their_status(client, monkeypatch, procedures):
    from django.core.exceptions import PermissionDenied

    from egov.catalog import api as catalog_api

    def refused(**kwargs):
        raise PermissionDenied

    monkeypatch.setattr(catalog_api, "procedure_get", refused)
    response = client.get("/api/v1/procedures/1.001193")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_a_query_with_a_control_character_is_checked_after_sign_in(client, procedures):
    assert client.get("/api/v1/dossiers?status=a%00").status_code == 401
