"""MAIL: the demo's mailbox takes a message as SMTP hands it over (envelope and RFC 5322 bytes),
refuses what a mail server refuses, and shows what was sent on the page "Hộp thư demo"."""

import base64
from email.message import EmailMessage

import pytest
from axe_playwright_python.sync_playwright import Axe

from sims import mail
from sims.server import SimServer
from tests.sims.support import Answer, Client

SEND = "/mail/api/send"
LINK = "http://127.0.0.1:8000/tra-cuu/?ma=000.00.31.H01-261116-0001"


def message(
    subject: str = "Hồ sơ 000.00.31.H01-261116-0001 đã được tiếp nhận",
    text: str = f"Kính gửi ông Nguyễn Tấn An,\n\nTra cứu hồ sơ: {LINK}\n",
    to: str = "Nguyễn Tấn An <an@example.vn>",
    html: str = "",
) -> bytes:
    mime = EmailMessage()
    mime["Subject"] = subject
    mime["From"] = "Một cửa An Giang <motcua@localhost>"
    mime["To"] = to
    if text:
        mime.set_content(text)
    if html:
        if text:
            mime.add_alternative(html, subtype="html")
        else:
            mime.set_content(html, subtype="html")
    return mime.as_bytes()


def send(client: Client, raw: bytes | None = None, **changes: object) -> Answer:
    body = {
        "mail_from": "motcua@localhost",
        "rcpt_to": ["an@example.vn"],
        "data": base64.b64encode(raw if raw is not None else message()).decode(),
        **changes,
    }
    return client.post(SEND, {k: v for k, v in body.items() if v is not None})


def test_a_message_is_kept_with_its_vietnamese_subject_and_text(client: Client) -> None:
    answer = send(client)
    assert answer.status == 200, answer.text
    assert answer.json() == {"ok": True, "id": 1, "accepted": ["an@example.vn"]}
    (kept,) = client.get("/_sim/mail/received").json()["messages"]
    assert kept["subject"] == "Hồ sơ 000.00.31.H01-261116-0001 đã được tiếp nhận"
    assert kept["from"] == "Một cửa An Giang <motcua@localhost>"
    assert kept["to"] == ["an@example.vn"] and kept["rcpt_to"] == ["an@example.vn"]
    assert kept["to_shown"] == "Nguyễn Tấn An <an@example.vn>"
    assert kept["text"].startswith("Kính gửi ông Nguyễn Tấn An,")
    assert kept["at"].endswith("+07:00")


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"rcpt_to": None}, "Thiếu trường bắt buộc: rcpt_to"),
        ({"rcpt_to": []}, "Thiếu trường bắt buộc: rcpt_to"),
        ({"rcpt_to": "an@example.vn"}, "rcpt_to"),
        ({"rcpt_to": [f"n{i}@example.vn" for i in range(101)]}, "Tối đa 100 người nhận"),
        ({"mail_from": None}, "mail_from"),
        ({"data": "không phải base64!"}, "base64"),
        ({"data": base64.b64encode(b"\r\n\r\nchi co than thu").decode()}, "RFC 5322"),
    ],
)
def test_what_the_mailbox_refuses(client: Client, changes: dict, says: str) -> None:
    answer = send(client, **changes)
    assert answer.status == 400, answer.text
    assert says in answer.json()["message"]
    assert client.get("/_sim/mail/received").json()["messages"] == []


@pytest.mark.parametrize(
    "address", ["không có a còng", "a@b", "<script>@x.vn", "a b@example.vn", "x" * 250 + "@a.vn", 7]
)
def test_an_address_that_is_not_one_is_refused_by_name(client: Client, address: object) -> None:
    answer = send(client, rcpt_to=["an@example.vn", address])
    assert answer.status == 400
    assert answer.json()["refused"] == {str(address)[:254]: "Địa chỉ thư không hợp lệ"}
    assert client.get("/_sim/mail/received").json()["messages"] == []


def test_the_mailbox_page_lists_newest_first_by_recipient(client: Client) -> None:
    send(client)
    send(
        client,
        message(subject="Đặt lại mật khẩu", text="Mở liên kết: http://127.0.0.1:8000/dat-lai/"),
        rcpt_to=["Bao.Dang@Example.vn"],
    )
    page = client.get("/mail/")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.text
    assert '<html lang="vi">' in html and "<h1>Hộp thư demo</h1>" in html
    assert html.index("Đặt lại mật khẩu") < html.index("đã được tiếp nhận")  # newest first
    assert "Người nhận (2)" in html
    assert '<a href="/mail/?den=bao.dang%40example.vn">bao.dang@example.vn</a>' in html
    assert "Tất cả thư: 2" in html
    narrowed = client.get("/mail/?den=BAO.dang").text  # any part of the address, any case
    assert "Đặt lại mật khẩu" in narrowed and "đã được tiếp nhận" not in narrowed
    assert "Thư gửi bao.dang: 1" in narrowed
    assert '<a href="/mail/thu/2?den=bao.dang">' in narrowed
    nobody = client.get("/mail/?den=%22%3E%3Cscript%3Ealert(1)%3C/script%3E").text
    assert "<script>" not in nobody and "Chưa có thư nào." in nobody
    assert "<h1>Hộp thư demo</h1>" in client.get("/mail").text  # redirected to /mail/


