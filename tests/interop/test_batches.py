"""The bus works in batches: a worker claims a batch in one statement and settles it in the
same few statements whatever its size; the message log takes a batch as one stretch of the
chain (one INSERT, one move of the head; on PostgreSQL chained again if the head moved
meanwhile), and `verify_log` still proves every row of it; an intake writes its bus and notice
rows in three statements (four on SQLite). What several workers do at once is in
test_workers.py."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from egov.dossiers.services import dossier_create
from egov.interop.adapters.http import Attempt
from egov.interop.models import LogHead, MessageLog, OutboxMessage, PortalSync
from egov.interop.services.delivery import attempts_settle
from egov.interop.services.log import Exchange, log_append, log_append_many, log_verify
from egov.interop.services.outbox import claim_due, outbox_put
from tests.dossiers.conftest import CITIZEN, act

OK = Attempt("ok", 200, "", "", 12, b'{"MaHoSo": "x"}', b'{"error_code": "0"}')


def put(key: int, seq: int) -> OutboxMessage:
    with transaction.atomic():  # as a dossier's event would
        return outbox_put(
            system="dvcqg",
            topic="dvcqg.dossier.sync",
            ordering_key=f"dossier:{key}",
            idempotency_key=f"dvcqg:{key}:{seq}",
            payload={"MaHoSo": f"H01-{key:04d}", "step": seq},
        )


def statements(queries: CaptureQueriesContext) -> list[str]:
    """What reached the database, without the test's own savepoints."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN"))
    ]


def exchange(key: str) -> Exchange:
    return Exchange(
        direction="in",
        system="thue",
        service="tax.payment",
        party="thue-client",
        request=f'{{"key": "{key}"}}'.encode(),
        response=b'{"error_code": "0"}',
        status=200,
        code="0",
        duration_ms=7,
        outcome="ok",
        idempotency_key=key,
    )


@pytest.mark.django_db
def test_a_batch_is_claimed_in_one_statement(clock):
    for key in range(12):
        put(key, 1)
        put(key, 2)
    with CaptureQueriesContext(connection) as queries:
        claimed = claim_due(worker="w1", now=clock.now, limit=10)
    sent = statements(queries)
    (claim,) = [sql for sql in sent if "interop_outboxmessage" in sql]
    assert claim.startswith("UPDATE") and "RETURNING" in claim
    assert len(sent) == 2  # the claim, and the breakers' state before it
    # The first message of the ten oldest keys, in order, leased and counted, payload and all.
    assert [m.idempotency_key for m in claimed] == [f"dvcqg:{k}:1" for k in range(10)]
    lease = clock.now + datetime.timedelta(seconds=settings.MOTCUA_OUTBOX_LEASE_SECONDS)
    assert {(m.lease_owner, m.attempts, m.leased_until) for m in claimed} == {("w1", 1, lease)}
    assert claimed[3].payload == {"MaHoSo": "H01-0003", "step": 1}
    stored = OutboxMessage.objects.get(pk=claimed[3].pk)
    assert (stored.lease_owner, stored.attempts, stored.leased_until) == ("w1", 1, lease)
    # Another worker gets what is left: never the second message of a key still in flight.
    other = claim_due(worker="w2", now=clock.now, limit=10)
    assert [m.idempotency_key for m in other] == ["dvcqg:10:1", "dvcqg:11:1"]
    assert claim_due(worker="w3", now=clock.now, limit=10) == []
    # A lease that ran out (its worker died) lets a third worker take the message again.
    later = clock.now + datetime.timedelta(seconds=settings.MOTCUA_OUTBOX_LEASE_SECONDS + 1)
    again = claim_due(worker="w3", now=later, limit=50)
    assert sorted(m.idempotency_key for m in again) == sorted(
        m.idempotency_key for m in claimed + other
    )
    assert {m.attempts for m in again} == {2}


@pytest.mark.django_db
def test_settling_a_batch_costs_the_same_statements_whatever_its_size(clock):
    costs = []
    # The first round also reads the registry and makes the log's head: not counted.
    for first, size in ((0, 2), (100, 3), (200, 30)):
        for key in range(first, first + size):
            put(key, 1)
        claimed = claim_due(worker="w1", now=clock.now, limit=100)
        assert len(claimed) == size
        with CaptureQueriesContext(connection) as queries:
            settled = attempts_settle(
                worker="w1", attempts=[(m.pk, OK) for m in claimed], now=clock.now
            )
        costs.append(len(statements(queries)))
        assert {m.status for m in settled if m is not None} == {"delivered"}
    # The messages locked; the delivered ones' UPDATE; the portal's sync rows; the system's
    # health; the log's head read, and the rows written with its move (SQLite: locked, rows,
    # head: one more).
    assert costs[1:] == ([6, 6] if connection.vendor == "postgresql" else [7, 7]), costs
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}
    assert log_verify() == (35, None)
    assert LogHead.objects.get().seq == 35


@pytest.mark.django_db
def test_a_try_settled_by_a_worker_that_lost_its_lease_is_logged_and_changes_nothing(clock):
    put(1, 1)
    (mine,) = claim_due(worker="w1", now=clock.now, limit=10)
    later = clock.now + datetime.timedelta(seconds=settings.MOTCUA_OUTBOX_LEASE_SECONDS + 1)
    (theirs,) = claim_due(worker="w2", now=later, limit=10)
    assert attempts_settle(worker="w1", attempts=[(mine.pk, OK)], now=later) == [None]
    stored = OutboxMessage.objects.get(pk=mine.pk)
    assert (stored.status, stored.lease_owner) == ("pending", "w2")
    assert attempts_settle(worker="w2", attempts=[(theirs.pk, OK)], now=later)[0].status == (
        "delivered"
    )
    assert MessageLog.objects.filter(outbox_id=mine.pk).count() == 2  # both tries, logged


