"""The shared kernel's one table: the rate limits' counters.

The kernel holds no domain data; this table is here because every app's rate limit shares it
(egov.core.ratelimit) and a counter must be seen by every web process at once.
"""

from django.db import models


class RateCounter(models.Model):
    """Requests one client made in one scope during the current fixed window.

    One row per scope and client, reused window after window: `window_end` (seconds since the
    epoch) says when its count lapses. Rows of clients that stopped coming are swept now and
    then (ratelimit._sweep)."""

    key = models.CharField("khóa", max_length=200, primary_key=True)
    window_end = models.BigIntegerField("hết khung lúc (giây)")
    hits = models.PositiveIntegerField("số yêu cầu")

    class Meta:
        verbose_name = "bộ đếm giới hạn tần suất"
        verbose_name_plural = "bộ đếm giới hạn tần suất"
        indexes = [models.Index(fields=["window_end"], name="ratecounter_window_end")]

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
