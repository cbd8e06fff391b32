"""The registry's writes."""

from django.db import transaction

from ..models import ConnectedSystem, SystemService
from ..standard_registry import SYSTEMS
from .breaker import health_ensure


@transaction.atomic
def registry_install() -> int:
    """Add the standard systems and services that are missing (none is changed); every system
    gets its health row. Returns how many systems were added."""
    added = 0
    for spec in SYSTEMS:
        fields = {k: v for k, v in spec.items() if k not in {"code", "services"}}
        system, created = ConnectedSystem.objects.get_or_create(code=spec["code"], defaults=fields)
        added += created
        for code, name, direction, scope, personal in spec["services"]:
            SystemService.objects.get_or_create(
                code=code,
                defaults={
                    "system": system,
                    "name": name,
                    "direction": direction,
                    "scope": scope,
                    "personal_data": personal,
                    "version": spec["version"],
                },
            )
    health_ensure()
    return added
