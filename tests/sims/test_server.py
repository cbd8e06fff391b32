"""The server itself: control endpoints, knobs, reset, logging, and `python -m sims`."""

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from sims.core import SYSTEMS, VN_TZ
from sims.server import Config, SimServer, start_in_thread
from tests.sims.support import Answer, Client
from tests.sims.test_dvcqg import dossier, sync

REPO = Path(__file__).resolve().parents[2]
EARLIER, LATER = "2026-01-01T08:00:00+07:00", "2026-01-02T08:00:00+07:00"
MAINTENANCE = {"error_code": "503", "message": "Hệ thống đang bảo trì, vui lòng thử lại sau."}


def test_health(client: Client) -> None:
    answer = client.get("/_sim/health")
    assert (answer.status, answer.json()) == (200, {"ok": True})


def test_unknown_path_and_method(client: Client) -> None:
    answer = client.get("/khong-co")
    assert (answer.status, answer.json()["error_code"]) == (404, "201")
    assert client.get("/dvcqg/api/hoso/dongbo").status == 401  # GET of a dossier, no token
    assert client.call("DELETE", "/_sim/health").status == 405


def test_body_that_is_not_json(client: Client) -> None:
    answer = client.call("POST", "/_sim/knobs", headers={"Content-Type": "application/json"})
    assert (answer.status, answer.json()["error_code"]) == (400, "200")
    answer = client.call(
        "POST", "/csdldc/api/congdan/tracuu", headers={"X-API-Key": "csdldc-demo-key"}
    )
    assert answer.status == 400


def test_knobs_are_listed_and_set(client: Client) -> None:
    knobs = client.get("/_sim/knobs").json()
    assert set(knobs) == set(SYSTEMS)
    assert knobs["dvcqg"]["latency_ms"] == 0
    set_all = client.knobs("*", latency_ms=1, error_rate=0.0).json()
    assert {k["latency_ms"] for k in set_all.values()} == {1}
    one = client.knobs("thue", down=True).json()
    assert one["thue"]["down"] is True
    assert one["dvcqg"]["down"] is False


@pytest.mark.parametrize(
    "body",
    [
        {"latency_ms": 5},
        {"system": "bhxh", "latency_ms": 5},
        {"system": "dvcqg", "latency": 5},
        {"system": "dvcqg", "latency_ms": -1},
        {"system": "dvcqg", "error_rate": 1.5},
        {"system": "dvcqg", "down": "yes"},
        {"system": "dvcqg", "outages": [{"start": "2026-01-01T08:00:00", "end": "x"}]},
        {"system": "dvcqg", "outages": [{"start": LATER, "end": EARLIER}]},
    ],
)
def test_bad_knobs_are_refused(client: Client, body: dict[str, Any]) -> None:
    answer = client.post("/_sim/knobs", body)
    assert answer.status == 400
    assert answer.json()["error_code"] in {"200", "302", "500"}
    assert client.get("/_sim/knobs").json()["dvcqg"]["latency_ms"] == 0


def test_down_answers_503_for_that_system_only(client: Client) -> None:
    token = client.token()
    client.knobs("dvcqg", down=True)
    answer = sync(client, dossier(), "k", token)
    assert (answer.status, answer.json()) == (503, MAINTENANCE)
    assert client.get("/dvcqg/").status == 503
    assert client.call("POST", "/dvcqg/oauth/token", form={}).status == 503
    assert client.get("/_sim/dvcqg/received").json()["requests"] == 1
    assert client.get("/_sim/health").status == 200
    assert client.token("thue")
    hotich = client.post("/hotich/api/traTrangThaiHoSo", {})
    assert hotich.status == 401
    client.knobs("hotich", down=True)
    hotich = client.post("/hotich/api/traTrangThaiHoSo", {})
    assert (hotich.status, hotich.json()) == (503, {"status": 0, **MAINTENANCE})


def test_error_rate_one_answers_503_without_effect(client: Client, sim: SimServer) -> None:
    token = client.token()
    client.knobs("dvcqg", error_rate=1)
    for _ in range(3):
        answer = sync(client, dossier(), "k", token)
        assert (answer.status, answer.json()) == (503, MAINTENANCE)
    received = client.get("/_sim/dvcqg/received").json()
    assert received["effects"] == {}
    assert received["dossiers"] == {}
    assert received["requests"] == 3
    client.knobs("dvcqg", error_rate=0)
    assert sync(client, dossier(), "k", token).status == 200
    assert sim.state.dvcqg.effects == {"k": 1}


def window(start: dt.timedelta, end: dt.timedelta, tz: dt.tzinfo = VN_TZ) -> dict[str, str]:
    now = dt.datetime.now(tz)
    return {"start": (now + start).isoformat(), "end": (now + end).isoformat()}


def test_outage_window(client: Client) -> None:
    token = client.token()
    minute, hour = dt.timedelta(minutes=1), dt.timedelta(hours=1)
    past = window(-2 * hour, -hour)
    client.knobs("dvcqg", outages=[past])
    assert sync(client, dossier(), "k1", token).status == 200
    client.knobs("dvcqg", outages=[past, window(-minute, minute)])
    answer = sync(client, dossier(), "k2", token)
    assert (answer.status, answer.json()) == (503, MAINTENANCE)
    assert 1 <= int(answer.headers["Retry-After"]) <= 60
    assert len(client.get("/_sim/knobs").json()["dvcqg"]["outages"]) == 2
    client.knobs("dvcqg", outages=[])
    assert sync(client, dossier(), "k2", token).status == 200
    assert client.get("/_sim/dvcqg/received").json()["effects"] == {"k1": 1, "k2": 1}
    # A window given in UTC is the same instant.
    client.knobs("dvcqg", outages=[window(-minute, minute, dt.UTC)])
    assert sync(client, dossier(), "k3", token).status == 503


