"""Appointments at a desk (đặt lịch hẹn): a citizen books a slot of the desk's working time
for a procedure, changes or cancels it by a secret link, and gets a queue number on arrival.

A desk is an agency of a service-center kind (Bộ phận Một cửa). Its slots come from the
province's working calendar (office hours, holidays, the province's own entries) cut into
`DeskSchedule.slot_minutes`, each taking up to `capacity` people. Two counter rows, locked like
the dossier codes' `DailyCounter`, keep the numbers right under concurrency: `SlotCounter`
(places taken in one slot) and `QueueCounter` (the last queue number a desk gave on a day).
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from egov.catalog.models import Procedure
from egov.orgs.models import Agency

DEFAULT_SLOT_MINUTES = 30
DEFAULT_CAPACITY = 2
DEFAULT_DAYS_AHEAD = 14


def new_token() -> str:
    """The secret of the manage link: 256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


class DeskSchedule(models.Model):
    """How a desk takes appointments. A desk without a row takes them with the defaults."""

    agency = models.OneToOneField(
        Agency,
        verbose_name="Bộ phận Một cửa",
        on_delete=models.PROTECT,
        related_name="appointment_schedule",
    )
    accepting = models.BooleanField(
        "nhận đặt lịch hẹn",
        default=True,
        help_text="Bỏ chọn để ngừng nhận lịch hẹn mới; lịch đã đặt vẫn giữ nguyên.",
    )
    slot_minutes = models.PositiveSmallIntegerField(
        "độ dài mỗi khung giờ (phút)",
        default=DEFAULT_SLOT_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text="Chỉ áp dụng cho lịch đặt mới.",
    )
    capacity = models.PositiveSmallIntegerField(
        "số người mỗi khung giờ",
        default=DEFAULT_CAPACITY,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    booking_days_ahead = models.PositiveSmallIntegerField(
        "đặt trước tối đa (ngày)",
        default=DEFAULT_DAYS_AHEAD,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "lịch tiếp công dân của Bộ phận Một cửa"
        verbose_name_plural = "lịch tiếp công dân của Bộ phận Một cửa"
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="desk_schedule_slot_minutes",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=100), name="desk_schedule_capacity"
            ),
            models.CheckConstraint(
                condition=Q(booking_days_ahead__gte=1, booking_days_ahead__lte=90),
                name="desk_schedule_days_ahead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.name}: {self.slot_minutes} phút, {self.capacity} người"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Đã đặt lịch"
    ARRIVED = "arrived", "Đã đến"
    CANCELLED = "cancelled", "Đã hủy"


class Appointment(models.Model):
    """One person's booking of one slot. Known to the citizen by its token, to staff by its
    UUID; never by its primary key."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    agency = models.ForeignKey(
        Agency, verbose_name="Bộ phận Một cửa", on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.PROTECT, related_name="+"
    )
    # The local date of starts_at: the staff's "today" and the queue numbers' day.
    day = models.DateField("ngày hẹn")
    starts_at = models.DateTimeField("bắt đầu")
    ends_at = models.DateTimeField("kết thúc")
    status = models.CharField(
        "trạng thái",
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    full_name = models.CharField("họ và tên", max_length=120)
    phone = models.CharField("số điện thoại", max_length=15)
    email = models.EmailField("thư điện tử", blank=True)
    id_number = models.CharField("số định danh cá nhân", max_length=12, blank=True)
    # A signed-in citizen: their channel choices apply to the messages.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    queue_number = models.PositiveIntegerField("số thứ tự", null=True, blank=True)
    arrived_at = models.DateTimeField("đến lúc", null=True, blank=True)
    arrived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ ghi nhận",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField("hủy lúc", null=True, blank=True)
    changes = models.PositiveSmallIntegerField("số lần đổi lịch", default=0)
    reminded_at = models.DateTimeField("đã nhắc lúc", null=True, blank=True)
    created_at = models.DateTimeField("đặt lúc", auto_now_add=True)

    class Meta:
        verbose_name = "lịch hẹn"
        verbose_name_plural = "lịch hẹn"
        indexes = [
            models.Index(fields=["agency", "day", "starts_at"]),
            models.Index(fields=["phone", "status", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"
            ),
            # The backstop of "one person, one booking at a time" across desks: the service
            # checks overlapping times, the database refuses the same start twice.
            models.UniqueConstraint(
                fields=["phone", "starts_at"],
                condition=Q(status="booked"),
                name="appointment_one_per_phone_and_time",
            ),
            models.UniqueConstraint(
                fields=["agency", "day", "queue_number"],
                condition=Q(queue_number__isnull=False),
                name="appointment_queue_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} · {self.starts_at:%d/%m/%Y %H:%M}"


class SlotCounter(models.Model):
    """Places taken in one slot of one desk; locked by every booking, change and
    cancellation of that slot, so the capacity holds under concurrency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "starts_at"], name="slot_counter_unique"),
            models.CheckConstraint(condition=Q(booked__gte=0), name="slot_counter_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.starts_at:%Y-%m-%d %H:%M} {self.booked}"


class QueueCounter(models.Model):
    """The last queue number a desk gave out on a day (numbers start from 1 each day)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="queue_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.last}"
