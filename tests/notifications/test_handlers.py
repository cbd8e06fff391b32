"""The applicant hears of every step that concerns them, by the channels they get, worded
for the step; nobody hears of the officers' hand-overs."""

import datetime
from typing import Any

import pytest

from egov.dossiers.services import dossier_create
from egov.interop.models import OutboxMessage
from egov.notifications.models import NotificationPreference
from egov.orgs.selectors import working_calendar
from tests.conftest import COMMUNE_CENTER, VN
from tests.dossiers.conftest import CITIZEN, act

pytestmark = pytest.mark.django_db


def notices(dossier: Any, channel: str = "sms") -> list[dict[str, Any]]:
    """The notices of a dossier on one channel, oldest first."""
    rows = OutboxMessage.objects.filter(
        idempotency_key__startswith=f"notify:{dossier.pk}:", payload__channel=channel
    ).order_by("pk")
    return [row.payload for row in rows]


def subjects(dossier: Any, channel: str = "sms") -> list[str]:
    return [payload["subject"] for payload in notices(dossier, channel)]


def online(citizen: Any, **extra: Any) -> Any:
    return dossier_create(
        actor=citizen,
        procedure_code="1.001193",
        channel="online",
        applicant=CITIZEN,
        return_method="online",
        agency_code=COMMUNE_CENTER,
        **extra,
    )


def test_the_receipt_goes_by_sms_and_email_with_code_and_due_time(counter_dossier):
    code = counter_dossier.code
    (sms,) = notices(counter_dossier)
    (mail,) = notices(counter_dossier, "email")
    assert sms["to"] == "84912345678" and mail["to"] == "tuyet@example.vn"
    assert sms["subject"] == mail["subject"] == f"Hồ sơ {code} đã được tiếp nhận"
    assert sms["template"] == "notifications/messages/received"
    assert f"Mã hồ sơ: {code}." in sms["text"]
    # Received Monday 16/11/2026 08:00, one working day.
    assert "Hẹn trả kết quả: 08 giờ 00, thứ Ba 17/11/2026." in sms["text"]
    assert sms["text"].endswith(f"Tra cứu hồ sơ: http://127.0.0.1:8000/tra-cuu/{code}/")
    assert sms["text"] == mail["text"]
    # One row per channel per event, keyed by the event.
    keys = OutboxMessage.objects.filter(payload__key=f"notify:{counter_dossier.pk}:2")
    assert sorted(keys.values_list("idempotency_key", flat=True)) == [
        f"notify:{counter_dossier.pk}:2:email",
        f"notify:{counter_dossier.pk}:2:sms",
    ]


def test_a_dossier_told_step_by_step(counter_dossier, people, clock):
    dossier = counter_dossier
    act(dossier, "transfer", people["desk"])  # the officers' hand-over: no news
    act(
        dossier,
        "request_supplement",
        people["specialist"],
        note="Bản sao chưa chứng thực",
        items=["Giấy chứng sinh (bản chính)"],
    )
    act(dossier, "submit_supplement", people["desk"])  # handed in: the officer decides
    clock.now += datetime.timedelta(hours=1)
    act(dossier, "complete_supplement", people["specialist"])
    act(dossier, "request_obligation", people["leader"], note="Lệ phí 50.000 đồng")
    act(dossier, "confirm_obligation", people["desk"])
    dossier.refresh_from_db()
    # Three working days later than promised, whatever the calendar.
    new_due = working_calendar().add_working_time(dossier.due_at, 3 * 8 * 60).astimezone(VN)
    act(dossier, "apologize", people["leader"], note="Chờ xác minh", new_due_at=new_due)
    act(dossier, "stop", people["leader"], note="Không đủ điều kiện đăng ký")
    code = dossier.code
    assert subjects(dossier) == [
        f"Hồ sơ {code} đã được tiếp nhận",
        f"Hồ sơ {code} cần bổ sung giấy tờ",
        f"Hồ sơ {code} đã đủ giấy tờ",
        f"Hồ sơ {code}: cần nộp nghĩa vụ tài chính",
        f"Hồ sơ {code}: đã ghi nhận nộp nghĩa vụ tài chính",
        f"Xin lỗi: hồ sơ {code} được hẹn lại ngày trả",
        f"Hồ sơ {code} bị dừng giải quyết",
    ]
    _, supplement, accepted, obligation, _, apology, stopped = notices(dossier)
    assert "Giấy chứng sinh (bản chính)" in supplement["text"]
    request = dossier.supplements.get()
    weekday = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu")[
        request.deadline.astimezone(VN).weekday()
    ]
    assert f"Hạn bổ sung: {request.deadline.astimezone(VN):%H} giờ" in supplement["text"]
    assert f"{weekday} {request.deadline.astimezone(VN):%d/%m/%Y}" in supplement["text"]
    assert "Hẹn trả kết quả mới:" in accepted["text"]
    assert "Lệ phí 50.000 đồng" in obligation["text"]
    assert f"{new_due:%H} giờ {new_due:%M}" in apology["text"] and "Chờ xác minh" in apology["text"]
    assert "Lý do: Không đủ điều kiện đăng ký" in stopped["text"]
    assert len(notices(dossier, "email")) == 7


