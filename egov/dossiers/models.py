"""Dossiers (hồ sơ) and what hangs off them: events, process tasks, supplement requests,
apologies, fee lines and the per-agency daily counters behind dossier codes (DOMAIN §3).

Only `egov.dossiers.services` writes these rows; `status` changes only through
`dossier_perform`, the one door.
"""

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from egov.catalog.models import FeeKind, Procedure, ProcedureRevision
from egov.orgs.models import Agency

from .lifecycle import NATIONAL_CODE, Status


class Channel(models.TextChoices):
    COUNTER = "counter", "Trực tiếp"
    ONLINE = "online", "Trực tuyến"
    POSTAL = "postal", "Qua bưu chính công ích"


# The national portal's channel codes (KenhThucHien).
CHANNEL_CODE = {Channel.COUNTER: 1, Channel.ONLINE: 2, Channel.POSTAL: 3}


class ReturnMethod(models.TextChoices):
    COUNTER = "counter", "Nhận trực tiếp"
    POSTAL = "postal", "Qua bưu chính công ích"
    ONLINE = "online", "Trực tuyến (kết quả điện tử)"


class ApplicantType(models.IntegerChoices):
    CITIZEN = 1, "Công dân"
    ENTERPRISE = 2, "Doanh nghiệp"
    STATE_BODY = 3, "Cơ quan nhà nước"
    OTHER_ORGANISATION = 4, "Tổ chức khác"


class PaperReceipt(models.TextChoices):
    """How the desk took in a paper it lists on Mẫu 01 (`Dossier.received_papers`,
    "received_as"): scanned at the counter, or its original checked there by the officer."""

    SCAN = "scan", "Bản quét"
    ORIGINAL_CHECKED = "original_checked", "Bản chính, đã kiểm tra tại quầy"


class Gender(models.TextChoices):
    MALE = "male", "Nam"
    FEMALE = "female", "Nữ"


class ClockState(models.TextChoices):
    NOT_STARTED = "not_started", "Chưa tính"
    RUNNING = "running", "Đang tính"
    PAUSED = "paused", "Tạm dừng"
    STOPPED = "stopped", "Đã kết thúc"


class Outcome(models.TextChoices):
    EARLY = "early", "Trước hạn"
    ON_TIME = "on_time", "Đúng hạn"
    LATE = "late", "Quá hạn"


# What only the one door writes: a set-based UPDATE would skip the lifecycle, the event
# chain and the handlers.
DOOR_FIELDS = frozenset({"status", "version", "event_seq", "event_head"})


class DoorFieldError(TypeError):
    """A bulk write tried to change what only `dossier_perform` changes."""


class DossierQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        if touched := DOOR_FIELDS & kwargs.keys():
            raise DoorFieldError(f"{sorted(touched)} change only through dossier_perform")
        return super().update(**kwargs)

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        if touched := DOOR_FIELDS & set(fields):
            raise DoorFieldError(f"{sorted(touched)} change only through dossier_perform")
        return super().bulk_update(objs, fields, batch_size=batch_size)


