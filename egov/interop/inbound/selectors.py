"""Reads for inbound calls: connection accounts and the registry's inbound services."""

from ..models import ConnectionAccount, Direction, SystemService


def account_for_client(*, client_id: str) -> ConnectionAccount | None:
    """The connection account of an OAuth2 client id, active or not; None if it has none."""
    if not client_id:
        return None
    return (
        ConnectionAccount.objects.select_related("system", "application")
        .filter(application__client_id=client_id)
        .first()
    )


def account_for_application(*, application_id: int) -> ConnectionAccount | None:
    return (
        ConnectionAccount.objects.select_related("system", "application")
        .filter(application_id=application_id)
        .first()
    )


def inbound_service_get(*, code: str) -> SystemService | None:
    return SystemService.objects.filter(code=code, direction=Direction.INBOUND).first()


def inbound_scopes() -> dict[str, str]:
    """Every scope an account may be granted: one per active inbound service."""
    return dict(
        SystemService.objects.filter(direction=Direction.INBOUND, active=True)
        .exclude(scope="")
        .values_list("scope", "name")
    )
