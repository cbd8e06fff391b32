"""Notices to staff (shown in the desk until read, and sent by e-mail where the person has an
address), and the channels a citizen chose for the notices sent to them."""

from django.conf import settings
from django.db import models


class StaffNotification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField("tiêu đề", max_length=255)
    body = models.TextField("nội dung")
    link = models.CharField("đường dẫn", max_length=255, blank=True)
    created_at = models.DateTimeField("lúc", auto_now_add=True)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How a signed-in citizen wants to be told of their dossiers, appointments and feedback:
    any of e-mail, SMS and Zalo. A person without a row gets the default (SMS when they have a
    mobile number, e-mail when they have an address; Zalo only when chosen here).

    For an officer the row holds one choice only, `email`: whether work handed to them is also
    sent by e-mail (on by default when they have an address). The desk's notices are always
    kept; `sms` and `zalo` are not asked of staff."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField("thư điện tử", default=True)
    sms = models.BooleanField("tin nhắn SMS", default=True)
    zalo = models.BooleanField("Zalo", default=False)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "cách nhận thông báo"
        verbose_name_plural = "cách nhận thông báo"

    def __str__(self) -> str:
        chosen = [name for name in ("email", "sms", "zalo") if getattr(self, name)]
        return f"{self.user_id}: {', '.join(chosen) or 'không nhận'}"
