"""The test suite's own environment: nothing exported in the developer's shell changes it.

A shell that ran the demo has `MOTCUA_MODE=demo` and `MOTCUA_SIMS_URL` exported, another a
`DATABASE_URL` for a real site or `SIMS_DOWN=*`; none of them may decide what the tests see
(STYLE, Tests). Before Django reads its settings, this plugin (loaded by `-p tests.environment`
in pyproject's addopts) removes every variable the settings or the simulators read, sets
`MOTCUA_MODE=test` and takes the database from the one variable meant for it:
`MOTCUA_TEST_DATABASE_URL` (CI runs the suite on PostgreSQL this way; unset, the tests use
SQLite in memory). Child processes that tests start inherit this environment and add their own.
"""

import os

import pytest

# The database the tests run on, as a DATABASE_URL; unset: SQLite.
TEST_DATABASE = "MOTCUA_TEST_DATABASE_URL"
# Read from the shell on purpose: CI requires the browser tests instead of skipping them.
KEPT = frozenset({TEST_DATABASE, "MOTCUA_REQUIRE_BROWSER"})
# What egov/settings.py reads (MOTCUA_*, DJANGO_* and these) and the simulators (SIMS_*).
PREFIXES = ("MOTCUA_", "DJANGO_", "SIMS_")
NAMES = frozenset({"DATABASE_URL", "DATABASE_CONN_MAX_AGE", "CACHE_URL", "EMAIL_URL"})

_ignored: list[str] = []


def is_setting(name: str) -> bool:
    """Whether a variable of this name configures the site or the simulators."""
    return name.startswith(PREFIXES) or name in NAMES


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Runs before pytest-django imports the settings."""
    for name in sorted(os.environ):
        if is_setting(name) and name not in KEPT:
            _ignored.append(name)
            del os.environ[name]
    os.environ["MOTCUA_MODE"] = "test"
    if os.environ.get(TEST_DATABASE):
        os.environ["DATABASE_URL"] = os.environ[TEST_DATABASE]


def pytest_report_header(config: pytest.Config) -> list[str]:
    url = os.environ.get(TEST_DATABASE)
    # The scheme only: the address may hold a password.
    database = f"{url.split(':', 1)[0]} from {TEST_DATABASE}" if url else "SQLite (the default)"
    lines = [f"MotCua: MOTCUA_MODE=test, database {database}"]
    if _ignored:
        lines.append(f"MotCua: ignored from the shell: {', '.join(_ignored)}")
    return lines
