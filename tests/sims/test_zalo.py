"""ZALO: the Zalo Notification Service answers as Zalo does (HTTP 200 and an error number),
knows its approved template, sends once per tracking id, and shows what was sent."""

import pytest

from tests.sims.support import Answer, Client

SEND = "/zalo/message/template"
TOKEN = {"access_token": "zalo-demo-token"}
DATA = {
    "customer_name": "Nguyễn Thị Ánh Tuyết",
    "subject": "Hồ sơ 001.03.50.H01-261116-0001 đã được tiếp nhận",
    "content": "Hẹn trả kết quả: 16 giờ 30, thứ Sáu 11/12/2026.\nTra cứu: http://127.0.0.1:8000/x/",
}


def send(client: Client, headers: dict[str, str] | None = None, **changes: object) -> Answer:
    body = {"phone": "84912345678", "template_id": "248001", "template_data": DATA}
    body = {**body, "tracking_id": "notify:1:2:zalo", **changes}
    return client.post(
        SEND, {k: v for k, v in body.items() if v is not None}, headers=headers or TOKEN
    )


def error_of(answer: Answer) -> int:
    assert answer.status == 200, answer.text  # Zalo says no in the body
    return answer.json()["error"]


def test_the_access_token_is_required(client: Client) -> None:
    assert error_of(send(client, headers={"X-Other": "1"})) == -124
    assert error_of(send(client, headers={"access_token": "sai"})) == -124


def test_a_message_is_sent_once_per_tracking_id(client: Client) -> None:
    first = send(client)
    body = first.json()
    assert body["error"] == 0 and body["message"] == "Success"
    assert len(body["data"]["msg_id"]) == 32 and body["data"]["quota"]["dailyQuota"] == "5000"
    assert send(client).json() == body
    assert error_of(send(client, phone="84987654321")) == -1409
    received = client.get("/_sim/zalo/received").json()
    assert received["effects"] == {"notify:1:2:zalo": 1} and received["requests"] == 3
    (message,) = received["messages"]
    assert message["template_data"] == DATA
    assert message["text"] == (
        "Xin chào Nguyễn Thị Ánh Tuyết,\n"
        "Hồ sơ 001.03.50.H01-261116-0001 đã được tiếp nhận\n\n" + DATA["content"]
    )


@pytest.mark.parametrize(
    ("changes", "code", "says"),
    [
        ({"template_id": "999999"}, -1124, "Mẫu tin 999999 không tồn tại"),
        ({"phone": "0912345678"}, -108, "84"),  # Zalo wants the international form
        ({"phone": "84912abc678"}, -108, "không hợp lệ"),
        ({"phone": "14155550100"}, -108, "không hợp lệ"),
        ({"phone": None}, -201, "phone"),
        ({"template_id": 248001}, -201, "template_id"),
        ({"template_data": "xin chào"}, -201, "template_data"),
        ({"template_data": {**DATA, "quang_cao": "x"}}, -1131, "quang_cao"),
        ({"template_data": {**DATA, "customer_name": ""}}, -1131, "customer_name"),
        ({"template_data": {**DATA, "customer_name": "x" * 31}}, -1131, "dài quá 30"),
        ({"template_data": {**DATA, "content": 5}}, -1131, "content"),
        ({"tracking_id": "t" * 49}, -201, "tracking_id"),
    ],
)
def test_what_zalo_refuses(client: Client, changes: dict, code: int, says: str) -> None:
    answer = send(client, **changes)
    assert error_of(answer) == code
    assert says in answer.json()["message"]
    assert client.get("/_sim/zalo/received").json()["messages"] == []


def test_bad_json_and_an_outage(client: Client) -> None:
    answer = client.call("POST", SEND, headers={**TOKEN, "Content-Type": "application/json"})
    assert error_of(answer) == -201
    client.knobs("zalo", down=True)
    assert send(client).status == 503


def test_the_page_shows_each_message_filled_in_escaped(client: Client) -> None:
    send(client, template_data={**DATA, "customer_name": "<b>Tuyết</b>"})
    html = client.get("/zalo/").text
    assert "Tin Zalo mô phỏng" in html and "Thông báo dịch vụ công" in html
    assert "Xin chào &lt;b&gt;Tuyết&lt;/b&gt;," in html and "<b>Tuyết" not in html
    assert '<a href="http://127.0.0.1:8000/x/">' in html and "0912 345 678" in html
