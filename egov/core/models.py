"""The shared kernel's two tables: the rate limits' counters and the reference stamp.

The kernel holds no domain data; these tables are here because every app shares them and
every web process must see them at once: a rate limit's counter (egov.core.ratelimit), and the
stamp that tells a process its cached reference data is out of date (egov.core.reference).
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


class ReferenceStamp(models.Model):
    """The one row whose value changes with every change to reference data (the catalogue,
    agencies, staff roles, the calendar): each process's cache of that data is good for as
    long as the value it was loaded under is the current one (egov.core.reference)."""

    value = models.BigIntegerField("dấu phiên bản")

    class Meta:
        verbose_name = "dấu phiên bản dữ liệu danh mục"
        verbose_name_plural = "dấu phiên bản dữ liệu danh mục"

    def __str__(self) -> str:
        return str(self.value)
