"""The message log (Decree 47/2020 art. 45): every exchange with a connected system, outbound
and inbound — who, when, what (as a digest, or the body where the setting allows), the
answer's status and how long it took — in one hash chain over the whole log.

Rows are appended only through `egov.interop.services.log` (`log_append`, and
`log_append_many` for a worker's batch), which moves the head row in the same transaction as
the rows it adds: a batch is one INSERT and one move of the head, and concurrent writers (two
workers, a worker and an inbound call) take turns at the head, so the chain stays one line.
`verify_log` finds a row changed, removed or cut off the end.
"""

import datetime
from typing import Any

from django.db import models

from .registry import Direction


class BodyStorage(models.TextChoices):
    PLAIN = "plain", "Nguyên văn"
    ENCRYPTED = "encrypted", "Mã hóa"
    DIGEST = "digest", "Chỉ lưu mã băm"


class LogOutcome(models.TextChoices):
    OK = "ok", "Thành công"
    RETRY = "retry", "Lỗi tạm thời, sẽ gửi lại"
    REJECTED = "rejected", "Đối tác từ chối"
    REFUSED = "refused", "Từ chối yêu cầu đến"
    # The exchange went through, but what the partner reported contradicts what we hold (a
    # tax payment of another amount than the notice's): nothing was applied.
    DISPUTED = "disputed", "Không khớp, không ghi nhận"
    ERROR = "error", "Lỗi"


class MessageLog(models.Model):
    seq = models.PositiveBigIntegerField("số thứ tự", unique=True)
    at = models.DateTimeField("thời điểm")
    direction = models.CharField("chiều", max_length=3, choices=Direction.choices)
    system = models.CharField("hệ thống", max_length=32)
    service = models.CharField("dịch vụ", max_length=64)
    # Who asked: our province's system for outbound calls, the connection account inbound.
    party = models.CharField("bên yêu cầu", max_length=128)
    idempotency_key = models.CharField("khóa chống gửi trùng", max_length=128, blank=True)
    outbox_id = models.PositiveBigIntegerField("số thông điệp chờ gửi", null=True, blank=True)
    request_digest = models.CharField("mã băm yêu cầu", max_length=64)
    request_body = models.TextField("nội dung yêu cầu", blank=True)
    response_status = models.PositiveSmallIntegerField("mã phản hồi", null=True, blank=True)
    response_code = models.CharField("mã lỗi đối tác", max_length=32, blank=True)
    response_digest = models.CharField("mã băm phản hồi", max_length=64, blank=True)
    response_body = models.TextField("nội dung phản hồi", blank=True)
    body_storage = models.CharField("cách lưu nội dung", max_length=10, choices=BodyStorage.choices)
    duration_ms = models.PositiveIntegerField("thời gian (ms)")
    outcome = models.CharField("kết quả", max_length=10, choices=LogOutcome.choices)
    prev_hash = models.CharField("mã băm dòng trước", max_length=64)
    hash = models.CharField("mã băm", max_length=64)

    class Meta:
        verbose_name = "nhật ký trao đổi"
        verbose_name_plural = "nhật ký trao đổi"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["system", "at"]),
            models.Index(fields=["outbox_id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_direction_display()} {self.system} {self.service}"

    def chained_content(self) -> dict[str, Any]:
        """What the row's hash covers (egov.core.hashchain): everything but the hashes."""
        return {
            "seq": self.seq,
            "at": self.at.astimezone(datetime.UTC).isoformat(),
            "direction": self.direction,
            "system": self.system,
            "service": self.service,
            "party": self.party,
            "idempotency_key": self.idempotency_key,
            "outbox_id": self.outbox_id,
            "request_digest": self.request_digest,
            "request_body": self.request_body,
            "response_status": self.response_status,
            "response_code": self.response_code,
            "response_digest": self.response_digest,
            "response_body": self.response_body,
            "body_storage": self.body_storage,
            "duration_ms": self.duration_ms,
            "outcome": self.outcome,
        }


class LogHead(models.Model):
    """The chain's last number and hash, one row: an append moves it only from where the
    appender found it (compare and set), so writers take turns; a log cut short no longer
    ends where the head says."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"#{self.seq}"