class Dossier(models.Model):
    code = models.CharField("mã hồ sơ", max_length=30, unique=True, null=True, blank=True)
    # The provisional reference an online applicant gets before the code; never sequential.
    reference = models.UUIDField("số tham chiếu", default=uuid.uuid4, unique=True, editable=False)
    # The National Public Service Portal's own reference of a dossier submitted there and
    # received through the bus (empty for every other dossier).
    national_reference = models.CharField(
        "mã hồ sơ trên Cổng DVCQG", max_length=40, blank=True, default=""
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.PROTECT, related_name="dossiers"
    )
    procedure_revision = models.ForeignKey(
        ProcedureRevision,
        verbose_name="phiên bản thủ tục",
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    receiving_agency = models.ForeignKey(
        Agency,
        verbose_name="nơi tiếp nhận",
        on_delete=models.PROTECT,
        related_name="received_dossiers",
    )
    competent_agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan giải quyết",
        on_delete=models.PROTECT,
        related_name="competent_dossiers",
    )
    channel = models.CharField("kênh nộp", max_length=10, choices=Channel.choices)
    return_method = models.CharField(
        "hình thức nhận kết quả", max_length=10, choices=ReturnMethod.choices
    )

    # Applicant (người yêu cầu): a citizen or an organisation.
    applicant_type = models.PositiveSmallIntegerField(
        "loại người nộp", choices=ApplicantType.choices
    )
    applicant_name = models.CharField("họ tên / tên tổ chức", max_length=255)
    applicant_id_number = models.CharField("số định danh cá nhân", max_length=12, blank=True)
    applicant_birth_date = models.DateField("ngày sinh", null=True, blank=True)
    applicant_gender = models.CharField(
        "giới tính", max_length=6, choices=Gender.choices, blank=True
    )
    applicant_tax_code = models.CharField("mã số thuế", max_length=14, blank=True)
    applicant_representative = models.CharField("người đại diện", max_length=255, blank=True)
    applicant_phone = models.CharField("điện thoại", max_length=15, blank=True)
    applicant_email = models.EmailField("thư điện tử", blank=True)
    applicant_ward_code = models.PositiveIntegerField("mã xã, phường", null=True, blank=True)
    applicant_street = models.CharField("địa chỉ", max_length=255, blank=True)
    # The person who submits on the applicant's behalf (người được ủy quyền), if any.
    submitter_name = models.CharField("người nộp thay", max_length=255, blank=True)
    submitter_id_number = models.CharField("số định danh người nộp thay", max_length=12, blank=True)
    submitter_phone = models.CharField("điện thoại người nộp thay", max_length=15, blank=True)
    # The citizen account that owns the dossier online (empty for counter dossiers).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản công dân",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_dossiers",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_dossiers",
    )

    # A correction of an earlier result is a new dossier linked to the first (DOMAIN §3).
    corrects = models.ForeignKey(
        "self",
        verbose_name="đính chính kết quả của hồ sơ",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )

    status = models.CharField("trạng thái", max_length=24, choices=Status.choices)
    form_data = models.JSONField("dữ liệu tờ khai", default=dict, blank=True)
    submitted_at = models.DateTimeField("nộp lúc")
    received_at = models.DateTimeField("tiếp nhận lúc", null=True, blank=True)
    # The row of the receiving desk's tracking book (Mẫu 06) for the year of receipt: the
    # "Số thứ tự" of Mẫu 01 too (BookCounter).
    book_number = models.PositiveIntegerField("số thứ tự sổ theo dõi", null=True, blank=True)
    # What the desk actually took in, as Mẫu 01 lists it: [{"component", "name",
    # "copy_kind", "quantity"}], recorded at receipt; a counter intake adds "received_as"
    # (PaperReceipt: scanned, or original checked at the counter) to each paper.
    received_papers = models.JSONField("thành phần đã nhận", default=list, blank=True)
    due_at = models.DateTimeField("hẹn trả", null=True, blank=True)
    original_due_at = models.DateTimeField("hẹn trả ban đầu", null=True, blank=True)
    completed_at = models.DateTimeField("hoàn thành lúc", null=True, blank=True)
    returned_at = models.DateTimeField("trả kết quả lúc", null=True, blank=True)
    clock_state = models.CharField(
        "đồng hồ", max_length=12, choices=ClockState.choices, default=ClockState.NOT_STARTED
    )
    # Working minutes left when the clock was paused for an obligation.
    clock_remaining_minutes = models.PositiveIntegerField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # Minutes spent waiting for the applicant's supplements; on-time figures leave them out.
    supplement_minutes = models.PositiveIntegerField(default=0)
    supplement_count = models.PositiveSmallIntegerField(default=0)
    result_signed = models.BooleanField(default=False)
    outcome = models.CharField(
        "kết quả đúng hạn", max_length=8, choices=Outcome.choices, blank=True
    )
    due_soon = models.BooleanField("sắp đến hạn", default=False)
    overdue = models.BooleanField("quá hạn", default=False)
    # Flags the national indicators count (DOMAIN §6).
    digitised = models.BooleanField("đã số hóa", default=False)
    reused = models.BooleanField("tái sử dụng dữ liệu", default=False)
    vneid_verified = models.BooleanField("xác thực VNeID", default=False)
    # The applicant's ID number, name and birth date, as received, matched the National
    # Population Database (checked by the intake service, never taken from a form).
    population_verified = models.BooleanField("đã đối chiếu CSDL quốc gia về dân cư", default=False)
    paid_online = models.BooleanField("thanh toán trực tuyến", default=False)
    # Optimistic locking: a write names the version it read.
    version = models.PositiveIntegerField("phiên bản", default=1)
    # The last event's number and hash: a log cut short no longer ends where it should.
    event_seq = models.PositiveIntegerField(default=0)
    event_head = models.CharField(max_length=64, blank=True)
    # Folded code, applicant name and ID number for worklist search (egov.core.text.fold).
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        indexes = [
            models.Index(fields=["receiving_agency", "status"]),
            models.Index(fields=["competent_agency", "status"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["applicant_id_number"]),
            models.Index(fields=["received_at"]),
            # The worklist's "Sắp đến hạn" and "Quá hạn" tabs: few rows among a million.
            models.Index(fields=["id"], condition=Q(due_soon=True), name="dossier_due_soon"),
            models.Index(
                fields=["due_at"], condition=Q(clock_state="running"), name="dossier_running_due"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["national_reference"],
                condition=~Q(national_reference=""),
                name="dossier_national_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted")
                | Q(status="refused")
                | Q(status="withdrawn")
                | Q(status="supplement_requested")
                | Q(code__isnull=False),
                name="dossier_code_once_received",
            ),
        ]

    def __str__(self) -> str:
        return self.code or str(self.reference)

    @property
    def status_code(self) -> int:
        return NATIONAL_CODE[Status(self.status)]


