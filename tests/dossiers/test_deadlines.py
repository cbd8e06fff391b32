"""Due-soon and overdue flags: set from the due times, idempotent, cheap."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from egov.dossiers.services.deadlines import deadlines_flag
from tests.dossiers.conftest import VN, act

pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=VN)


def test_flags_follow_the_clock(counter_dossier, people, django_assert_max_num_queries):
    dossier = counter_dossier  # received Mon 16/11 08:00, due Tue 17/11 08:00
    act(dossier, "transfer", people["desk"])
    deadlines_flag(now=at(2026, 11, 16, 8, 30))
    dossier.refresh_from_db()
    assert (dossier.due_soon, dossier.overdue) == (True, False)
    with django_assert_max_num_queries(12):
        counts = deadlines_flag(now=at(2026, 11, 17, 9, 0))
    dossier.refresh_from_db()
    assert (dossier.due_soon, dossier.overdue) == (False, True)
    assert counts.dossiers_changed == 1
    # The same moment again changes nothing.
    again = deadlines_flag(now=at(2026, 11, 17, 9, 0))
    assert (again.dossiers_changed, again.tasks_changed) == (0, 0)
    task = dossier.tasks.get(finished_at__isnull=True)
    assert task.overdue  # step 2 had 4 working hours from 08:00 Monday


def test_paused_and_finished_dossiers_are_not_flagged(counter_dossier, people, clock):
    dossier = counter_dossier
    act(dossier, "transfer", people["desk"])
    deadlines_flag(now=at(2026, 11, 17, 9, 0))
    act(dossier, "request_supplement", people["specialist"], note="Thiếu giấy chứng sinh")
    deadlines_flag(now=at(2026, 11, 17, 9, 5))
    dossier.refresh_from_db()
    assert (dossier.due_soon, dossier.overdue) == (False, False)


def test_the_command_runs_the_job(counter_dossier):
    out = StringIO()
    call_command("flag_deadlines", stdout=out)
    assert "Đã cập nhật cờ hạn" in out.getvalue()
    queued = StringIO()
    call_command("flag_deadlines", "--enqueue", stdout=queued)
    assert "hàng đợi" in queued.getvalue()
