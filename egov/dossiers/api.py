"""Dossiers over HTTP: the contract other parts and outside clients rely on.

Thin: parse, call a selector or a service, shape the answer. A dossier that a person may not
see answers 404 everywhere; the error shape is egov.api's.
"""

import datetime
from typing import IO, Any, Literal, cast

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja import Status as HttpStatus

from egov.core.api_support import ScopedThrottle

from .lifecycle import Action, Status
from .models import Dossier, DossierDocument
from .printing import FORMS, tracking_book, tracking_book_xlsx
from .selectors import (
    WorklistFilters,
    agency_book_get,
    document_get,
    dossier_events,
    dossier_get,
    dossier_public_get,
    dossier_worklist,
    open_task_of,
)
from .services import (
    Applicant,
    ResultFile,
    Submitter,
    document_attach,
    dossier_approve,
    dossier_create,
    dossier_perform,
    task_assign,
)

router = Router(tags=["dossiers"])
MAX_PAGE = 100
# 18 digits at most, as the desk's page takes it (the tax service checks it again).
MAX_TAXABLE_VALUE = 10**18 - 1


# ----------------------------------------------------------------------------- schemas


class AddressIn(Schema):
    ward_code: int | None = Field(
        None,
        ge=1,
        le=99999,
        description="mã xã, phường, đặc khu nơi cư trú (mã 5 chữ số), một đơn vị của tỉnh",
    )
    street: str = Field("", max_length=255)


class ApplicantIn(Schema):
    type: int = Field(
        ..., ge=1, le=4, description="1 công dân, 2 doanh nghiệp, 3 cơ quan, 4 tổ chức"
    )
    full_name: str = Field("", max_length=255)
    name: str = Field("", max_length=255, description="tên tổ chức (loại 2, 3, 4)")
    id_number: str = Field("", max_length=12)
    date_of_birth: datetime.date | None = None
    gender: Literal["male", "female", ""] = ""
    phone: str = Field("", max_length=15)
    email: str = Field("", max_length=254)
    address: AddressIn | None = None
    tax_code: str = Field("", max_length=14)
    representative: str = Field("", max_length=255)


class SubmitterIn(Schema):
    full_name: str = Field(..., max_length=255)
    id_number: str = Field("", max_length=12)
    phone: str = Field("", max_length=15)


class PaperIn(Schema):
    component: str = Field("", max_length=20, description="mã thành phần hồ sơ")
    copy_kind: Literal["original", "copy", "certified_copy", "original_or_copy"] | None = None
    quantity: int = Field(1, ge=1, le=99)


class DossierIn(Schema):
    procedure: str = Field(..., description="mã thủ tục quốc gia, ví dụ 1.001193")
    channel: Literal["counter", "online", "postal"]
    applicant: ApplicantIn
    return_method: Literal["counter", "postal", "online"]
    form_data: dict[str, Any] = Field(default_factory=dict)
    agency: str | None = Field(None, description="mã định danh Bộ phận Một cửa tiếp nhận")
    submitter: SubmitterIn | None = None
    papers: list[PaperIn] | None = Field(
        None,
        max_length=50,
        description="giấy tờ đã nhận tại quầy hoặc qua bưu chính (Mẫu 01): bắt buộc liệt kê đủ "
        "thành phần bắt buộc của thủ tục, trừ hồ sơ trực tuyến",
    )
    corrects: str | None = Field(
        None, max_length=40, description="mã hồ sơ có kết quả cần đính chính (hồ sơ mới)"
    )


class ActionIn(Schema):
    version: int
    note: str = Field("", max_length=5000)
    items: list[str] = Field([], description="giấy tờ cần bổ sung (yêu cầu bổ sung)")
    new_due_at: datetime.datetime | None = Field(None, description="hẹn mới (thư xin lỗi)")
    result_signed: bool = False
    recipient_name: str = Field("", max_length=255, description="người nhận kết quả tại quầy")
    recipient_id_number: str = Field("", max_length=20)
    tax_kind: str = Field(
        "",
        pattern="^(|LPTB|TNCN|TSDD)$",
        description="nghĩa vụ tài chính do cơ quan thuế xác định (yêu cầu nghĩa vụ tài chính)",
    )
    taxable_value: int | None = Field(
        None,
        gt=0,
        le=MAX_TAXABLE_VALUE,
        description="giá trị tính thuế, đồng (tối đa 18 chữ số)",
    )


