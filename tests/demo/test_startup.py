"""`make demo` stops with a message and a non-zero status when a part of it does not start:
a port already taken, simulators that die or never answer, a worker that dies at start. Run as
the Makefile runs it (`python -m egov.demo.startup ...`), against real processes."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def startup(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "egov.demo.startup", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def listening() -> Iterator[int]:
    """A port some other program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


@contextmanager
def started(*args: str) -> Iterator[subprocess.Popen[str]]:
    """A process of ours, left unreaped while it runs (as the demo's shell leaves it)."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter
        [sys.executable, *args], cwd=ROOT, stderr=subprocess.PIPE, text=True
    )
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=10)


def test_a_taken_port_stops_the_demo_before_anything_starts():
    with listening() as port:
        taken = startup("ports", f"127.0.0.1:{port}:SIMS_PORT")
    assert taken.returncode == 1
    assert f"Cổng {port} trên 127.0.0.1 (SIMS_PORT, cho bộ mô phỏng" in taken.stderr
    assert "đang có chương trình khác dùng" in taken.stderr
    assert f"SIMS_PORT={port + 1} make demo" in taken.stderr
    free = startup("ports", f"127.0.0.1:{free_port()}:SIMS_PORT", f"127.0.0.1:{free_port()}:PORT")
    assert (free.returncode, free.stderr) == (0, "")


def test_simulators_that_die_at_start_stop_the_demo_at_once():
    with listening() as port, started("-m", "sims", "--port", str(port), "--quiet") as sims:
        began = time.monotonic()
        result = startup("sims", "--pid", str(sims.pid), "--url", f"http://127.0.0.1:{port}")
        elapsed = time.monotonic() - began
        assert sims.wait(timeout=10) == 1
        assert sims.stderr is not None and "Address already in use" in sims.stderr.read()
    assert elapsed < 15  # not the whole 20 s of waiting
    assert result.returncode == 1
    assert "make demo dừng lại." in result.stderr
    assert f"bộ mô phỏng các hệ thống quốc gia (python -m sims) ở cổng {port}" in result.stderr
    assert "tiến trình đã dừng" in result.stderr


def test_simulators_that_never_answer_stop_the_demo():
    port = free_port()  # nothing listens there
    with started("-c", "import time; time.sleep(60)") as stand_in:
        result = startup(
            "sims",
            "--pid",
            str(stand_in.pid),
            "--url",
            f"http://127.0.0.1:{port}",
            "--seconds",
            "1",
        )
    assert result.returncode == 1
    assert (
        f"không trả lời ở http://127.0.0.1:{port}/_sim/health sau 1 giây (cổng {port})"
        in result.stderr
    )


def test_simulators_that_answer_let_the_demo_go_on():
    port = free_port()
    with started("-m", "sims", "--port", str(port), "--quiet") as sims:
        result = startup("sims", "--pid", str(sims.pid), "--url", f"http://127.0.0.1:{port}")
        assert sims.poll() is None
    assert (result.returncode, result.stderr) == (0, "")


def test_a_worker_that_dies_at_start_stops_the_demo():
    with started("manage.py", "demo_worker", "--no-such-option") as worker:
        result = startup("worker", "--pid", str(worker.pid), "--seconds", "20")
    assert result.returncode == 1
    assert "Tiến trình xử lý nền (manage.py demo_worker" in result.stderr
    assert "đã dừng ngay sau khi khởi động" in result.stderr


def test_a_worker_that_keeps_running_lets_the_demo_go_on():
    with started("-c", "import time; time.sleep(60)") as worker:
        result = startup("worker", "--pid", str(worker.pid), "--seconds", "1")
        assert worker.poll() is None
    assert (result.returncode, result.stderr) == (0, "")


# A web server that answers every GET with the status given on its command line.
ANSWERS = """
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Answer(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(int(sys.argv[2]))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        return  # no access log: the test reads what the server writes to stderr

HTTPServer(("127.0.0.1", int(sys.argv[1])), Answer).serve_forever()
"""


def test_a_site_that_answers_lets_the_demo_go_on_to_its_banner():
    port = free_port()
    with started("-c", ANSWERS, str(port), "302") as site:
        result = startup("web", "--pid", str(site.pid), "--url", f"http://127.0.0.1:{port}/")
        assert site.poll() is None
    assert (result.returncode, result.stderr) == (0, "")


def test_a_site_that_answers_only_errors_stops_the_demo():
    port = free_port()
    with started("-c", ANSWERS, str(port), "500") as site:
        result = startup(
            "web", "--pid", str(site.pid), "--url", f"http://127.0.0.1:{port}/", "--seconds", "2"
        )
    assert result.returncode == 1
    assert f"Máy chủ web của demo (gunicorn) trả lời lỗi 500 ở http://127.0.0.1:{port}/" in (
        result.stderr
    )


def test_a_site_that_dies_before_answering_stops_the_demo_at_once():
    port = free_port()
    with started("-c", "raise SystemExit(3)") as site:
        site.wait(timeout=10)
        began = time.monotonic()
        result = startup("web", "--pid", str(site.pid), "--url", f"http://127.0.0.1:{port}/")
    assert time.monotonic() - began < 30  # not the whole two minutes of waiting
    assert result.returncode == 1
    assert "Máy chủ web của demo (gunicorn) đã dừng trước khi trả lời" in result.stderr
