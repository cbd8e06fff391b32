"""Outbox delivery to the national portal simulator: messages per second with one and two
workers, on SQLite and PostgreSQL, and the time two workers take to drain a backlog left by an
outage.

`make bench` (or `.venv/bin/python -m bench.outbox`) prepares a fresh database for each run
(a temporary SQLite file; on PostgreSQL the database BENCH_OUTBOX_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/motcua_bench_outbox, dropped and made again), migrates it,
inserts the messages as if an outage had left them waiting (five per dossier, so the order per
dossier is exercised), starts the simulators (`python -m sims`) and then the workers, each a
process of its own running `services.delivery.deliver_due` as `manage.py deliver_outbox`
does, with the deployment's settings (`MOTCUA_OUTBOX_BATCH`, `MOTCUA_OUTBOX_CONCURRENCY`).
The clock starts once every worker has loaded Django (a few seconds that are no part of
delivering) and stops when the last one finds nothing left. Each message goes through the
whole path: claim, HTTP call with the partner's authentication, settle with the hash-chained
log row. Nothing here asserts a speed; the load average is printed with each figure, as
other work on the machine changes them.

BENCH_OUTBOX_MESSAGES (default 10000) sets the throughput runs' size. BENCH_OUTBOX_BACKLOG
(default 100000, 0 to skip) sets the backlog's; it is drained on PostgreSQL, the production
database (on SQLite when PostgreSQL does not answer), and takes some minutes (about four at
400 messages a second, plus a minute to prepare it).
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = int(os.environ.get("BENCH_OUTBOX_MESSAGES", "10000"))
BACKLOG = int(os.environ.get("BENCH_OUTBOX_BACKLOG", "100000"))
POSTGRES_URL = os.environ.get(
    "BENCH_OUTBOX_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/motcua_bench_outbox"
)
PER_DOSSIER = 5


def _payload(dossier: int, step: int) -> dict[str, object]:
    code = f"001.03.50.H01-261201-{dossier:06d}"
    return {
        "MaHoSo": code,
        "MaTTHC": "1.001193",
        "TenTTHC": "Thủ tục đăng ký khai sinh",
        "MaLinhVuc": "HT",
        "TenLinhVuc": "Hộ tịch",
        "KenhThucHien": 1,
        "ChuHoSo": "Nguyễn Thị Ánh Tuyết",
        "LoaiDoiTuong": 1,
        "SoGiayToChuHoSo": "089301000123",
        "SoDienThoai": "0912345678",
        "Email": "",
        "TrichYeuHoSo": "Thủ tục đăng ký khai sinh — Nguyễn Thị Ánh Tuyết",
        "NgayNopHoSo": "20261201080000",
        "NgayTiepNhan": "20261201080000",
        "NgayHenTra": "20261202080000",
        "TrangThaiHoSo": 2 if step == 1 else 4,
        "DonViXuLy": "Ủy ban nhân dân phường Long Xuyên",
        "NoiNopHoSo": 2,
        "HoSoCoThanhPhanSoHoa": 1,
        "TaiKhoanDuocXacThucVoiVNeID": 0,
        "DuocThanhToanTrucTuyen": 0,
        "TaiLieuNop": [],
        "DanhSachLePhi": [],
        "DanhSachHoSoBoSung": [],
        "DanhSachGiayToKetQua": [],
        "DanhSachTepDinhKemKhac": [],
        "DinhDanhCHS": [{"LoaiDinhDanh": 1, "SoDinhDanh": "089301000123"}],
        "DSKetNoiCSDL": [],
        "QuaTrinhXuLy": [
            {
                "MaHoSo": code,
                "NguoiXuLy": "tiepnhan.longxuyen",
                "ChucDanh": "Cán bộ tiếp nhận",
                "ThoiDiemXuLy": f"202612010{step}0000",
                "PhongBanXuLy": "Trung tâm Phục vụ hành chính công phường Long Xuyên",
                "NoiDungXuLy": f"Bước {step}",
                "TrangThai": 2 if step == 1 else 4,
                "NgayBatDau": "20261201080000",
                "NgayKetThucTheoQuyDinh": "20261202080000",
            }
        ],
    }


def prepare(count: int) -> None:
    """Runs in a child whose DATABASE_URL names the (migrated) database: the waiting messages."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    django.setup()
    from django.utils import timezone

    from egov.interop.models import OutboxMessage
    from egov.interop.services.registry import registry_install

    registry_install()
    now = timezone.now()
    rows = [
        OutboxMessage(
            system="dvcqg",
            topic="dvcqg.dossier.sync",
            ordering_key=f"dossier:{n // PER_DOSSIER}",
            idempotency_key=f"dvcqg:{n // PER_DOSSIER}:{n % PER_DOSSIER + 1}",
            payload=_payload(n // PER_DOSSIER, n % PER_DOSSIER + 1),
            next_attempt_at=now,
            retry_from=now,
        )
        for n in range(count)
    ]
    OutboxMessage.objects.bulk_create(rows, batch_size=2000)
    # As after a real outage, when the database's statistics have caught up with the backlog
    # (autovacuum analyses a table that grew by a tenth within a minute): without them the
    # planner would not know that the claim's index is the one to walk.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {OutboxMessage._meta.db_table}")


def outcome() -> dict[str, object]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    django.setup()
    from django.db.models import Count

    from egov.interop.models import MessageLog, OutboxMessage

    statuses = dict(
        OutboxMessage.objects.values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    # Why the undelivered ones are not (a partner that failed under the load, say).
    errors = list(
        OutboxMessage.objects.exclude(status="delivered")
        .values_list("last_error", flat=True)
        .distinct()[:5]
    )
    return {**statuses, "log": MessageLog.objects.count(), "errors": errors}


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and modules, no shell
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _fresh_postgres() -> bool:
    try:
        import psycopg

        admin = POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"
        name = POSTGRES_URL.rsplit("/", 1)[1]
        with psycopg.connect(admin, connect_timeout=2, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return True
    except Exception:
        return False


def _sims() -> tuple[subprocess.Popen[str], str]:
    sims = subprocess.Popen(
        [sys.executable, "-m", "sims", "--port", "0", "--quiet"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = (
        sims.stderr.readline() if sims.stderr else ""
    )  # "sims listening on http://127.0.0.1:PORT"
    return sims, line.strip().rsplit(" ", 1)[-1]


def work() -> None:
    """Runs in a worker child: load Django, say so, wait for the start, deliver until nothing
    is left, print how many were tried."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    django.setup()
    from django.conf import settings

    from egov.interop.services.delivery import deliver_due, worker_name

    print("ready", flush=True)
    sys.stdin.readline()
    tried = deliver_due(worker=worker_name(), batch=settings.MOTCUA_OUTBOX_BATCH, max_seconds=7200)
    print(tried, flush=True)


def measure(label: str, url: str, count: int, workers: int) -> dict[str, float]:
    if url.startswith("postgres") and not _fresh_postgres():
        raise SystemExit("PostgreSQL does not answer")
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": url, "MOTCUA_MODE": "demo", "MOTCUA_OUTBOX_KICK": "0"}
    _run(["manage.py", "migrate", "--noinput", "-v", "0"], env)
    _run(["-m", "bench.outbox", "--prepare", str(count)], env)
    sims, base = _sims()
    env["MOTCUA_SIMS_URL"] = base
    errors = [tempfile.TemporaryFile() for _ in range(workers)]  # noqa: SIM115 - closed below
    try:
        running = [
            subprocess.Popen(
                [sys.executable, "-m", "bench.outbox", "--work"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=error,
                text=True,
            )
            for error in errors
        ]
        for worker in running:
            if worker.stdout is None or worker.stdout.readline().strip() != "ready":
                raise SystemExit(f"{label}: a worker did not start")
        started = time.perf_counter()
        for worker in running:
            if worker.stdin is not None:
                worker.stdin.write("go\n")
                worker.stdin.flush()
        for worker in running:
            worker.wait()
        seconds = time.perf_counter() - started
    finally:
        sims.terminate()
        sims.wait()
        said = []
        for error in errors:
            error.seek(0)
            said.append(error.read().decode(errors="replace")[-2000:])
            error.close()
    counts = json.loads(_run(["-m", "bench.outbox", "--outcome"], env).strip().splitlines()[-1])
    if counts.get("delivered") != count:
        raise SystemExit(f"{label}: not every message was delivered: {counts}\n" + "\n".join(said))
    return {"seconds": seconds, "per_second": count / seconds, "load": os.getloadavg()[0]}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        databases = {"SQLite": f"sqlite:///{folder}/bench.sqlite3"}
        if _fresh_postgres():
            databases["PostgreSQL"] = POSTGRES_URL
        print(f"Outbox delivery to the national portal simulator ({MESSAGES} messages)")
        print(f"{'database':<12}{'workers':>8}{'msg/s':>10}{'seconds':>10}{'load':>8}")
        for label, url in databases.items():
            for workers in (1, 2):
                figures = measure(label, url, MESSAGES, workers)
                print(
                    f"{label:<12}{workers:>8}{figures['per_second']:>10.1f}"
                    f"{figures['seconds']:>10.1f}{figures['load']:>8.1f}",
                    flush=True,
                )
        if BACKLOG:
            label = "PostgreSQL" if "PostgreSQL" in databases else "SQLite"
            print(f"Draining a backlog of {BACKLOG} messages after an outage (two workers)")
            figures = measure(label, databases[label], BACKLOG, 2)
            print(
                f"{label:<12}{figures['seconds'] / 60:>8.1f} min"
                f"{figures['per_second']:>10.1f} msg/s{figures['load']:>8.1f} load",
                flush=True,
            )


if __name__ == "__main__":
    if "--prepare" in sys.argv:
        prepare(int(sys.argv[sys.argv.index("--prepare") + 1]))
    elif "--outcome" in sys.argv:
        print(json.dumps(outcome()))
    elif "--work" in sys.argv:
        work()
    else:
        main()
