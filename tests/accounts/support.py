"""What the accounts tests share about API tokens: ask for one as a client would, and see
whether the API still takes it."""

from django.test import Client

from tests.conftest import PASSWORD


def token_for(username: str, password: str = PASSWORD) -> str:
    answer = Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["token"]


def api_status(key: str) -> int:
    """The answer's status to a bearer call (the officer's worklist): 200 or 401."""
    return Client().get("/api/v1/dossiers", headers={"Authorization": f"Bearer {key}"}).status_code
