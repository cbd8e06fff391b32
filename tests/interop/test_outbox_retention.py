"""Personal data kept only as long as needed (issue 12, point 9): the payload of a message
delivered more than `MOTCUA_OUTBOX_PAYLOAD_DAYS` days ago is cleared, in bounded batches; its
digest and the message log stay, so what was sent can still be proven; what may still be sent
keeps its payload, and a cleared message is never sent again."""

import datetime
import hashlib
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from egov.interop import tasks
from egov.interop.adapters.http import Attempt
from egov.interop.models import MessageLog, OutboxMessage, OutboxStatus
from egov.interop.services.civil_status import civil_status_status
from egov.interop.services.delivery import attempts_settle, deliver_due
from egov.interop.services.log import log_verify
from egov.interop.services.outbox import (
    OutboxReplayError,
    claim_due,
    dead_letter_replay,
    outbox_clear_delivered_payloads,
    outbox_put,
)
from tests.conftest import PROVINCE
from tests.interop.test_civil_status import birth, queue

__all__ = ["birth"]

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
# A notice as the notifications app queues it: a citizen's name, ID number, phone, address.
PERSONAL = {
    "to": "0912345678",
    "name": "Nguyễn Thị Ánh Tuyết",
    "text": "Hồ sơ của bà (CCCD 089190000123, 12 Trần Hưng Đạo, Long Xuyên) đã có kết quả.",
    "channel": "sms",
}


