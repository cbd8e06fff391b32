"""Agencies, staff memberships and the province's working calendar (DOMAIN §1, §3).

Agencies are temporal: nothing is deleted or recoded. An agency that is merged or renamed gets
`valid_to` and a `successor`, and history keeps pointing at the agency of its time.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

QCVN102_CODE = RegexValidator(
    r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$",
    "Mã định danh phải có dạng QCVN 102:2016, ví dụ 000.00.12.H01.",
)
QD20_CODE = RegexValidator(
    r"^[A-Z]\d{2}(\.\d{2}){0,2}(\.\d{3})?$",
    "Mã định danh phải có dạng Quyết định 20/2020/QĐ-TTg, ví dụ H01.12.",
)


class AgencyKind(models.TextChoices):
    PROVINCIAL_COMMITTEE = "provincial_committee", "UBND tỉnh"
    DEPARTMENT = "department", "Sở, ban, ngành"
    PROVINCE_SERVICE_CENTER = "province_service_center", "Trung tâm Phục vụ hành chính công tỉnh"
    COMMUNE_COMMITTEE = "commune_committee", "UBND xã, phường, đặc khu"
    COMMUNE_SERVICE_CENTER = "commune_service_center", "Trung tâm Phục vụ hành chính công xã"
    VERTICAL_UNIT = "vertical_unit", "Cơ quan ngành dọc"


# The kinds whose agencies receive dossiers (Bộ phận Một cửa).
SERVICE_CENTER_KINDS = frozenset(
    {AgencyKind.PROVINCE_SERVICE_CENTER, AgencyKind.COMMUNE_SERVICE_CENTER}
)


class Agency(models.Model):
    code = models.CharField(
        "mã định danh (QCVN 102)", max_length=13, unique=True, validators=[QCVN102_CODE]
    )
    code_qd20 = models.CharField(
        "mã định danh (QĐ 20/2020)", max_length=20, unique=True, validators=[QD20_CODE]
    )
    name = models.CharField("tên cơ quan", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=30, blank=True)
    kind = models.CharField("loại cơ quan", max_length=32, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="cơ quan cấp trên",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    province_code = models.PositiveSmallIntegerField("mã tỉnh")
    ward_code = models.PositiveIntegerField("mã xã, phường", null=True, blank=True)
    # What the slips print for the applicant to call or find (Mẫu 02's help line).
    phone = models.CharField("điện thoại hỗ trợ", max_length=30, blank=True)
    address = models.CharField("địa chỉ trụ sở", max_length=255, blank=True)
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name="cơ quan kế thừa",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
    )

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="agency_valid_period",
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="agency_not_own_parent"),
        ]
        indexes = [models.Index(fields=["kind", "ward_code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Role(models.TextChoices):
    RECEPTION = "reception", "Cán bộ tiếp nhận"
    SPECIALIST = "specialist", "Chuyên viên xử lý"
    LEADER = "leader", "Lãnh đạo"
    CLERK = "clerk", "Văn thư"
    AGENCY_ADMIN = "agency_admin", "Quản trị cơ quan"
    PROVINCE_ADMIN = "province_admin", "Quản trị tỉnh"
    AUDITOR = "auditor", "Thanh tra, giám sát (chỉ xem)"


# Roles that reach every agency of the province, whichever agency holds the membership.
PROVINCE_WIDE_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.AUDITOR})


class Membership(models.Model):
    """One role of one user in one agency; a person with three roles has three rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng",
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    # The title the forms print under the signature ("Phó Giám đốc", "Công chức tư pháp").
    title = models.CharField("chức vụ", max_length=120, blank=True)
    active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)

    class Meta:
        verbose_name = "phân công cán bộ"
        verbose_name_plural = "phân công cán bộ"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.agency.name}"


class CalendarEntryKind(models.TextChoices):
    DAY_OFF = "day_off", "Ngày nghỉ"
    WORKING_DAY = "working_day", "Ngày làm việc"


class CalendarEntry(models.Model):
    """The province's own calendar: wins over the national holiday package (DOMAIN §3).

    A swapped day is two entries: the weekday off and the Saturday worked, each with the
    decision that ordered it.
    """

    date = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=16, choices=CalendarEntryKind.choices)
    name = models.CharField("tên", max_length=200)
    legal_basis = models.CharField("căn cứ", max_length=300)

    class Meta:
        verbose_name = "ngày trong lịch làm việc"
        verbose_name_plural = "lịch làm việc của tỉnh"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} · {self.get_kind_display()} · {self.name}"
