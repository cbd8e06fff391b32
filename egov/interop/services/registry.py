"""The registry's writes."""

from django.db import transaction

from .. import standard_registry
from ..models import ConnectedSystem, SystemHealth, SystemService
from .breaker import health_ensure


@transaction.atomic
def registry_install() -> int:
    """Add the standard systems and services that are missing (none is changed); every system
    gets its health row. Returns how many systems were added."""
    added = standard_registry.install(ConnectedSystem, SystemService, SystemHealth)
    health_ensure()  # systems an administrator added too
    return added
