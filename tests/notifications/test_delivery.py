"""Notices leave through the outbox to the SMS and Zalo simulators and the mail server: once
each, logged like every exchange, tried again while a gateway is down, dead when refused."""

import datetime
from typing import Any

import pytest
from django.db import transaction

from egov.interop.models import MessageLog, OutboxMessage, OutboxStatus
from egov.interop.services.log import log_verify
from egov.interop.services.outbox import outbox_put
from egov.notifications.channels import sms, zalo
from egov.notifications.models import NotificationPreference
from egov.notifications.services import Recipient, citizen_notify
from tests.conftest import VN
from tests.notifications.conftest import deliver

pytestmark = pytest.mark.django_db

CONTEXT = {
    "you": "ông/bà",
    "code": "001.03.50.H01-261116-0001",
    "key": "001.03.50.H01-261116-0001",
    "procedure": "Đăng ký khai sinh",
    "desk": "Trung tâm Phục vụ hành chính công phường Long Xuyên",
    "due": datetime.datetime(2026, 12, 11, 16, 30, tzinfo=VN),
    "link": "http://127.0.0.1:8000/tra-cuu/001.03.50.H01-261116-0001/",
}


def notify(key: str = "thu:1", **recipient: Any) -> int:
    person = {"name": "Nguyễn Thị Ánh Tuyết", "phone": "0912 345 678", "email": "t@example.vn"}
    with transaction.atomic():
        return citizen_notify(
            recipient=Recipient(**{**person, **recipient}),
            template="notifications/messages/received",
            context=CONTEXT,
            key=key,
        )


def row(channel: str, key: str = "thu:1") -> OutboxMessage:
    return OutboxMessage.objects.get(idempotency_key=f"{key}:{channel}")


def test_every_channel_reaches_the_citizen_once_and_is_logged(gateways, citizen, clock, mailoutbox):
    NotificationPreference.objects.create(user=citizen, sms=True, zalo=True, email=True)
    assert notify(user_id=citizen.pk) == 3
    assert deliver(clock) == 3
    (text,) = gateways.sms()
    assert (text["brandname"], text["phone"], text["request_id"]) == (
        "DVC-ANGIANG",
        "84912345678",
        "thu:1:sms",
    )
    assert "Hẹn trả kết quả: 16 giờ 30, thứ Sáu 11/12/2026." in text["message"]
    (message,) = gateways.zalo()
    assert message["phone"] == "84912345678" and message["tracking_id"] == "thu:1:zalo"
    assert message["template_data"]["customer_name"] == "Nguyễn Thị Ánh Tuyết"
    assert (
        message["template_data"]["subject"] == "Hồ sơ 001.03.50.H01-261116-0001 đã được tiếp nhận"
    )
    assert message["text"].startswith("Xin chào Nguyễn Thị Ánh Tuyết,\nHồ sơ 001.03.50")
    (mail,) = mailoutbox
    assert mail.to == ["t@example.vn"] and mail.subject == message["template_data"]["subject"]
    assert mail.body.startswith('Kính gửi Nguyễn Thị Ánh Tuyết,\n\nHồ sơ "Đăng ký khai sinh"')
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}
    logged = {
        (r.system, r.service, r.outcome, r.idempotency_key)
        for r in MessageLog.objects.filter(direction="out")
    }
    assert logged == {
        ("sms", "sms.send", "ok", "thu:1:sms"),
        ("zalo", "zalo.zns", "ok", "thu:1:zalo"),
        ("notify", "notify.applicant", "ok", "thu:1:email"),
    }
    # A phone number and a name are personal data: the log keeps their digest only.
    sms_row = MessageLog.objects.get(system="sms")
    assert sms_row.body_storage == "digest" and sms_row.request_body == ""
    assert log_verify() == (3, None)
    # Nothing is sent twice: another round has nothing to do.
    assert deliver(clock) == 0 and len(gateways.sms()) == 1


def test_a_dossier_receipt_reaches_the_applicants_phone(gateways, counter_dossier, clock):
    deliver(clock)
    (text,) = gateways.sms()
    assert text["phone"] == "84912345678"
    assert f"Mã hồ sơ: {counter_dossier.code}." in text["message"]
    assert "08 giờ 00, thứ Ba 17/11/2026" in text["message"]


def test_a_gateway_down_for_hours_gets_the_message_when_it_returns(gateways, clock):
    gateways.knobs("sms", down=True)
    notify(email="")
    assert deliver(clock) == 1
    message = row("sms")
    assert message.status == OutboxStatus.PENDING and message.last_status == 503
    assert MessageLog.objects.get().outcome == "retry"
    for _ in range(6):  # still down: tried again later, the breaker holding it between
        clock.now += datetime.timedelta(minutes=20)
        deliver(clock)
    assert row("sms").status == OutboxStatus.PENDING and gateways.sms() == []
    gateways.knobs("sms", down=False)
    clock.now += datetime.timedelta(minutes=20)
    deliver(clock)
    assert row("sms").status == OutboxStatus.DELIVERED
    assert gateways.received("sms")["effects"] == {"thu:1:sms": 1}


