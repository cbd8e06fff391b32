"""The slips of one dossier (A5 portrait): Mẫu 01 receipt and appointment, 02 supplement
request, 03 refusal of intake, 04 apology and new appointment, 05 process control slip
(TT 01/2018/TT-VPCP annex), and the stop notice of TT 03/2025/TT-VPCP.

Each function reads what the services wrote (the dossier, its events, tasks, supplement
requests, apology) and renders one PDF; nothing here writes. A form that does not apply to
the dossier as it stands raises FormNotAvailableError. Fields with no data (signatures, a
phone the agency has not recorded) are printed as labelled blanks, as on the paper forms.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html

from egov.catalog.models import CopyKind
from egov.core.pdf import qr_svg_data_uri, render_pdf
from egov.core.templatetags.vn_format import thousands
from egov.orgs.models import Agency

from ..lifecycle import Status
from ..models import (
    Apology,
    Dossier,
    DossierEvent,
    Outcome,
    PaperReceipt,
    ProcessTask,
    ReturnMethod,
    SupplementRequest,
)
from .common import TEMPLATES, issuer, officer_titles, unavailable
from .formatting import (
    Officer,
    address,
    address_html,
    book_number,
    item_text,
    label,
    lookup_path,
    officer,
    place_name,
    quantity,
    time_limit,
    unbroken,
    vn_long_date,
    vn_time,
)

# What Mẫu 01 calls a file the dossier carries, for dossiers received before the desk
# recorded the papers it took in.
FILE_COPY_KIND = "Bản điện tử"
SCANNED_COPY_KIND = "Bản giấy, đã số hóa"
OTHER_PAPERS = "Giấy tờ khác"


def _event(dossier: Dossier, action: str) -> DossierEvent | None:
    return dossier.events.filter(action=action).select_related("actor").order_by("-seq").first()


def _receipt_event(dossier: Dossier) -> DossierEvent | None:
    """The event that received the dossier: `receive`, or the completion of a supplement
    asked at intake, which receives it too."""
    return (
        dossier.events.filter(to_status=Status.RECEIVED)
        .exclude(from_status=Status.RECEIVED)
        .select_related("actor")
        .order_by("seq")
        .first()
    )


def _reason(event: DossierEvent) -> str:
    return str(event.payload.get("reason") or event.note)


def _named(user: Any, *agencies: Agency) -> Officer:
    """An officer with the title held at the first of these agencies that records one."""
    if user is None:
        return officer(None)
    titles = officer_titles((user.pk, agency.pk) for agency in agencies)
    title = next((titles[(user.pk, a.pk)] for a in agencies if (user.pk, a.pk) in titles), "")
    return officer(user, title)


def _slip_context(
    dossier: Dossier, *, title: str, issued_at: datetime.datetime, issued_by: Agency
) -> dict[str, Any]:
    key = dossier.code or str(dossier.reference)
    return {
        "title": title,
        "issuer": issuer(issued_by),
        "place_date": f"{place_name(issued_by)}, {vn_long_date(timezone.localdate(issued_at))}",
        "dossier": dossier,
        "key_label": "Mã hồ sơ" if dossier.code else "Số tham chiếu",
        "key": key,
        "lookup": lookup_path(key),
        "qr": qr_svg_data_uri(lookup_path(key)),
        "procedure_name": dossier.procedure_revision.content["name"],
        "address": address_html(dossier),
        "received": vn_time(dossier.received_at),
        "due": vn_time(dossier.due_at),
        # Intake regardless of administrative boundary: where it was handed in, and who
        # decides it, may be two agencies of different places.
        "receiving_agency": unbroken(dossier.receiving_agency.name),
        "competent_agency": unbroken(dossier.competent_agency.name),
    }


def _dossier_with_relations(dossier: Dossier) -> Dossier:
    """The dossier again, with what every slip reads in one query."""
    return Dossier.objects.select_related(
        "procedure_revision",
        "receiving_agency__parent",
        "competent_agency__parent",
    ).get(pk=dossier.pk)


# ------------------------------------------------------------------------ Mẫu 01 receipt


def receipt_slip(dossier: Dossier) -> bytes:
    """Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả, under the receiving desk."""
    dossier = _dossier_with_relations(dossier)
    if dossier.code is None or dossier.received_at is None:
        raise unavailable("01", "Hồ sơ chưa được tiếp nhận")
    received = _receipt_event(dossier)
    fees = [
        {"name": fee.name, "amount": f"{thousands(fee.amount)} đồng" if fee.amount else "Miễn"}
        for fee in dossier.fees.order_by("code")
    ]
    context = _slip_context(
        dossier,
        title="GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        issued_at=dossier.received_at,
        issued_by=dossier.receiving_agency,
    )
    context.update(
        documents=_papers(dossier),
        fees=fees,
        time_limit=time_limit(dossier),
        due=vn_time(dossier.original_due_at or dossier.due_at),
        return_method=_return_method(dossier),
        book_number=book_number(dossier.book_number),
        officer=_named(received.actor if received else None, dossier.receiving_agency),
        submitter=dossier.submitter_name
        or dossier.applicant_representative
        or dossier.applicant_name,
    )
    return render_pdf(f"{TEMPLATES}/receipt_slip.html", context)


def _papers(dossier: Dossier) -> list[dict[str, str]]:
    """What the desk took in (received_papers), each paper with how it came: scanned at the
    counter or its original checked there (PaperReceipt, a counter intake's record), else
    its copy kind as the desk listed it. A dossier received before the desk recorded them
    lists the files it carries, by component, never the procedure's list of what it should
    have carried."""
    if dossier.received_papers:
        return [
            {
                "name": str(paper.get("name") or paper.get("component") or OTHER_PAPERS),
                "copy_kind": _received_as(paper),
                "quantity": quantity(paper.get("quantity")),
            }
            for paper in dossier.received_papers
            if isinstance(paper, dict)
        ]
    names = {doc["code"]: doc["name"] for doc in dossier.procedure_revision.content["documents"]}
    counts: dict[tuple[str, bool], int] = {}
    for component, digitised in (
        dossier.documents.filter(is_result=False)
        .order_by("uploaded_at", "pk")
        .values_list("component", "digitised")
    ):
        counts[(component, digitised)] = counts.get((component, digitised), 0) + 1
    return [
        {
            "name": names.get(component) or component or OTHER_PAPERS,
            "copy_kind": SCANNED_COPY_KIND if digitised else FILE_COPY_KIND,
            "quantity": quantity(count),
        }
        for (component, digitised), count in counts.items()
    ]


def _received_as(paper: dict[str, Any]) -> str:
    how = str(paper.get("received_as") or "")
    if how in PaperReceipt.values:
        return label(PaperReceipt, how)
    return label(CopyKind, str(paper.get("copy_kind") or ""))


def _return_method(dossier: Dossier) -> str:
    if dossier.return_method == ReturnMethod.COUNTER:
        return format_html("Nhận trực tiếp tại {}", unbroken(dossier.receiving_agency.name))
    if dossier.return_method == ReturnMethod.POSTAL:
        # The applicant's address, printed just above: not a second time.
        if address(dossier):
            return "Qua dịch vụ bưu chính công ích, đến địa chỉ của người nộp nêu trên"
        return "Qua dịch vụ bưu chính công ích, đến địa chỉ: ……………………………………"
    return "Trực tuyến (kết quả điện tử) trên Cổng dịch vụ công"


# ------------------------------------------------------------------ Mẫu 02 supplement


def supplement_request(dossier: Dossier) -> bytes:
    """Mẫu 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, under the receiving desk: every
    request the applicant has yet to satisfy (not completed, not asked again), or, once none
    is, the latest one as it ended."""
    dossier = _dossier_with_relations(dossier)
    requests = list(
        dossier.supplements.select_related("requested_by").order_by("requested_at", "pk")
    )
    if not requests:
        raise unavailable("02", "Hồ sơ không có yêu cầu bổ sung nào")
    outstanding = [r for r in requests if r.completed_at is None and not r.superseded]
    shown = outstanding or requests[-1:]
    latest = shown[-1]
    asker = latest.requested_by
    if asker is None:
        asked = _event(dossier, "request_supplement")
        asker = asked.actor if asked else None
    context = _slip_context(
        dossier,
        title="PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        issued_at=latest.requested_at,
        issued_by=dossier.receiving_agency,
    )
    context.update(
        requests=[_request_lines(request) for request in shown],
        request=latest,
        completed=vn_time(latest.completed_at),
        # Before the supplement arrives this is the due time it stopped; after, the new one
        # (the limit restarts from zero, art. 19(4)). An intake request has none before.
        due=vn_time(dossier.due_at),
        officer=_named(asker, *_asker_agencies(dossier, latest)),
        phone=dossier.receiving_agency.phone.strip(),
    )
    return render_pdf(f"{TEMPLATES}/supplement_request.html", context)


def _request_lines(request: SupplementRequest) -> dict[str, Any]:
    return {
        "requested": vn_time(request.requested_at),
        "items": [item_text(item) for item in request.items or []],
        "reason": request.reason,
        "deadline": vn_time(request.deadline),
        "answered": vn_time(request.answered_at),
    }


def _asker_agencies(dossier: Dossier, request: SupplementRequest) -> list[Agency]:
    """Where the officer who asked was working: the desk at intake; in processing, the
    agency of the step open when they asked, then the competent agency."""
    if request.at_intake:
        return [dossier.receiving_agency]
    step = (
        dossier.tasks.filter(started_at__lte=request.requested_at)
        .select_related("agency")
        .order_by("-started_at", "-pk")
        .first()
    )
    agencies = [step.agency] if step else []
    return [*agencies, dossier.competent_agency, dossier.receiving_agency]


# --------------------------------------------------------------------- Mẫu 03 refusal


def refusal(dossier: Dossier) -> bytes:
    """Mẫu 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ, under the receiving desk."""
    dossier = _dossier_with_relations(dossier)
    refused = _event(dossier, "refuse")
    if dossier.status != Status.REFUSED or refused is None:
        raise unavailable("03", "Hồ sơ không bị từ chối tiếp nhận")
    context = _slip_context(
        dossier,
        title="PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        issued_at=refused.at,
        issued_by=dossier.receiving_agency,
    )
    context.update(
        submitted=vn_time(dossier.submitted_at),
        reason=_reason(refused),
        officer=_named(refused.actor, dossier.receiving_agency),
    )
    return render_pdf(f"{TEMPLATES}/refusal.html", context)


# --------------------------------------------------------------------- Mẫu 04 apology


def apology(dossier: Dossier) -> bytes:
    """Mẫu 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả, under the competent agency, whose
    leader who wrote it signs."""
    dossier = _dossier_with_relations(dossier)
    letter = Apology.objects.filter(dossier=dossier).select_related("by").first()
    if letter is None:
        raise unavailable("04", "Hồ sơ chưa có thư xin lỗi, hẹn lại ngày trả")
    context = _slip_context(
        dossier,
        title="PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        issued_at=letter.at,
        issued_by=dossier.competent_agency,
    )
    context.update(
        apology=letter,
        original_due=vn_time(letter.original_due_at),
        new_due=vn_time(letter.new_due_at),
        due=vn_time(letter.new_due_at),
        officer=_named(letter.by, dossier.competent_agency),
    )
    return render_pdf(f"{TEMPLATES}/apology.html", context)


# ------------------------------------------------------------- Mẫu 05 process control


# Who hands the dossier to its first step.
APPLICANT_PARTY = "Tổ chức, cá nhân nộp hồ sơ"


@dataclass(frozen=True)
class ControlRow:
    """One hand-over of Mẫu 05: who gave (agency, officer), who received, when, and how the
    step ended; the two parties sign beside it."""

    position: int
    name: str
    giver_agency: str
    giver: Officer
    receiver_agency: str
    receiver: Officer
    handed_over: str
    due: str
    finished: str
    outcome: str


def process_control_slip(dossier: Dossier) -> bytes:
    """Mẫu 05 Phiếu kiểm soát quá trình giải quyết hồ sơ, under the receiving desk: one row
    per hand-over. Four queries whatever the number of steps."""
    dossier = _dossier_with_relations(dossier)
    if dossier.code is None or dossier.received_at is None:
        raise unavailable("05", "Hồ sơ chưa được tiếp nhận")
    rows = control_rows(dossier)
    involved = {dossier.receiving_agency.name, dossier.competent_agency.name}
    partners = list(
        dict.fromkeys(row.receiver_agency for row in rows if row.receiver_agency not in involved)
    )
    context = _slip_context(
        dossier,
        title="PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        issued_at=dossier.received_at,
        issued_by=dossier.receiving_agency,
    )
    context.update(
        rows=rows,
        partners=partners,
        time_limit=time_limit(dossier),
        original_due=vn_time(dossier.original_due_at),
        returned=vn_time(dossier.returned_at),
        outcome=label(Outcome, dossier.outcome),
        status=Status(dossier.status).label,
    )
    return render_pdf(f"{TEMPLATES}/process_control_slip.html", context)


def control_rows(dossier: Dossier) -> list[ControlRow]:
    """The hand-overs of the dossier, in order. The applicant (or their submitter) hands it
    to the officer who received it; after that the giver of a step is the officer whose
    action opened it, at the agency of the step before, and its receiver the officer it was
    given to (the assignee), else the one who finished it. Three queries."""
    tasks = list(
        ProcessTask.objects.filter(dossier=dossier)
        .select_related("agency", "assignee")
        .order_by("started_at", "pk")
    )
    opened, finished = _step_actors(dossier)
    hand_overs: list[tuple[ProcessTask, Any, Agency | None, Any]] = []
    previous: ProcessTask | None = None
    for task in tasks:
        opener = opened.get((task.position, task.started_at))
        closer = finished.get((task.position, task.finished_at)) if task.finished_at else None
        if previous is None:
            hand_overs.append((task, None, None, task.assignee or opener or closer))
        else:
            hand_overs.append((task, opener, previous.agency, task.assignee or closer))
        previous = task
    titles = officer_titles(
        pair
        for task, giver, giver_agency, receiver in hand_overs
        for pair in (
            (giver.pk if giver else None, giver_agency.pk if giver_agency else None),
            (receiver.pk if receiver else None, task.agency_id),
        )
    )

    def named(user: Any, agency: Agency) -> Officer:
        return officer(user, titles.get((user.pk, agency.pk))) if user else officer(None)

    applicant = Officer(
        name=dossier.submitter_name or dossier.applicant_representative or dossier.applicant_name
    )
    return [
        ControlRow(
            position=task.position,
            name=task.name,
            giver_agency=giver_agency.name if giver_agency else APPLICANT_PARTY,
            giver=named(giver, giver_agency) if giver_agency else applicant,
            receiver_agency=task.agency.name,
            receiver=named(receiver, task.agency),
            handed_over=vn_time(task.started_at),
            due=vn_time(task.due_at),
            finished=vn_time(task.finished_at),
            outcome=label(Outcome, task.outcome),
        )
        for task, giver, giver_agency, receiver in hand_overs
    ]


StepKey = tuple[Any, datetime.datetime]


def _step_actors(dossier: Dossier) -> tuple[dict[StepKey, Any], dict[StepKey, Any]]:
    """Who opened and who finished each step, by (position, time), from the events that
    record it (payload "task" and "finished_task")."""
    opened: dict[StepKey, Any] = {}
    finished: dict[StepKey, Any] = {}
    for event in (
        dossier.events.filter(Q(payload__has_key="task") | Q(payload__has_key="finished_task"))
        .select_related("actor")
        .order_by("seq")
    ):
        if isinstance(step := event.payload.get("task"), dict):
            opened[(step.get("position"), event.at)] = event.actor
        if isinstance(step := event.payload.get("finished_task"), dict):
            finished[(step.get("position"), event.at)] = event.actor
    return opened, finished


# ----------------------------------------------------------------------- stop notice


def stop_notice(dossier: Dossier) -> bytes:
    """Thông báo dừng giải quyết hồ sơ (TT 03/2025), under the competent agency, whose
    leader who stopped it signs."""
    dossier = _dossier_with_relations(dossier)
    stopped = _event(dossier, "stop")
    if dossier.status != Status.STOPPED or stopped is None:
        raise unavailable("stop", "Hồ sơ không bị dừng giải quyết")
    context = _slip_context(
        dossier,
        title="THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        issued_at=stopped.at,
        issued_by=dossier.competent_agency,
    )
    context.update(
        stopped=vn_time(stopped.at),
        reason=_reason(stopped),
        officer=_named(stopped.actor, dossier.competent_agency),
        after_supplement=stopped.from_status == Status.SUPPLEMENT_REQUESTED,
    )
    return render_pdf(f"{TEMPLATES}/stop_notice.html", context)


# The dossier forms by their number, for views and the API ("stop": TT 03/2025).
FORMS: dict[str, Callable[[Dossier], bytes]] = {
    "01": receipt_slip,
    "02": supplement_request,
    "03": refusal,
    "04": apology,
    "05": process_control_slip,
    "stop": stop_notice,
}


def forms_available(dossier: Dossier) -> list[str]:
    """The forms that print for this dossier as it stands (the same conditions the form
    functions check; tests/dossiers/test_printing.py holds the two together)."""
    received = dossier.code is not None and dossier.received_at is not None
    available = {
        "01": received,
        "02": dossier.supplements.exists(),
        "03": dossier.status == Status.REFUSED,
        "04": Apology.objects.filter(dossier=dossier).exists(),
        "05": received,
        "stop": dossier.status == Status.STOPPED,
    }
    return [form for form in FORMS if available[form]]
