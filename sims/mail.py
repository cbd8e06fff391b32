"""MAIL: the demo's mail server. In `make demo` the site's e-mail (notices to applicants and
staff, password resets) is handed here instead of to an SMTP server or the console, by the
e-mail backend `egov.notifications.demo_mailbox`; nothing leaves the machine.

`POST /mail/api/send` with the JSON body `{"mail_from", "rcpt_to": [...], "data"}`: what SMTP
carries, the envelope's sender and recipients and the message itself (RFC 5322, as bytes,
base64 in `data`) → `{"ok": true, "id", "accepted"}`. Refused with 400 and the LGSP error body:
bad JSON, `data` that is not base64 or not a message, no recipient or more than
`MAX_RECIPIENTS`; an address that is not one gives `"refused": {address: reason}` and nothing
is kept (the backend says it as SMTP would, recipients refused).

Each message is kept in memory (the newest `MAX_KEPT`), listed by `GET /_sim/mail/received`,
and shown on the page `/mail/` (Hộp thư demo): the messages newest first, narrowed to one
recipient with `?den=`, the recipients with their counts; `/mail/thu/<n>` opens message `n`
with its subject and text in Vietnamese and its web addresses as links.
"""

import base64
import binascii
import re
from collections import Counter
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from sims.core import (
    DATA_INCORRECT,
    Request,
    Response,
    Route,
    System,
    get_list,
    html_response,
    incorrect,
    invalid,
    json_response,
    missing,
    now_vn,
    require_str,
)
from sims.sms import e, linked

MAX_RECIPIENTS = 100
MAX_ADDRESS = 254
MAX_KEPT = 5000
PAGE_LIMIT = 200
RAW_SHOWN = 100_000  # characters of the raw message shown under "Nguyên bản"
# An address as a mail server accepts it: something@domain, no spaces or angle brackets.
ADDRESS_RE = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+")

STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa;line-height:1.45}
header{background:#a50e0e;color:#fff;padding:.75rem 1rem}
header h1{font-size:1.25rem;margin:0}
header p{margin:.2rem 0 0;font-size:.9rem}
main{max-width:72rem;margin:0 auto;padding:1rem}
a{color:#0b4f9c}
.meta{color:#555;font-size:.85rem}
form{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:0 0 1rem}
input{font:inherit;padding:.35rem .5rem;min-width:0;flex:1 1 14rem;max-width:24rem}
button{font:inherit;padding:.35rem .9rem}
.layout{display:grid;gap:1rem}
.people{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:.5rem .75rem}
.people{align-self:start;font-size:.9rem}
.people summary{font-weight:600;cursor:pointer}
.people ul{list-style:none;margin:.5rem 0 0;padding:0;max-height:9.5rem;overflow-y:auto}
.people li{display:flex;justify-content:space-between;gap:.5rem;padding:.2rem 0}
@media (min-width:60rem){.layout{grid-template-columns:19rem 1fr}.people ul{max-height:75vh}}
.people li a{overflow-wrap:anywhere}
.people .here{font-weight:700}
ol.mails{list-style:none;margin:0;padding:0}
.mail{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:.6rem .8rem}
.mail{margin:0 0 .6rem}
.mail h2{font-size:1rem;margin:0 0 .2rem;overflow-wrap:anywhere}
.mail p{margin:.2rem 0 0;overflow-wrap:anywhere}
.snippet{color:#333}
article.open{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:1rem}
article.open h2{font-size:1.2rem;margin:0 0 .6rem;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .75rem;margin:0 0 1rem}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
.text{white-space:pre-wrap;overflow-wrap:anywhere;border-top:1px solid #ddd;padding-top:.75rem}
details.raw pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.8rem}
details.raw pre{background:#f3f3f3;padding:.5rem}
"""


class _HtmlText(HTMLParser):
    """The text of an HTML part, for a message that has no plain-text one; links keep their
    address, written after their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._href: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "head"}:
            self._skip += 1
        elif tag in {"br", "p", "div", "tr", "li", "h1", "h2", "h3"}:
            self.parts.append("\n")
        if tag == "a":
            self._href.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "head"}:
            self._skip = max(0, self._skip - 1)
        elif tag == "a" and self._href:
            href = self._href.pop()
            if href.startswith(("http://", "https://")):
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    lines = "\n".join(line.strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", lines).strip()


def addresses(header: Any) -> list[str]:
    """The bare addresses of a header (To, Cc), lower-cased."""
    return [address.lower() for _, address in getaddresses([str(header or "")]) if address]


def is_address(text: str) -> bool:
    return len(text) <= MAX_ADDRESS and ADDRESS_RE.fullmatch(text) is not None


def _to(message: dict[str, Any], wanted: str) -> bool:
    """Whether a recipient's address holds what the filter asks (a part of it is enough)."""
    return any(wanted in address for address in message["rcpt_to"])


def vn_time(iso: str) -> str:
    """2026-11-16T08:05:00+07:00 → 16/11/2026 08:05, as the site writes times."""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]} {iso[11:16]}"


def read_message(raw: bytes) -> dict[str, Any]:
    """Subject, sender, recipients, text and attachments of an RFC 5322 message; ApiError
    when it is none."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(message, EmailMessage) or not message.keys():
        raise incorrect("data không phải một thư điện tử (RFC 5322): không có phần tiêu đề")
    try:
        subject = str(message.get("Subject", "")).strip()
        sender = str(message.get("From", "")).strip()
        plain = message.get_body(preferencelist=("plain",))
        text = plain.get_content() if plain is not None else ""
        if not isinstance(text, str) or not text.strip():  # none, or blank: the HTML's text
            markup = message.get_body(preferencelist=("html",))
            text = html_text(markup.get_content()) if markup is not None else ""
        attachments = []
        for part in message.iter_attachments():
            payload = part.get_payload(decode=True)
            name = part.get_filename() or part.get_content_type()
            attachments.append({"name": name, "size": len(payload) if payload else 0})
    except (LookupError, ValueError, TypeError, AttributeError) as error:
        raise incorrect(f"Thư không đọc được: {type(error).__name__}") from error
    return {
        "subject": subject,
        "from": sender,
        "to": addresses(message.get("To")),
        "cc": addresses(message.get("Cc")),
        # As the reader sees them: names with the addresses.
        "to_shown": str(message.get("To", "")).strip(),
        "cc_shown": str(message.get("Cc", "")).strip(),
        "text": text.replace("\r\n", "\n"),
        "attachments": attachments,
    }


def page(title: str, intro: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>Hộp thư demo</h1><p>{intro}</p></header>\n"
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


INTRO = "Thư điện tử hệ thống Một cửa đã gửi trong bản demo: không thư nào ra khỏi máy này."


class Mail(System):
    name = "mail"

    def clear(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._seq = 0

    def routes(self) -> list[Route]:
        return [
            Route("POST", "/mail/api/send", self.send, "mail", "send", mutating=True),
            Route("GET", "/mail", self.page_redirect, None, "mail.page"),
            Route("GET", "/mail/", self.page_inbox, None, "mail.page"),
            Route("GET", "/mail/thu/{number}", self.page_message, None, "mail.page"),
            Route("GET", "/_sim/mail/received", self.received, None, "mail.received"),
        ]

    def send(self, req: Request) -> Response:
        body = req.json_object()
        mail_from = require_str(body, "mail_from")
        recipients = get_list(body, "rcpt_to")
        if not recipients:
            raise missing("rcpt_to")
        if len(recipients) > MAX_RECIPIENTS:
            raise incorrect(f"Tối đa {MAX_RECIPIENTS} người nhận một thư")
        refused = {
            str(address)[:MAX_ADDRESS]: "Địa chỉ thư không hợp lệ"
            for address in recipients
            if not isinstance(address, str) or not is_address(address)
        }
        if refused:
            return json_response(
                {
                    "error_code": DATA_INCORRECT,
                    "message": "Địa chỉ người nhận không hợp lệ",
                    "refused": refused,
                },
                400,
            )
        try:
            raw = base64.b64decode(require_str(body, "data"), validate=True)
        except (binascii.Error, ValueError) as error:
            raise invalid("data", "thư điện tử mã hóa base64") from error
        content = read_message(raw)
        self._seq += 1
        kept = {
            "id": self._seq,
            "mail_from": mail_from,
            "rcpt_to": [address.lower() for address in recipients],
            **content,
            "at": now_vn().isoformat(timespec="seconds"),
            # Kept for the page's "Nguyên bản" only, and only so much of it (attachments).
            "raw": raw[:RAW_SHOWN].decode("utf-8", "replace"),
            "raw_cut": len(raw) > RAW_SHOWN,
        }
        self.messages.append(kept)
        del self.messages[:-MAX_KEPT]
        return json_response({"ok": True, "id": self._seq, "accepted": kept["rcpt_to"]})

    def received(self, req: Request) -> Response:
        shown = [{k: v for k, v in m.items() if k not in {"raw", "raw_cut"}} for m in self.messages]
        return json_response({"messages": shown, "requests": self.requests["send"]})

    def page_redirect(self, req: Request) -> Response:
        return Response(301, b"", headers={"Location": "/mail/"})

    def _recipient(self, req: Request) -> str:
        return req.query.get("den", "").strip().lower()[:MAX_ADDRESS]

    def page_inbox(self, req: Request) -> Response:
        wanted = self._recipient(req)
        shown = [m for m in self.messages if not wanted or _to(m, wanted)]
        counts: Counter[str] = Counter()
        latest: dict[str, int] = {}
        for m in self.messages:
            for address in m["rcpt_to"]:
                counts[address] += 1
                latest[address] = m["id"]
        people = sorted(counts, key=lambda address: -latest[address])
        back = f"?den={quote(wanted)}" if wanted else ""
        cards = []
        for m in reversed(shown[-PAGE_LIMIT:]):
            start = " ".join(m["text"].split())
            cards.append(
                '<li class="mail">'
                f'<h2><a href="/mail/thu/{m["id"]}{back}">{e(m["subject"] or "(không tiêu đề)")}'
                "</a></h2>"
                f'<p class="meta">{e(vn_time(m["at"]))} · đến {e(", ".join(m["rcpt_to"]))}</p>'
                f'<p class="snippet">{e(start[:160])}{"…" if len(start) > 160 else ""}</p></li>'
            )
        form = (
            '<form method="get" action="/mail/"><label for="den">Lọc theo người nhận</label> '
            f'<input id="den" name="den" type="search" value="{e(wanted)}" maxlength="254" '
            'autocomplete="off" placeholder="địa chỉ thư"> <button>Lọc</button>'
            + (' <a href="/mail/">Xem tất cả</a>' if wanted else "")
            + ' <a href="">Tải lại</a></form>'
        )
        items = "".join(
            f'<li><a href="/mail/?den={quote(address)}"'
            + (' class="here" aria-current="true"' if address == wanted else "")
            + f">{e(address)}</a> <span class=meta>{counts[address]}</span></li>"
            for address in people
        )
        side = (
            f'<details class="people" open><summary>Người nhận ({len(people)})</summary>'
            f"<ul>{items}</ul></details>"
            if people
            else ""
        )
        heading = f"Thư gửi {e(wanted)}: {len(shown)}" if wanted else f"Tất cả thư: {len(shown)}"
        if len(shown) > PAGE_LIMIT:
            heading += f" (hiện {PAGE_LIMIT} thư mới nhất)"
        empty = "<p>Chưa có thư nào.</p>"
        listing = (
            f'<section aria-labelledby="list"><p id="list" class="meta">{heading}, '
            "thư mới nhất ở trên.</p>"
            + (f'<ol class="mails">{"".join(cards)}</ol>' if cards else empty)
            + "</section>"
        )
        body = form + f'<div class="layout">{side}{listing}</div>'
        return html_response(page("Hộp thư demo", INTRO, body))

    def page_message(self, req: Request) -> Response:
        number = req.params["number"]
        found = next(
            (m for m in self.messages if number.isdigit() and m["id"] == int(number)), None
        )
        if found is None:
            gone = (
                "<p>Không có thư này trong hộp thư demo: các thư mất đi khi bộ mô phỏng khởi "
                'động lại.</p><p><a href="/mail/">← Hộp thư</a></p>'
            )
            return html_response(page("Không tìm thấy thư — Hộp thư demo", INTRO, gone), 404)
        wanted = self._recipient(req)
        back = f"/mail/?den={quote(wanted)}" if wanted else "/mail/"
        rows = [("Từ", found["from"] or found["mail_from"]), ("Đến", found["to_shown"])]
        if found["cc_shown"]:
            rows.append(("Đồng gửi", found["cc_shown"]))
        hidden = sorted(set(found["rcpt_to"]) - set(found["to"]) - set(found["cc"]))
        if hidden:
            rows.append(("Gửi ẩn danh", ", ".join(hidden)))
        rows.append(("Nhận lúc", vn_time(found["at"])))
        meta = "".join(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>" for label, value in rows)
        files = "".join(
            f"<li>{e(item['name'])} ({format(item['size'], ',').replace(',', '.')} byte)</li>"
            for item in found["attachments"]
        )
        body = (
            f'<p><a href="{e(back)}">← Hộp thư</a></p>'
            f'<article class="open"><h2>{e(found["subject"] or "(không tiêu đề)")}</h2>'
            f"<dl>{meta}</dl>"
            f'<div class="text">{linked(found["text"]) or "(thư không có nội dung chữ)"}</div>'
            + (f"<h3>Tệp đính kèm</h3><ul>{files}</ul>" if files else "")
            + '<details class="raw"><summary>Nguyên bản thư (MIME)</summary>'
            f"<pre>{e(found['raw'])}{' …' if found['raw_cut'] else ''}</pre></details></article>"
        )
        title = f"{found['subject'] or 'Thư'} — Hộp thư demo"
        return html_response(page(title, INTRO, body))