def test_an_answer_lost_on_the_way_sends_nothing_twice(gateways, clock):
    notify(email="")
    message = row("sms")
    assert sms.send(message).outcome == "ok"  # the gateway sends; the worker dies before settling
    assert deliver(clock) == 1
    received = gateways.received("sms")
    assert received["requests"] == 2 and received["effects"] == {"thu:1:sms": 1}
    assert len(received["messages"]) == 1 and row("sms").status == OutboxStatus.DELIVERED


def test_zalo_refuses_a_template_it_does_not_know_for_good(gateways, citizen, clock, settings):
    NotificationPreference.objects.create(user=citizen, sms=False, zalo=True, email=False)
    settings.MOTCUA_ZALO_TEMPLATE_ID = "999999"
    notify(user_id=citizen.pk)
    deliver(clock)
    message = row("zalo")
    assert message.status == OutboxStatus.DEAD
    assert message.last_error.startswith("Zalo -1124: Mẫu tin 999999 không tồn tại")
    assert MessageLog.objects.get().response_code == "-1124"


def test_a_wrong_token_or_key_is_tried_again_once_mended(gateways, citizen, clock, settings):
    NotificationPreference.objects.create(user=citizen, sms=True, zalo=True, email=False)
    systems = settings.MOTCUA_LGSP_SYSTEMS
    good = (systems["sms"]["api_key"], systems["zalo"]["access_token"])
    systems["sms"]["api_key"], systems["zalo"]["access_token"] = "sai", "sai"
    notify(user_id=citizen.pk)
    deliver(clock)
    assert (row("sms").status, row("sms").last_status) == (OutboxStatus.PENDING, 401)
    assert row("zalo").status == OutboxStatus.PENDING
    assert row("zalo").last_error.startswith("Zalo -124:")
    systems["sms"]["api_key"], systems["zalo"]["access_token"] = good
    clock.now += datetime.timedelta(minutes=5)
    deliver(clock)
    assert {row("sms").status, row("zalo").status} == {OutboxStatus.DELIVERED}
    assert len(gateways.sms()) == len(gateways.zalo()) == 1


def test_a_gateway_without_an_address_keeps_its_messages_waiting(gateways, clock, settings):
    notify(email="")
    settings.MOTCUA_LGSP_SYSTEMS["sms"]["url"] = ""  # taken away after the row was written
    assert deliver(clock) == 0
    assert row("sms").status == OutboxStatus.PENDING and row("sms").attempts == 0


def test_the_gateway_refuses_what_no_phone_can_take(gateways, clock):
    """A text that somehow got too long, or with markup, is refused with a clear reason."""
    with transaction.atomic():
        for key, text in (("dai", "x" * 481), ("the", "<b>Hồ sơ</b>")):
            outbox_put(
                system="sms",
                topic="sms.send",
                ordering_key=f"test:{key}",
                idempotency_key=key,
                payload={
                    "channel": "sms",
                    "to": "84912345678",
                    "name": "",
                    "subject": "",
                    "text": text,
                    "template": "",
                    "key": key,
                },
            )
    deliver(clock)
    long, tagged = OutboxMessage.objects.order_by("pk")
    assert long.status == tagged.status == OutboxStatus.DEAD
    assert "481 ký tự, quá 480" in long.last_error
    assert "thẻ HTML" in tagged.last_error


def test_a_notice_queued_before_the_channels_still_goes_by_email(
    gateways, counter_dossier, clock, mailoutbox
):
    OutboxMessage.objects.all().delete()
    with transaction.atomic():
        outbox_put(
            system="notify",
            topic="notify.applicant",
            ordering_key=f"notify:{counter_dossier.pk}",
            idempotency_key=f"notify:{counter_dossier.pk}:2",
            payload={"dossier": counter_dossier.pk, "event": 2, "action": "receive"},
        )
    assert deliver(clock) == 1
    (mail,) = mailoutbox
    assert mail.subject == f"Hồ sơ {counter_dossier.code} đã được tiếp nhận"
    assert "08 giờ 00, thứ Ba 17/11/2026" in mail.body


def test_the_zalo_tracking_id_fits_zalo():
    assert zalo.tracking_id("notify:1:2:zalo") == "notify:1:2:zalo"
    long = zalo.tracking_id("appointments:booked:" + "x" * 80 + ":zalo")
    assert len(long) == 48 and long.startswith("h")
