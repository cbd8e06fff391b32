"""ZALO: the Zalo Notification Service (ZNS) of a Zalo Official Account: a message from a
template Zalo approved beforehand, sent to the Zalo account of a phone number.

`POST /zalo/message/template` with the header `access_token` and the JSON body
`{"phone": "84xxxxxxxxx", "template_id", "template_data": {...}, "tracking_id"}`. As Zalo
does, every answer the service itself gives is HTTP 200 with an `error` number: 0 and
`data.msg_id` when the message went out; otherwise a negative code and a message (the codes
are made up in Zalo's style, see sims/README.md): -124 a missing or wrong access token, -201
a missing or malformed field, -108 a phone number that is not `84` and a Vietnamese mobile
number, -1124 an unknown template, -1131 template data that does not fit the template (a
parameter missing, unknown, not text, or longer than the template allows). Only the knobs'
outages answer otherwise (HTTP 503).

The simulator adds what real ZNS does not promise: it is idempotent per `tracking_id` (the
same id and body get the first answer again and send nothing; another body, -1409).

Each message is recorded, listed by `GET /_sim/zalo/received` and shown, filled into its
template, on the page `/zalo/` (Tin Zalo mô phỏng).
"""

import re
import secrets
from dataclasses import dataclass
from typing import Any

from sims.auth import same
from sims.core import (
    ApiError,
    Idempotency,
    Knobs,
    Request,
    Response,
    Route,
    System,
    fingerprint,
    html_response,
    json_response,
    now_vn,
)
from sims.sms import PAGE_LIMIT, display_phone, e, linked, page, phone_filter

PHONE_RE = re.compile(r"84[35789][0-9]{8}")
MAX_TRACKING_ID = 48
DAILY_QUOTA = 5000

ERR_TOKEN = -124
ERR_PARAMETER = -201
ERR_PHONE = -108
ERR_TEMPLATE = -1124
ERR_TEMPLATE_DATA = -1131
ERR_TRACKING_REUSED = -1409


@dataclass(frozen=True)
class Template:
    """An approved ZNS template: its title, its parameters (name → longest value) and how
    the message reads with them filled in."""

    title: str
    params: dict[str, int]
    layout: str

    def render(self, data: dict[str, str]) -> str:
        return self.layout.format(**data)


# The province's approved template for its notices: a greeting, a subject line, the text.
NOTICE = Template(
    title="Thông báo dịch vụ công",
    params={"customer_name": 30, "subject": 100, "content": 500},
    layout="Xin chào {customer_name},\n{subject}\n\n{content}",
)


class ZnsError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def refusal(error: ZnsError) -> Response:
    return json_response({"error": error.code, "message": error.message})


