"""The layers of DESIGN "How data flows" (point 1) are an import-linter contract in
pyproject.toml, which `make lint` runs (lint-imports). Here the contract itself is held to
account: it is the design's order, the code keeps it, and it would catch the imports it
exists to forbid."""

import copy
from functools import cache
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter.api import read_configuration
from importlinter.contracts.layers import LayersContract

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
# Highest first: a layer may import the ones below it, never one above; desk and portal are
# siblings that may not import each other.
DESIGN = [
    "demo",
    "desk | portal",
    "appointments | feedback",
    "notifications",
    "interop",
    "dossiers",
    "catalog",
    "accounts",
    "orgs",
    "core",
]


def contract() -> tuple[LayersContract, dict[str, Any]]:
    config = read_configuration(str(PYPROJECT))
    (options,) = config["contracts_options"]
    checked = LayersContract(
        name=options["name"],
        session_options=config["session_options"],
        contract_options=options,
    )
    return checked, options


@cache
def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("egov", cache_dir=None)


def graph() -> grimp.ImportGraph:
    # A check removes the ignored imports from the graph it is given: each gets its own.
    return copy.deepcopy(_graph())


def test_the_contract_is_the_design():
    _, options = contract()
    assert options["type"] == "layers" and options["containers"] == ["egov"]
    assert options["layers"] == DESIGN
    # Every app is in a layer; only the project's wiring stands outside.
    assert options["exhaustive"] == "True"
    assert sorted(options["exhaustive_ignores"]) == ["api", "settings", "urls", "wsgi"]
    # The one import of the bus by the engine: the counter's population look-up.
    assert options["ignore_imports"] == [
        "egov.dossiers.services.intake -> egov.interop.services.population"
    ]


def test_the_code_keeps_the_layers():
    checked, _ = contract()
    assert checked.check(graph(), verbose=False).kept


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        # The engine knowing a subscriber by name (what the registry replaced).
        ("egov.dossiers.handlers", "egov.interop.services.portal"),
        # The bus knowing the notifications (what the registered routes replaced).
        ("egov.interop.services.delivery", "egov.notifications.services"),
        ("egov.core.api_support", "egov.accounts.services"),
        ("egov.orgs.context_processors", "egov.notifications.selectors"),
        # Siblings.
        ("egov.portal.views", "egov.desk.views"),
        # The engine importing the bus's handlers to call them itself.
        ("egov.dossiers.services.door", "egov.interop.handlers"),
    ],
)
def test_an_import_against_the_layers_breaks_the_contract(importer, imported):
    changed = graph()
    changed.add_import(importer=importer, imported=imported, line_number=1, line_contents="")
    checked, _ = contract()
    result = checked.check(changed, verbose=False)
    assert not result.kept
    broken = {
        (link["importer"], link["imported"])
        for dependency in result.metadata["invalid_dependencies"]
        for route in dependency["routes"]
        for link in route["chain"]
    }
    assert (importer, imported) in broken


def test_a_new_app_outside_the_layers_breaks_the_contract():
    changed = graph()
    changed.add_module("egov.payments")
    checked, _ = contract()
    result = checked.check(changed, verbose=False)
    assert not result.kept and "egov.payments" in result.metadata["undeclared_modules"]
