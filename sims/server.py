"""The HTTP server: routing, knobs, control endpoints, and starting it (CLI or thread)."""

import dataclasses
import math
import os
import random
import sys
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from sims.civil_status import Hotich
from sims.core import (
    DATA_INCORRECT,
    DATA_TYPE_INVALID,
    RECORD_NOT_FOUND,
    SYSTEMS,
    UNAVAILABLE,
    UNAVAILABLE_MESSAGE,
    ApiError,
    Knobs,
    Request,
    Response,
    Route,
    System,
    json_response,
    now_vn,
    parse_knob_update,
    require_str,
)
from sims.dvcqg import Dvcqg, MotcuaClient
from sims.mail import Mail
from sims.population import Csdldc
from sims.sms import Sms
from sims.tax import Thue
from sims.vneid import Vneid
from sims.zalo import Zalo

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8100
MAX_BODY = 10 * 1024 * 1024


@dataclass
class Config:
    """Credentials and start-up knobs; `POST /_sim/reset` goes back to these knobs."""

    dvcqg_client_id: str = "motcua-angiang"
    dvcqg_client_secret: str = "dvcqg-demo-secret"  # noqa: S105 - public demo credential
    # Where the national portal hands its citizens' dossiers (MotCua's /lgsp/), and as whom.
    motcua_url: str = "http://127.0.0.1:8000"
    motcua_client_id: str = "dvcqg-portal"
    motcua_client_secret: str = "dvcqg-portal-demo-secret"  # noqa: S105 - public demo credential
    csdldc_api_key: str = "csdldc-demo-key"
    hotich_user: str = "angiang"
    hotich_password: str = "hotich-demo"  # noqa: S105 - public demo credential
    thue_client_id: str = "motcua-angiang"
    thue_client_secret: str = "thue-demo-secret"  # noqa: S105 - public demo credential
    vneid_client_id: str = "motcua-angiang"
    vneid_client_secret: str = "vneid-demo-secret"  # noqa: S105 - public demo credential
    # Comma-separated; tests add their own with POST /_sim/vneid/redirect-uris.
    vneid_redirect_uris: str = (
        "http://127.0.0.1:8000/dang-nhap/vneid/ve/,http://localhost:8000/dang-nhap/vneid/ve/"
    )
    vneid_issuer: str = ""  # empty: http://<host>:<port>/vneid of the server itself
    sms_api_key: str = "sms-demo-key"
    sms_brandname: str = "DVC-ANGIANG"  # comma-separated: the brandnames registered
    zalo_access_token: str = "zalo-demo-token"  # noqa: S105 - public demo credential
    zalo_template_id: str = "248001"  # the approved ZNS template of the province's notices
    knobs: dict[str, Knobs] = field(default_factory=lambda: {s: Knobs() for s in SYSTEMS})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Config":
        """Reads SIMS_* variables; raises ValueError (in Vietnamese) on a bad value."""
        env = os.environ if environ is None else environ
        config = cls()
        for name in [f.name for f in dataclasses.fields(cls) if f.name != "knobs"]:
            value = env.get(f"SIMS_{name.upper()}")
            if value:
                setattr(config, name, value)
        update: dict[str, Any] = {}
        try:
            if env.get("SIMS_LATENCY_MS"):
                update["latency_ms"] = int(env["SIMS_LATENCY_MS"])
            if env.get("SIMS_ERROR_RATE"):
                update["error_rate"] = float(env["SIMS_ERROR_RATE"])
            values = parse_knob_update(update)
        except (ValueError, ApiError) as exc:
            raise ValueError(f"SIMS_LATENCY_MS hoặc SIMS_ERROR_RATE không hợp lệ: {exc}") from exc
        down = {s.strip().lower() for s in env.get("SIMS_DOWN", "").split(",") if s.strip()}
        if "*" in down:
            down = set(SYSTEMS)
        if down - set(SYSTEMS):
            unknown = ", ".join(sorted(down - set(SYSTEMS)))
            raise ValueError(f"SIMS_DOWN chỉ nhận {', '.join(SYSTEMS)} hoặc *: {unknown}")
        for system, knobs in config.knobs.items():
            for name, value in values.items():
                setattr(knobs, name, value)
            knobs.down = system in down
        return config


