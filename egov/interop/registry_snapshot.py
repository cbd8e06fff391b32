"""The registry as the delivery path reads it on every message: how each system signs in and
whether each service carries personal data. Read once and kept for a short while per process
(a worker sends thousands of messages a minute; an administrator's edit in the admin reaches
the workers within `_TTL` seconds)."""

import threading
import time
from dataclasses import dataclass

from .models import AuthKind, ConnectedSystem, SystemService

_TTL = 30.0
_lock = threading.Lock()


@dataclass(frozen=True)
class Snapshot:
    auth_kinds: dict[str, str]
    personal: dict[str, bool]
    taken: float


_snapshot: Snapshot | None = None


def _current() -> Snapshot:
    global _snapshot
    with _lock:
        if _snapshot is None or time.monotonic() - _snapshot.taken > _TTL:
            _snapshot = Snapshot(
                auth_kinds=dict(ConnectedSystem.objects.values_list("code", "auth_kind")),
                personal=dict(SystemService.objects.values_list("code", "personal_data")),
                taken=time.monotonic(),
            )
        return _snapshot


def auth_kind(system: str) -> str:
    return _current().auth_kinds.get(system, AuthKind.NONE)


def carries_personal_data(service: str) -> bool:
    """A service the registry does not know is treated as carrying personal data."""
    return _current().personal.get(service, True)


def forget() -> None:
    """Read the registry again on next use (tests that change it; the admin after a save)."""
    global _snapshot
    with _lock:
        _snapshot = None
