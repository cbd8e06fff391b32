"""How many dossiers a desk receives per second: through the service, and through HTTP.

`make bench` (or `.venv/bin/python -m bench.intake`) runs it on SQLite and, when PostgreSQL
answers at BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/motcua_bench), on
PostgreSQL too, each in a fresh throwaway database, and prints a table. "HTTP" is the whole
Django stack (middleware, bearer auth, the API's validation and answer) driven in process by
Django's test client, without a socket. Nothing here asserts a speed.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RECEIPTS = int(os.environ.get("BENCH_RECEIPTS", "300"))
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/motcua_bench"
)
BODY = {
    "procedure": "1.001193",
    "channel": "counter",
    "return_method": "counter",
    "applicant": {
        "type": 1,
        "full_name": "Nguyễn Thị Ánh Tuyết",
        "id_number": "089301000123",
        "date_of_birth": "2001-05-17",
        "gender": "female",
        "phone": "0912345678",
        "address": {"ward_code": 30307, "street": "12 Trần Hưng Đạo"},
    },
    # The demo birth registration's e-form (egov/demo/procedures.json).
    "form_data": {
        "child_full_name": "Trần Gia Bảo",
        "child_birth_date": "2026-11-10",
        "child_sex": "nam",
        "child_ethnicity": "Kinh",
        "child_nationality": "Việt Nam",
        "birth_place": "Bệnh viện Đa khoa Trung tâm An Giang",
        "home_town": "Long Xuyên, An Giang",
        "mother_full_name": "Nguyễn Thị Ánh Tuyết",
        "mother_id_number": "089301000123",
        "requester_phone": "0912345678",
    },
    # The papers the desk took in: each mandatory one, as a counter receipt must list them.
    "papers": [{"component": "TP01"}, {"component": "TP02"}],
}


def measure() -> dict[str, float]:
    """Runs inside a child process whose DATABASE_URL names the database to measure."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from egov.demo.seed import DEMO_PASSWORD, seed_demo
    from egov.dossiers.services import Applicant, dossier_create
    from egov.orgs.selectors import memberships_of

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        seed_demo()
        from django.contrib.auth import get_user_model

        desk = get_user_model().objects.get(username="tiepnhan.longxuyen")
        list(memberships_of(user=desk))
        applicant = Applicant(
            type=1,
            name=BODY["applicant"]["full_name"],
            id_number="089301000123",
            gender="female",
            phone="0912345678",
            ward_code=30307,
        )
        started = time.perf_counter()
        for _ in range(RECEIPTS):
            dossier_create(
                actor=desk,
                procedure_code="1.001193",
                channel="counter",
                applicant=applicant,
                return_method="counter",
                form_data=BODY["form_data"],
            )
        service = RECEIPTS / (time.perf_counter() - started)

        client = Client()
        token = client.post(
            "/api/v1/auth/token",
            {"username": "tiepnhan.longxuyen", "password": DEMO_PASSWORD},
            content_type="application/json",
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        started = time.perf_counter()
        for _ in range(RECEIPTS):
            response = client.post(
                "/api/v1/dossiers", BODY, content_type="application/json", headers=headers
            )
            if response.status_code != 201:
                raise RuntimeError(response.content)
        http = RECEIPTS / (time.perf_counter() - started)
        return {"service": service, "http": http}
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def _postgres_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.rsplit("/", 1)[0] + "/postgres", connect_timeout=2):
            return True
    except Exception:
        return False


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as folder:
        databases = {"SQLite": f"sqlite:///{folder}/bench.sqlite3"}
        if _postgres_answers():
            databases["PostgreSQL"] = POSTGRES_URL
        rows = []
        for label, url in databases.items():
            env = {**os.environ, "DATABASE_URL": url, "MOTCUA_MODE": "demo"}
            child = subprocess.run(
                [sys.executable, "-m", "bench.intake", "--child"],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if child.returncode != 0:
                raise SystemExit(f"{label}: the measurement failed\n{child.stderr[-3000:]}")
            rows.append((label, json.loads(child.stdout.strip().splitlines()[-1])))
    print(f"Dossiers received per second ({RECEIPTS} receipts at one desk, one process)")
    print(f"{'database':<12}{'service':>10}{'HTTP':>10}")
    for label, figures in rows:
        print(f"{label:<12}{figures['service']:>10.1f}{figures['http']:>10.1f}")


if __name__ == "__main__":
    if "--child" in sys.argv:
        print(json.dumps(measure()))
    else:
        main()
