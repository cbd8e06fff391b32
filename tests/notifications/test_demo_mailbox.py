"""The demo's e-mail backend hands each message to the simulators' mailbox ("Hộp thư demo") as
an SMTP server would take it, and fails as one would: refused recipients for good, a mailbox
that is down or away for later."""

import datetime
import smtplib
import socket
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from egov.interop.models import MessageLog, OutboxMessage, OutboxStatus
from egov.notifications.services import Recipient, citizen_notify
from tests.conftest import VN
from tests.notifications.conftest import Gateways, deliver
from tests.test_settings import settings_in

pytestmark = pytest.mark.django_db

BACKEND = "egov.notifications.demo_mailbox.EmailBackend"
CONTEXT = {
    "you": "ông/bà",
    "code": "001.03.50.H01-261116-0001",
    "key": "001.03.50.H01-261116-0001",
    "procedure": "Đăng ký khai sinh",
    "desk": "Trung tâm Phục vụ hành chính công phường Long Xuyên",
    "due": datetime.datetime(2026, 12, 11, 16, 30, tzinfo=VN),
    "link": "http://127.0.0.1:8000/tra-cuu/001.03.50.H01-261116-0001/",
}


@pytest.fixture
def mailbox(gateways: Gateways, settings: Any) -> Gateways:
    """A clean mailbox simulator, and the site's mail going to it (as in `make demo`)."""
    settings.EMAIL_BACKEND = BACKEND
    settings.MOTCUA_DEMO_MAILBOX_URL = f"{gateways.server.base_url}/mail"
    return gateways


def received(mailbox: Gateways) -> list[dict[str, Any]]:
    return mailbox.client.get("/_sim/mail/received").json()["messages"]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens on it any more


def test_a_notice_by_email_lands_in_the_mailbox_and_is_logged(mailbox, clock):
    with transaction.atomic():
        citizen_notify(
            recipient=Recipient(name="Nguyễn Thị Ánh Tuyết", phone="", email="tuyet@example.vn"),
            template="notifications/messages/received",
            context=CONTEXT,
            key="thu:1",
        )
    assert deliver(clock) == 1
    (kept,) = received(mailbox)
    assert kept["rcpt_to"] == ["tuyet@example.vn"] and kept["mail_from"] == "motcua@localhost"
    assert kept["subject"] == "Hồ sơ 001.03.50.H01-261116-0001 đã được tiếp nhận"
    assert kept["text"].startswith('Kính gửi Nguyễn Thị Ánh Tuyết,\n\nHồ sơ "Đăng ký khai sinh"')
    assert CONTEXT["link"] in kept["text"]
    assert OutboxMessage.objects.get().status == OutboxStatus.DELIVERED
    assert MessageLog.objects.get().outcome == "ok"
    page = mailbox.client.get(f"/mail/thu/{kept['id']}").text
    assert f'<a href="{CONTEXT["link"]}">' in page
    assert "Hồ sơ 001.03.50.H01-261116-0001 đã được tiếp nhận" in page


def test_a_mailbox_that_is_down_gets_the_notice_when_it_returns(mailbox, clock):
    mailbox.knobs("mail", down=True)
    with transaction.atomic():
        citizen_notify(
            recipient=Recipient(name="Tuyết", phone="", email="tuyet@example.vn"),
            template="notifications/messages/received",
            context=CONTEXT,
            key="thu:2",
        )
    deliver(clock)
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.PENDING
    assert MessageLog.objects.get().outcome == "retry"
    assert received(mailbox) == []
    mailbox.knobs("mail", down=False)
    clock.now += datetime.timedelta(minutes=20)
    deliver(clock)
    assert OutboxMessage.objects.get().status == OutboxStatus.DELIVERED
    assert len(received(mailbox)) == 1


def test_send_mail_goes_with_its_whole_envelope(mailbox):
    sent = mail.EmailMessage(
        "Đặt lại mật khẩu tài khoản Một cửa",
        "Mở liên kết sau để đặt mật khẩu mới: http://127.0.0.1:8000/dat-lai/abc/",
        "Một cửa An Giang <motcua@localhost>",
        ["Đặng Quốc Bảo <bao@example.vn>"],
        bcc=["luu@example.vn"],
        cc=["ky@example.vn"],
    )
    assert mail.get_connection().send_messages([sent]) == 1
    (kept,) = received(mailbox)
    assert kept["mail_from"] == "motcua@localhost"
    assert kept["rcpt_to"] == ["bao@example.vn", "ky@example.vn", "luu@example.vn"]
    assert kept["to"] == ["bao@example.vn"] and kept["cc"] == ["ky@example.vn"]
    assert kept["subject"] == "Đặt lại mật khẩu tài khoản Một cửa"
    assert kept["from"] == "Một cửa An Giang <motcua@localhost>"
    # No recipient at all: nothing to send, as with SMTP.
    assert mail.get_connection().send_messages([mail.EmailMessage("x", "y")]) == 0


def test_a_refused_recipient_is_said_as_smtp_says_it(mailbox):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        mail.send_mail("Tiêu đề", "Nội dung", None, ["tuyet@example"])
    assert refused.value.recipients == {"tuyet@example": (550, "Địa chỉ thư không hợp lệ".encode())}
    assert mail.send_mail("Tiêu đề", "Nội dung", None, ["x@y"], fail_silently=True) == 0
    assert received(mailbox) == []


def test_a_mailbox_that_is_not_there_is_a_failure_to_try_again(settings):
    settings.EMAIL_BACKEND = BACKEND
    settings.MOTCUA_DEMO_MAILBOX_URL = f"http://127.0.0.1:{closed_port()}/mail"
    with pytest.raises(smtplib.SMTPServerDisconnected) as error:
        mail.send_mail("Tiêu đề", "Nội dung", None, ["tuyet@example.vn"])
    assert isinstance(error.value, OSError)  # the e-mail channel's "retry"
    assert "hộp thư demo" in str(error.value)
    assert (
        mail.send_mail("Tiêu đề", "Nội dung", None, ["tuyet@example.vn"], fail_silently=True) == 0
    )


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({"MOTCUA_MODE": "demo"}, BACKEND),
        ({"MOTCUA_MODE": "demo", "EMAIL_URL": "smtp://mail.example.vn:25"}, "smtp.EmailBackend"),
        ({"MOTCUA_MODE": "test"}, "locmem.EmailBackend"),
        ({"DJANGO_SECRET_KEY": "x" * 50}, "console.EmailBackend"),
    ],
)
def test_the_demo_sends_to_its_mailbox_unless_told_otherwise(env, backend):
    result = settings_in(
        {"MOTCUA_SIMS_URL": "http://127.0.0.1:8123", **env},
        "s.EMAIL_BACKEND, repr(s.MOTCUA_DEMO_MAILBOX_URL)",
    )
    assert result.returncode == 0, result.stderr
    chosen, url = result.stdout.split()
    assert chosen.endswith(backend)
    # A real deployment never sends its mail to a simulator.
    production = "MOTCUA_MODE" not in env
    assert url == ("''" if production else "'http://127.0.0.1:8123/mail'")
