"""The administrative procedure catalogue (thủ tục hành chính, DOMAIN §2).

A procedure carries a `version` that grows with every change made through the catalogue
services, and each version's full content is kept as a `ProcedureRevision`, so a dossier can
keep the procedure exactly as it was when the dossier was received.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from egov.orgs.models import Agency, AgencyKind, Role

from .rules import is_inter_agency_step

NATIONAL_CODE = RegexValidator(
    r"^\d\.\d{6}$", "Mã thủ tục phải gồm một chữ số, dấu chấm và sáu chữ số, ví dụ 1.001193."
)


class Sector(models.Model):
    """Lĩnh vực: the field a procedure belongs to."""

    code = models.CharField(
        "mã lĩnh vực",
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9_.-]{1,20}$", "Mã lĩnh vực chỉ gồm chữ cái không dấu, chữ số và . _ -"
            )
        ],
    )
    name = models.CharField("tên lĩnh vực", max_length=200)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CompetentLevel(models.TextChoices):
    PROVINCE = "province", "Cấp tỉnh"
    COMMUNE = "commune", "Cấp xã"


class OnlineLevel(models.TextChoices):
    FULL = "full", "Toàn trình"
    PARTIAL = "partial", "Một phần"
    NONE = "none", "Chưa cung cấp trực tuyến"


class TimeUnit(models.TextChoices):
    HOURS = "hours", "giờ làm việc"
    WORKING_DAYS = "working_days", "ngày làm việc"
    DAYS = "days", "ngày"
    MONTHS = "months", "tháng"


# Agency kinds a step may name instead of an agency: resolved to the dossier's commune.
COMMUNE_AGENCY_KINDS = (AgencyKind.COMMUNE_COMMITTEE, AgencyKind.COMMUNE_SERVICE_CENTER)


class Procedure(models.Model):
    national_code = models.CharField(
        "mã thủ tục", max_length=8, unique=True, validators=[NATIONAL_CODE]
    )
    code_verified = models.BooleanField(
        "mã đã đối chiếu Cổng DVC quốc gia",
        default=False,
        help_text="Bỏ chọn nếu mã thủ tục chưa được đối chiếu với Cơ sở dữ liệu quốc gia.",
    )
    name = models.CharField("tên thủ tục", max_length=500)
    sector = models.ForeignKey(
        Sector, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField("cấp thực hiện", max_length=10, choices=CompetentLevel.choices)
    competent_agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan có thẩm quyền",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competent_procedures",
    )
    competent_agency_kind = models.CharField(
        "loại cơ quan có thẩm quyền",
        max_length=32,
        choices=[(kind.value, kind.label) for kind in COMMUNE_AGENCY_KINDS],
        blank=True,
        help_text="Cho thủ tục cấp xã: UBND xã nơi tiếp nhận hồ sơ.",
    )
    online_level = models.CharField("mức độ trực tuyến", max_length=10, choices=OnlineLevel.choices)
    legacy_online_level = models.PositiveSmallIntegerField(
        "mức độ DVC (Nghị định 43/2011)",
        null=True,
        blank=True,
        choices=[(2, "Mức độ 2"), (3, "Mức độ 3"), (4, "Mức độ 4")],
    )
    full_process_eligible = models.BooleanField("đủ điều kiện trực tuyến toàn trình")
    time_limit_value = models.DecimalField(
        "thời hạn giải quyết",
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("99999.99"))],
    )
    time_limit_unit = models.CharField("đơn vị thời hạn", max_length=16, choices=TimeUnit.choices)
    online_time_limit_value = models.DecimalField(
        "thời hạn với hồ sơ trực tuyến",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    online_time_limit_unit = models.CharField(
        "đơn vị thời hạn trực tuyến", max_length=16, choices=TimeUnit.choices, blank=True
    )
    # How long the applicant has to supply what Mẫu 02 asks; empty: the province's default.
    supplement_time_limit_value = models.DecimalField(
        "thời hạn bổ sung hồ sơ",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    supplement_time_limit_unit = models.CharField(
        "đơn vị thời hạn bổ sung", max_length=16, choices=TimeUnit.choices, blank=True
    )
    postal_intake = models.BooleanField("tiếp nhận qua bưu chính công ích")
    postal_return = models.BooleanField("trả kết quả qua bưu chính công ích")
    paper_result = models.BooleanField("kết quả bản giấy")
    result_name = models.CharField("kết quả thực hiện", max_length=500)
    legal_basis = models.TextField("căn cứ pháp lý", max_length=5000)
    requirements = models.TextField("yêu cầu, điều kiện", blank=True, max_length=5000)
    form_schema = models.JSONField("biểu mẫu điện tử", default=dict, blank=True)
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    version = models.PositiveIntegerField("phiên bản", default=1)
    # Folded name, code and sector (egov.core.text.fold), kept by the catalogue services.
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(competent_agency__isnull=False) & Q(competent_agency_kind=""))
                | (Q(competent_agency__isnull=True) & ~Q(competent_agency_kind="")),
                name="procedure_one_competent_agency",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="procedure_valid_period",
            ),
            models.CheckConstraint(
                condition=(Q(online_time_limit_value__isnull=True) & Q(online_time_limit_unit=""))
                | (Q(online_time_limit_value__isnull=False) & ~Q(online_time_limit_unit="")),
                name="procedure_online_limit_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.national_code} · {self.name}"


class ProcedureRevision(models.Model):
    """The full content of one version of a procedure, as the catalogue file shows it."""

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="revisions"
    )
    version = models.PositiveIntegerField("phiên bản")
    content = models.JSONField("nội dung")
    created_at = models.DateTimeField("lưu lúc", auto_now_add=True)

    class Meta:
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "version"], name="procedure_revision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} v{self.version}"


class CopyKind(models.TextChoices):
    ORIGINAL = "original", "Bản chính"
    COPY = "copy", "Bản sao"
    CERTIFIED_COPY = "certified_copy", "Bản sao chứng thực"
    ORIGINAL_OR_COPY = "original_or_copy", "Bản chính hoặc bản sao"


class RequiredDocument(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField("thứ tự")
    code = models.CharField("mã thành phần", max_length=20)
    name = models.CharField("tên giấy tờ", max_length=500)
    copy_kind = models.CharField("loại bản", max_length=20, choices=CopyKind.choices)
    quantity = models.PositiveSmallIntegerField(
        "số lượng", default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    mandatory = models.BooleanField("bắt buộc", default=True)
    template = models.CharField("mẫu đơn, tờ khai", max_length=300, blank=True)
    reusable = models.BooleanField("có thể tái sử dụng dữ liệu", default=False)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "code"], name="required_document_unique_code"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="required_document_qty"),
        ]

    def __str__(self) -> str:
        return self.name


class FeeKind(models.TextChoices):
    FEE = "fee", "Phí"
    CHARGE = "charge", "Lệ phí"


class FeeLine(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField("thứ tự")
    code = models.CharField("mã", max_length=20)
    name = models.CharField("tên phí, lệ phí", max_length=300)
    kind = models.CharField("loại", max_length=10, choices=FeeKind.choices)
    amount = models.PositiveBigIntegerField(
        "số tiền (đồng)", validators=[MaxValueValidator(10**12)]
    )
    note = models.CharField("ghi chú", max_length=500, blank=True)

    class Meta:
        verbose_name = "phí, lệ phí"
        verbose_name_plural = "phí, lệ phí"
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "code"], name="fee_line_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


# The roles a process step may be given to.
STEP_ROLES = (Role.RECEPTION, Role.SPECIALIST, Role.LEADER, Role.CLERK)


class ProcessStep(models.Model):
    """One step of a procedure's process, with its share of the time in working hours."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField("thứ tự")
    name = models.CharField("tên bước", max_length=300)
    agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan thực hiện",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="process_steps",
    )
    agency_kind = models.CharField(
        "loại cơ quan thực hiện",
        max_length=32,
        choices=[(kind.value, kind.label) for kind in COMMUNE_AGENCY_KINDS],
        blank=True,
    )
    role = models.CharField(
        "vai trò", max_length=20, choices=[(role.value, role.label) for role in STEP_ROLES]
    )
    hours = models.DecimalField(
        "thời gian (giờ làm việc)",
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    # A conditional step: it runs only when this e-form field is ticked or filled.
    when = models.CharField("chỉ thực hiện khi tờ khai chọn", max_length=60, blank=True)

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "quy trình xử lý"
        ordering = ["procedure", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "position"], name="process_step_unique_position"
            ),
            models.CheckConstraint(
                condition=(Q(agency__isnull=False) & Q(agency_kind=""))
                | (Q(agency__isnull=True) & ~Q(agency_kind="")),
                name="process_step_one_agency",
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="process_step_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_inter_agency(self) -> bool:
        """A liên thông step: work at an agency other than the competent one."""
        procedure = self.procedure
        return is_inter_agency_step(
            role=self.role,
            agency_code=self.agency.code if self.agency else None,
            agency_kind=self.agency_kind,
            competent_agency_code=(
                procedure.competent_agency.code if procedure.competent_agency else None
            ),
            competent_agency_kind=procedure.competent_agency_kind,
        )
