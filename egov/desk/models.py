"""The desk's own data: scans held for a counter intake form that came back with an error.

A form the officer sends with a mistake (a wrong ID number, a missing reason, a paper the
engine asks for) comes back with everything typed; the scans attached to it are kept here,
for that form (its token) and that officer only, until the form goes through (they become
the dossier's documents), the officer removes or replaces them, or they go stale after
`services.HELD_HOURS` (see `services.held_scans_expire`)."""

import uuid

from django.conf import settings
from django.db import models


def _held_path(scan: "HeldScan", filename: str) -> str:
    # A random name under the officer's folder: nothing of the file's own name on disk.
    return f"desk/held/{scan.officer_id}/{uuid.uuid4().hex}"


class HeldScan(models.Model):
    """A scan attached to a counter intake form that has not gone through yet."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The intake form's one-time token: one form, its scans.
    token = models.CharField(max_length=32)
    procedure_code = models.CharField("mã thủ tục", max_length=8)
    component = models.CharField("thành phần", max_length=20)
    file = models.FileField(upload_to=_held_path, max_length=200)
    # As the officer's computer named it (without folders or hidden characters): shown on
    # the form, and handed to the engine, which stores its own safe name.
    name = models.CharField("tên tệp", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    held_at = models.DateTimeField()

    class Meta:
        verbose_name = "tệp đính kèm chờ tiếp nhận"
        verbose_name_plural = "tệp đính kèm chờ tiếp nhận"
        ordering = ["held_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "token", "component"], name="desk_heldscan_one_per_component"
            )
        ]
        indexes = [models.Index(fields=["held_at"], name="desk_heldscan_held_at")]

    def __str__(self) -> str:
        return self.name
