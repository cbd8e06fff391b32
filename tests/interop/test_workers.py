"""Real workers against real row locks (PostgreSQL): two at once never send the same message,
workers claiming batches at once never hold one message together while callers append to the
message log beside them (one unbroken chain), and one killed in the middle of a delivery
loses nothing while the partner applies each message once. On SQLite, claims are serialised
by the database's single writer instead; the same semantics are tested there in-process
(test_delivery.py, test_batches.py)."""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from egov.dossiers.models import Dossier
from egov.dossiers.services import dossier_create
from egov.interop.models import LogHead, MessageLog, OutboxMessage
from egov.interop.services.delivery import attempts_settle, deliver_due
from egov.interop.services.log import log_append, log_verify
from egov.interop.services.outbox import claim_due
from tests.dossiers.conftest import CITIZEN, act
from tests.interop.test_batches import OK, exchange, put

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's real row locks (MOTCUA_TEST_DATABASE_URL=postgres://...)")


def receive(people, count: int) -> None:
    for _ in range(count):
        dossier_create(
            actor=people["desk"],
            procedure_code="1.001193",
            channel="counter",
            applicant=CITIZEN,
            return_method="counter",
        )


def portal_keys() -> list[str]:
    return list(
        OutboxMessage.objects.filter(system="dvcqg").values_list("idempotency_key", flat=True)
    )


def test_two_workers_at_once_never_send_the_same_message(sim, procedures, people):
    receive(people, 20)
    for dossier in Dossier.objects.all():  # a second and a third message for each dossier
        act(dossier, "transfer", people["desk"])
        act(dossier, "forward", people["specialist"])
    sim.knobs("dvcqg", latency_ms=20)
    counts: list[int] = []

    def work(name: str) -> None:
        try:
            counts.append(deliver_due(worker=name, batch=5, max_seconds=60))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    received = sim.received()
    # Each message was sent exactly once: no replays at all, so no two workers held one.
    assert received["requests"] == 60
    assert sorted(received["effects"]) == sorted(portal_keys())
    assert set(received["effects"].values()) == {1}
    assert min(counts) > 0  # both workers took part
    # Each dossier's messages arrived in the order of its events, whichever worker sent them.
    arrived: dict[str, list[int]] = {}
    for delivery in received["deliveries"]:
        arrived.setdefault(delivery["MaHoSo"], []).append(
            int(delivery["idempotency_key"].rsplit(":", 1)[1])
        )
    assert len(arrived) == 20
    assert all(seqs == sorted(seqs) and len(seqs) == 3 for seqs in arrived.values())
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}


def test_a_worker_killed_mid_delivery_loses_nothing(sim, sim_server, procedures, people, tmp_path):
    receive(people, 3)
    # The partner applies each message, then takes 5 s to answer: the worker dies meanwhile
    # (it sends the three dossiers' messages side by side).
    sim.knobs("dvcqg", ack_delay_ms=5000)
    db = connection.settings_dict
    env = os.environ | {
        "MOTCUA_MODE": "test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "MOTCUA_SIMS_URL": sim_server.base_url,
        "MOTCUA_OUTBOX_LEASE_SECONDS": "50",
    }
    output = tmp_path / "worker.log"
    with output.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "deliver_outbox", "--seconds", "60"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while not sim.received()["effects"] and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
    assert sim.received()["effects"], output.read_text()[-3000:]
    applied = sim.received()["effects"]
    in_flight = OutboxMessage.objects.filter(idempotency_key__in=applied)
    # Applied by the partner, never settled here: still held by the dead worker.
    assert {(m.status, bool(m.lease_owner)) for m in in_flight} == {("pending", True)}

    sim.knobs("dvcqg", ack_delay_ms=0)
    later = timezone.now() + datetime.timedelta(minutes=1)  # past the dead worker's lease
    while deliver_due(worker="w2", batch=50, max_seconds=30, clock=lambda: later):
        pass  # until nothing is left to deliver
    received = sim.received()
    assert sorted(received["effects"]) == sorted(portal_keys())
    assert set(received["effects"].values()) == {1}  # sent twice, applied once
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}


def test_workers_claiming_batches_at_once_never_hold_one_message_together():
    keys, per_key = 40, 3
    for key in range(keys):
        for seq in range(1, per_key + 1):
            put(key, seq)
    claims: list[tuple[str, int, str]] = []  # (worker, message id, key), in the order claimed
    lock = threading.Lock()
    singles = 30
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            while OutboxMessage.objects.filter(status="pending").exists():
                claimed = claim_due(worker=name, now=timezone.now(), limit=7)
                with lock:
                    claims.extend((name, m.pk, m.idempotency_key) for m in claimed)
                if not claimed:
                    time.sleep(0.005)  # the rest is held by others, or waits behind them
                    continue
                attempts_settle(
                    worker=name, attempts=[(m.pk, OK) for m in claimed], now=timezone.now()
                )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    def call(n: int) -> None:
        # Calls someone waits for (a population look-up, an inbound call): one row each.
        try:
            for i in range(n):
                log_append(exchange(f"single-{threading.get_ident()}-{i}"), at=timezone.now())
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    threads += [threading.Thread(target=call, args=(singles // 2,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors

    ids = [pk for _, pk, _ in claims]
    assert len(ids) == len(set(ids)) == keys * per_key  # each claimed once, by one worker
    assert len({worker for worker, _, _ in claims}) > 1
    # Each key's messages were claimed in the order they were written.
    order: dict[str, list[int]] = {}
    for _, _, key in claims:
        _, dossier, seq = key.split(":")
        order.setdefault(dossier, []).append(int(seq))
    assert all(seqs == list(range(1, per_key + 1)) for seqs in order.values())
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"delivered"}
    # One unbroken chain: every try and every single call, numbered without a gap.
    total = keys * per_key + singles
    assert log_verify() == (total, None)
    assert list(MessageLog.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, total + 1)
    )
    assert LogHead.objects.get().seq == total
