"""SMS: a Vietnamese brandname SMS gateway (tin nhắn thương hiệu) that the province's system
sends its notices to citizens through.

`POST /sms/api/send` with the header `X-API-Key` and the JSON body
`{"brandname", "phone", "message", "request_id"}` → `{"error_code": "0", "message_id",
"segments"}`. The gateway checks what a real one would refuse: an unregistered brandname, a
number that is not a Vietnamese mobile (`84xxxxxxxxx` or `0xxxxxxxxx`, prefixes 3, 5, 7, 8,
9), an empty or over-long text (more than 480 characters) or one carrying HTML. It is
idempotent per `request_id`: the same id with the same body gets the first answer again and
sends nothing; with another body, 409.

Nothing leaves the simulator: each accepted message is recorded, listed by
`GET /_sim/sms/received`, and shown on the page `/sms/` (Hộp tin nhắn mô phỏng), which a demo
keeps open beside the site to show what the citizen's phone received.
"""

import re
from html import escape
from typing import Any

from sims.auth import require_api_key
from sims.core import (
    Idempotency,
    Knobs,
    Request,
    Response,
    Route,
    System,
    fingerprint,
    html_response,
    incorrect,
    invalid,
    json_response,
    now_vn,
    require_str,
)

MAX_TEXT = 480
MAX_REQUEST_ID = 128
# A Vietnamese mobile number: 84 or 0, then a mobile prefix (3, 5, 7, 8, 9) and 8 digits.
MOBILE_RE = re.compile(r"(?:84|0)([35789][0-9]{8})")
TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
# GSM 03.38's basic set: a text of these only takes 160 characters a segment (153 when it
# is split); anything else (Vietnamese letters with diacritics) is sent as UCS-2, 70 (67).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
URL_RE = re.compile(r"https?://[^\s<>\"']+")
PAGE_LIMIT = 200

STYLE = """
body{font-family:system-ui,sans-serif;margin:1rem;color:#1a1a1a;max-width:40rem}
h1{font-size:1.3rem;color:#a50e0e}
.msg{border:1px solid #ccc;border-radius:.75rem;padding:.6rem .8rem;margin:.75rem 0}
.msg{background:#f7f7f7}
.msg p{white-space:pre-wrap;margin:.4rem 0 0;overflow-wrap:anywhere}
.meta{color:#555;font-size:.85rem}
.from{font-weight:700}
form{margin:.5rem 0}
"""


