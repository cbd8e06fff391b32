"""A small urllib client of the sims server (standard library only) and the demo credentials."""

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlencode

DVCQG = ("motcua-angiang", "dvcqg-demo-secret")
THUE = ("motcua-angiang", "thue-demo-secret")
CSDLDC_KEY = "csdldc-demo-key"
HOTICH = ("angiang", "hotich-demo")


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class Client:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10,
    ) -> Answer:
        sent = dict(headers or {})
        data = None
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            sent["Content-Type"] = "application/json"
        elif form is not None:
            data = urlencode(form).encode("ascii")
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        # The URL is always the local sims server's http:// address.
        url = self.base_url + path
        request = urllib.request.Request(url, data=data, headers=sent, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, error.headers, error.read())

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.call("POST", path, json_body=body, **kwargs)

    def knobs(self, system: str, **values: Any) -> Answer:
        answer = self.post("/_sim/knobs", {"system": system, **values})
        assert answer.status == 200, answer.text
        return answer

    def token(self, system: str = "dvcqg") -> str:
        client_id, secret = DVCQG if system == "dvcqg" else THUE
        form = {"grant_type": "client_credentials", "client_id": client_id}
        answer = self.call("POST", f"/{system}/oauth/token", form={**form, "client_secret": secret})
        assert answer.status == 200, answer.text
        return answer.json()["access_token"]

    def bearer(self, system: str = "dvcqg", key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token(system)}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers


def basic(user: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {encoded}"}
