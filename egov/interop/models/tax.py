"""What the tax authority asked for a dossier: the amount a payment it reports must match."""

from django.db import models

from .outbox import OutboxMessage


class TaxNotice(models.Model):
    """The tax authority's notice (thông báo nộp tiền) for a dossier, as it answered the
    transfer of the dossier's information (`thue.dossier.transfer`), recorded when that
    transfer is delivered. One per dossier: a later transfer (a new obligation, a corrected
    one) replaces it, as the tax authority replaces its unpaid obligation."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="tax_notice"
    )
    # The transfer it answered: a notice counts for the wait that transfer was sent in.
    transfer = models.ForeignKey(OutboxMessage, on_delete=models.PROTECT, related_name="+")
    number = models.CharField("số thông báo", max_length=64)
    total = models.PositiveBigIntegerField("số tiền phải nộp (đồng)")
    due_date = models.DateField("hạn nộp")
    recorded_at = models.DateTimeField("ghi nhận lúc")

    class Meta:
        verbose_name = "thông báo nộp tiền của cơ quan thuế"
        verbose_name_plural = "thông báo nộp tiền của cơ quan thuế"

    def __str__(self) -> str:
        return f"{self.number} · {self.total}"
