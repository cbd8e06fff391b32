"""System checks of what the kernel needs from the machine."""

import sqlite3
from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.db import connections

# The rate counters' upsert answers its count with RETURNING (egov.core.ratelimit).
SQLITE_RETURNING = (3, 35, 0)


@register()
def sqlite_has_returning(**kwargs: Any) -> list[CheckMessage]:
    uses_sqlite = any(connections[alias].vendor == "sqlite" for alias in connections)
    if uses_sqlite and sqlite3.sqlite_version_info < SQLITE_RETURNING:
        return [
            Error(
                f"SQLite {sqlite3.sqlite_version} is too old: the rate limits need 3.35 or "
                "newer (RETURNING); use PostgreSQL or a newer Python build.",
                id="motcua.E001",
            )
        ]
    return []
