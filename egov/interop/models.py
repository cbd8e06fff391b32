"""The outbox: what must leave the process, written in the same transaction as the change
that caused it, and delivered later, at least once, by a worker (DESIGN "How data flows")."""

from django.db import models


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    DELIVERED = "delivered", "Đã gửi"
    DEAD = "dead", "Gửi lỗi, cần xử lý"


class OutboxMessage(models.Model):
    topic = models.CharField("chủ đề", max_length=64)
    # The receiver drops a message it has seen before: delivery is at least once.
    idempotency_key = models.CharField(max_length=128, unique=True)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "thông điệp chờ gửi"
        verbose_name_plural = "thông điệp chờ gửi"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.topic} {self.idempotency_key}"
