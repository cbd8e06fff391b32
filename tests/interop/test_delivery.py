"""The outbox's delivery to the national portal simulator: at least once, in order, with
retries through a day-long outage, dead letters after the budget, and the message log."""

import datetime
from typing import Any

import pytest
from django.core.management import call_command

from egov.interop.models import (
    MessageLog,
    OutboxMessage,
    OutboxStatus,
    PortalSync,
    SystemHealth,
)
from egov.interop.services.delivery import deliver_due
from egov.interop.services.log import log_verify
from egov.interop.services.outbox import claim_due, dead_letter_replay
from egov.notifications.models import StaffNotification
from tests.conftest import PROVINCE
from tests.dossiers.conftest import act


def deliver(clock: Any, worker: str = "w1") -> int:
    return deliver_due(worker=worker, batch=50, max_seconds=30, clock=lambda: clock.now)


def portal_messages() -> Any:
    return OutboxMessage.objects.filter(system="dvcqg").order_by("id")


def test_a_received_dossier_reaches_the_national_portal(sim, counter_dossier, clock, mailoutbox):
    assert deliver(clock) == 2  # the portal's sync, and the applicant's notice
    (mail,) = mailoutbox
    assert mail.to == ["tuyet@example.vn"]
    assert mail.subject == f"Hồ sơ {counter_dossier.code} đã được tiếp nhận"
    assert "Hẹn trả kết quả: 08 giờ 00, thứ Ba 17/11/2026." in mail.body
    record = sim.received()["dossiers"][counter_dossier.code]
    assert record["TrangThaiHoSo"] == 2
    assert record["KenhThucHien"] == 1
    assert record["MaTTHC"] == "1.001193"
    assert record["ChuHoSo"] == "Nguyễn Thị Ánh Tuyết"
    assert record["NgayTiepNhan"] == "20261116080000"
    assert record["NgayHenTra"] == "20261117080000"
    # The submission and the receipt, though only the receipt carried the code.
    assert [step["NoiDungXuLy"] for step in record["steps"]] == ["Nộp hồ sơ", "Tiếp nhận"]
    sync = PortalSync.objects.get(dossier=counter_dossier)
    assert (sync.state, sync.synced_seq, sync.queued_seq) == ("synced", 2, 2)
    row = MessageLog.objects.get(system="dvcqg")
    assert (row.direction, row.system, row.service, row.response_status, row.outcome) == (
        "out",
        "dvcqg",
        "dvcqg.dossier.sync",
        200,
        "ok",
    )
    # The payload carries personal data: by default only its digest is kept.
    assert row.body_storage == "digest" and row.request_body == "" and len(row.request_digest) == 64
    # The sync, and the applicant checked against the population database at the counter.
    assert log_verify() == (3, None)


def test_steps_reach_the_portal_in_order_once_each(sim, counter_dossier, people, clock):
    act(counter_dossier, "transfer", people["desk"])
    act(counter_dossier, "forward", people["specialist"])
    # Three messages for one dossier: each waits for the one before it.
    claimed = claim_due(worker="w1", now=clock.now, limit=50)
    assert [m.system for m in claimed].count("dvcqg") == 1
    clock.now += datetime.timedelta(minutes=5)  # that worker died; its lease ran out
    while deliver(clock):
        pass  # until nothing is left to deliver
    received = sim.received()
    keys = [d["idempotency_key"] for d in received["deliveries"]]
    assert keys == [m.idempotency_key for m in portal_messages()]
    assert set(received["effects"].values()) == {1}
    steps = received["dossiers"][counter_dossier.code]["steps"]
    assert [s["TrangThai"] for s in steps] == [1, 2, 4, 4]


def test_a_partner_down_for_a_day_gets_everything_when_it_returns(
    sim, counter_dossier, people, clock
):
    sim.knobs("dvcqg", down=True)
    act(counter_dossier, "transfer", people["desk"])
    start = clock.now
    while clock.now < start + datetime.timedelta(hours=24):
        deliver(clock)
        clock.now += datetime.timedelta(minutes=10)
    # The breaker spared the partner: nowhere near a call per round, and nothing lost.
    assert sim.received()["requests"] < 144
    assert not portal_messages().exclude(status=OutboxStatus.PENDING).exists()
    health = SystemHealth.objects.get(system__code="dvcqg")
    assert health.breaker == "open" and health.consecutive_failures >= 5
    sim.knobs("dvcqg", down=False)
    for _ in range(4):
        clock.now += datetime.timedelta(minutes=10)
        deliver(clock)
    assert set(portal_messages().values_list("status", flat=True)) == {"delivered"}
    received = sim.received()
    assert set(received["effects"].values()) == {1}
    assert received["dossiers"][counter_dossier.code]["TrangThaiHoSo"] == 4
    assert SystemHealth.objects.get(system__code="dvcqg").breaker == "closed"
    count, problem = log_verify()
    assert problem is None and count == MessageLog.objects.count() > 2


