"""Reads for the applicant: their dossiers, what happened to each in plain Vietnamese, what
is expected of them now, and their own documents to reuse (DOMAIN §3b, §6)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from egov.orgs.policies import Actor

from .. import policies
from ..lifecycle import FINAL, Status
from ..models import Dossier, DossierDocument, DossierEvent, ReturnMethod, SupplementRequest


def my_dossiers(*, actor: Actor) -> QuerySet[Dossier]:
    """The dossiers this person is the applicant of, newest first (staff: none here; they
    use the desk)."""
    if not actor.is_authenticated or policies.is_staff(actor):
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(policies.applicant_q(actor))
        .select_related("procedure", "receiving_agency", "competent_agency")
        .order_by("-submitted_at", "-pk")
    )


def my_documents(*, actor: Actor) -> QuerySet[DossierDocument]:
    """The papers this person may take into a new dossier instead of uploading again: the
    results of their decided dossiers, the papers a desk digitised for them, and the papers
    they uploaded themselves. A copy made by an earlier reuse is not listed twice."""
    if not actor.is_authenticated or policies.is_staff(actor):
        return DossierDocument.objects.none()
    # An electronic result is handed over by its download on the dossier's page (which
    # records the return); only then, or for a result handed over another way, is it here.
    decided = Q(dossier__status=Status.RETURNED) | (
        Q(dossier__status=Status.RESULT_READY) & ~Q(dossier__return_method=ReturnMethod.ONLINE)
    )
    return (
        DossierDocument.objects.filter(
            dossier__in=Dossier.objects.filter(policies.applicant_q(actor)),
            reused_from__isnull=True,
        )
        .filter((Q(is_result=True) & decided) | Q(digitised=True) | Q(uploaded_by=actor.pk))
        .select_related("dossier", "dossier__procedure")
        .order_by("-uploaded_at", "-pk")
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    text: str
    detail: str = ""


def _when(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%H} giờ {local:%M}, ngày {local:%d/%m/%Y}"


def _entry_text(event: DossierEvent, dossier: Dossier) -> tuple[str, str] | None:
    """One event as the applicant reads it; None for what is internal to the agencies
    (assignments, files added by staff, moves between the agency's own steps)."""
    payload = event.payload or {}
    action = event.action
    if action == "submit":
        if dossier.national_reference:
            return "Hồ sơ được nộp trên Cổng Dịch vụ công quốc gia", ""
        if payload.get("channel") == "online":
            return "Bạn đã nộp hồ sơ trực tuyến", ""
        return "Hồ sơ được nộp tại Bộ phận Một cửa", ""
    if action == "receive":
        return "Bộ phận Một cửa đã tiếp nhận hồ sơ", (
            f"Mã hồ sơ {dossier.code}." if dossier.code else ""
        )
    if action == "refuse":
        return "Hồ sơ không được tiếp nhận", event.note
    if action == "request_supplement":
        return "Cơ quan yêu cầu bổ sung giấy tờ", event.note
    if action == "submit_supplement":
        return "Đã gửi giấy tờ bổ sung, chờ cán bộ kiểm tra", ""
    if action == "complete_supplement":
        return "Cán bộ đã nhận đủ giấy tờ bổ sung", ""
    if action == "transfer":
        return f"Hồ sơ được chuyển đến {dossier.competent_agency.name} để giải quyết", ""
    if action == "request_obligation":
        return "Cơ quan yêu cầu thực hiện nghĩa vụ tài chính", event.note
    if action == "confirm_obligation":
        return "Đã ghi nhận bạn hoàn thành nghĩa vụ tài chính", ""
    if action == "apologize":
        return "Cơ quan xin lỗi vì giải quyết chậm và hẹn lại ngày trả kết quả", event.note
    if action == "stop":
        return "Cơ quan dừng giải quyết hồ sơ", event.note
    if action == "withdraw":
        return "Hồ sơ đã được rút theo yêu cầu", event.note
    if event.to_status == Status.RESULT_READY and event.from_status != Status.RESULT_READY:
        return "Đã có kết quả giải quyết", ""
    if action == "return_result":
        return "Đã trả kết quả", ""
    return None


def citizen_timeline(*, dossier: Dossier) -> list[TimelineEntry]:
    """What happened to the dossier, oldest first, in the applicant's words."""
    entries = []
    for event in dossier.events.order_by("seq"):
        text = _entry_text(event, dossier)
        if text is not None:
            entries.append(TimelineEntry(at=event.at, text=text[0], detail=text[1]))
    return entries


@dataclass(frozen=True)
class NextStep:
    """What the applicant should know or do now."""

    text: str
    action: str = ""  # "supplement", "download", "rate", "pay" or "" (nothing to do)
    deadline: datetime.datetime | None = None
    items: tuple[str, ...] = ()


def next_step(*, dossier: Dossier, supplement: SupplementRequest | None) -> NextStep:
    status = Status(dossier.status)
    if status == Status.SUBMITTED:
        return NextStep(
            "Bộ phận Một cửa đang kiểm tra hồ sơ. Bạn sẽ nhận được mã hồ sơ và ngày hẹn trả "
            "kết quả khi hồ sơ được tiếp nhận."
        )
    if status == Status.SUPPLEMENT_REQUESTED and supplement is not None:
        if supplement.answered_at is not None:
            return NextStep("Bạn đã gửi bổ sung. Cán bộ đang kiểm tra giấy tờ bổ sung.")
        return NextStep(
            "Bạn cần bổ sung giấy tờ theo yêu cầu dưới đây"
            + (f", trước {_when(supplement.deadline)}." if supplement.deadline else "."),
            action="supplement",
            deadline=supplement.deadline,
            items=tuple(str(item) for item in supplement.items or []),
        )
    if status == Status.AWAITING_OBLIGATION:
        return NextStep(
            "Bạn cần nộp khoản nghĩa vụ tài chính (thuế, phí) theo thông báo của cơ quan thuế. "
            "Hồ sơ được giải quyết tiếp khi có xác nhận đã nộp.",
            action="pay",
        )
    if status in (Status.RECEIVED, Status.PROCESSING):
        return NextStep(
            "Hồ sơ đang được giải quyết. Hẹn trả kết quả: " + _when(dossier.due_at) + "."
            if dossier.due_at
            else "Hồ sơ đang được giải quyết."
        )
    if status == Status.RESULT_READY:
        if dossier.return_method == ReturnMethod.ONLINE:
            return NextStep("Đã có kết quả. Bạn tải kết quả điện tử dưới đây.", "download")
        if dossier.return_method == ReturnMethod.POSTAL:
            return NextStep("Đã có kết quả; kết quả sẽ được gửi đến bạn qua bưu điện.")
        return NextStep(
            f"Đã có kết quả. Mời bạn mang giấy tờ tùy thân đến {dossier.receiving_agency.name} "
            "để nhận kết quả."
        )
    if status == Status.RETURNED:
        return NextStep("Đã trả kết quả. Mời bạn đánh giá việc giải quyết hồ sơ.", "rate")
    if status in FINAL:
        return NextStep("Hồ sơ đã kết thúc.")
    return NextStep("")


@dataclass(frozen=True)
class PublicStep:
    """A step of the process as anyone holding the code may see it: what, where, when, and
    whether it kept its time; never who."""

    name: str
    agency: str
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    due_at: datetime.datetime
    outcome: str


def public_steps(*, dossier: Dossier) -> list[PublicStep]:
    return [
        PublicStep(
            name=task.name,
            agency=task.agency.name,
            started_at=task.started_at,
            finished_at=task.finished_at,
            due_at=task.due_at,
            outcome=task.get_outcome_display() if task.outcome else "",
        )
        for task in dossier.tasks.select_related("agency").order_by("started_at", "pk")
    ]
