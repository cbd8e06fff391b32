"""The registry of connected systems and their services (Decree 47/2020 art. 24–26), and each
system's health as the delivery worker sees it.

A system's address and credentials are settings (environment variables), never rows: the
registry says what the system is and who owns it; `settings.MOTCUA_LGSP_SYSTEMS` says where it
is and how to sign in.
"""

from django.db import models


class AuthKind(models.TextChoices):
    NONE = "none", "Không xác thực"
    OAUTH2_CLIENT = "oauth2_client", "OAuth2 (ứng dụng tự xác thực)"
    API_KEY = "api_key", "Khóa API (X-API-Key)"
    BASIC = "basic", "Tên và mật khẩu (HTTP Basic)"


class Direction(models.TextChoices):
    OUTBOUND = "out", "Gửi đi"
    INBOUND = "in", "Nhận về"


class ConnectedSystem(models.Model):
    code = models.SlugField("mã hệ thống", max_length=32, unique=True)
    name = models.CharField("tên hệ thống", max_length=255)
    owner = models.CharField("cơ quan chủ quản", max_length=255)
    version = models.CharField("phiên bản", max_length=32, blank=True)
    auth_kind = models.CharField(
        "kiểu xác thực", max_length=16, choices=AuthKind.choices, default=AuthKind.NONE
    )
    schema_ref = models.CharField("tài liệu đặc tả", max_length=500, blank=True)
    access_policy = models.TextField("chính sách truy cập", blank=True)
    # Paused by an administrator: messages wait, nothing is lost.
    active = models.BooleanField("đang kết nối", default=True)

    class Meta:
        verbose_name = "hệ thống kết nối"
        verbose_name_plural = "hệ thống kết nối"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SystemService(models.Model):
    system = models.ForeignKey(
        ConnectedSystem, verbose_name="hệ thống", on_delete=models.PROTECT, related_name="services"
    )
    code = models.CharField("mã dịch vụ", max_length=64, unique=True)
    name = models.CharField("tên dịch vụ", max_length=255)
    direction = models.CharField("chiều", max_length=3, choices=Direction.choices)
    version = models.CharField("phiên bản", max_length=32, blank=True)
    schema_ref = models.CharField("tài liệu đặc tả", max_length=500, blank=True)
    access_policy = models.TextField("chính sách truy cập", blank=True)
    # Inbound services: the OAuth2 scope a connection account needs to call it.
    scope = models.CharField("phạm vi (scope)", max_length=64, blank=True)
    # Payloads carry personal data: the message log keeps them encrypted or as a digest only.
    personal_data = models.BooleanField("có dữ liệu cá nhân", default=True)
    active = models.BooleanField("đang cung cấp", default=True)

    class Meta:
        verbose_name = "dịch vụ chia sẻ dữ liệu"
        verbose_name_plural = "dịch vụ chia sẻ dữ liệu"
        ordering = ["system", "code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class BreakerState(models.TextChoices):
    CLOSED = "closed", "Bình thường"
    OPEN = "open", "Tạm ngắt (đối tác lỗi)"
    HALF_OPEN = "half_open", "Đang thử lại"


class SystemHealth(models.Model):
    """The circuit breaker and the last outcomes of one system; written by the worker only.

    Kept apart from `ConnectedSystem` so that an administrator saving the registry never
    overwrites what the worker just learned."""

    system = models.OneToOneField(ConnectedSystem, on_delete=models.CASCADE, related_name="health")
    breaker = models.CharField(max_length=10, choices=BreakerState.choices, default="closed")
    # Open: no message goes until then. Half open: the probe's deadline.
    breaker_until = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # How many times in a row the breaker opened: each opening waits longer.
    trips = models.PositiveIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "tình trạng kết nối"
        verbose_name_plural = "tình trạng kết nối"

    def __str__(self) -> str:
        return f"{self.system_id} {self.breaker}"
