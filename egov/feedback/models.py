"""Feedback from citizens and businesses (phản ánh, kiến nghị; Decree 20/2008, DOMAIN §10).

Two identifiers, never a sequential key: `reference` is the sender's (shown once after sending
and in the notices; whoever holds it follows the feedback), `public_id` names the published
answer, so a published page never leads to the sender's own page.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from egov.catalog.models import Procedure
from egov.dossiers.models import Dossier
from egov.orgs.models import Agency

from .lifecycle import Status


class Kind(models.TextChoices):
    REPORT = "report", "Phản ánh"
    PROPOSAL = "proposal", "Kiến nghị"


KIND_HINTS = {
    Kind.REPORT: "Về hành vi chậm trễ, gây phiền hà, không thực hiện hoặc thực hiện không đúng "
    "quy định hành chính; về quy định không phù hợp, không đồng bộ, trái pháp luật.",
    Kind.PROPOSAL: "Đề xuất phương án xử lý, sáng kiến ban hành mới, sửa đổi, bãi bỏ "
    "quy định hành chính.",
}


class SubjectType(models.TextChoices):
    PROCEDURE = "procedure", "Một thủ tục hành chính"
    AGENCY = "agency", "Một cơ quan, đơn vị"
    DOSSIER = "dossier", "Một hồ sơ của tôi"


class Category(models.TextChoices):
    """How staff classify it (QĐ 766 indicator 5.1: regulations versus staff conduct)."""

    REGULATION = "regulation", "Quy định, thủ tục hành chính"
    HANDLING = "handling", "Việc giải quyết thủ tục hành chính (chậm, sai quy trình)"
    CONDUCT = "conduct", "Hành vi, thái độ của cán bộ, công chức"
    OTHER = "other", "Nội dung khác"


class Feedback(models.Model):
    reference = models.UUIDField("số tham chiếu", default=uuid.uuid4, unique=True, editable=False)
    public_id = models.UUIDField("mã công khai", default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    subject_type = models.CharField("về", max_length=10, choices=SubjectType.choices)
    procedure = models.ForeignKey(
        Procedure,
        verbose_name="thủ tục",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject_agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan được phản ánh",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    dossier = models.ForeignKey(
        Dossier,
        verbose_name="hồ sơ",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The agency that handles it: the procedure's competent agency (else the province's
    # service center), the named agency, or the dossier's competent agency.
    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan xử lý", on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField("phân loại", max_length=12, choices=Category.choices, blank=True)

    title = models.CharField("tiêu đề", max_length=200)
    content = models.TextField("nội dung", max_length=5000)
    sender_name = models.CharField("người gửi", max_length=100)
    sender_phone = models.CharField("điện thoại", max_length=15, blank=True)
    sender_email = models.EmailField("thư điện tử", blank=True)
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản người gửi",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    consent_to_publish = models.BooleanField("đồng ý công khai", default=False)
    # The check page's one-time token: the same form sent twice makes one feedback.
    submission_token = models.CharField(
        "mã chống gửi trùng", max_length=32, blank=True, editable=False
    )

    status = models.CharField(
        "trạng thái", max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField("tiếp nhận lúc")
    # When the current agency got it: the receipt, or the last reassignment.
    routed_at = models.DateTimeField("chuyển đến cơ quan lúc")
    classify_due = models.DateTimeField("hạn phân loại")
    answer_due = models.DateTimeField("hạn trả lời")
    publish_due = models.DateTimeField("hạn công khai", null=True, blank=True)

    classified_at = models.DateTimeField("phân loại lúc", null=True, blank=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người phân loại",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    classify_late = models.BooleanField("phân loại trễ hạn", default=False)
    rejected_at = models.DateTimeField("từ chối lúc", null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người từ chối",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reject_reason = models.TextField("lý do từ chối", blank=True)
    answer = models.TextField("trả lời", blank=True)
    answered_at = models.DateTimeField("trả lời lúc", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản người trả lời",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The officer as the history names them ("Trần Văn Minh, Phó Chủ tịch").
    answered_by_label = models.CharField("người trả lời", max_length=300, blank=True)
    answer_late = models.BooleanField("trả lời trễ hạn", default=False)
    # Publishing is the leader's approval of the answer.
    published_at = models.DateTimeField("công khai lúc", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người duyệt công khai",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    publish_late = models.BooleanField("công khai trễ hạn", default=False)
    # Set by `feedback_flag_overdue`: open past its classification or answer deadline.
    overdue = models.BooleanField("quá hạn", default=False)

    # What the public sees once published: the sender's words with contact details masked,
    # which staff may edit; never the sender's name or contacts.
    public_title = models.CharField("tiêu đề công khai", max_length=200, blank=True)
    public_content = models.TextField("nội dung công khai", max_length=5000, blank=True)
    public_subject = models.CharField("đối tượng (công khai)", max_length=600, blank=True)
    # Folded public text (egov.core.text.fold), with a leading space; empty until published.
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "phản ánh, kiến nghị"
        verbose_name_plural = "phản ánh, kiến nghị"
        indexes = [
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["status", "published_at"]),
            models.Index(fields=["received_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submission_token"],
                condition=~Q(submission_token=""),
                name="feedback_submitted_once",
            ),
            models.CheckConstraint(
                condition=~Q(sender_phone="") | ~Q(sender_email=""),
                name="feedback_sender_reachable",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(consent_to_publish=True),
                name="feedback_published_with_consent",
            ),
            models.CheckConstraint(
                condition=(Q(subject_type="procedure") & Q(procedure__isnull=False))
                | (Q(subject_type="agency") & Q(subject_agency__isnull=False))
                | (Q(subject_type="dossier") & Q(dossier__isnull=False)),
                name="feedback_subject_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class FeedbackEvent(models.Model):
    """One row per thing that happened to a feedback: append-only, the page's history."""

    feedback = models.ForeignKey(
        Feedback, verbose_name="phản ánh", on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField("thao tác", max_length=20)
    from_status = models.CharField(
        "từ trạng thái", max_length=10, choices=Status.choices, blank=True
    )
    to_status = models.CharField("sang trạng thái", max_length=10, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản người thực hiện",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField("người thực hiện", max_length=300)
    at = models.DateTimeField("lúc")
    note = models.TextField("ghi chú", blank=True)
    late = models.BooleanField("trễ hạn", default=False)

    class Meta:
        verbose_name = "lịch sử phản ánh"
        verbose_name_plural = "lịch sử phản ánh"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} · {self.action}"