class DossierEvent(models.Model):
    """One change of a dossier; append-only and hash-chained per dossier (tamper-evident)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    actor_label = models.CharField(max_length=255)
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "sự kiện hồ sơ"
        verbose_name_plural = "sự kiện hồ sơ"
        ordering = ["dossier", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.action}"

    def chained_content(self) -> dict[str, Any]:
        """What the event's hash covers (egov.core.hashchain)."""
        return {
            "dossier": self.dossier_id,
            "seq": self.seq,
            "action": self.action,
            "from": self.from_status,
            "to": self.to_status,
            "actor": self.actor_label,
            # In UTC: the database hands times back in UTC, whatever zone they came in.
            "at": self.at.astimezone(datetime.UTC).isoformat(),
            "note": self.note,
            "payload": self.payload,
        }


class ProcessTask(models.Model):
    """One step instance of a dossier's process (a row of the process control slip, Mẫu 05)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveSmallIntegerField("bước")
    name = models.CharField("tên bước", max_length=300)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="tasks")
    role = models.CharField("vai trò", max_length=20)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
    )
    hours = models.DecimalField(max_digits=7, decimal_places=2)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)
    due_soon = models.BooleanField(default=False)
    overdue = models.BooleanField(default=False)
    # At an agency that is neither the dossier's receiving desk nor its competent body (an
    # inter-agency step): the one way, besides those two, that an agency sees the dossier
    # (policies.visible_q), kept so that the condition reads a few rows, not every step.
    elsewhere = models.BooleanField("tại cơ quan phối hợp", default=False, editable=False)

    class Meta:
        verbose_name = "bước xử lý hồ sơ"
        verbose_name_plural = "bước xử lý hồ sơ"
        ordering = ["dossier", "started_at", "pk"]
        constraints = [
            # At most one open task per dossier: the dossier is at one step at a time.
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(finished_at__isnull=True),
                name="process_task_one_open",
            )
        ]
        indexes = [
            models.Index(fields=["agency", "finished_at"]),
            models.Index(
                fields=["agency", "dossier"],
                condition=Q(elsewhere=True),
                name="task_elsewhere_agency",
            ),
            models.Index(
                fields=["assignee"],
                condition=Q(finished_at__isnull=True),
                name="task_open_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} · {self.name}"


class SupplementRequest(models.Model):
    """Mẫu 02: what the applicant must add, asked once, completely."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplements")
    at_intake = models.BooleanField()
    reason = models.TextField()
    items = models.JSONField(default=list, blank=True)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # When the applicant must have supplied it; after it the dossier may be stopped (at
    # intake: refused) by the leader or the daily job.
    deadline = models.DateTimeField("hạn bổ sung", null=True, blank=True)
    # The applicant handed in what was asked; the officer who asked decides (completed_at)
    # or asks again. A request asked again, or left open when the dossier ended (withdrawn,
    # refused or stopped after its deadline), no longer awaits anything (`superseded`).
    answered_at = models.DateTimeField("người nộp đã bổ sung lúc", null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    superseded = models.BooleanField("không còn hiệu lực", default=False)

    class Meta:
        verbose_name = "yêu cầu bổ sung"
        verbose_name_plural = "yêu cầu bổ sung"
        ordering = ["dossier", "requested_at"]
        indexes = [
            # "Việc của tôi": the supplements handed in that wait for the officer who asked,
            # a few among the thousands each officer has asked for over the years.
            models.Index(
                fields=["requested_by"],
                condition=Q(answered_at__isnull=False, completed_at__isnull=True, superseded=False),
                name="supplement_answered_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} · {self.requested_at:%d/%m/%Y}"


class Apology(models.Model):
    """Mẫu 04: the apology with a new return date, at most once per dossier."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="apology")
    reason = models.TextField()
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    original_due_at = models.DateTimeField()
    new_due_at = models.DateTimeField()
    # Issued later than one working day before the due time: allowed, but recorded.
    late_notice = models.BooleanField(default=False)

    class Meta:
        verbose_name = "thư xin lỗi"
        verbose_name_plural = "thư xin lỗi"

    def __str__(self) -> str:
        return f"{self.dossier_id} · {self.new_due_at:%d/%m/%Y}"


class DossierFee(models.Model):
    """A fee line as it stood in the procedure when the dossier was received."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fees")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=FeeKind.choices)
    amount = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = "phí, lệ phí của hồ sơ"
        verbose_name_plural = "phí, lệ phí của hồ sơ"
        constraints = [
            models.UniqueConstraint(fields=["dossier", "code"], name="dossier_fee_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} · {self.name}"


class BookCounter(models.Model):
    """The last row of a desk's tracking book (Mẫu 06) in a year: one book per desk per
    year, numbered continuously from 1."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="book_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year} {self.last}"


class DailyCounter(models.Model):
    """The last sequence number an agency gave out on a day (the NNNN of dossier codes)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="daily_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.last}"


def _document_path(document: "DossierDocument", filename: str) -> str:
    # A random name: the applicant's file name never reaches the file system.
    return f"dossiers/{document.dossier.reference}/{uuid.uuid4().hex}"


class DossierDocument(models.Model):
    """A file of the dossier: a component the procedure asks for, or another paper."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    component = models.CharField("thành phần", max_length=20, blank=True)
    file = models.FileField(upload_to=_document_path, max_length=200)
    name = models.CharField("tên tệp", max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    digitised = models.BooleanField("số hóa tại quầy", default=False)
    # The decision itself (the signed result), not a paper the applicant brought.
    is_result = models.BooleanField("kết quả giải quyết", default=False)
    reused_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reuses"
    )
    # Empty: the file came with the dossier from the national portal, through the bus.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = "tệp hồ sơ"
        verbose_name_plural = "tệp hồ sơ"
        ordering = ["dossier", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class RatingScore(models.IntegerChoices):
    """TT 01/2018 art. 13: every indicator scores 0, 1 or 2 points."""

    ZERO = 0, "0 điểm"
    ONE = 1, "1 điểm"
    TWO = 2, "2 điểm"


class DossierRating(models.Model):
    """The applicant's evaluation of one dossier (TT 01/2018 art. 13-14): the indicators a
    citizen scores per dossier (1 time taken, 3 contacts with the desk, 4 bodies contacted,
    7 the officers' attitude), each 0/1/2, and a comment. Once per dossier; the reports
    aggregate it (art. 15: mean per indicator, one decimal)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    time_taken = models.PositiveSmallIntegerField(
        "1. thời gian giải quyết so với quy định", choices=RatingScore.choices
    )
    desk_contacts = models.PositiveSmallIntegerField(
        "3. số lần liên hệ nơi tiếp nhận để hoàn thiện hồ sơ", choices=RatingScore.choices
    )
    bodies_contacted = models.PositiveSmallIntegerField(
        "4. số cơ quan phải liên hệ", choices=RatingScore.choices
    )
    attitude = models.PositiveSmallIntegerField(
        "7. thái độ của cán bộ", choices=RatingScore.choices
    )
    comment = models.TextField("góp ý", blank=True, max_length=2000)

    class Meta:
        verbose_name = "đánh giá giải quyết hồ sơ"
        verbose_name_plural = "đánh giá giải quyết hồ sơ"
        constraints = [
            models.CheckConstraint(
                condition=Q(time_taken__lte=2)
                & Q(desk_contacts__lte=2)
                & Q(bodies_contacted__lte=2)
                & Q(attitude__lte=2),
                name="dossier_rating_scores_0_to_2",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} · {self.total}"

    @property
    def total(self) -> int:
        return self.time_taken + self.desk_contacts + self.bodies_contacted + self.attitude


class DossierDraft(models.Model):
    """An online submission not sent yet: what the citizen has answered so far, kept so they
    can stop and come back (on a slow connection, or to fetch a paper). Known by its UUID
    and seen only by its owner; becomes a dossier when submitted, then is deleted."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dossier_drafts"
    )
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    # {"applicant": {...}, "form_data": {...}, "agency_code", "return_method",
    #  "reuse": {component: [document uuid, ...]}}
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "hồ sơ nháp"
        verbose_name_plural = "hồ sơ nháp"
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return str(self.uuid)


def _draft_paper_path(paper: "DraftPaper", filename: str) -> str:
    return f"drafts/{paper.draft.uuid}/{uuid.uuid4().hex}"


class DraftPaper(models.Model):
    """A file uploaded into a draft, for one component; moves to the dossier on submission."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    draft = models.ForeignKey(DossierDraft, on_delete=models.CASCADE, related_name="papers")
    component = models.CharField("thành phần", max_length=20)
    file = models.FileField(upload_to=_draft_paper_path, max_length=200)
    name = models.CharField("tên tệp", max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = "tệp của hồ sơ nháp"
        verbose_name_plural = "tệp của hồ sơ nháp"
        ordering = ["draft", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
