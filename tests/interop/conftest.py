import copy
from collections.abc import Iterator
from typing import Any

import pytest

from egov.interop import registry_snapshot
from egov.interop.adapters import http
from egov.interop.services.registry import registry_install
from sims.server import start_in_thread
from tests.dossiers.conftest import counter_dossier
from tests.sims.support import Client

__all__ = ["counter_dossier"]


@pytest.fixture(autouse=True)
def registry(db: Any) -> None:
    """The standard registry: a test that flushes the database (a live server, a transactional
    test) takes the migration's rows away, so every test here installs them again."""
    registry_install()
    registry_snapshot.forget()


@pytest.fixture(scope="session")
def sim_server() -> Iterator[Any]:
    """The national systems' simulator, one for the whole run (tests reset it)."""
    server = start_in_thread(host="127.0.0.1", port=0)
    yield server
    server.stop()


class Sim:
    """The simulator as a test drives it: its knobs, its state, its control endpoints."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client = Client(base_url)

    def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.call("POST", path, json_body=body or {}).json()

    def knobs(self, system: str = "*", **values: Any) -> None:
        self.control("/_sim/knobs", {"system": system, **values})

    def received(self) -> dict[str, Any]:
        return self.client.call("GET", "/_sim/dvcqg/received").json()


@pytest.fixture
def sim(sim_server: Any, settings: Any) -> Iterator[Sim]:
    """A clean simulator, and this deployment's settings pointing at it."""
    systems = copy.deepcopy(settings.MOTCUA_LGSP_SYSTEMS)
    for code, path in {
        "dvcqg": "/dvcqg",
        "csdldc": "/csdldc",
        "hotich": "/hotich",
        "thue": "/thue",
    }.items():
        systems[code]["url"] = f"{sim_server.base_url}{path}"
    # No SMS or Zalo here (tests/notifications has them): the applicant's notice is the e-mail.
    systems["sms"]["url"] = systems["zalo"]["url"] = ""
    settings.MOTCUA_LGSP_SYSTEMS = systems
    driver = Sim(sim_server.base_url)
    driver.control("/_sim/reset")
    http.reset_clients()
    yield driver
    http.reset_clients()
