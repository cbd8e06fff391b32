"""Writes to the outbox; the delivery worker comes with the interconnection bus."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage


def outbox_put(*, topic: str, idempotency_key: str, payload: dict[str, Any]) -> OutboxMessage:
    """Queue a message inside the caller's transaction: it leaves only if the change commits.

    The key names the change that caused it (a dossier's event, say), so a second message with
    the same key is a bug and fails loudly with the caller's transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_put must run inside the transaction of the change")
    return OutboxMessage.objects.create(
        topic=topic,
        idempotency_key=idempotency_key,
        payload=payload,
        next_attempt_at=timezone.now(),
    )