class ProcedureRef(Schema):
    national_code: str
    name: str


class TaskOut(Schema):
    position: int
    name: str
    agency: str = Field(..., alias="agency.code")
    role: str
    assignee: str | None = Field(None, alias="assignee.username")
    started_at: datetime.datetime
    due_at: datetime.datetime


class DossierSummaryOut(Schema):
    code: str | None
    reference: str
    status: str
    status_code: int
    status_label: str
    procedure: ProcedureRef
    receiving_agency: str = Field(..., alias="receiving_agency.code")
    competent_agency: str = Field(..., alias="competent_agency.code")
    channel: str
    applicant_name: str
    received_at: datetime.datetime | None
    due_at: datetime.datetime | None
    overdue: bool
    due_soon: bool
    version: int

    @staticmethod
    def resolve_reference(dossier: Dossier) -> str:
        return str(dossier.reference)

    @staticmethod
    def resolve_status_label(dossier: Dossier) -> str:
        return Status(dossier.status).label


class ApplicantOut(Schema):
    type: int
    full_name: str
    id_number: str
    date_of_birth: datetime.date | None
    gender: str
    phone: str
    email: str
    ward_code: int | None
    street: str
    tax_code: str
    representative: str


class DossierOut(DossierSummaryOut):
    return_method: str
    applicant: ApplicantOut
    submitted_at: datetime.datetime
    original_due_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    returned_at: datetime.datetime | None
    outcome: str
    clock_state: str
    form_data: dict[str, Any]
    current_task: TaskOut | None
    book_number: int | None
    received_papers: list[dict[str, Any]]
    corrects: str | None

    @staticmethod
    def resolve_corrects(dossier: Dossier) -> str | None:
        return dossier.corrects.code if dossier.corrects_id and dossier.corrects else None

    @staticmethod
    def resolve_applicant(dossier: Dossier) -> dict[str, Any]:
        return {
            "type": dossier.applicant_type,
            "full_name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "date_of_birth": dossier.applicant_birth_date,
            "gender": dossier.applicant_gender,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "ward_code": dossier.applicant_ward_code,
            "street": dossier.applicant_street,
            "tax_code": dossier.applicant_tax_code,
            "representative": dossier.applicant_representative,
        }

    @staticmethod
    def resolve_current_task(dossier: Dossier) -> Any:
        return open_task_of(dossier)


class WorklistOut(Schema):
    items: list[DossierSummaryOut]
    next_cursor: str | None


class WorklistQuery(Schema):
    status: Literal[tuple(Status.values)] | None = None  # type: ignore[valid-type]
    overdue: bool | None = None
    due_soon: bool | None = None
    procedure: str = Field("", max_length=8)
    search: str = Field("", max_length=100, description="mã hồ sơ, họ tên hoặc số định danh")
    cursor: str | None = None
    limit: int = Field(20, ge=1, le=MAX_PAGE)


class EventOut(Schema):
    seq: int
    action: str
    from_status: str
    to_status: str
    actor: str = Field(..., alias="actor_label")
    at: datetime.datetime
    note: str


class PublicDossierOut(Schema):
    code: str
    status: str
    status_code: int
    status_label: str
    procedure: str = Field(..., alias="procedure.name")
    due_at: datetime.datetime | None

    @staticmethod
    def resolve_status_label(dossier: Dossier) -> str:
        return Status(dossier.status).label


INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})

FormName = Literal["01", "02", "03", "04", "05", "stop"]


class PeriodQuery(Schema):
    from_: datetime.date = Field(..., alias="from")
    to: datetime.date


# --------------------------------------------------------------------------- endpoints


