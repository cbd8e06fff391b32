"""The outbox: what must leave the process, written in the same transaction as the change
that caused it, and delivered later, at least once, by a worker (DESIGN "How data flows").

A message names the connected system it goes to and the service (`topic`) it calls. Messages
that share an `ordering_key` (one dossier's) are delivered one after the other, in the order
they were written: a later one waits while an earlier one is not delivered, even a dead one,
until it gets through, or a person replays it or discards it.

A payload may carry citizens' personal data (names, ID numbers, addresses, the texts of SMS
and e-mails): once delivered it is kept `MOTCUA_OUTBOX_PAYLOAD_DAYS` days, then cleared
(`services.outbox.outbox_clear_delivered_payloads`). Its SHA-256 digest, taken when it was
queued, stays on the row, so what was sent can still be proven by comparing digests.
"""

import datetime

from django.db import models
from django.db.models import Q


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    DELIVERED = "delivered", "Đã gửi"
    DEAD = "dead", "Gửi lỗi, cần xử lý"
    # A dead letter a person decided not to send (the partner refuses it for good).
    DISCARDED = "discarded", "Đã hủy, không gửi"


class OutboxMessage(models.Model):
    system = models.CharField("hệ thống nhận", max_length=32)
    topic = models.CharField("dịch vụ", max_length=64)
    # Messages with the same key go out in order (one dossier's, say).
    ordering_key = models.CharField("khóa thứ tự", max_length=64)
    # The receiver drops a message it has seen before: delivery is at least once.
    idempotency_key = models.CharField("khóa chống gửi trùng", max_length=128, unique=True)
    payload = models.JSONField("nội dung gửi")
    # SHA-256 of the payload as canonical JSON (sorted keys, no spaces, UTF-8), taken when it
    # was queued: it outlives the payload. "" on rows from before it (the clearing fills it).
    payload_sha256 = models.CharField("mã băm nội dung (SHA-256)", max_length=64, blank=True)
    # When the delivered payload was cleared (set to {}): kept no longer than needed.
    payload_cleared_at = models.DateTimeField("xóa nội dung lúc", null=True, blank=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("gửi lại lúc")
    # A worker that claims a message holds it until then; a worker that dies lets it go.
    leased_until = models.DateTimeField("bộ gửi giữ đến", null=True, blank=True)
    lease_owner = models.CharField("bộ gửi đang giữ", max_length=64, blank=True)
    # The retry budget is counted from here: the message's creation, or its last replay.
    retry_from = models.DateTimeField("tính lượt gửi lại từ")
    last_status = models.PositiveSmallIntegerField("mã phản hồi cuối", null=True, blank=True)
    last_error = models.TextField("lỗi cuối", blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    delivered_at = models.DateTimeField("gửi được lúc", null=True, blank=True)
    dead_at = models.DateTimeField("chuyển thư lỗi lúc", null=True, blank=True)
    replays = models.PositiveSmallIntegerField("số lần gửi lại thủ công", default=0)

    class Meta:
        verbose_name = "thông điệp chờ gửi"
        verbose_name_plural = "thông điệp chờ gửi"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # The worker's claim: pending rows in the order they are due, without a sort and
            # without reading delivered rows (a backlog of 100,000 is claimed 50 at a time).
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="outbox_due",
            ),
            # "Is an earlier message of this key still open?" without reading delivered rows.
            models.Index(
                fields=["ordering_key", "id"],
                condition=~Q(status="delivered"),
                name="outbox_open_by_key",
            ),
            models.Index(fields=["system", "status"]),
            # Delivered payloads not yet cleared, by age: rows leave it as they are cleared, so
            # the daily clearing never reads the millions it cleared before.
            models.Index(
                fields=["delivered_at"],
                condition=Q(status="delivered", payload_cleared_at__isnull=True),
                name="outbox_payload_to_clear",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.idempotency_key}"

    @property
    def payload_kept_days(self) -> int | None:
        """How many whole days after its delivery the payload was cleared; None if it was not."""
        if self.payload_cleared_at is None:
            return None
        since = self.delivered_at or self.created_at
        return max(0, (self.payload_cleared_at - since) // datetime.timedelta(days=1))
