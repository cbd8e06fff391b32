"""Writes to the outbox; the delivery worker comes with the interconnection bus."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage


@transaction.atomic
def outbox_put(*, topic: str, idempotency_key: str, payload: dict[str, Any]) -> OutboxMessage:
    """Queue a message inside the caller's transaction: it leaves only if the change commits."""
    message, _ = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={"topic": topic, "payload": payload, "next_attempt_at": timezone.now()},
    )
    return message