@pytest.mark.django_db
def test_one_settling_moves_each_dossiers_portal_sync_to_what_the_portal_took(
    procedures, people, clock
):
    first, second = (
        dossier_create(
            actor=people["desk"],
            procedure_code="1.001193",
            channel="counter",
            applicant=CITIZEN,
            return_method="counter",
        )
        for _ in range(2)
    )
    act(second, "transfer", people["desk"])  # a second message for it, queued behind
    claimed = [m for m in claim_due(worker="w1", now=clock.now, limit=50) if m.system == "dvcqg"]
    assert len(claimed) == 2
    attempts_settle(worker="w1", attempts=[(m.pk, OK) for m in claimed], now=clock.now)
    states = {
        sync.dossier_id: (sync.state, sync.synced_seq, sync.queued_seq)
        for sync in PortalSync.objects.all()
    }
    assert states == {first.pk: ("synced", 2, 2), second.pk: ("pending", 2, 3)}
    (last,) = [m for m in claim_due(worker="w1", now=clock.now, limit=50) if m.system == "dvcqg"]
    attempts_settle(worker="w1", attempts=[(last.pk, OK)], now=clock.now)
    sync = PortalSync.objects.get(dossier=second)
    assert (sync.state, sync.synced_seq, sync.synced_at) == ("synced", 3, clock.now)


@pytest.mark.django_db
def test_an_intake_writes_its_bus_and_notice_rows_in_three_statements(procedures, people, clock):
    with CaptureQueriesContext(connection) as queries:
        dossier = dossier_create(
            actor=people["desk"],
            procedure_code="1.001193",
            channel="counter",
            applicant=CITIZEN,
            return_method="counter",
        )
    bus = [
        sql
        for sql in statements(queries)
        if "interop_outboxmessage" in sql or "interop_portalsync" in sql
    ]
    # The portal's sync row (PostgreSQL reads its last mark in the same statement), the
    # portal's message, and the applicant's notice on every channel: no look-up first.
    assert len(bus) == (3 if connection.vendor == "postgresql" else 4), bus
    assert [sql.split()[0] for sql in bus][-2:] == ["INSERT", "INSERT"]
    assert not [sql for sql in bus if "interop_outboxmessage" in sql and sql.startswith("SELECT")]
    assert sorted(OutboxMessage.objects.values_list("topic", flat=True)) == [
        "dvcqg.dossier.sync",
        "notify.applicant",  # the e-mail and the SMS, in one INSERT
        "sms.send",
    ]
    sync = PortalSync.objects.get(dossier=dossier)
    assert (sync.state, sync.queued_seq, sync.synced_seq) == ("pending", 2, 0)
    # The next event's message carries the steps since that mark, and moves it.
    act(dossier, "transfer", people["desk"])
    message = OutboxMessage.objects.filter(topic="dvcqg.dossier.sync").order_by("-pk").first()
    assert [step["TrangThai"] for step in message.payload["QuaTrinhXuLy"]] == [4]
    assert PortalSync.objects.get(dossier=dossier).queued_seq == 3


@pytest.mark.django_db
def test_a_batch_of_log_rows_is_one_stretch_of_the_chain_that_verify_log_proves(clock):
    log_append(exchange("before"), at=clock.now)
    with CaptureQueriesContext(connection) as queries:
        rows = log_append_many([exchange(f"k{n}") for n in range(5)], at=clock.now)
    # The head held once: read and locked, then the rows and the head written.
    assert len(statements(queries)) == (2 if connection.vendor == "postgresql" else 3)
    assert [row.seq for row in rows] == [2, 3, 4, 5, 6]
    assert all(row.pk for row in rows)
    stored = list(MessageLog.objects.order_by("seq"))
    assert [row.prev_hash for row in stored[1:]] == [row.hash for row in stored[:-1]]
    assert (LogHead.objects.get().seq, LogHead.objects.get().hash) == (6, rows[-1].hash)
    call_command("verify_log", stdout=None)
    assert log_verify() == (6, None)

    MessageLog.objects.filter(seq=4).update(duration_ms=8)  # inside the batch
    with pytest.raises(Exception, match="#4"):
        call_command("verify_log")
    MessageLog.objects.filter(seq=4).update(duration_ms=7)
    MessageLog.objects.filter(seq=3).delete()
    with pytest.raises(Exception, match="#4: liên kết"):
        call_command("verify_log")


@pytest.mark.django_db
def test_rows_chained_to_a_head_that_moved_meanwhile_are_chained_again(clock, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: its appender holds the head throughout")
    log_append(exchange("first"), at=clock.now)
    reads = []
    real = LogHead.objects.get_or_create

    def stale_first(**kwargs):
        reads.append(kwargs)
        if len(reads) == 1:  # another appender moved the head since this one read it
            return LogHead(pk=1, seq=0, hash=""), False
        return real(**kwargs)

    monkeypatch.setattr(LogHead.objects, "get_or_create", stale_first)
    rows = log_append_many([exchange("a"), exchange("b")], at=clock.now)
    assert len(reads) == 2  # the first try moved nothing and wrote nothing
    assert [row.seq for row in rows] == [2, 3]
    assert MessageLog.objects.count() == 3
    assert log_verify() == (3, None)