class SimState:
    """Everything the sims remember. Handlers run holding `lock`, one at a time."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.lock = threading.Lock()
        c, k = config, config.knobs
        motcua = MotcuaClient(c.motcua_url, c.motcua_client_id, c.motcua_client_secret)
        self.dvcqg = Dvcqg(
            k["dvcqg"], c.dvcqg_client_id, c.dvcqg_client_secret, motcua=motcua, lock=self.lock
        )
        self.csdldc = Csdldc(k["csdldc"], c.csdldc_api_key)
        self.hotich = Hotich(k["hotich"], c.hotich_user, c.hotich_password)
        self.thue = Thue(k["thue"], c.thue_client_id, c.thue_client_secret)
        self.vneid = Vneid(
            k["vneid"],
            c.vneid_client_id,
            c.vneid_client_secret,
            c.vneid_redirect_uris,
            c.vneid_issuer,
        )
        self.sms = Sms(k["sms"], c.sms_api_key, c.sms_brandname)
        self.zalo = Zalo(k["zalo"], c.zalo_access_token, c.zalo_template_id)
        self.mail = Mail(k["mail"])
        self.systems: dict[str, System] = {
            s.name: s
            for s in (
                self.dvcqg,
                self.csdldc,
                self.hotich,
                self.thue,
                self.vneid,
                self.sms,
                self.zalo,
                self.mail,
            )
        }

    def knobs(self) -> dict[str, Any]:
        return {name: system.knobs.to_json() for name, system in self.systems.items()}

    def reset(self) -> None:
        for system in self.systems.values():
            system.reset()


class App:
    """Routes a request, applies the system's knobs, and turns errors into LGSP bodies."""

    def __init__(self, state: SimState, quiet: bool) -> None:
        self.state = state
        self.quiet = quiet
        self._log_lock = threading.Lock()
        self.routes = self.control_routes()
        for system in state.systems.values():
            self.routes.extend(system.routes())

    def control_routes(self) -> list[Route]:
        return [
            Route("GET", "/", self.root, None, "root"),
            Route("GET", "/_sim/health", self.health, None, "health"),
            Route("GET", "/_sim/knobs", self.get_knobs, None, "knobs"),
            Route("POST", "/_sim/knobs", self.set_knobs, None, "knobs"),
            Route("POST", "/_sim/reset", self.reset, None, "reset"),
        ]

    def root(self, req: Request) -> Response:
        return Response(302, b"", headers={"Location": "/dvcqg/"})

    def health(self, req: Request) -> Response:
        return json_response({"ok": True})

    def get_knobs(self, req: Request) -> Response:
        return json_response(self.state.knobs())

    def set_knobs(self, req: Request) -> Response:
        body = req.json_object()
        target = require_str(body, "system")
        if target != "*" and target not in SYSTEMS:
            raise ApiError(
                400, DATA_TYPE_INVALID, f"system phải là một trong {', '.join(SYSTEMS)} hoặc *"
            )
        values = parse_knob_update({k: v for k, v in body.items() if k != "system"})
        for name in SYSTEMS if target == "*" else (target,):
            for attr, value in values.items():
                setattr(self.state.systems[name].knobs, attr, value)
        return json_response(self.state.knobs())

    def reset(self, req: Request) -> Response:
        self.state.reset()
        return json_response({"ok": True})

    def match(self, req: Request) -> Route:
        allowed = False
        for route in self.routes:
            found = route.regex.fullmatch(req.path)
            if found is None:
                continue
            if route.method != req.method:
                allowed = True
                continue
            req.params = {k: unquote(v) for k, v in found.groupdict().items()}
            return route
        if allowed:
            raise ApiError(405, RECORD_NOT_FOUND, "Phương thức không được hỗ trợ cho đường dẫn này")
        raise ApiError(404, RECORD_NOT_FOUND, f"Không tìm thấy đường dẫn {req.path}")

    def _call(self, route: Route, req: Request, extra: dict[str, Any]) -> Response:
        try:
            with self.state.lock:
                return route.handler(req)
        except ApiError as exc:
            return json_response(exc.body(extra), exc.status, exc.headers)
        except Exception:  # a sim bug must still answer, and say where it broke
            traceback.print_exc(file=sys.stderr)
            body = {**extra, "error_code": DATA_INCORRECT, "message": "Lỗi nội bộ của mô phỏng"}
            return json_response(body, 500)

    def handle(self, req: Request) -> Response:
        try:
            route = self.match(req)
        except ApiError as exc:
            return json_response(exc.body(), exc.status)
        if route.system is None:
            return self._call(route, req, {})
        system = self.state.systems[route.system]
        with self.state.lock:
            system.requests[route.name] += 1
            knobs = system.knobs.copy()
        if knobs.latency_ms:
            time.sleep(knobs.latency_ms / 1000)
        refusal = self._unavailable(knobs)
        if refusal is not None:
            return json_response(refusal.body(system.error_extra), refusal.status, refusal.headers)
        response = self._call(route, req, system.error_extra)
        if route.mutating and knobs.ack_delay_ms and response.status < 300:
            # The effect is applied and visible; the client just does not know yet.
            time.sleep(knobs.ack_delay_ms / 1000)
        return response

    def _unavailable(self, knobs: Knobs) -> ApiError | None:
        if knobs.down:
            return ApiError(503, UNAVAILABLE, UNAVAILABLE_MESSAGE)
        now = now_vn()
        end = knobs.outage_end(now)
        if end is not None:
            wait = max(1, math.ceil((end - now).total_seconds()))
            return ApiError(503, UNAVAILABLE, UNAVAILABLE_MESSAGE, {"Retry-After": str(wait)})
        # Simulated flakiness, not cryptography.
        if knobs.error_rate and random.random() < knobs.error_rate:  # noqa: S311
            return ApiError(503, UNAVAILABLE, UNAVAILABLE_MESSAGE)
        return None

    def log(self, method: str, path: str, status: int, ms: float, note: str = "") -> None:
        if self.quiet:
            return
        stamp = now_vn().isoformat(timespec="seconds")
        line = f"[sims] {stamp} {method} {path} {status} {ms:.1f}ms{note}\n"
        with self._log_lock:
            sys.stderr.write(line)
            sys.stderr.flush()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a stuck client must not keep the process alive
    request_queue_size = 128  # bursts of concurrent clients (tests send 20 at once)
    app: App

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (a worker killed mid-call, on purpose) is not the sim's error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: without this, Nagle's algorithm and the
    # client's delayed ACK hold every answer back by ~40 ms on a kept-alive connection.
    disable_nagle_algorithm = True
    server_version = "MotCuaSims/1.0"
    timeout = 30  # idle keep-alive connections are dropped

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: App.log writes one line per request instead."""

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass  # read past the trailer lines; nothing in them is used
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
                if sum(map(len, chunks)) > MAX_BODY:
                    raise OverflowError
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise OverflowError
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        started = time.perf_counter()
        app = self.server.app
        try:
            body = self._read_body()
        except (ValueError, OverflowError):
            self.close_connection = True
            body = None
        if body is None:
            response = json_response(
                {"error_code": DATA_TYPE_INVALID, "message": "Nội dung yêu cầu không đọc được"},
                413,
            )
        else:
            split = urlsplit(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            query = dict(parse_qsl(split.query))
            req = Request(self.command, split.path, query, headers, body)
            response = app.handle(req)
        note = ""
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)
            self.wfile.flush()
        except ConnectionError:  # the client gave up or was killed mid-answer
            self.close_connection = True
            note = " (client gone before the answer)"
        app.log(
            self.command, self.path, response.status, (time.perf_counter() - started) * 1000, note
        )


class SimServer:
    """A running sims server: `base_url`, `state`, `stop()`; also a context manager."""

    def __init__(self, httpd: _HTTPServer, thread: threading.Thread | None) -> None:
        self.httpd = httpd
        self.thread = thread
        self.state = httpd.app.state
        host, port = httpd.server_address[:2]
        self.host, self.port = str(host), int(port)
        self.base_url = f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.thread is not None:
            self.thread.join(timeout=10)

    def __enter__(self) -> "SimServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def make_server(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    quiet: bool = False,
    config: Config | None = None,
) -> SimServer:
    """Binds the socket (port 0 picks a free one); nothing is served until serve_forever."""
    httpd = _HTTPServer((host, port), _Handler)
    httpd.app = App(SimState(config or Config.from_env()), quiet)
    server = SimServer(httpd, None)
    server.state.vneid.bind(server.base_url)  # the issuer, unless SIMS_VNEID_ISSUER says
    return server


def start_in_thread(
    host: str = DEFAULT_HOST, port: int = 0, *, quiet: bool = True, config: Config | None = None
) -> SimServer:
    """Serves on a daemon thread and returns once the socket accepts connections."""
    server = make_server(host, port, quiet, config)
    thread = threading.Thread(
        target=server.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True, name="sims"
    )
    thread.start()
    server.thread = thread
    return server