class Zalo(System):
    name = "zalo"

    def __init__(self, knobs: Knobs, access_token: str, template_id: str) -> None:
        self.access_token = access_token
        self.templates = {template_id: NOTICE}
        super().__init__(knobs)

    def clear(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.idempotency = Idempotency()

    @property
    def effects(self) -> dict[str, int]:
        return dict(self.idempotency.effects)

    def routes(self) -> list[Route]:
        return [
            Route("POST", "/zalo/message/template", self.send, "zalo", "template", mutating=True),
            Route("GET", "/zalo", self.page_redirect, None, "zalo.page"),
            Route("GET", "/zalo/", self.page_inbox, None, "zalo.page"),
            Route("GET", "/_sim/zalo/received", self.received, None, "zalo.received"),
        ]

    def send(self, req: Request) -> Response:
        try:
            return self._send(req)
        except ZnsError as error:
            return refusal(error)

    def _send(self, req: Request) -> Response:
        token = req.header("access_token")
        if not token or not same(token, self.access_token):
            raise ZnsError(ERR_TOKEN, "Access token không hợp lệ hoặc đã hết hạn")
        body = self._body(req)
        tracking_id = self._text(body, "tracking_id")
        if len(tracking_id) > MAX_TRACKING_ID:
            raise ZnsError(ERR_PARAMETER, f"tracking_id dài quá {MAX_TRACKING_ID} ký tự")
        body_fp = fingerprint(body)
        stored = self.idempotency.answers.get(tracking_id)
        if stored is not None:
            if stored[0] != body_fp:
                raise ZnsError(ERR_TRACKING_REUSED, "tracking_id đã dùng cho tin nhắn khác")
            return stored[1]
        phone = self._text(body, "phone")
        if not PHONE_RE.fullmatch(phone):
            raise ZnsError(ERR_PHONE, "Số điện thoại không hợp lệ (cần 84 và số di động)")
        template_id = self._text(body, "template_id")
        template = self.templates.get(template_id)
        if template is None:
            raise ZnsError(ERR_TEMPLATE, f"Mẫu tin {template_id} không tồn tại hoặc chưa duyệt")
        data = self._data(body, template)
        msg_id = secrets.token_hex(16)
        sent = now_vn()
        self.messages.append(
            {
                "msg_id": msg_id,
                "phone": phone,
                "template_id": template_id,
                "template_data": data,
                "tracking_id": tracking_id,
                "text": template.render(data),
                "at": sent.isoformat(timespec="seconds"),
            }
        )
        answer = json_response(
            {
                "error": 0,
                "message": "Success",
                "data": {
                    "msg_id": msg_id,
                    "sent_time": str(int(sent.timestamp() * 1000)),
                    "quota": {
                        "dailyQuota": str(DAILY_QUOTA),
                        "remainingQuota": str(max(0, DAILY_QUOTA - len(self.messages))),
                    },
                },
            }
        )
        self.idempotency.record(tracking_id, body_fp, answer)
        return answer

    @staticmethod
    def _body(req: Request) -> dict[str, Any]:
        try:
            return req.json_object()
        except ApiError as error:  # the shared parser's LGSP error, said Zalo's way
            raise ZnsError(ERR_PARAMETER, "Nội dung yêu cầu không phải JSON hợp lệ") from error

    @staticmethod
    def _text(body: dict[str, Any], name: str) -> str:
        value = body.get(name)
        if not isinstance(value, str) or not value:
            raise ZnsError(ERR_PARAMETER, f"Thiếu hoặc sai tham số {name}")
        return value

    @staticmethod
    def _data(body: dict[str, Any], template: Template) -> dict[str, str]:
        data = body.get("template_data")
        if not isinstance(data, dict):
            raise ZnsError(ERR_PARAMETER, "Thiếu hoặc sai tham số template_data")
        unknown = sorted(set(data) - set(template.params))
        if unknown:
            raise ZnsError(ERR_TEMPLATE_DATA, f"Mẫu tin không có tham số: {', '.join(unknown)}")
        checked: dict[str, str] = {}
        for name, limit in template.params.items():
            value = data.get(name)
            if not isinstance(value, str) or not value.strip():
                raise ZnsError(ERR_TEMPLATE_DATA, f"Thiếu tham số {name} của mẫu tin")
            if len(value) > limit:
                raise ZnsError(ERR_TEMPLATE_DATA, f"Tham số {name} dài quá {limit} ký tự")
            checked[name] = value
        return checked

    def received(self, req: Request) -> Response:
        return json_response(
            {
                "messages": self.messages,
                "effects": self.effects,
                "requests": self.requests["template"],
            }
        )

    def page_redirect(self, req: Request) -> Response:
        return Response(301, b"", headers={"Location": "/zalo/"})

    def page_inbox(self, req: Request) -> Response:
        wanted, form = phone_filter(req, "/zalo/")
        shown = [m for m in self.messages if wanted is None or m["phone"] == wanted]
        cards = []
        for m in reversed(shown[-PAGE_LIMIT:]):
            template = self.templates.get(m["template_id"])
            title = template.title if template else m["template_id"]
            cards.append(
                '<article class="msg">'
                f'<div class="meta"><span class="from">{e(title)}</span> → '
                f"{e(display_phone(m['phone']))} · {e(m['at'][11:16])} "
                f"{e(m['at'][8:10])}/{e(m['at'][5:7])}/{e(m['at'][:4])}</div>"
                f"<p>{linked(m['text'])}</p></article>"
            )
        empty = "<p>Chưa có tin Zalo nào.</p>"
        intro = (
            "Những tin Zalo (ZNS) hệ thống Một cửa đã gửi đến người dân qua Zalo Official "
            f"Account (không tin nào được gửi thật). Tổng số: {len(shown)}. "
            "Trang tự tải lại sau 5 giây."
        )
        return html_response(page("Tin Zalo mô phỏng", intro, form + ("".join(cards) or empty)))
