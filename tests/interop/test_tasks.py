"""The delivery worker as the Django tasks API runs it (database backend): a committed outbox
row wakes one round, not one per row; a round that fails still queues the next; an idle
worker waits for the next retry rather than polling; the tax poll keeps itself going."""

import datetime
import math

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from egov.interop import tasks
from egov.interop.services import outbox
from egov.interop.services.outbox import outbox_put


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MOTCUA_OUTBOX_KICK = True
    settings.MOTCUA_OUTBOX_KICK_SECONDS = 0


def ready(name: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status="READY", task_path__endswith=f".{name}"))


def put(n: int) -> None:
    outbox_put(
        system="dvcqg",
        topic="dvcqg.dossier.sync",
        ordering_key=f"dossier:{n}",
        idempotency_key=f"dvcqg:{n}:1",
        payload={"MaHoSo": str(n)},
    )


def test_committed_rows_wake_one_round(db_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            put(1)
        with transaction.atomic():
            put(2)
    assert len(ready("deliver_outbox")) == 1


def test_a_process_that_just_woke_the_worker_does_not_ask_again(
    db_tasks, settings, monkeypatch, django_assert_num_queries
):
    """What a commit runs (`_kick`), called as commits in one process would call it."""
    settings.MOTCUA_OUTBOX_KICK_SECONDS = 60
    monkeypatch.setattr(outbox, "_kicked_at", -math.inf)  # a process that never asked
    put(1)
    outbox._kick()
    assert len(ready("deliver_outbox")) == 1
    DBTaskResult.objects.all().delete()  # that round ran
    put(2)
    with django_assert_num_queries(0):
        outbox._kick()  # within the minute: no question to the task table, no new round
    assert ready("deliver_outbox") == []
    settings.MOTCUA_OUTBOX_KICK_SECONDS = 0
    outbox._kick()
    assert len(ready("deliver_outbox")) == 1


def test_a_failing_round_still_queues_the_next(db_tasks, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(tasks, "deliver_due", broken)
    with transaction.atomic():
        put(1)
    with pytest.raises(RuntimeError):
        tasks.deliver_outbox.call()
    (following,) = ready("deliver_outbox")
    assert following.run_after > timezone.now()


def test_an_idle_worker_waits_for_the_next_retry(db_tasks, settings):
    settings.MOTCUA_LGSP_SYSTEMS = {**settings.MOTCUA_LGSP_SYSTEMS, "dvcqg": {"url": ""}}
    with transaction.atomic():
        put(1)  # for a system without an address: it waits, and so does the worker
    assert tasks.deliver_outbox.call() == 0
    (following,) = ready("deliver_outbox")
    assert following.run_after >= timezone.now() + datetime.timedelta(seconds=55)


def test_nothing_pending_ends_the_chain(db_tasks):
    assert tasks.deliver_outbox.call() == 0
    assert ready("deliver_outbox") == []


def test_the_tax_poll_and_a_round_start_with_the_worker_once(db_tasks):
    tasks.periodic_start()
    tasks.periodic_start()
    assert len(ready("deliver_outbox")) == 1
    assert len(ready("poll_obligations")) == 1
    tasks.poll_obligations.call()
    later = [t for t in ready("poll_obligations") if t.run_after > timezone.now()]
    assert len(later) == 1
