"""How the desk's worklist holds up with 100,000 dossiers in the database.

`make bench` (or `.venv/bin/python -m bench.worklist`) builds a throwaway SQLite database with
the demo province, then generates BENCH_DOSSIERS dossiers (default 100,000) spread over a year,
30 desks and 55 procedures, each with its open step, straight into the tables with bulk
inserts: a data generator for measuring reads, not a way to make real dossiers (those go
through the services). It then renders the worklist page as a reception officer for each tab
and prints the query count and the time per page. Nothing here asserts a speed.
"""

import datetime
import os
import random
import statistics
import sys
import tempfile
import time
import uuid

DOSSIERS = int(os.environ.get("BENCH_DOSSIERS", "100000"))
BATCH = 5000
RENDERS = 5


def generate(count: int) -> None:
    from django.utils import timezone

    from egov.catalog.models import Procedure
    from egov.dossiers.lifecycle import Status
    from egov.dossiers.models import ClockState, Dossier, ProcessTask
    from egov.orgs.models import Agency, AgencyKind

    rng = random.Random(2026)  # noqa: S311 - repeatable test data, not a secret
    desks = list(Agency.objects.filter(kind=AgencyKind.COMMUNE_SERVICE_CENTER)[:30])
    procedures = [
        (p, p.revisions.get(version=p.version))
        for p in Procedure.objects.filter(level="commune").select_related("sector")
    ]
    statuses = [Status.PROCESSING] * 5 + [Status.RETURNED] * 4 + [Status.RESULT_READY]
    now = timezone.now()
    made = 0
    while made < count:
        dossiers = []
        for n in range(made, min(made + BATCH, count)):
            desk = rng.choice(desks)
            procedure, revision = rng.choice(procedures)
            received = now - datetime.timedelta(minutes=rng.randrange(365 * 24 * 60))
            due = received + datetime.timedelta(days=rng.randrange(1, 20))
            status = rng.choice(statuses)
            dossiers.append(
                Dossier(
                    code=f"{desk.code}-{received:%y%m%d}-{n % 10000:04d}{n // 10000}",
                    reference=uuid.UUID(int=rng.getrandbits(128)),
                    procedure=procedure,
                    procedure_revision=revision,
                    receiving_agency=desk,
                    competent_agency_id=desk.parent_id,
                    channel=rng.choice(["counter", "online", "postal"]),
                    return_method="counter",
                    applicant_type=1,
                    applicant_name=f"Người nộp số {n}",
                    applicant_id_number=f"0893{n:08d}",
                    status=status,
                    submitted_at=received,
                    received_at=received,
                    due_at=due,
                    original_due_at=due,
                    clock_state=ClockState.RUNNING
                    if status == Status.PROCESSING
                    else ClockState.STOPPED,
                    overdue=status == Status.PROCESSING and due < now,
                    search_text=f" nguoi nop so {n} 0893{n:08d}",
                )
            )
        created = Dossier.objects.bulk_create(dossiers)
        ProcessTask.objects.bulk_create(
            ProcessTask(
                dossier=dossier,
                position=2,
                name="Thẩm định hồ sơ",
                agency_id=dossier.competent_agency_id,
                role="specialist",
                hours=8,
                started_at=dossier.received_at,
                due_at=dossier.due_at,
            )
            for dossier in created
            if dossier.status == Status.PROCESSING
        )
        made += len(dossiers)


def measure() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from egov.demo.seed import seed_demo

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        seed_demo()
        started = time.perf_counter()
        generate(DOSSIERS)
        print(f"generated {DOSSIERS:,} dossiers in {time.perf_counter() - started:.0f} s")
        from django.contrib.auth import get_user_model

        client = Client()
        client.force_login(get_user_model().objects.get(username="chuyenvien.longxuyen"))
        print(f"{'tab':<14}{'rows':>6}{'queries':>9}{'ms (median)':>13}")
        for tab in ("agency", "all", "overdue", "unassigned"):
            timings = []
            for _ in range(RENDERS):
                with CaptureQueriesContext(connection) as queries:
                    began = time.perf_counter()
                    response = client.get("/can-bo/", {"tab": tab})
                    timings.append((time.perf_counter() - began) * 1000)
            rows = response.content.decode().count("<tr") - 1
            print(f"{tab:<14}{rows:>6}{len(queries):>9}{statistics.median(timings):>13.0f}")
        began = time.perf_counter()
        client.get("/can-bo/", {"tab": "all", "q": "0893000"})
        print(f"search by ID prefix: {(time.perf_counter() - began) * 1000:.0f} ms")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/worklist.sqlite3")
        os.environ["MOTCUA_MODE"] = "demo"
        sys.exit(measure())