@router.post("/dossiers", response={201: DossierOut}, summary="Nộp hoặc tiếp nhận hồ sơ")
def create(request: HttpRequest, body: DossierIn) -> HttpStatus[Dossier]:
    applicant = body.applicant
    dossier = dossier_create(
        actor=request.user,  # type: ignore[arg-type]
        procedure_code=body.procedure,
        channel=body.channel,
        applicant=Applicant(
            type=applicant.type,
            name=applicant.full_name or applicant.name,
            id_number=applicant.id_number,
            birth_date=applicant.date_of_birth,
            gender=applicant.gender,
            tax_code=applicant.tax_code,
            representative=applicant.representative,
            phone=applicant.phone,
            email=applicant.email,
            ward_code=applicant.address.ward_code if applicant.address else None,
            street=applicant.address.street if applicant.address else "",
        ),
        return_method=body.return_method,
        form_data=body.form_data,
        agency_code=body.agency,
        submitter=Submitter(
            name=body.submitter.full_name,
            id_number=body.submitter.id_number,
            phone=body.submitter.phone,
        )
        if body.submitter
        else None,
        # A dossier received at a counter or by post lists what was taken in, every mandatory
        # paper included (as the desk's own form requires); leaving the list out is an empty one.
        papers=[paper.model_dump(exclude_none=True) for paper in body.papers or []]
        if body.papers is not None or body.channel != "online"
        else None,
        corrects=body.corrects,
    )
    return HttpStatus(201, dossier)


@router.get("/dossiers", response=WorklistOut, summary="Danh sách hồ sơ (sổ công việc)")
def worklist(request: HttpRequest, query: Query[WorklistQuery]) -> dict[str, Any]:
    items = dossier_worklist(
        actor=request.user,
        filters=WorklistFilters(
            status=query.status or "",
            overdue=query.overdue,
            due_soon=query.due_soon,
            procedure=query.procedure,
            search=query.search,
        ),
        after=query.cursor,
        limit=query.limit,
    )
    # The cursor is the last dossier's reference: opaque, and no sequential number.
    next_cursor = str(items[-1].reference) if len(items) == query.limit else None
    return {"items": items, "next_cursor": next_cursor}


@router.get("/dossiers/{key}", response=DossierOut, summary="Một hồ sơ")
def detail(request: HttpRequest, key: str) -> Dossier:
    return dossier_get(actor=request.user, key=key)


@router.post(
    "/dossiers/{key}/actions/{action}",
    response=DossierOut,
    summary="Thao tác trên hồ sơ",
)
def perform(request: HttpRequest, key: str, action: Action, body: ActionIn) -> Dossier:
    return dossier_perform(
        key=key,
        action=action,
        actor=request.user,  # type: ignore[arg-type]
        version=body.version,
        note=body.note,
        items=body.items,
        new_due_at=body.new_due_at,
        result_signed=body.result_signed,
        recipient_name=body.recipient_name,
        recipient_id_number=body.recipient_id_number,
        tax_kind=body.tax_kind,
        taxable_value=body.taxable_value,
    )


@router.post(
    "/dossiers/{key}/approve",
    response=DossierOut,
    summary="Phê duyệt kết quả, kèm tệp kết quả đã ký",
)
def approve(
    request: HttpRequest,
    key: str,
    version: Form[int],
    note: Form[str] = "",
    result: File[UploadedFile | None] = None,
) -> Dossier:
    return dossier_approve(
        actor=request.user,  # type: ignore[arg-type]
        key=key,
        version=version,
        note=note[:5000],
        result=ResultFile(
            stream=cast(IO[bytes], result), name=result.name or "", size=result.size or 0
        )
        if result is not None
        else None,
    )


class AssignIn(Schema):
    version: int
    assignee: str = Field(..., max_length=150, description="tên đăng nhập của cán bộ")


@router.post(
    "/dossiers/{key}/assign",
    response=DossierOut,
    summary="Lãnh đạo giao bước đang xử lý cho cán bộ",
)
def assign(request: HttpRequest, key: str, body: AssignIn) -> Dossier:
    task_assign(
        actor=request.user,  # type: ignore[arg-type]
        key=key,
        version=body.version,
        assignee_username=body.assignee,
    )
    return dossier_get(actor=request.user, key=key)