def segments(text: str) -> int:
    """How many SMS a text takes: 160 (153 each when split) GSM characters, 70 (67) UCS-2."""
    if all(char in GSM_BASIC for char in text):
        single, part = 160, 153
    else:
        single, part = 70, 67
    return 1 if len(text) <= single else -(-len(text) // part)


def mobile(phone: str) -> str | None:
    """`84xxxxxxxxx` for a Vietnamese mobile number, None for anything else."""
    found = MOBILE_RE.fullmatch(phone)
    return f"84{found[1]}" if found else None


def e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def linked(text: str) -> str:
    """The text escaped, its web addresses made links (the look-up link a citizen taps)."""
    parts: list[str] = []
    last = 0
    for found in URL_RE.finditer(text):
        parts.append(e(text[last : found.start()]))
        url = e(found[0])
        parts.append(f'<a href="{url}">{url}</a>')
        last = found.end()
    parts.append(e(text[last:]))
    return "".join(parts)


def display_phone(msisdn: str) -> str:
    """84912345678 → 0912 345 678, as a person reads it."""
    local = f"0{msisdn[2:]}" if msisdn.startswith("84") else msisdn
    return f"{local[:4]} {local[4:7]} {local[7:]}" if len(local) == 10 else local


def page(title: str, intro: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="refresh" content="5">\n'
        f"<title>{e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{e(title)}</h1>\n<p class=meta>{intro}</p>\n{body}\n</body>\n</html>\n"
    )


def phone_filter(req: Request, action: str) -> tuple[str | None, str]:
    """The number the page is narrowed to (`?so=`), and the little form that sets it."""
    wanted = req.query.get("so", "").strip()
    normalised = mobile(re.sub(r"[\s.\-]", "", wanted)) if wanted else None
    form = (
        f'<form method="get" action="{action}"><label for="so">Lọc theo số điện thoại</label> '
        f'<input id="so" name="so" value="{e(wanted)}" inputmode="tel" maxlength="20"> '
        "<button>Lọc</button></form>"
    )
    return (normalised or ("-" if wanted else None)), form


class Sms(System):
    name = "sms"

    def __init__(self, knobs: Knobs, api_key: str, brandname: str) -> None:
        self.api_key = api_key
        self.brandnames = frozenset(b.strip() for b in brandname.split(",") if b.strip())
        super().__init__(knobs)

    def clear(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.idempotency = Idempotency()
        self._seq = 0

    @property
    def effects(self) -> dict[str, int]:
        return dict(self.idempotency.effects)

    def routes(self) -> list[Route]:
        return [
            Route("POST", "/sms/api/send", self.send, "sms", "send", mutating=True),
            Route("GET", "/sms", self.page_redirect, None, "sms.page"),
            Route("GET", "/sms/", self.page_inbox, None, "sms.page"),
            Route("GET", "/_sim/sms/received", self.received, None, "sms.received"),
        ]

    def send(self, req: Request) -> Response:
        require_api_key(req, self.api_key)
        body = req.json_object()
        request_id = require_str(body, "request_id")
        if len(request_id) > MAX_REQUEST_ID:
            raise invalid("request_id", f"tối đa {MAX_REQUEST_ID} ký tự")
        body_fp = fingerprint(body)
        replay = self.idempotency.replay(request_id, body_fp)
        if replay is not None:
            return replay
        brandname = require_str(body, "brandname")
        if brandname not in self.brandnames:
            raise incorrect(f"Brandname {brandname} chưa được đăng ký với nhà mạng")
        phone = require_str(body, "phone")
        msisdn = mobile(phone)
        if msisdn is None:
            raise invalid("phone", "số di động Việt Nam dạng 84xxxxxxxxx hoặc 0xxxxxxxxx")
        text = require_str(body, "message")
        if not text.strip():
            raise incorrect("Nội dung tin nhắn trống")
        if len(text) > MAX_TEXT:
            raise incorrect(f"Tin nhắn dài {len(text)} ký tự, quá {MAX_TEXT} ký tự cho phép")
        if TAG_RE.search(text):
            raise incorrect("Tin nhắn SMS không được chứa thẻ HTML")
        self._seq += 1
        message_id = f"SMS{now_vn():%y%m%d}{self._seq:06d}"
        parts = segments(text)
        self.messages.append(
            {
                "message_id": message_id,
                "brandname": brandname,
                "phone": msisdn,
                "message": text,
                "request_id": request_id,
                "segments": parts,
                "at": now_vn().isoformat(timespec="seconds"),
            }
        )
        answer = json_response(
            {
                "error_code": "0",
                "message": "Đã nhận tin nhắn",
                "message_id": message_id,
                "segments": parts,
            }
        )
        self.idempotency.record(request_id, body_fp, answer)
        return answer

    def received(self, req: Request) -> Response:
        return json_response(
            {
                "messages": self.messages,
                "effects": self.effects,
                "requests": self.requests["send"],
            }
        )

    def page_redirect(self, req: Request) -> Response:
        return Response(301, b"", headers={"Location": "/sms/"})

    def page_inbox(self, req: Request) -> Response:
        wanted, form = phone_filter(req, "/sms/")
        shown = [m for m in self.messages if wanted is None or m["phone"] == wanted]
        cards = [
            '<article class="msg">'
            f'<div class="meta"><span class="from">{e(m["brandname"])}</span> → '
            f"{e(display_phone(m['phone']))} · {e(m['at'][11:16])} "
            f"{e(m['at'][8:10])}/{e(m['at'][5:7])}/{e(m['at'][:4])} · "
            f"{m['segments']} tin</div>"
            f"<p>{linked(m['message'])}</p></article>"
            for m in reversed(shown[-PAGE_LIMIT:])
        ]
        empty = "<p>Chưa có tin nhắn nào.</p>"
        intro = (
            "Những tin nhắn SMS hệ thống Một cửa đã gửi đến người dân (không tin nào được gửi "
            f"thật). Tổng số: {len(shown)}. Trang tự tải lại sau 5 giây."
        )
        return html_response(page("Hộp tin nhắn mô phỏng", intro, form + ("".join(cards) or empty)))
