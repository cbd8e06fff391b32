"""Settings come from the environment with safe defaults; production refuses to start unsafe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent


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
