"""What the National Public Service Portal knows of each dossier (indicator 1.4 counts it)."""

from django.db import models


class PortalSyncState(models.TextChoices):
    PENDING = "pending", "Chờ đồng bộ"
    SYNCED = "synced", "Đã đồng bộ"
    FAILED = "failed", "Đồng bộ lỗi"


class PortalSync(models.Model):
    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="portal_sync"
    )
    # The dossier's last event queued for the portal, and the last one it acknowledged.
    queued_seq = models.PositiveIntegerField(default=0)
    synced_seq = models.PositiveIntegerField(default=0)
    state = models.CharField(
        max_length=10, choices=PortalSyncState.choices, default=PortalSyncState.PENDING
    )
    synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "đồng bộ Cổng DVC quốc gia"
        verbose_name_plural = "đồng bộ Cổng DVC quốc gia"
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.synced_seq}/{self.queued_seq}"
