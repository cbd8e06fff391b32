"""`citizen_notify`, the contract other apps call: one outbox row per channel, in the
caller's transaction, once per key."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from egov.interop.models import OutboxMessage
from egov.notifications.models import NotificationPreference
from egov.notifications.services import Recipient, citizen_notify

pytestmark = pytest.mark.django_db

TUYET = Recipient(name="Nguyễn Thị Ánh Tuyết", phone="0912 345 678", email="tuyet@example.vn")
CONTEXT = {
    "name": "Nguyễn Thị Ánh Tuyết",
    "you": "ông/bà",
    "code": "001.03.50.H01-261116-0001",
    "key": "001.03.50.H01-261116-0001",
    "procedure": "Đăng ký khai sinh",
    "desk": "Trung tâm Phục vụ hành chính công phường Long Xuyên",
    "due": None,
    "link": "http://127.0.0.1:8000/tra-cuu/001.03.50.H01-261116-0001/",
}


def notify(recipient=TUYET, key="thu:1", template="notifications/messages/received"):
    return citizen_notify(recipient=recipient, template=template, context=CONTEXT, key=key)


def test_one_row_per_channel_with_all_the_adapter_needs():
    assert notify() == 2
    sms, mail = OutboxMessage.objects.order_by("pk")
    assert (sms.system, sms.topic, sms.idempotency_key) == ("sms", "sms.send", "thu:1:sms")
    assert (mail.system, mail.topic, mail.idempotency_key) == (
        "notify",
        "notify.applicant",
        "thu:1:email",
    )
    assert sms.payload == {
        "channel": "sms",
        "to": "84912345678",
        "name": "Nguyễn Thị Ánh Tuyết",
        "subject": "Hồ sơ 001.03.50.H01-261116-0001 đã được tiếp nhận",
        "text": sms.payload["text"],
        "template": "notifications/messages/received",
        "key": "thu:1",
    }
    assert sms.payload["text"].startswith('Hồ sơ "Đăng ký khai sinh" của ông/bà')
    assert mail.payload["to"] == "tuyet@example.vn"
    # The ordering keys group one person's channel, and do not show their number.
    assert sms.ordering_key.startswith("notify:sms:") and "912345678" not in sms.ordering_key
    assert sms.ordering_key != mail.ordering_key


def test_every_channel_is_written_in_one_statement_without_a_look_up_first():
    with CaptureQueriesContext(connection) as queries:
        assert notify() == 2
        assert notify() == 0  # the same key again: the same one statement, nothing written
    outbox = [q["sql"] for q in queries.captured_queries if "interop_outboxmessage" in q["sql"]]
    assert [sql.split()[0] for sql in outbox] == ["INSERT", "INSERT"]
    assert OutboxMessage.objects.count() == 2


def test_the_same_key_writes_nothing_again_even_after_a_change_of_mind(citizen):
    me = Recipient(name="Tuyết", phone="0912345678", email="tuyet@example.vn", user_id=citizen.pk)
    assert notify(me) == 2
    NotificationPreference.objects.create(user=citizen, sms=False, zalo=True, email=True)
    assert notify(me) == 0
    assert OutboxMessage.objects.count() == 2
    assert notify(me, key="thu:2") == 2
    assert sorted(OutboxMessage.objects.values_list("idempotency_key", flat=True)) == [
        "thu:1:email",
        "thu:1:sms",
        "thu:2:email",
        "thu:2:zalo",
    ]


def test_rows_leave_only_with_the_callers_change():
    with pytest.raises(RuntimeError), transaction.atomic():
        notify()
        raise RuntimeError("the caller's change fails")
    assert not OutboxMessage.objects.exists()


def test_nobody_to_reach_writes_nothing():
    assert notify(Recipient(name="Không liên lạc được", phone="không có")) == 0
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("key", ["", "   ", "k" * 101])
def test_a_key_must_name_the_cause(key):
    with pytest.raises(ValueError, match="key"):
        notify(key=key)


def test_a_long_text_is_cut_for_sms_and_whole_by_email():
    long = {**CONTEXT, "procedure": "Cấp giấy chứng nhận quyền sử dụng đất " * 30}
    citizen_notify(
        recipient=TUYET, template="notifications/messages/received", context=long, key="dai"
    )
    sms, mail = OutboxMessage.objects.order_by("pk")
    assert len(sms.payload["text"]) <= 480 < len(mail.payload["text"])
    assert sms.payload["text"].endswith("\nTra cứu hồ sơ: " + CONTEXT["link"])
