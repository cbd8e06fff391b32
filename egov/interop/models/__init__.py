"""The interconnection axis's data: the registry, the outbox, the message log, the national
portal's sync state, the connection accounts of inbound callers and the tax authority's
notices."""

from .inbound import ConnectionAccount, InboundReplay
from .log import BodyStorage, LogHead, LogOutcome, MessageLog
from .outbox import OutboxMessage, OutboxStatus
from .registry import (
    AuthKind,
    BreakerState,
    ConnectedSystem,
    Direction,
    SystemHealth,
    SystemService,
)
from .sync import PortalSync, PortalSyncState
from .tax import TaxNotice

__all__ = [
    "AuthKind",
    "BodyStorage",
    "BreakerState",
    "ConnectedSystem",
    "ConnectionAccount",
    "Direction",
    "InboundReplay",
    "LogHead",
    "LogOutcome",
    "MessageLog",
    "OutboxMessage",
    "OutboxStatus",
    "PortalSync",
    "PortalSyncState",
    "SystemHealth",
    "SystemService",
    "TaxNotice",
]
