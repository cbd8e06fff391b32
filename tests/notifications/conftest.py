"""Citizens, their e-identity's phone and e-mail, and the SMS and Zalo simulators."""

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from egov.interop import registry_snapshot
from egov.interop.adapters import http
from egov.interop.services.delivery import deliver_due
from egov.interop.services.registry import registry_install
from egov.notifications import selectors
from sims.server import Config, SimServer, start_in_thread
from tests.dossiers.conftest import counter_dossier
from tests.sims.support import Client

__all__ = ["counter_dossier"]


@pytest.fixture
def registry(db: Any) -> None:
    """The standard registry (a flushed database loses the migration's rows)."""
    registry_install()
    registry_snapshot.forget()


@pytest.fixture
def citizen(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("congdan", password="x", first_name="Tuyết")


@pytest.fixture
def identity(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Give a user the phone and e-mail of an e-identity. The accounts app's
    `CitizenIdentity` is built elsewhere; the notifications app reads it only through
    `selectors.contact_of`, which this stands in for."""
    contacts: dict[int, tuple[str, str]] = {}
    real = selectors.contact_of

    def contact_of(user: Any) -> tuple[str, str]:
        if user.pk in contacts:
            return contacts[user.pk]
        return real(user)

    monkeypatch.setattr(selectors, "contact_of", contact_of)

    def give(user: Any, *, phone: str = "", email: str = "") -> None:
        contacts[user.pk] = (phone, email)

    return give


@pytest.fixture(scope="session")
def sim_server() -> Iterator[SimServer]:
    server = start_in_thread(host="127.0.0.1", port=0, config=Config())
    yield server
    server.stop()


class Gateways:
    """The SMS and Zalo simulators as the tests drive them."""

    def __init__(self, server: SimServer) -> None:
        self.server = server
        self.client = Client(server.base_url)

    def knobs(self, system: str, **values: Any) -> None:
        self.client.knobs(system, **values)

    def sms(self) -> list[dict[str, Any]]:
        return self.client.get("/_sim/sms/received").json()["messages"]

    def zalo(self) -> list[dict[str, Any]]:
        return self.client.get("/_sim/zalo/received").json()["messages"]

    def received(self, system: str) -> dict[str, Any]:
        return self.client.get(f"/_sim/{system}/received").json()


@pytest.fixture
def gateways(sim_server: SimServer, settings: Any, registry: None) -> Iterator[Gateways]:
    """Clean simulators, this deployment's SMS and Zalo pointing at them."""
    systems = copy.deepcopy(settings.MOTCUA_LGSP_SYSTEMS)
    for code in ("sms", "zalo"):
        systems[code]["url"] = f"{sim_server.base_url}/{code}"
    # The national systems are not under test here: their messages wait.
    for code in ("dvcqg", "csdldc", "hotich", "thue"):
        systems[code]["url"] = ""
    settings.MOTCUA_LGSP_SYSTEMS = systems
    driver = Gateways(sim_server)
    assert driver.client.post("/_sim/reset").status == 200
    http.reset_clients()
    yield driver
    http.reset_clients()


def deliver(clock: Any, worker: str = "w1") -> int:
    return deliver_due(worker=worker, batch=50, max_seconds=30, clock=lambda: clock.now)