def test_refused_and_withdrawn_online_dossiers(citizen, procedures, people, clock):
    refused = online(citizen)
    act(refused, "refuse", people["desk"], note="Không thuộc thẩm quyền")
    withdrawn = online(citizen)
    act(withdrawn, "withdraw", citizen)
    key = str(refused.reference)
    assert subjects(refused) == [
        "Đã nhận hồ sơ nộp trực tuyến: Đăng ký khai sinh",
        f"Hồ sơ {key} không được tiếp nhận",
    ]
    assert "Lý do: Không thuộc thẩm quyền" in notices(refused)[1]["text"]
    assert subjects(withdrawn)[1] == f"Hồ sơ {withdrawn.reference} đã được rút"


def test_an_owner_is_told_by_the_channels_they_chose_at_their_own_addresses(
    citizen, procedures, people, clock, identity
):
    identity(citizen, phone="0987 654 321", email="congdan@example.vn")
    NotificationPreference.objects.create(user=citizen, sms=False, zalo=True, email=True)
    dossier = online(citizen)
    act(dossier, "receive", people["desk"])
    zalo = notices(dossier, "zalo")
    assert [p["to"] for p in zalo] == ["84987654321", "84987654321"]
    assert [p["to"] for p in notices(dossier, "email")] == ["congdan@example.vn"] * 2
    assert notices(dossier, "sms") == []
    dossier.refresh_from_db()
    assert zalo[1]["subject"] == f"Hồ sơ {dossier.code} đã được tiếp nhận"


def test_result_ready_says_how_to_get_it(procedures, people, clock, citizen):
    dossier = online(citizen)
    act(dossier, "receive", people["desk"])
    act(dossier, "transfer", people["desk"])
    act(dossier, "forward", people["specialist"])
    act(dossier, "forward", people["police"])
    act(dossier, "approve", people["leader"])
    act(dossier, "return_result", citizen)
    dossier.refresh_from_db()
    code = dossier.code
    assert subjects(dossier)[-2:] == [f"Hồ sơ {code} đã có kết quả", f"Hồ sơ {code} đã trả kết quả"]
    ready, returned = notices(dossier)[-2:]
    assert "Tải kết quả tại: http://127.0.0.1:8000/" in ready["text"]
    assert "đánh giá" in returned["text"]


def test_nobody_to_tell_and_officers_work_write_nothing(procedures, people, clock):
    nobody = CITIZEN.__class__(**{**CITIZEN.__dict__, "phone": "", "email": ""})
    dossier = dossier_create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=nobody,
        return_method="counter",
    )
    act(dossier, "transfer", people["desk"])
    assert not OutboxMessage.objects.filter(system__in=["sms", "zalo", "notify"]).exists()


def test_a_notice_costs_a_few_queries(counter_dossier, people, django_assert_max_num_queries):
    act(counter_dossier, "transfer", people["desk"])
    counter_dossier.refresh_from_db()
    # The whole request for a supplement, the notice's reads and two outbox rows included.
    with django_assert_max_num_queries(40):
        act(counter_dossier, "request_supplement", people["specialist"], note="Thiếu")
