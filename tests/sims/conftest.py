"""The sims server on a free port for each test module; no database is needed."""

from collections.abc import Iterator

import pytest

from sims.server import Config, SimServer, start_in_thread
from tests.sims.support import Client


@pytest.fixture(scope="module")
def sim() -> Iterator[SimServer]:
    # An explicit Config: the tests must not depend on SIMS_* variables of the shell.
    server = start_in_thread(host="127.0.0.1", port=0, config=Config())
    yield server
    server.stop()


@pytest.fixture
def client(sim: SimServer) -> Client:
    """A client of a freshly reset server."""
    client = Client(sim.base_url)
    assert client.post("/_sim/reset").status == 200
    return client