def test_past_the_budget_a_message_is_a_dead_letter_that_a_person_replays(
    sim, counter_dossier, people, staff, clock
):
    admin = staff("quantri", PROVINCE, "province_admin")
    sim.knobs("dvcqg", down=True)
    act(counter_dossier, "transfer", people["desk"])
    first, second = portal_messages()
    start = clock.now
    while clock.now < start + datetime.timedelta(hours=73):
        deliver(clock)
        clock.now += datetime.timedelta(minutes=30)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "dead"
    # The next one of the same dossier waits behind it, untried.
    assert (second.status, second.attempts) == ("pending", 0)
    assert PortalSync.objects.get(dossier=counter_dossier).state == "failed"
    notice = StaffNotification.objects.get(recipient=admin)
    assert "dvcqg" in notice.title and first.idempotency_key in notice.body

    sim.knobs("dvcqg", down=False)
    dead_letter_replay(actor=admin, message_id=first.pk)
    for _ in range(6):
        clock.now += datetime.timedelta(minutes=10)
        deliver(clock)
    assert set(portal_messages().values_list("status", flat=True)) == {"delivered"}
    assert PortalSync.objects.get(dossier=counter_dossier).state == "synced"


def test_only_a_province_administrator_replays(sim, counter_dossier, people, clock):
    message = portal_messages().get()
    OutboxMessage.objects.filter(pk=message.pk).update(status="dead")
    from egov.core.errors import NotAllowedError

    with pytest.raises(NotAllowedError):
        dead_letter_replay(actor=people["leader"], message_id=message.pk)
    assert portal_messages().get().status == "dead"


def test_a_message_the_partner_refuses_is_dead_at_once(sim, counter_dossier, clock):
    message = portal_messages().get()
    message.payload["NgayTiepNhan"] = "16/11/2026"  # not the portal's date format
    message.save(update_fields=["payload"])
    deliver(clock)
    message.refresh_from_db()
    assert (message.status, message.last_status, message.attempts) == ("dead", 400, 1)
    assert "302" in message.last_error
    # The partner answered: it is up, whatever it thought of the message.
    assert SystemHealth.objects.get(system__code="dvcqg").breaker == "closed"


def test_a_worker_that_dies_after_the_partner_applied_a_message_loses_nothing(
    sim, counter_dossier, clock
):
    from egov.interop.adapters import dvcqg

    (message,) = [
        m for m in claim_due(worker="dying", now=clock.now, limit=50) if m.topic == dvcqg.SERVICE
    ]
    dvcqg.send(message)  # the partner applies it; the worker dies before settling
    assert not deliver(clock, worker="w2")  # still leased: nobody sends it twice at once
    clock.now += datetime.timedelta(minutes=3)
    assert deliver(clock, worker="w2") == 2  # that one, and the applicant's notice
    received = sim.received()
    assert received["requests"] == 2 and received["effects"] == {message.idempotency_key: 1}
    assert portal_messages().get().status == "delivered"


def test_verify_log_reports_a_tampered_row(sim, counter_dossier, people, clock):
    act(counter_dossier, "transfer", people["desk"])
    while deliver(clock):
        pass  # until nothing is left to deliver
    call_command("verify_log")
    MessageLog.objects.filter(seq=1).update(response_status=500)
    with pytest.raises(Exception, match="#1"):
        call_command("verify_log")
    MessageLog.objects.filter(seq=1).update(response_status=200)
    call_command("verify_log")
    MessageLog.objects.order_by("-seq").first().delete()  # the last row
    with pytest.raises(Exception, match="cắt"):
        call_command("verify_log")
    MessageLog.objects.filter(seq=1).delete()  # one in the middle of what is left
    with pytest.raises(Exception, match="#2: liên kết"):
        call_command("verify_log")


def test_a_refused_dead_letter_is_discarded_and_its_dossier_goes_on(
    sim, counter_dossier, people, staff, clock, client
):
    admin = staff("quantri", PROVINCE, "province_admin")
    first = portal_messages().get()
    first.payload["NgayTiepNhan"] = "16/11/2026"  # refused by the portal, for good
    first.save(update_fields=["payload"])
    deliver(clock)
    act(counter_dossier, "transfer", people["desk"])
    deliver(clock)
    assert list(portal_messages().values_list("status", "attempts")) == [
        ("dead", 1),
        ("pending", 0),  # waits behind the dead letter
    ]
    client.force_login(people["auditor"])
    url = f"/can-bo/lien-thong/thu-loi/{first.pk}/huy/"
    assert client.post(url, {"reason": "Sai định dạng"}).status_code == 403
    client.force_login(admin)
    assert client.post(url, {"reason": ""}).status_code == 302  # a reason is needed
    assert portal_messages().first().status == "dead"
    client.post(url, {"reason": "Định dạng ngày cũ, cổng từ chối"})
    first.refresh_from_db()
    assert first.status == "discarded" and "quantri" in first.last_error
    deliver(clock)
    assert list(portal_messages().values_list("status", flat=True)) == ["discarded", "delivered"]


def test_dossiers_from_before_the_bus_are_synced_whole(sim, counter_dossier, people, clock):
    act(counter_dossier, "transfer", people["desk"])
    # As a dossier received before the bus: no sync record, nothing in the outbox.
    OutboxMessage.objects.all().delete()
    PortalSync.objects.all().delete()
    call_command("portal_resync")
    (message,) = portal_messages()
    assert [s["TrangThai"] for s in message.payload["QuaTrinhXuLy"]] == [1, 2, 4]
    call_command("portal_resync")  # again: nothing more
    assert portal_messages().count() == 1
    while deliver(clock):
        pass  # until nothing is left to deliver
    assert sim.received()["dossiers"][counter_dossier.code]["TrangThaiHoSo"] == 4
    assert PortalSync.objects.get(dossier=counter_dossier).state == "synced"
