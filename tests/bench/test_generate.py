"""The benchmark data generator (bench/generate.py): what it writes is what the engine would
have written — codes, counters, event chains, the message log, the flags — and the pages and
the API answer on it. Runs on SQLite (multi-row INSERTs) and PostgreSQL (COPY, and there the
load without the big tables' indexes, made again at the end)."""

import datetime
import random
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import F, Q
from django.test import Client

from bench.generate import Clock, Report, _canonical, generate
from egov.catalog.rules import form_data_problems
from egov.core.workcal import WorkingCalendar
from egov.demo.seed import seed_demo
from egov.dossiers import lifecycle
from egov.dossiers.models import BookCounter, DailyCounter, Dossier, DossierEvent, ProcessTask
from egov.dossiers.policies import visible_q
from egov.dossiers.selectors import event_chain_breaks
from egov.dossiers.services.deadlines import deadlines_flag
from egov.interop.models import LogHead, MessageLog, OutboxMessage, PortalSync
from egov.interop.services.log import log_verify
from egov.orgs.models import Agency

VN = datetime.timezone(datetime.timedelta(hours=7))
ANCHOR = datetime.datetime(2026, 11, 18, 15, 0, tzinfo=VN)  # a Wednesday afternoon
CODE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.H01-\d{6}-\d{4}$")
LONG_XUYEN_DESK = "001.03.50.H01"


