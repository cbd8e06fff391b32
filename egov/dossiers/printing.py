"""The printable forms of a dossier (DOMAIN §3 "Forms"; regulations §1.6).

TT 01/2018/TT-VPCP annex: Mẫu 01 receipt and appointment slip, 02 supplement request, 03
refusal of intake, 04 apology and new appointment, 05 process control slip, 06 tracking book;
and the stop notice of TT 03/2025/TT-VPCP. Slips are A5 portrait, the book A4 landscape.

Each function reads what the services wrote (the dossier, its events, tasks, supplement
requests, apology) and renders one PDF; nothing here writes. A form that does not apply to the
dossier as it stands raises FormNotAvailableError. Fields with no data yet (signatures, the
book number) are printed as labelled blanks, as on the paper forms.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from egov.catalog.models import CopyKind, TimeUnit
from egov.core.errors import DomainError
from egov.core.pdf import qr_svg_data_uri, render_pdf
from egov.core.templatetags.vn_format import decimal_vn, thousands
from egov.orgs.models import Agency

from .lifecycle import FINAL, Status
from .models import (
    Apology,
    Channel,
    Dossier,
    DossierEvent,
    Outcome,
    ProcessTask,
    ReturnMethod,
    SupplementRequest,
)

# The place line's name when the agency's province code is not a known province.
DEFAULT_PLACE_NAME = "An Giang"
MAX_BOOK_DAYS = 366
TEMPLATES = "dossiers/forms"


# The forms' names as people call them, for messages, buttons and file names.
FORM_TITLES = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03)",
    "04": "Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)",
    "05": "Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 05)",
    "06": "Sổ theo dõi hồ sơ (Mẫu 06)",
    "stop": "Thông báo dừng giải quyết hồ sơ",
}


class FormNotAvailableError(DomainError):
    """The form does not apply to the dossier as it stands (HTTP 422)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="form_not_available")


def _unavailable(form: str, why: str) -> FormNotAvailableError:
    return FormNotAvailableError(f"{why} nên không có {FORM_TITLES[form]}.")


# ------------------------------------------------------------------ how Vietnamese writes it


def vn_time(value: datetime.datetime | None) -> str:
    """ "08 giờ 00 phút, ngày 16/11/2026", in the province's time zone; "" for none."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def vn_date(value: datetime.datetime | datetime.date | None) -> str:
    """ "16/11/2026"; "" for none."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return f"{value:%d/%m/%Y}"


def vn_long_date(day: datetime.date) -> str:
    """ "ngày 16 tháng 11 năm 2026": days below 10 and months 1, 2 take a leading zero
    (Decree 30/2020, annex I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def lookup_path(key: str) -> str:
    """The public look-up page of a dossier, by its code (or its reference before one): a full
    address, so that a phone scanning the QR code opens it."""
    return f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}/tra-cuu/{key}/"


def _place_name(agency: Agency) -> str:
    """The province as the place line writes it: "An Giang", "Hà Nội"."""
    try:
        province = Province.from_code(ProvinceCode(agency.province_code))
    except ValueError:
        return DEFAULT_PLACE_NAME
    return province.name.removeprefix("Thành phố ").removeprefix("Tỉnh ")


def _address(dossier: Dossier) -> str:
    """ "12 Trần Hưng Đạo, phường Long Xuyên, tỉnh An Giang"; the street alone when the ward
    code is not a known ward."""
    parts = [dossier.applicant_street.strip()]
    if dossier.applicant_ward_code:
        try:
            ward = Ward.from_code(WardCode(dossier.applicant_ward_code))
        except ValueError:
            return parts[0]
        province = Province.from_code(ward.province_code).name
        parts.append(_lowered_division(ward.name))
        parts.append(
            _lowered_division(province) if province.startswith("Thành phố ") else f"tỉnh {province}"
        )
    return ", ".join(part for part in parts if part)


def _lowered_division(name: str) -> str:
    """ "Phường Long Xuyên" → "phường Long Xuyên", as it reads inside a sentence."""
    for division in ("Phường ", "Xã ", "Đặc khu ", "Thành phố "):
        if name.startswith(division):
            return division.lower() + name[len(division) :]
    return name


def _time_limit(dossier: Dossier) -> str:
    """ "1 ngày làm việc": the legal limit the dossier runs under."""
    content = dossier.procedure_revision.content
    limit = content["time_limit"]
    if dossier.channel == Channel.ONLINE and content.get("online_time_limit"):
        limit = content["online_time_limit"]
    return f"{decimal_vn(Decimal(str(limit['value'])))} {_label(TimeUnit, limit['unit'])}"


def _label(choices: type[models.TextChoices], value: str) -> str:
    """The Vietnamese label of a catalogue value; the value itself if the catalogue is newer."""
    return str(choices(value).label) if value in choices.values else value


def _event(dossier: Dossier, action: str) -> DossierEvent | None:
    return dossier.events.filter(action=action).order_by("-seq").first()


def _reason(event: DossierEvent) -> str:
    return str(event.payload.get("reason") or event.note)


# ------------------------------------------------------------------------- shared context


def _issuer(agency: Agency) -> dict[str, str]:
    """The issuing unit: its name, under its parent's when it has one."""
    return {"parent": agency.parent.name if agency.parent else "", "name": agency.name}