@router.get("/dossiers/{key}/events", response=list[EventOut], summary="Nhật ký hồ sơ")
def events(request: HttpRequest, key: str) -> Any:
    return list(dossier_events(dossier=dossier_get(actor=request.user, key=key)))


class DocumentOut(Schema):
    uuid: str
    component: str
    name: str
    content_type: str
    size: int
    sha256: str
    digitised: bool
    uploaded_at: datetime.datetime

    @staticmethod
    def resolve_uuid(document: DossierDocument) -> str:
        return str(document.uuid)


@router.post("/dossiers/{key}/documents", response={201: DocumentOut}, summary="Thêm tệp vào hồ sơ")
def attach(
    request: HttpRequest,
    key: str,
    file: File[UploadedFile],
    component: Form[str] = "",
    digitised: Form[bool] = False,
) -> HttpStatus[DossierDocument]:
    document = document_attach(
        actor=request.user,  # type: ignore[arg-type]
        key=key,
        stream=cast(IO[bytes], file),
        name=file.name or "",
        size=file.size or 0,
        component=component,
        digitised=digitised,
    )
    return HttpStatus(201, document)


@router.get("/dossiers/{key}/documents", response=list[DocumentOut], summary="Tệp của hồ sơ")
def documents(request: HttpRequest, key: str) -> Any:
    return list(dossier_get(actor=request.user, key=key).documents.all())


@router.get("/dossiers/{key}/documents/{document_uuid}", summary="Tải tệp của hồ sơ")
def download(
    request: HttpRequest, key: str, document_uuid: str, inline: bool = False
) -> FileResponse:
    document = document_get(actor=request.user, key=key, document_uuid=document_uuid)
    # PDFs and pictures may be looked at in the browser; anything else is only downloaded.
    viewable = inline and document.content_type in INLINE_TYPES
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=not viewable,
        filename=document.name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    if viewable:
        # Shown, never run: no script, no form, no same-origin rights for what it contains.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response


@router.get("/dossiers/{key}/forms/{form}.pdf", summary="In phiếu (Mẫu 01–05, thông báo dừng)")
def form_pdf(request: HttpRequest, key: str, form: FormName) -> HttpResponse:
    dossier = dossier_get(actor=request.user, key=key)
    return _pdf(FORMS[form](dossier), f"{form}-{dossier.code or dossier.reference}.pdf")


@router.get("/agencies/{code}/tracking-book.pdf", summary="Sổ theo dõi hồ sơ (Mẫu 06)")
def tracking_book_pdf(request: HttpRequest, code: str, period: Query[PeriodQuery]) -> HttpResponse:
    agency = agency_book_get(actor=request.user, code=code)
    return _pdf(
        tracking_book(agency, period.from_, period.to),
        f"so-theo-doi-{code}-{period.from_:%Y%m%d}-{period.to:%Y%m%d}.pdf",
    )


@router.get("/agencies/{code}/tracking-book.xlsx", summary="Sổ theo dõi hồ sơ (Mẫu 06), XLSX")
def tracking_book_spreadsheet(
    request: HttpRequest, code: str, period: Query[PeriodQuery]
) -> HttpResponse:
    agency = agency_book_get(actor=request.user, code=code)
    response = HttpResponse(
        tracking_book_xlsx(agency, period.from_, period.to),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="so-theo-doi-{code}-{period.from_:%Y%m%d}-{period.to:%Y%m%d}.xlsx"'
    )
    return response


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get(
    "/public/dossiers/{code}",
    response=PublicDossierOut,
    auth=None,
    throttle=[ScopedThrottle("public_lookup", "MOTCUA_PUBLIC_LOOKUP_RATE")],
    summary="Tra cứu tình trạng hồ sơ (công khai, không có thông tin cá nhân)",
)
def public_lookup(request: HttpRequest, code: str) -> Dossier:
    return dossier_public_get(code=code)
