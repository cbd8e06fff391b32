"""`make demo`'s start-up checks: the demo stops, saying why and what to do, instead of serving
pages while a part of it is missing.

    python -m egov.demo.startup ports 127.0.0.1:8100:SIMS_PORT 127.0.0.1:8000:PORT
    python -m egov.demo.startup sims --pid PID --url http://127.0.0.1:8100
    python -m egov.demo.startup worker --pid PID
    python -m egov.demo.startup web --pid PID --url http://127.0.0.1:8000/

`ports` checks, before anything starts, that each port is free (a second demo, or another
program, may hold it: the simulators' health check would then answer for the wrong process).
`sims` waits until the simulators started as PID answer their health check. `worker` watches
the task worker started as PID for its first seconds, when a bad setting or database stops it.
`web` waits until the web server started as PID answers its first page, so the banner with the
addresses shows only once they work.
Each failure prints its message (in Vietnamese, for the person running the demo) on stderr and
exits with status 1; success is silent. Standard library only: it runs before Django does.
"""

import argparse
import errno
import json
import os
import socket
import sys
import time
from collections.abc import Sequence
from http.client import (  # noqa: TID251 - probes our own simulator and site, on this machine
    HTTPConnection,
    HTTPException,
)
from pathlib import Path
from urllib.parse import urlsplit

SIMS = "bộ mô phỏng các hệ thống quốc gia (python -m sims)"
WEB = "máy chủ web của demo (gunicorn)"
WORKER = "tiến trình xử lý nền (manage.py demo_worker, gửi hộp thư đi của trục liên thông)"
# What listens on the port each Makefile variable names.
USERS = {"SIMS_PORT": SIMS, "PORT": WEB}


class StartupError(Exception):
    """A part of the demo did not start; the message says what to do."""


def alive(pid: int) -> bool:
    """Whether the process runs (an exited child that its shell has not reaped does not)."""
    if Path("/proc/self").exists():  # Linux: the process's state, after its (name)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return False
        return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's
        return True
    return True


def check_ports(ports: Sequence[tuple[str, int, str]]) -> None:
    """Each (host, port, variable) can be listened on; else which one, and the way out."""
    for host, port, variable in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    problem = "đang có chương trình khác dùng (có thể là một bản demo chưa dừng)"
                else:
                    problem = f"không dùng được ({error.strerror or error})"
                raise StartupError(
                    f"Cổng {port} trên {host} ({variable}, cho {USERS.get(variable, 'demo')}) "
                    f"{problem}.\n"
                    f"Cách xử lý: dừng chương trình đang giữ cổng này (lệnh `ss -ltnp "
                    f"'sport = :{port}'` cho biết đó là chương trình nào), hoặc chọn cổng khác, "
                    f"ví dụ: {variable}={port + 1} make demo"
                ) from error


def _get(url: str, path: str, timeout: float) -> tuple[int, bytes] | None:
    """The status and body of a GET, or None when nothing answers."""
    parts = urlsplit(url)
    connection = HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    except (OSError, HTTPException):
        return None
    finally:
        connection.close()


def _healthy(url: str, timeout: float) -> bool:
    answer = _get(url, "/_sim/health", timeout)
    if answer is None or answer[0] != 200:
        return False
    body = answer[1]
    try:
        return json.loads(body).get("ok") is True
    except (ValueError, AttributeError):
        return False


def wait_for_sims(*, pid: int, url: str, seconds: float) -> None:
    """Until the simulators started as `pid` answer at `url`, for at most `seconds`."""
    port = urlsplit(url).port
    deadline = time.monotonic() + seconds
    while True:
        if not alive(pid):
            raise StartupError(
                f"Không khởi động được {SIMS} ở cổng {port}: tiến trình đã dừng (xem lỗi ngay "
                "phía trên).\n"
                f"Cách xử lý: sửa lỗi đó; nếu cổng {port} đang bị chiếm, dừng chương trình "
                f"đang giữ nó hoặc chọn cổng khác, ví dụ: SIMS_PORT={(port or 8100) + 1} "
                "make demo"
            )
        if _healthy(url, timeout=1.0):
            return
        if time.monotonic() >= deadline:
            raise StartupError(
                f"{SIMS.capitalize()} không trả lời ở {url}/_sim/health sau {seconds:g} giây "
                f"(cổng {port}).\n"
                "Cách xử lý: xem lỗi phía trên; kiểm tra tường lửa hoặc chương trình khác trên "
                "cổng đó, rồi chạy lại make demo."
            )
        time.sleep(0.2)


def wait_for_web(*, pid: int, url: str, seconds: float) -> None:
    """Until the web server started as `pid` answers `url` with a page (not an error), for at
    most `seconds`."""
    parts = urlsplit(url)
    deadline = time.monotonic() + seconds
    while True:
        if not alive(pid):
            raise StartupError(
                f"{WEB.capitalize()} đã dừng trước khi trả lời ở {url} (xem lỗi ngay phía "
                "trên).\nCách xử lý: sửa lỗi đó, rồi chạy lại make demo."
            )
        answer = _get(url, parts.path or "/", timeout=5.0)
        if answer is not None and answer[0] < 400:
            return
        if time.monotonic() >= deadline:
            said = f"trả lời lỗi {answer[0]}" if answer is not None else "không trả lời"
            raise StartupError(
                f"{WEB.capitalize()} {said} ở {url} sau {seconds:g} giây.\n"
                "Cách xử lý: xem lỗi phía trên, rồi chạy lại make demo."
            )
        time.sleep(0.2)


def watch_worker(*, pid: int, seconds: float) -> None:
    """The worker started as `pid` still runs after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            raise StartupError(
                f"{WORKER.capitalize()} đã dừng ngay sau khi khởi động (xem lỗi ngay phía "
                "trên): hồ sơ sẽ không được gửi đến các hệ thống quốc gia.\n"
                "Cách xử lý: sửa lỗi đó (thường do cơ sở dữ liệu hoặc một biến môi trường), "
                "rồi chạy lại make demo."
            )
        time.sleep(0.2)


def _port(text: str) -> tuple[str, int, str]:
    host, port, variable = text.rsplit(":", 2)
    return host, int(port), variable


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m egov.demo.startup", description="Kiểm tra khởi động của make demo."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    ports = commands.add_parser("ports", help="các cổng còn trống trước khi khởi động")
    ports.add_argument("ports", nargs="+", type=_port, metavar="HOST:PORT:VARIABLE")
    sims = commands.add_parser("sims", help="chờ bộ mô phỏng trả lời")
    sims.add_argument("--pid", type=int, required=True)
    sims.add_argument("--url", required=True)
    sims.add_argument("--seconds", type=float, default=20)
    worker = commands.add_parser("worker", help="tiến trình xử lý nền vẫn chạy")
    worker.add_argument("--pid", type=int, required=True)
    worker.add_argument("--seconds", type=float, default=3)
    web = commands.add_parser("web", help="chờ trang web đầu tiên trả lời")
    web.add_argument("--pid", type=int, required=True)
    web.add_argument("--url", required=True)
    web.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args(argv)
    try:
        if args.command == "ports":
            check_ports(args.ports)
        elif args.command == "sims":
            wait_for_sims(pid=args.pid, url=args.url.rstrip("/"), seconds=args.seconds)
        elif args.command == "web":
            wait_for_web(pid=args.pid, url=args.url, seconds=args.seconds)
        else:
            watch_worker(pid=args.pid, seconds=args.seconds)
    except StartupError as error:
        print(f"\nmake demo dừng lại. {error}\n", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
