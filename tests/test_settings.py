"""Settings come from the environment with safe defaults; production refuses to start unsafe."""

import os
import re
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from sims.server import Config
from tests.environment import is_setting

ROOT = Path(__file__).resolve().parent.parent
SQLITE = "django.db.backends.sqlite3"


def settings_in(env: dict[str, str], expression: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "MOTCUA_")) and k != "DATABASE_URL"
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", f"import egov.settings as s; print({expression})"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = settings_in({}, "s.SECRET_KEY")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_defaults_are_secure():
    result = settings_in(
        {"DJANGO_SECRET_KEY": "x" * 50},
        "s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.LANGUAGE_CODE, s.TIME_ZONE",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True True True 31536000 vi Asia/Ho_Chi_Minh"


def test_demo_runs_on_plain_http_with_sqlite_in_wal_mode():
    result = settings_in(
        {"MOTCUA_MODE": "demo"},
        "s.SESSION_COOKIE_SECURE, s.DATABASES['default']['ENGINE'], "
        "s.DATABASES['default']['OPTIONS']['transaction_mode']",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False django.db.backends.sqlite3 IMMEDIATE"


def test_database_url_selects_postgresql():
    result = settings_in(
        {"MOTCUA_MODE": "demo", "DATABASE_URL": "postgres://u:p@db.example:5432/motcua"},
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']",
    )
    assert result.stdout.strip() == "django.db.backends.postgresql motcua"
    # Neither JIT nor parallel workers for a web request's few rows; options in the URL stay.
    tuned = settings_in(
        {"MOTCUA_MODE": "demo", "DATABASE_URL": "postgres://db.example/m?options=-c%20a%3Db"},
        "s.DATABASES['default']['OPTIONS']['options']",
    )
    assert tuned.stdout.strip() == "-c a=b -c jit=off -c max_parallel_workers_per_gather=0"


@pytest.mark.django_db
def test_postgresql_sessions_run_without_jit_or_parallel_workers():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's own settings (MOTCUA_TEST_DATABASE_URL=postgres://...)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert (jit, cursor.fetchone()[0]) == ("off", "0")


def test_unknown_mode_is_refused():
    result = settings_in({"MOTCUA_MODE": "staging"}, "1")
    assert "MOTCUA_MODE must be production, demo or test" in result.stderr


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_in_production():
    with override_settings(MOTCUA_MODE="production"), pytest.raises(CommandError):
        call_command("seed_demo")


def test_production_talks_to_no_simulator_and_checks_the_bus_settings():
    secret = {"DJANGO_SECRET_KEY": "x" * 50}
    result = settings_in(secret, "s.MOTCUA_LGSP_SYSTEMS['dvcqg']['url']")
    assert result.returncode == 0 and result.stdout.strip() == ""  # not configured
    demo = settings_in({"MOTCUA_MODE": "demo"}, "s.MOTCUA_LGSP_SYSTEMS['dvcqg']['url']")
    assert demo.stdout.strip() == "http://127.0.0.1:8100/dvcqg"
    bad_key = settings_in(
        {**secret, "MOTCUA_LGSP_PERSONAL_BODIES": "encrypted", "MOTCUA_LGSP_LOG_KEY": "short"},
        "1",
    )
    assert bad_key.returncode != 0 and "Fernet key" in bad_key.stderr
    short_lease = settings_in({**secret, "MOTCUA_OUTBOX_LEASE_SECONDS": "30"}, "1")
    assert short_lease.returncode != 0 and "MOTCUA_OUTBOX_LEASE_SECONDS" in short_lease.stderr


# ----------------------------------------------------------------------------- the suite's own


def test_the_suite_runs_on_its_own_settings(settings):
    """What every test sees, whatever the shell exported (the child runs below check it from
    a shell that ran the demo): test mode, the simulators' default address, the database
    named by MOTCUA_TEST_DATABASE_URL or else SQLite."""
    assert settings.MOTCUA_MODE == "test"
    assert settings.MOTCUA_LGSP_SYSTEMS["dvcqg"]["url"] == "http://127.0.0.1:8100/dvcqg"
    assert settings.MOTCUA_OUTBOX_KICK is False
    assert not any(knobs.down for knobs in Config.from_env().knobs.values())
    chosen = os.environ.get("MOTCUA_TEST_DATABASE_URL")
    expected = environ.Env.db_url_config(chosen) if chosen else {"ENGINE": SQLITE, "HOST": ""}
    database = settings.DATABASES["default"]
    assert (database["ENGINE"], database["HOST"]) == (expected["ENGINE"], expected["HOST"])


def pytest_in(shell: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """That test, run by pytest in a child started from a shell that exported `shell`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "MOTCUA_TEST_DATABASE_URL"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "tests/test_settings.py::test_the_suite_runs_on_its_own_settings",
        ],
        env={**env, **shell},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_shell_that_ran_the_demo_does_not_change_the_suite():
    shell = {
        "MOTCUA_MODE": "demo",
        "MOTCUA_SIMS_URL": "http://127.0.0.1:9",
        "MOTCUA_OUTBOX_KICK": "1",
        "DATABASE_URL": "postgres://site@db.invalid:5432/motcua",
        "DJANGO_SETTINGS_MODULE": "somewhere.else",
        "SIMS_DOWN": "*",
    }
    result = pytest_in(shell)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
    # The header says what it ignored (with whatever this run's own tests set meanwhile).
    header = re.search(r"^MotCua: ignored from the shell: (.*)$", result.stdout, re.MULTILINE)
    assert header and set(shell) <= set(header[1].split(", ")), result.stdout[:2000]


def test_the_tests_database_is_named_by_its_own_variable():
    result = pytest_in(
        {
            "MOTCUA_TEST_DATABASE_URL": "postgres://tests@db.invalid:5432/motcua",
            "DATABASE_URL": "sqlite:////nowhere/site.sqlite3",
        }
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "MotCua: MOTCUA_MODE=test, database postgres from MOTCUA_TEST_DATABASE_URL" in (
        result.stdout
    )


def test_the_suite_keeps_every_variable_the_settings_read_from_the_shell():
    source = (ROOT / "egov" / "settings.py").read_text()
    names = set(re.findall(r'env\.\w+\(\s*f?"([A-Za-z_{}]+)"', source))
    assert {"DATABASE_URL", "MOTCUA_MODE", "MOTCUA_LGSP_{name}_URL", "EMAIL_URL"} <= names
    assert [name for name in sorted(names) if not is_setting(name)] == []
