"""Notices to staff: shown in the desk until read, and sent by e-mail where the person has an
address."""

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
