"""SMS: the brandname gateway checks what a real one refuses, sends once per request id, and
shows what the citizen's phone received."""

import pytest

from sims import sms
from tests.sims.support import Answer, Client

SEND = "/sms/api/send"
KEY = {"X-API-Key": "sms-demo-key"}
TEXT = (
    "Hồ sơ 001.03.50.H01-261116-0001 đã được tiếp nhận. Tra cứu: http://127.0.0.1:8000/tra-cuu/1/"
)


def send(client: Client, headers: dict[str, str] | None = None, **changes: object) -> Answer:
    body = {"brandname": "DVC-ANGIANG", "phone": "84912345678", "message": TEXT}
    body = {**body, "request_id": "notify:1:2:sms", **changes}
    return client.post(
        SEND, {k: v for k, v in body.items() if v is not None}, headers=headers or KEY
    )


def test_the_api_key_is_required(client: Client) -> None:
    for headers in ({}, {"X-API-Key": "sai"}):
        answer = send(client, headers=headers or {"X-Other": "1"})
        assert answer.status == 401 and answer.json()["error_code"] == "100"
    assert client.get("/_sim/sms/received").json()["messages"] == []


def test_a_message_is_recorded_once_per_request_id(client: Client) -> None:
    first = send(client)
    assert first.status == 200
    body = first.json()
    assert body["error_code"] == "0" and body["message_id"].startswith("SMS")
    assert body["segments"] == 2  # Vietnamese letters: 67 a segment when split
    again = send(client)
    assert again.json() == body and again.headers["Idempotent-Replayed"] == "true"
    conflict = send(client, message="Nội dung khác")
    assert conflict.status == 409
    received = client.get("/_sim/sms/received").json()
    assert received["effects"] == {"notify:1:2:sms": 1} and received["requests"] == 3
    (message,) = received["messages"]
    assert (message["phone"], message["message"], message["brandname"]) == (
        "84912345678",
        TEXT,
        "DVC-ANGIANG",
    )
    assert message["at"].endswith("+07:00")


@pytest.mark.parametrize(
    ("changes", "status", "says"),
    [
        ({"phone": "0912345678"}, 200, ""),  # the local form is a Vietnamese number too
        ({"phone": "+14155550100"}, 400, "số di động Việt Nam"),
        ({"phone": "84912abc678"}, 400, "số di động Việt Nam"),
        ({"phone": "842963123456"}, 400, "số di động Việt Nam"),  # a landline
        ({"phone": 84912345678}, 400, "phone"),
        ({"phone": None}, 400, "Thiếu trường bắt buộc: phone"),
        ({"message": "x" * 481}, 400, "481 ký tự, quá 480"),
        ({"message": "   "}, 400, "trống"),
        ({"message": "Bấm <a href='http://lua.dao'>đây</a>"}, 400, "thẻ HTML"),
        ({"brandname": "QUANGCAO"}, 400, "chưa được đăng ký"),
        ({"request_id": "k" * 129}, 400, "request_id"),
        ({"request_id": None}, 400, "request_id"),
    ],
)
def test_what_the_gateway_refuses(client: Client, changes: dict, status: int, says: str) -> None:
    answer = send(client, **changes)
    assert answer.status == status, answer.text
    if status != 200:
        assert says in answer.json()["message"]
        assert client.get("/_sim/sms/received").json()["messages"] == []


def test_bad_json_and_an_outage_are_clear(client: Client) -> None:
    answer = client.call("POST", SEND, headers={**KEY, "Content-Type": "application/json"})
    assert answer.status == 400 and "JSON" in answer.json()["message"]
    client.knobs("sms", down=True)
    assert send(client).status == 503
    # The inbox page is the demo's: it shows even while the gateway is down.
    assert client.get("/sms/").status == 200


def test_segments() -> None:
    assert sms.segments("Ho so da duoc tiep nhan") == 1
    assert sms.segments("a" * 161) == 2
    assert sms.segments("ồ" * 70) == 1 and sms.segments("ồ" * 71) == 2


def test_the_inbox_page_shows_what_the_phone_received_escaped(client: Client) -> None:
    send(client, request_id="a", message="Tra cứu: http://127.0.0.1:8000/tra-cuu/1/ & 1 < 2")
    send(client, request_id="b", phone="0987654321", message="Tin thứ hai")
    page = client.get("/sms/")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.text
    assert '<html lang="vi">' in html and "Hộp tin nhắn mô phỏng" in html
    assert '<a href="http://127.0.0.1:8000/tra-cuu/1/">' in html
    assert "&amp; 1 &lt; 2" in html
    assert "0912 345 678" in html and "0987 654 321" in html
    assert html.index("Tin thứ hai") < html.index("tra-cuu")  # newest first
    narrowed = client.get("/sms/?so=0987+654+321").text
    assert "Tin thứ hai" in narrowed and "tra-cuu/1/" not in narrowed
    hostile = client.get("/sms/?so=%22%3E%3Cscript%3E").text
    assert "<script>" not in hostile and "Chưa có tin nhắn nào." in hostile
    assert "Hộp tin nhắn mô phỏng" in client.get("/sms").text  # redirected to /sms/
