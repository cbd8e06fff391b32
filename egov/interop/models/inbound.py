"""Connection accounts of outside systems that call us (Decree 47/2020 art. 40), and the
answers kept for their `Idempotency-Key`s.

An account is an OAuth2 application of django-oauth-toolkit (client credentials) tied to a
connected system, with the scopes of the services it may call and its own rate limit.
"""

from django.conf import settings
from django.db import models

from .registry import ConnectedSystem


class ConnectionAccount(models.Model):
    system = models.ForeignKey(
        ConnectedSystem, verbose_name="hệ thống", on_delete=models.PROTECT, related_name="accounts"
    )
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        verbose_name="ứng dụng OAuth2",
        on_delete=models.PROTECT,
        related_name="connection_account",
    )
    # Space-separated scopes, each naming an inbound service this account may call.
    scopes = models.CharField("phạm vi được cấp", max_length=500, blank=True)
    rate = models.CharField("giới hạn tần suất", max_length=16, default="120/m")
    active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        verbose_name = "tài khoản kết nối"
        verbose_name_plural = "tài khoản kết nối"

    def __str__(self) -> str:
        return f"{self.system.code} · {self.application.name}"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class InboundReplay(models.Model):
    """The first answer to an account's `Idempotency-Key`: the same key gets it again."""

    account = models.ForeignKey(ConnectionAccount, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="inbound_replay_unique_key")
        ]

    def __str__(self) -> str:
        return self.key