def test_latency_delays_the_answer(client: Client) -> None:
    client.knobs("csdldc", latency_ms=250)
    started = time.monotonic()
    answer = client.post(
        "/csdldc/api/congdan/tracuu",
        {"SoDinhDanh": "089095001234"},
        headers={"X-API-Key": "csdldc-demo-key"},
    )
    assert answer.status == 200
    assert time.monotonic() - started >= 0.25


def test_ack_delay_answers_after_the_effect_is_visible(client: Client) -> None:
    token = client.token()
    client.knobs("dvcqg", ack_delay_ms=800)
    answers: list[Answer] = []
    started = time.monotonic()
    sender = threading.Thread(target=lambda: answers.append(sync(client, dossier(), "slow", token)))
    sender.start()
    deadline = started + 5
    while time.monotonic() < deadline:
        if client.get("/_sim/dvcqg/received").json()["effects"].get("slow") == 1:
            break
        time.sleep(0.02)
    else:
        pytest.fail("the effect never became visible")
    seen_after = time.monotonic() - started
    assert sender.is_alive(), "the answer must still be on its way"
    assert answers == []
    sender.join(timeout=5)
    assert answers[0].status == 200
    assert time.monotonic() - started >= 0.8
    assert seen_after < 0.8
    # Failed requests are not delayed: nothing happened to wait for.
    started = time.monotonic()
    assert sync(client, dossier(MaTTHC="x"), "bad", token).status == 400
    assert time.monotonic() - started < 0.5


def test_reset_clears_state_and_knobs(client: Client, sim: SimServer) -> None:
    token = client.token()
    assert sync(client, dossier(), "k", token).status == 200
    client.knobs("*", latency_ms=5, down=True)
    assert client.post("/_sim/reset").json() == {"ok": True}
    received = client.get("/_sim/dvcqg/received").json()
    assert received == {"dossiers": {}, "deliveries": [], "effects": {}, "requests": 0}
    knobs = client.get("/_sim/knobs").json()
    assert all(k["latency_ms"] == 0 and k["down"] is False for k in knobs.values())
    assert sim.state.dvcqg.tokens.tokens == {}  # tokens are forgotten too
    answer = sync(client, dossier(), "k", token)
    assert answer.status == 401


def test_config_from_env() -> None:
    env = {
        "SIMS_DVCQG_CLIENT_SECRET": "khac",
        "SIMS_HOTICH_USER": "kiengiang",
        "SIMS_LATENCY_MS": "7",
        "SIMS_ERROR_RATE": "0.25",
        "SIMS_DOWN": "thue, hotich",
    }
    config = Config.from_env(env)
    assert config.dvcqg_client_secret == "khac"
    assert config.hotich_user == "kiengiang"
    assert config.csdldc_api_key == "csdldc-demo-key"
    assert config.knobs["csdldc"].latency_ms == 7
    assert config.knobs["dvcqg"].error_rate == 0.25
    assert [s for s, k in config.knobs.items() if k.down] == ["hotich", "thue"]
    for bad in ({"SIMS_DOWN": "bhxh"}, {"SIMS_ERROR_RATE": "2"}, {"SIMS_LATENCY_MS": "nhanh"}):
        with pytest.raises(ValueError):
            Config.from_env(bad)


def test_env_knobs_survive_reset() -> None:
    with start_in_thread(config=Config.from_env({"SIMS_DOWN": "csdldc"})) as server:
        client = Client(server.base_url)
        client.post("/_sim/reset")
        assert client.get("/_sim/knobs").json()["csdldc"]["down"] is True


def test_one_log_line_per_request(capsys: pytest.CaptureFixture[str]) -> None:
    with start_in_thread(quiet=False, config=Config()) as server:
        Client(server.base_url).get("/_sim/health")
        Client(server.base_url).get("/khong-co")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("[sims] ")
    assert " GET /_sim/health 200 " in lines[0]
    assert lines[0].endswith("ms")
    assert " GET /khong-co 404 " in lines[1]


def test_quiet_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    with start_in_thread(config=Config()) as server:
        Client(server.base_url).get("/_sim/health")
    assert capsys.readouterr().err == ""


def test_python_dash_m_sims() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIMS_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "sims", "--port", "0"],
        cwd=REPO,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert line.startswith("sims listening on http://127.0.0.1:")
        client = Client(line.split()[-1])
        assert client.get("/_sim/health").json() == {"ok": True}
        assert process.stderr.readline().startswith("[sims] ")
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_client_killed_during_ack_delay(client: Client, sim: SimServer) -> None:
    token = client.token()
    client.knobs("dvcqg", ack_delay_ms=300)
    body = json.dumps(dossier()).encode("utf-8")
    head = (
        f"POST /dvcqg/api/hoso/dongbo HTTP/1.1\r\nHost: {sim.host}\r\n"
        f"Authorization: Bearer {token}\r\nIdempotency-Key: killed\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection((sim.host, sim.port)) as raw:
        raw.sendall(head.encode("ascii") + body)
        deadline = time.monotonic() + 5
        while sim.state.dvcqg.effects.get("killed") != 1 and time.monotonic() < deadline:
            time.sleep(0.02)
    # The worker is gone; the effect stays, and a retry with the same key is a replay.
    assert sim.state.dvcqg.effects == {"killed": 1}
    client.knobs("dvcqg", ack_delay_ms=0)
    retry = sync(client, dossier(), "killed", token)
    assert retry.status == 200
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert sim.state.dvcqg.effects == {"killed": 1}