@pytest.fixture
def province(db: Any, settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    seed_demo()


def _generate(count: int, seed: int = 2026) -> Report:
    # On PostgreSQL the load takes the path of large loads: COPY FREEZE into the truncated
    # tables, without their indexes and foreign keys, which are made again (and checked).
    return generate(
        count,
        seed=seed,
        now=ANCHOR,
        years=1.0,
        bus_days=120,
        progress=False,
        rebuild_indexes=connection.vendor == "postgresql",
    )


def test_the_generated_province_is_what_the_engine_would_have_written(province: None) -> None:
    report = _generate(200)

    counts = report.counts
    assert counts["dossiers_dossier"] == Dossier.objects.count() == 200
    assert counts["dossiers_dossierevent"] >= 5 * 200
    assert counts["dossiers_processtask"] >= 2 * 200
    assert counts["interop_outboxmessage"] > 0
    assert counts["interop_messagelog"] > 0

    # Every status of the lifecycle, every transition one of its rules.
    assert set(Dossier.objects.values_list("status", flat=True)) == set(lifecycle.Status.values)
    rules = {(rule.source, rule.action, rule.target) for rule in lifecycle.TABLE}
    moves = set(
        DossierEvent.objects.exclude(action__in=["submit", "assign"]).values_list(
            "from_status", "action", "to_status"
        )
    )
    assert moves <= rules, moves - rules

    # Codes: unique, in the engine's format, numbered per desk and day without gaps, the
    # counters where the numbering ends; book numbers from 1 per desk and year.
    codes = list(Dossier.objects.exclude(code=None).values_list("receiving_agency", "code"))
    assert len({code for _, code in codes}) == len(codes) > 150
    assert all(CODE.match(code) for _, code in codes)
    by_day: dict[tuple[int, str], list[int]] = defaultdict(list)
    for agency, code in codes:
        _, day, number = code.rsplit("-", 2)
        by_day[agency, day].append(int(number))
    counters = {(c.agency_id, c.day.strftime("%y%m%d")): c.last for c in DailyCounter.objects.all()}
    for key, numbers in by_day.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
        assert counters[key] == len(numbers), key
    books = Counter(
        (agency, received.astimezone(VN).year)
        for agency, received in Dossier.objects.exclude(code=None).values_list(
            "receiving_agency", "received_at"
        )
    )
    assert {(b.agency_id, b.year): b.last for b in BookCounter.objects.all()} == dict(books)

    # The chains verify: each dossier's events, and the message log up to its head.
    assert [break_ for break_ in event_chain_breaks() if break_[1] is not None] == []
    assert log_verify() == (MessageLog.objects.count(), None)
    assert LogHead.objects.get().seq == MessageLog.objects.count()
    assert not Dossier.objects.exclude(version=F("event_seq")).exists()

    # One open step at most, and one for every dossier at a step; flags as the job sets them.
    open_tasks = Counter(ProcessTask.objects.filter(finished_at=None).values_list("dossier"))
    assert max(open_tasks.values()) == 1
    at_a_step = Dossier.objects.filter(status__in=["received", "processing"])
    assert at_a_step.exists()
    assert not at_a_step.exclude(tasks__finished_at=None).exists()
    assert deadlines_flag(now=ANCHOR).dossiers_changed == 0
    if any(field.name == "elsewhere" for field in ProcessTask._meta.concrete_fields):
        partner = Q(elsewhere=True)
        at_home = Q(agency=F("dossier__receiving_agency")) | Q(
            agency=F("dossier__competent_agency")
        )
        assert not ProcessTask.objects.filter(partner & at_home).exists()
        assert not ProcessTask.objects.exclude(partner).exclude(at_home).exists()

    # The e-forms are the procedures' own; the outbox holds delivered and waiting messages.
    for each in Dossier.objects.select_related("procedure"):
        assert form_data_problems(each.procedure.form_schema, each.form_data) == {}
    statuses = set(OutboxMessage.objects.values_list("status", flat=True))
    assert "delivered" in statuses and "pending" in statuses
    assert PortalSync.objects.exists()
    # The demo's VNeID citizen has dossiers of his own.
    assert Dossier.objects.filter(applicant_id_number="091200001111").exists()

    # The pages and the API answer on it, for the demo's reception officer of Long Xuyên.
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.get(username="tiepnhan.longxuyen")
    desk = Agency.objects.get(code=LONG_XUYEN_DESK)
    mine = Dossier.objects.filter(visible_q(officer)).exclude(code=None)
    assert mine.filter(receiving_agency=desk).count() >= 3
    dossier = mine.filter(receiving_agency=desk).order_by("-pk")[0]
    client = Client()
    client.force_login(officer)
    listed = client.get("/api/v1/dossiers", {"limit": 50})
    assert listed.status_code == 200
    assert listed.json()["items"]
    detail = client.get(f"/api/v1/dossiers/{dossier.code}")
    assert detail.status_code == 200
    assert detail.json()["code"] == dossier.code
    assert client.get(f"/api/v1/dossiers/{dossier.code}/events").status_code == 200
    assert client.get("/can-bo/", {"tab": "all"}).status_code == 200
    assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 200
    public = Client()
    assert public.get(f"/api/v1/public/dossiers/{dossier.code}").status_code == 200
    assert public.get(f"/tra-cuu/{dossier.code}/").status_code == 200


def test_a_second_load_adds_to_the_first(province: None) -> None:
    _generate(80)
    _generate(60, seed=7)

    assert Dossier.objects.count() == 140
    codes = list(Dossier.objects.exclude(code=None).values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert [b for b in event_chain_breaks() if b[1] is not None] == []
    assert log_verify() == (MessageLog.objects.count(), None)


def test_the_clock_counts_as_the_working_calendar() -> None:
    calendar = WorkingCalendar(
        extra_days_off=[datetime.date(2026, 8, 31)],
        extra_working_days=[datetime.date(2026, 8, 22)],
    )
    clock = Clock(calendar, datetime.date(2025, 1, 1), datetime.date(2028, 12, 31))
    rng = random.Random(1)  # noqa: S311 - repeatable samples
    start = datetime.datetime(2025, 2, 1, tzinfo=VN)
    for _ in range(3000):
        at = start + datetime.timedelta(seconds=rng.randrange(700 * 86400))
        ts = int(at.timestamp())
        minutes = rng.choice([0, 1, 30, 270, 479, 480, 481, 2400, rng.randrange(20000)])
        assert clock.add(ts, minutes) == int(calendar.add_working_time(at, minutes).timestamp())
        later = at + datetime.timedelta(seconds=rng.randrange(40 * 86400))
        assert clock.between(ts, int(later.timestamp())) == calendar.working_minutes_between(
            at, later
        )
        for value, unit in (
            ("1", "working_days"),
            ("2.5", "hours"),
            ("20", "days"),
            ("2", "months"),
        ):
            from decimal import Decimal

            expected = calendar.due_time(at, Decimal(value), unit)
            assert clock.due(ts, Decimal(value), unit) == int(expected.timestamp()), (at, unit)


def test_event_payloads_are_hashed_as_canonical_json() -> None:
    import json

    from bench.generate import Raw

    task = Raw('{"agency":"000.03.50.H01","assignee":"","due_at":"x","position":2}')
    finished = Raw('{"outcome":"early","position":1}')
    payload: dict[str, Any] = {
        "task": task,
        "finished_task": finished,
        "recipient": {"name": 'Nguyễn "Văn" A\\', "id_number": "089123456789"},
        "late_notice": False,
        "remaining_minutes": 0,
        "deadline": "2026-11-18T17:00:00+07:00",
    }
    plain = {
        **payload,
        "task": json.loads(task),
        "finished_task": json.loads(finished),
    }
    expected = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert _canonical(payload) == expected