def test_a_message_opens_with_its_links_clickable_and_escaped(client: Client) -> None:
    raw = message(
        subject="Thông báo <b>kết quả</b> & lệ phí",
        text=f"Kết quả đã có. Xem: {LINK}\n1 < 2 & 3 > 2",
        to="an@example.vn",
    )
    send(client, raw, rcpt_to=["an@example.vn", "luu@example.vn"])
    page = client.get("/mail/thu/1")
    assert page.status == 200
    html = page.text
    assert "<title>Thông báo &lt;b&gt;kết quả&lt;/b&gt; &amp; lệ phí — Hộp thư demo</title>" in html
    assert f'<a href="{LINK}">{LINK}</a>' in html.replace("&amp;", "&")
    assert "1 &lt; 2 &amp; 3 &gt; 2" in html
    assert "<dt>Đến</dt><dd>an@example.vn</dd>" in html
    assert "<dt>Gửi ẩn danh</dt><dd>luu@example.vn</dd>" in html  # the envelope's Bcc
    assert "Nguyên bản thư (MIME)" in html
    for missing in ("/mail/thu/2", "/mail/thu/abc", "/mail/thu/-1"):
        gone = client.get(missing)
        assert gone.status == 404 and "Không có thư này trong hộp thư demo" in gone.text


@pytest.mark.parametrize("plain", ["", "\n"])
def test_a_message_without_plain_text_shows_its_html_as_text(client: Client, plain: str) -> None:
    html = "<p>Bấm <a href='http://127.0.0.1:8000/dat-lai/abc/'>đây</a></p><script>x</script>"
    if plain:  # a blank plain part beside the HTML
        mime = EmailMessage()
        mime["Subject"], mime["To"] = "Đặt lại mật khẩu", "an@example.vn"
        mime.set_content(plain)
        mime.add_alternative(html, subtype="html")
        raw = mime.as_bytes()
    else:
        raw = message(text="", html=html)
    send(client, raw)
    (kept,) = client.get("/_sim/mail/received").json()["messages"]
    assert kept["text"] == "Bấm đây (http://127.0.0.1:8000/dat-lai/abc/)"


def test_the_page_shows_while_the_mailbox_is_down_and_a_reset_empties_it(client: Client) -> None:
    send(client)
    client.knobs("mail", down=True)
    assert send(client).status == 503
    assert "Tất cả thư: 1" in client.get("/mail/").text
    assert client.post("/_sim/reset").status == 200
    assert "Chưa có thư nào." in client.get("/mail/").text


def test_only_the_newest_messages_are_kept(client: Client, monkeypatch) -> None:
    monkeypatch.setattr(mail, "MAX_KEPT", 3)
    for _ in range(5):
        send(client)
    kept = client.get("/_sim/mail/received").json()["messages"]
    assert [m["id"] for m in kept] == [3, 4, 5]


def test_vn_time() -> None:
    assert mail.vn_time("2026-11-16T08:05:09+07:00") == "16/11/2026 08:05"


@pytest.mark.e2e
def test_the_mailbox_fits_a_phone_and_has_no_serious_accessibility_problem(
    client: Client, sim: SimServer, page
) -> None:
    send(client)
    send(
        client,
        message(
            subject="Đặt lại mật khẩu tài khoản Một cửa",
            text="Mở liên kết sau: http://127.0.0.1:8000/dang-nhap/dat-lai/MQ/"
            + "abc123-0123456789abcdef0123456789abcdef/",
            to="Đặng Quốc Bảo <lanhdao.longxuyen@example.vn>",
        ),
        rcpt_to=["lanhdao.longxuyen@example.vn"],
    )
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{sim.base_url}/mail/")
        page.get_by_label("Lọc theo người nhận").fill("lanhdao")
        page.get_by_role("button", name="Lọc").click()
        page.get_by_text("Thư gửi lanhdao: 1").wait_for()
        fits(page)
        page.get_by_role("link", name="Đặt lại mật khẩu tài khoản Một cửa").click()
        page.get_by_role("heading", name="Đặt lại mật khẩu tài khoản Một cửa").wait_for()
        fits(page)
        link = page.get_by_role("link", name="http://127.0.0.1:8000/dang-nhap/dat-lai/MQ/")
        assert link.count() == 1
        page.get_by_role("link", name="← Hộp thư").click()
        assert page.url.endswith("/mail/?den=lanhdao")


def fits(page) -> None:
    """No sideways scrolling, and no serious or critical accessibility violation."""
    sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert sideways <= 0, (page.url, sideways)
    violations = Axe().run(page).response["violations"]
    serious = [v["id"] for v in violations if v.get("impact") in {"serious", "critical"}]
    assert not serious, (page.url, serious)