def _slip_context(
    dossier: Dossier, *, title: str, issued_at: datetime.datetime, issuer: Agency
) -> dict[str, Any]:
    key = dossier.code or str(dossier.reference)
    return {
        "title": title,
        "issuer": _issuer(issuer),
        "place_date": f"{_place_name(issuer)}, {vn_long_date(timezone.localdate(issued_at))}",
        "dossier": dossier,
        "key_label": "Mã hồ sơ" if dossier.code else "Số tham chiếu",
        "key": key,
        "lookup": lookup_path(key),
        "qr": qr_svg_data_uri(lookup_path(key)),
        "procedure_name": dossier.procedure_revision.content["name"],
        "address": _address(dossier),
        "received": vn_time(dossier.received_at),
        "due": vn_time(dossier.due_at),
    }


def _dossier_with_relations(dossier: Dossier) -> Dossier:
    """The dossier again, with what every slip reads in one query."""
    return Dossier.objects.select_related(
        "procedure_revision",
        "receiving_agency__parent",
        "competent_agency__parent",
    ).get(pk=dossier.pk)


# ------------------------------------------------------------------------------ the forms


def receipt_slip(dossier: Dossier) -> bytes:
    """Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""
    dossier = _dossier_with_relations(dossier)
    received = _event(dossier, "receive")
    if dossier.code is None or dossier.received_at is None or received is None:
        raise _unavailable("01", "Hồ sơ chưa được tiếp nhận")
    content = dossier.procedure_revision.content
    documents = [
        {
            "name": doc["name"] + ("" if doc.get("mandatory", True) else " (nếu có)"),
            "copy_kind": _label(CopyKind, doc["copy_kind"]),
            "quantity": f"{int(doc['quantity']):02d}",
        }
        for doc in content["documents"]
    ]
    fees = [
        {"name": fee.name, "amount": f"{thousands(fee.amount)} đồng" if fee.amount else "Miễn"}
        for fee in dossier.fees.order_by("code")
    ]
    context = _slip_context(
        dossier,
        title="GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        issued_at=dossier.received_at,
        issuer=dossier.receiving_agency,
    )
    context.update(
        documents=documents,
        fees=fees,
        time_limit=_time_limit(dossier),
        due=vn_time(dossier.original_due_at or dossier.due_at),
        return_method=_return_method(dossier),
        book_number=dossier.code.rsplit("-", 1)[-1],
        officer=received.actor_label,
        submitter=dossier.submitter_name
        or dossier.applicant_representative
        or dossier.applicant_name,
    )
    return render_pdf(f"{TEMPLATES}/receipt_slip.html", context)


def _return_method(dossier: Dossier) -> str:
    if dossier.return_method == ReturnMethod.COUNTER:
        return f"Nhận trực tiếp tại {dossier.receiving_agency.name}"
    if dossier.return_method == ReturnMethod.POSTAL:
        return f"Qua dịch vụ bưu chính công ích, đến địa chỉ: {_address(dossier)}"
    return "Trực tuyến (kết quả điện tử) trên Cổng dịch vụ công"


def supplement_request(dossier: Dossier) -> bytes:
    """Mẫu 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, from the latest supplement request."""
    dossier = _dossier_with_relations(dossier)
    request: SupplementRequest | None = dossier.supplements.order_by("-requested_at").first()
    if request is None:
        raise _unavailable("02", "Hồ sơ không có yêu cầu bổ sung nào")
    asked = _event(dossier, "request_supplement")
    context = _slip_context(
        dossier,
        title="PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        issued_at=request.requested_at,
        issuer=dossier.receiving_agency,
    )
    context.update(
        request=request,
        requested=vn_time(request.requested_at),
        items=[_item_text(item) for item in request.items],
        completed=vn_time(request.completed_at),
        # Before the supplement arrives this is the due time it stopped; after, the new one
        # (the limit restarts from zero, art. 19(4)). An intake request has none before.
        due=vn_time(dossier.due_at),
        officer=asked.actor_label if asked else "",
    )
    return render_pdf(f"{TEMPLATES}/supplement_request.html", context)


def _item_text(item: Any) -> str:
    """A supplement item as the service stored it: a string, or {"name", "note"}."""
    if isinstance(item, dict):
        name = str(item.get("name") or item.get("code") or "")
        note = str(item.get("note") or "")
        return f"{name}: {note}" if name and note else name or note
    return str(item)


def refusal(dossier: Dossier) -> bytes:
    """Mẫu 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ."""
    dossier = _dossier_with_relations(dossier)
    refused = _event(dossier, "refuse")
    if dossier.status != Status.REFUSED or refused is None:
        raise _unavailable("03", "Hồ sơ không bị từ chối tiếp nhận")
    context = _slip_context(
        dossier,
        title="PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        issued_at=refused.at,
        issuer=dossier.receiving_agency,
    )
    context.update(
        submitted=vn_time(dossier.submitted_at),
        reason=_reason(refused),
        officer=refused.actor_label,
    )
    return render_pdf(f"{TEMPLATES}/refusal.html", context)


def apology(dossier: Dossier) -> bytes:
    """Mẫu 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả, issued by the competent agency."""
    dossier = _dossier_with_relations(dossier)
    try:
        letter = Apology.objects.get(dossier=dossier)
    except Apology.DoesNotExist:
        raise _unavailable("04", "Hồ sơ chưa có thư xin lỗi, hẹn lại ngày trả") from None
    apologized = _event(dossier, "apologize")
    context = _slip_context(
        dossier,
        title="PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        issued_at=letter.at,
        issuer=dossier.competent_agency,
    )
    context.update(
        apology=letter,
        original_due=vn_time(letter.original_due_at),
        new_due=vn_time(letter.new_due_at),
        due=vn_time(letter.new_due_at),
        officer=apologized.actor_label if apologized else "",
    )
    return render_pdf(f"{TEMPLATES}/apology.html", context)


@dataclass(frozen=True)
class ControlRow:
    """One hand-over of Mẫu 05: who gave, who received, when, and how the step ended."""

    position: int
    name: str
    giver: str
    receiver: str
    handed_over: str
    due: str
    finished: str
    outcome: str


def process_control_slip(dossier: Dossier) -> bytes:
    """Mẫu 05 Phiếu kiểm soát quá trình giải quyết hồ sơ: one row per process step taken."""
    dossier = _dossier_with_relations(dossier)
    if dossier.code is None or dossier.received_at is None:
        raise _unavailable("05", "Hồ sơ chưa được tiếp nhận")
    tasks = list(
        ProcessTask.objects.filter(dossier=dossier)
        .select_related("agency")
        .order_by("started_at", "pk")
    )
    givers = ["Tổ chức, cá nhân nộp hồ sơ", *(task.agency.name for task in tasks)]
    rows = [
        ControlRow(
            position=task.position,
            name=task.name,
            giver=giver,
            receiver=task.agency.name,
            handed_over=vn_time(task.started_at),
            due=vn_time(task.due_at),
            finished=vn_time(task.finished_at),
            outcome=_label(Outcome, task.outcome),
        )
        for task, giver in zip(tasks, givers, strict=False)
    ]
    involved = {dossier.receiving_agency_id, dossier.competent_agency_id}
    partners = list(
        dict.fromkeys(task.agency.name for task in tasks if task.agency_id not in involved)
    )
    context = _slip_context(
        dossier,
        title="PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        issued_at=dossier.received_at,
        issuer=dossier.receiving_agency,
    )
    context.update(
        rows=rows,
        partners=partners,
        time_limit=_time_limit(dossier),
        original_due=vn_time(dossier.original_due_at),
        returned=vn_time(dossier.returned_at),
        outcome=_label(Outcome, dossier.outcome),
        status=Status(dossier.status).label,
    )
    return render_pdf(f"{TEMPLATES}/process_control_slip.html", context)


def stop_notice(dossier: Dossier) -> bytes:
    """Thông báo dừng giải quyết hồ sơ (TT 03/2025), issued by the competent agency."""
    dossier = _dossier_with_relations(dossier)
    stopped = _event(dossier, "stop")
    if dossier.status != Status.STOPPED or stopped is None:
        raise _unavailable("stop", "Hồ sơ không bị dừng giải quyết")
    context = _slip_context(
        dossier,
        title="THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        issued_at=stopped.at,
        issuer=dossier.competent_agency,
    )
    context.update(
        stopped=vn_time(stopped.at),
        reason=_reason(stopped),
        officer=stopped.actor_label,
        after_supplement=stopped.from_status == Status.SUPPLEMENT_REQUESTED,
    )
    return render_pdf(f"{TEMPLATES}/stop_notice.html", context)


@dataclass(frozen=True)
class BookRow:
    """One line of the tracking book (Mẫu 06)."""

    number: int
    code: str
    procedure: str
    applicant: str
    address: str
    phone: str
    competent: str
    received: str
    due: str
    transferred: str
    completed: str
    returned: str
    note: str


def tracking_book_rows(
    agency: Agency, date_from: datetime.date, date_to: datetime.date
) -> list[BookRow]:
    """The lines of Mẫu 06: the dossiers the desk received from date_from to date_to (whole
    days in the province's time zone), in the order received. One query."""
    if date_from > date_to:
        raise FormNotAvailableError("Ngày bắt đầu của kỳ theo dõi phải trước ngày kết thúc.")
    if (date_to - date_from).days > MAX_BOOK_DAYS:
        # One book is printed per month or year; a longer one is a mistake, or an attack.
        raise FormNotAvailableError("Mỗi lần in sổ theo dõi tối đa một năm.")
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    transfers = ProcessTask.objects.filter(dossier=OuterRef("pk"), position=2).order_by(
        "started_at", "pk"
    )
    dossiers = (
        Dossier.objects.filter(receiving_agency=agency, received_at__gte=start, received_at__lt=end)
        .select_related("competent_agency", "apology")
        .defer("form_data")
        .annotate(
            procedure_name=KeyTextTransform("name", "procedure_revision__content"),
            transferred_at=Subquery(transfers.values("started_at")[:1]),
        )
        .order_by("received_at", "code")
    )
    rows = [
        BookRow(
            number=number,
            code=dossier.code or "",
            procedure=dossier.procedure_name,
            applicant=dossier.applicant_name,
            address=_address(dossier),
            phone=dossier.applicant_phone,
            competent=dossier.competent_agency.name,
            received=_short_time(dossier.received_at),
            due=_short_time(dossier.original_due_at or dossier.due_at),
            transferred=_short_time(dossier.transferred_at),
            completed=_short_time(dossier.completed_at),
            returned=_short_time(dossier.returned_at),
            note=_book_note(dossier),
        )
        for number, dossier in enumerate(dossiers, start=1)
    ]
    return rows


def tracking_book(agency: Agency, date_from: datetime.date, date_to: datetime.date) -> bytes:
    """Mẫu 06 Sổ theo dõi hồ sơ as a PDF (A4 landscape). Two queries."""
    rows = tracking_book_rows(agency, date_from, date_to)
    issuer = Agency.objects.select_related("parent").get(pk=agency.pk)
    context = {
        "title": "SỔ THEO DÕI HỒ SƠ",
        "issuer": _issuer(issuer),
        "place_date": f"{_place_name(issuer)}, {vn_long_date(timezone.localdate())}",
        "period": f"Từ ngày {vn_date(date_from)} đến ngày {vn_date(date_to)}",
        "rows": rows,
    }
    return render_pdf(f"{TEMPLATES}/tracking_book.html", context)


def _short_time(value: datetime.datetime | None) -> str:
    """ "08:00 16/11/2026": the book's narrow columns."""
    if value is None:
        return ""
    return f"{timezone.localtime(value):%H:%M %d/%m/%Y}"


def _book_note(dossier: Dossier) -> str:
    notes = []
    if dossier.channel != Channel.COUNTER:
        notes.append(Channel(dossier.channel).label)
    # A missing reverse one-to-one raises a DoesNotExist that is also an AttributeError.
    if (letter := getattr(dossier, "apology", None)) is not None:
        notes.append(f"Hẹn lại ngày {vn_date(letter.new_due_at)} (Mẫu 04)")
    if dossier.status in FINAL and dossier.status != Status.RETURNED:
        notes.append(Status(dossier.status).label)
    return "; ".join(notes)


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