def sha256_of(payload: dict[str, Any]) -> str:
    """The digest a person can check by hand: canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def put(n: int, **extra: Any) -> OutboxMessage:
    with transaction.atomic():  # as a change's transaction would
        return outbox_put(
            system="dvcqg",
            topic="dvcqg.dossier.sync",
            ordering_key=f"dossier:{n}",
            idempotency_key=f"dvcqg:{n}:1",
            payload={**PERSONAL, "MaHoSo": f"H01-{n:04d}", **extra},
        )


TAKEN = Attempt("ok", 200, "", "", 120, b'{"MaHoSo": "x"}', b'{"ok": true}')
REFUSED = Attempt("rejected", 400, "302", "HTTP 400 [302]", 80, b'{"MaHoSo": "x"}', b"{}")


def settle(clock: Any, attempt: Attempt) -> list[OutboxMessage]:
    """A worker claims everything due now and settles every try with the attempt."""
    claimed = claim_due(worker="w1", now=clock.now, limit=1000)
    attempts_settle(worker="w1", attempts=[(m.pk, attempt) for m in claimed], now=clock.now)
    return [OutboxMessage.objects.get(pk=m.pk) for m in claimed]


@pytest.fixture
def operator(staff: Any) -> Any:
    return staff("quantri", PROVINCE, "province_admin")


@pytest.fixture
def old(clock: Any) -> OutboxMessage:
    """A notice delivered 31 days ago (the clock then moves to today)."""
    put(1)
    (delivered,) = settle(clock, TAKEN)
    assert delivered.status == OutboxStatus.DELIVERED
    clock.now += 31 * DAY
    return delivered


def test_a_payload_is_digested_when_queued(clock):
    message = put(1)
    assert message.payload_sha256 == sha256_of(message.payload)
    # The digest does not depend on the order the database gives the keys back in.
    message.refresh_from_db()
    assert message.payload_sha256 == sha256_of(dict(reversed(message.payload.items())))


def test_a_payload_delivered_more_than_n_days_ago_is_cleared_and_its_digest_kept(old, clock):
    sent = dict(old.payload)
    assert outbox_clear_delivered_payloads(older_than_days=30) == 1
    old.refresh_from_db()
    assert old.payload == {}
    assert old.payload_cleared_at == clock.now
    assert old.payload_sha256 == sha256_of(sent)  # what was sent can still be proven
    assert (old.status, old.delivered_at) == ("delivered", clock.now - 31 * DAY)
    # Once is enough: the next day's run finds nothing to do.
    assert outbox_clear_delivered_payloads(older_than_days=30) == 0


def test_what_may_still_be_sent_and_recent_deliveries_keep_their_payloads(clock):
    put(1)
    (first,) = settle(clock, TAKEN)  # delivered 40 days before the run
    put(2)
    (dead,) = settle(clock, REFUSED)  # dead 40 days before: a person may still replay it
    assert dead.status == OutboxStatus.DEAD
    clock.now += 11 * DAY
    put(3)
    settle(clock, TAKEN)  # delivered 29 days before the run
    put(4)  # still pending 29 days on
    clock.now += 29 * DAY
    assert outbox_clear_delivered_payloads(older_than_days=30) == 1
    first.refresh_from_db()
    assert first.payload == {} and first.payload_cleared_at == clock.now
    kept = OutboxMessage.objects.exclude(pk=first.pk).order_by("pk")
    assert [(m.status, m.payload["MaHoSo"], m.payload_cleared_at) for m in kept] == [
        ("dead", "H01-0002", None),
        ("delivered", "H01-0003", None),
        ("pending", "H01-0004", None),
    ]
    assert all(m.payload["name"] == PERSONAL["name"] for m in kept)


def test_the_message_log_still_verifies_after_clearing(old, clock):
    put(2)
    settle(clock, TAKEN)
    log = MessageLog.objects.order_by("seq").values_list("seq", "request_digest", "hash")
    rows = list(log)
    assert len(rows) == 2
    assert outbox_clear_delivered_payloads(older_than_days=30) == 1
    assert list(log.all()) == rows  # the log is not touched
    assert log_verify() == (2, None)
    out = StringIO()
    call_command("verify_log", stdout=out)
    assert "toàn vẹn: 2 bản ghi" in out.getvalue()


def test_a_cleared_message_is_never_sent_again(old, clock, operator, client):
    outbox_clear_delivered_payloads(older_than_days=30)
    with pytest.raises(OutboxReplayError, match="Nội dung đã xóa sau 31 ngày"):
        dead_letter_replay(actor=operator, message_id=old.pk)
    client.force_login(operator)
    answer = client.post(reverse("interop:replay", args=[old.pk]), follow=True)
    assert "Không gửi lại được: Nội dung đã xóa sau 31 ngày" in answer.content.decode()

    # Even a row set back to dead by hand is refused, and one set back to pending is never
    # sent with an empty payload: it is a dead letter at once, without a request.
    OutboxMessage.objects.filter(pk=old.pk).update(status=OutboxStatus.DEAD)
    with pytest.raises(OutboxReplayError, match="Không gửi lại được"):
        dead_letter_replay(actor=operator, message_id=old.pk)
    OutboxMessage.objects.filter(pk=old.pk).update(
        status=OutboxStatus.PENDING, next_attempt_at=clock.now
    )
    deliver_due(worker="w2", batch=50, max_seconds=10, clock=lambda: clock.now)
    old.refresh_from_db()
    assert (old.status, old.payload) == ("dead", {})
    assert "đã bị xóa" in old.last_error
    tried = MessageLog.objects.filter(outbox_id=old.pk).order_by("-seq").first()
    assert tried.outcome == "rejected" and tried.response_status is None
    assert tried.request_digest == hashlib.sha256(b"").hexdigest()  # nothing went out


def test_the_clearing_goes_in_bounded_batches(clock):
    for n in range(25):
        put(n)
    assert len(settle(clock, TAKEN)) == 25
    clock.now += 31 * DAY
    with CaptureQueriesContext(connection) as queries:
        assert outbox_clear_delivered_payloads(older_than_days=30, batch=10) == 25
    updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "payload_cleared_at" in q["sql"]
    ]
    assert len(updates) == 3  # 10, 10 and 5 rows, each its own statement
    assert not OutboxMessage.objects.exclude(payload={}).exists()
    assert OutboxMessage.objects.filter(payload_cleared_at=clock.now).count() == 25


def test_rows_queued_before_digests_are_digested_before_they_are_cleared(old, clock):
    sent = dict(old.payload)
    OutboxMessage.objects.filter(pk=old.pk).update(payload_sha256="")  # an older row
    outbox_clear_delivered_payloads(older_than_days=30)
    old.refresh_from_db()
    assert old.payload == {} and old.payload_sha256 == sha256_of(sent)


def test_the_operator_page_says_the_payload_was_cleared(old, clock, operator, client):
    client.force_login(operator)
    url = reverse("interop:dead_letter", args=[old.pk])
    before = client.get(url).content.decode()
    assert PERSONAL["name"] in before and old.payload_sha256 in before
    outbox_clear_delivered_payloads(older_than_days=30)
    html = client.get(url).content.decode()
    assert "Nội dung đã xóa sau 31 ngày" in html
    assert old.payload_sha256 in html  # the digest is still shown
    assert PERSONAL["name"] not in html and "<code>{}</code>" not in html


def test_the_daily_job_and_its_command_take_the_setting(old, clock, settings):
    settings.MOTCUA_OUTBOX_PAYLOAD_DAYS = 32
    assert tasks.clear_outbox_payloads.call() == {"cleared": 0, "days": 32}
    out = StringIO()
    call_command("clear_outbox_payloads", stdout=out)
    assert "Đã xóa nội dung của 0 thông điệp" in out.getvalue()
    settings.MOTCUA_OUTBOX_PAYLOAD_DAYS = 30
    assert tasks.clear_outbox_payloads.call() == {"cleared": 1, "days": 30}
    call_command("clear_outbox_payloads", days=1, stdout=out)
    assert "Đã xóa nội dung của 0 thông điệp đã gửi được quá 1 ngày" in out.getvalue()
    with pytest.raises(CommandError, match="từ 1 trở lên"):
        call_command("clear_outbox_payloads", days=0, stdout=out)
    # From cron, handed to the task worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("clear_outbox_payloads", enqueue=True, stdout=out)
    (queued,) = DBTaskResult.objects.filter(status="READY")
    assert queued.task_path == "egov.interop.tasks.clear_outbox_payloads"


def test_a_civil_status_registration_is_read_back_after_its_payload_is_cleared(
    sim, birth, people, clock
):
    message = queue(birth)
    deliver_due(worker="w", batch=50, max_seconds=10, clock=lambda: clock.now)
    message.refresh_from_db()
    assert message.status == "delivered"
    clock.now += 31 * DAY
    assert outbox_clear_delivered_payloads(older_than_days=30) >= 1
    message.refresh_from_db()
    assert message.payload == {}
    state = civil_status_status(actor=people["specialist"], dossier=birth)
    assert (state.code, state.registered) == (1, False)
