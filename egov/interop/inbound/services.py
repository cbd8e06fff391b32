"""Writes of the inbound side: the message-log row of a call, the tax authority's payment
notice and the national portal's dossiers with their `Idempotency-Key`, and the connection
accounts themselves."""

import datetime
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from egov.catalog.errors import ProcedureNotFoundError
from egov.core.errors import DomainError
from egov.core.files import UploadError, check_upload
from egov.core.ratelimit import parse_rate
from egov.core.templatetags.vn_format import thousands
from egov.dossiers.errors import DossierNotFoundError, DossierRuleError, StaleVersionError
from egov.dossiers.lifecycle import NATIONAL_CODE, Action, IllegalActionError, Status
from egov.dossiers.models import Dossier
from egov.dossiers.selectors import dossier_public_get
from egov.dossiers.services import dossier_perform
from egov.dossiers.services.intake import Applicant
from egov.dossiers.services.online import OnlinePaper, dossier_submit_online
from egov.orgs.errors import UnknownAgencyError

from ..models import (
    ConnectedSystem,
    ConnectionAccount,
    Direction,
    InboundReplay,
    LogOutcome,
    MessageLog,
)
from ..services.log import Exchange, digest, log_append
from ..services.tax import (
    PaymentProblem,
    confirmed_for_reference,
    payment_dispute_alert,
    payment_problem,
    unknown_dossier_alert,
)
from .calls import PAYMENT_SERVICE, InboundCall, encode
from .errors import (
    ConnectionAccountError,
    DataIncorrectError,
    DataTypeInvalidError,
    InboundError,
    RecordNotFoundError,
    RecordUncompleteError,
)
from .selectors import inbound_scopes, national_intake_desk


def call_log(
    *, call: InboundCall, status: int, response: bytes, code: str, outcome: str | None = None
) -> MessageLog:
    """The call's row in the message log, in the caller's transaction (or its own). The
    outcome follows the status unless given (a payment refused as disputed)."""
    if outcome is None:
        outcome = _outcome_of(status)
    return log_append(
        Exchange(
            direction=Direction.INBOUND,
            system=call.system,
            service=call.service,
            party=call.party,
            request=call.request,
            response=response,
            status=status,
            code=code,
            duration_ms=call.elapsed_ms(),
            outcome=outcome,
            idempotency_key=call.idempotency_key,
        ),
        at=timezone.now(),
    )


def _outcome_of(status: int) -> str:
    if status < 400:
        return LogOutcome.OK
    if status < 500:
        return LogOutcome.REFUSED
    return LogOutcome.ERROR


# ----------------------------------------------------------------------------- tax payments


@dataclass(frozen=True)
class TaxPayment:
    """The tax authority's notice that a dossier's financial obligation was paid."""

    dossier_code: str
    amount: int  # đồng
    reference: str  # maThamChieu: the tax authority's own name for this payment
    voucher: str  # soChungTu
    paid_at: datetime.datetime

    def digest(self) -> str:
        """The same notice gives the same digest, whatever the JSON's key order or spacing."""
        canonical = {
            "service": PAYMENT_SERVICE,
            "maHoSo": self.dossier_code,
            "soTien": self.amount,
            "maThamChieu": self.reference,
            "soChungTu": self.voucher,
            "ngayNop": self.paid_at.isoformat(),
        }
        return digest(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode())


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    replayed: bool = False


class NotAwaitingObligationError(DataIncorrectError):
    def __init__(self, dossier: Dossier) -> None:
        super().__init__(
            f"Hồ sơ {dossier.code} không ở trạng thái chờ thực hiện nghĩa vụ tài chính "
            f"(trạng thái hiện tại: {Status(dossier.status).label}); không ghi nhận được."
        )


class KeyReusedError(DataIncorrectError):
    def __init__(self) -> None:
        super().__init__("Idempotency-Key đã dùng cho nội dung khác.")


class UnknownDossierError(RecordNotFoundError):
    """A payment for a dossier code the province does not have (the answer is the same as
    for any unknown code: nobody learns which dossiers exist)."""

    def __init__(self) -> None:
        super().__init__("Không tìm thấy hồ sơ.")


class PaymentDisputedError(DataIncorrectError):
    """A payment that is not what the tax authority's notice asked for this wait."""

    def __init__(self, dossier: Dossier, problem: PaymentProblem) -> None:
        super().__init__(f"Hồ sơ {dossier.code}: {problem.text}; không ghi nhận được.")
        self.dossier = dossier
        self.problem = problem


# A dossier that changes between our read and the door's lock is read again, this many times.
_ATTEMPTS = 3


def tax_payment_receive(
    *, call: InboundCall, account: ConnectionAccount, key: str, payment: TaxPayment
) -> Answer:
    """Record that a dossier's obligation was paid: the dossier moves on through the one
    door (`confirm_obligation`, actor None: the system), once, however often it is told.

    The door is a durable transaction of its own, so the effect cannot share one with the
    stored answer (`InboundReplay`) and the call's log row. The order is therefore:

    1. A stored answer for (account, key) is answered again (`Idempotent-Replay: true`); with
       another body, 409 code 500. Nothing else happens.
    2. The effect, through the door. It locks the dossier and checks the version read just
       before, so of two concurrent notices only one applies: the other finds a new version
       (or, on SQLite, where IMMEDIATE transactions queue whole, reads after the first has
       committed), reads again and lands in 3.
    3. A dossier past the obligation *for this same maThamChieu* (a confirmation by the
       system whose note names it) is not an error: the notice was applied before — by a
       concurrent call, or by a call whose answer was lost when the process died between
       the door's commit and step 4 (the crash window). It is answered with success and
       no new effect; a maThamChieu is the tax authority's identity of a payment, so this
       holds even under a new Idempotency-Key.
    4. The answer and the log row, in one transaction. A concurrent call that recorded the
       key first makes our insert fail on the unique (account, key) constraint (on
       PostgreSQL the insert waits for its commit): its stored answer is ours.

    Refusals change nothing and store nothing: the same key may be sent again once the
    dossier awaits the payment. Two of them are told to staff, their notices written with
    the call's log row (`_refused`): a payment that is not what the notice of the dossier's
    current wait asked (409, code 500, logged as disputed; the dossier's desk is told), and a
    payment for a dossier the province does not have (404, code 201; the province
    administrators are told). See `egov.interop.services.tax`.
    """
    request_digest = payment.digest()
    stored = InboundReplay.objects.filter(account=account, key=key).first()
    if stored is not None:
        return _replayed(stored, request_digest)
    try:
        dossier = _confirm(payment)
    except UnknownDossierError as error:
        return _refused(
            call,
            error,
            outcome=LogOutcome.REFUSED,
            alert=lambda row: unknown_dossier_alert(
                code=payment.dossier_code,
                amount=payment.amount,
                reference=payment.reference,
                link=reverse("interop:log_row", kwargs={"seq": row.seq}),
            ),
        )
    except PaymentDisputedError as error:
        disputed, problem = error.dossier, error.problem
        return _refused(
            call,
            error,
            outcome=LogOutcome.DISPUTED,
            alert=lambda row: payment_dispute_alert(
                dossier=disputed,
                problem=problem,
                reference=payment.reference,
                source="notice",
            ),
        )
    answer = Answer(
        status=200,
        body={
            "error_code": "0",
            "message": "Đã ghi nhận",
            "MaHoSo": dossier.code,
            "TrangThaiHoSo": NATIONAL_CODE[Status(dossier.status)],
        },
    )
    return _stored(call=call, account=account, key=key, digest=request_digest, answer=answer)


def _refused(
    call: InboundCall,
    error: InboundError,
    *,
    outcome: str,
    alert: Callable[[MessageLog], object],
) -> Answer:
    """A refusal staff must hear of: the call's log row and the notices in one transaction
    (the notice may link to the row). The answer is the LGSP error, as the API renders any
    other refusal."""
    answer = Answer(status=error.status, body={"error_code": error.code, "message": error.message})
    with transaction.atomic(durable=True):
        row = call_log(
            call=call,
            status=answer.status,
            response=encode(answer.body),
            code=error.code,
            outcome=outcome,
        )
        alert(row)
    call.logged = True
    return answer


def _stored(
    *, call: InboundCall, account: ConnectionAccount, key: str, digest: str, answer: Answer
) -> Answer:
    """Keep a successful call's answer for its idempotency key, and log the call; a call
    with the same key that won meanwhile answers with what it stored."""
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                InboundReplay.objects.create(
                    account=account,
                    key=key,
                    request_digest=digest,
                    status_code=answer.status,
                    response=answer.body,
                )
        except IntegrityError:
            answer = _replayed(InboundReplay.objects.get(account=account, key=key), digest)
        call_log(call=call, status=answer.status, response=encode(answer.body), code="0")
    call.logged = True
    return answer


def _replayed(stored: InboundReplay, request_digest: str) -> Answer:
    if stored.request_digest != request_digest:
        raise KeyReusedError
    return Answer(status=stored.status_code, body=dict(stored.response), replayed=True)


def _confirm(payment: TaxPayment) -> Dossier:
    """The dossier after the payment: confirmed now, or already for this reference."""
    for _ in range(_ATTEMPTS):
        try:
            dossier = dossier_public_get(code=payment.dossier_code)
        except DossierNotFoundError:
            raise UnknownDossierError from None
        if _confirmed_for(dossier, payment.reference):
            return dossier
        if dossier.status != Status.AWAITING_OBLIGATION:
            raise NotAwaitingObligationError(dossier)
        problem = payment_problem(dossier=dossier, amount=payment.amount)
        if problem is not None:
            raise PaymentDisputedError(dossier, problem)
        try:
            return dossier_perform(
                key=payment.dossier_code,
                action=Action.CONFIRM_OBLIGATION,
                actor=None,
                version=dossier.version,
                note=_note(payment),
                payment_reference=payment.reference,
            )
        except (StaleVersionError, IllegalActionError):
            continue  # it changed since we read it (a concurrent notice, an officer)
    raise DataIncorrectError("Hồ sơ đang được cập nhật liên tục; hãy gửi lại sau ít phút.")


def _note(payment: TaxPayment) -> str:
    paid_at = timezone.localtime(payment.paid_at)
    return (
        f"Cơ quan thuế báo đã nộp {thousands(payment.amount)} đồng lúc {paid_at:%H:%M} "
        f"ngày {paid_at:%d/%m/%Y} (chứng từ {payment.voucher}, mã tham chiếu {payment.reference})"
    )


def _confirmed_for(dossier: Dossier, reference: str) -> bool:
    """Whether the system already confirmed an obligation of this dossier for this payment
    (by this notice or by the poll: both record the reference in the event)."""
    return confirmed_for_reference(dossier=dossier, reference=reference)


# ----------------------------------------------------------------------------- national dossiers

# The registry's service (standard_registry, migration 0006): scope `dossier.submit`.
SUBMIT_SERVICE = "dvcqg.dossier.submit"


@dataclass(frozen=True)
class NationalPaper:
    """A file of a dossier submitted on the national portal (TepDinhKem[i]), decoded."""

    component: str  # MaThanhPhanHoSo
    name: str  # TenTep
    content: bytes
    place: str  # "TepDinhKem[0]": where it was in the request, for the errors


@dataclass(frozen=True)
class NationalDossier:
    """A dossier a citizen submitted on the National Public Service Portal, as the portal
    hands it over through the bus, parsed into the engine's terms."""

    national_reference: str  # MaHoSoDVCQG
    procedure_code: str  # MaTTHC
    agency_code: str  # MaDonViTiepNhan; "" lets the bus choose (`national_intake_desk`)
    applicant: Applicant
    return_method: str
    vneid_verified: bool
    form_data: dict[str, Any] = field(default_factory=dict)
    papers: tuple[NationalPaper, ...] = ()

    def digest(self) -> str:
        """The same submission gives the same digest, whatever the JSON's key order,
        spacing or base64 line breaks."""
        applicant = {
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in vars(self.applicant).items()
        }
        canonical = {
            "service": SUBMIT_SERVICE,
            "MaHoSoDVCQG": self.national_reference,
            "MaTTHC": self.procedure_code,
            "MaDonViTiepNhan": self.agency_code,
            "ChuHoSo": applicant,
            "HinhThucNhanKetQua": self.return_method,
            "TaiKhoanDuocXacThucVoiVNeID": self.vneid_verified,
            "DuLieuBieuMau": self.form_data,
            "TepDinhKem": [
                [paper.component, paper.name, hashlib.sha256(paper.content).hexdigest()]
                for paper in self.papers
            ],
        }
        return digest(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode())


# The engine's names of the fields it finds a problem with → the portal's names.
_APPLICANT_FIELDS = {
    "type": "LoaiDoiTuong",
    "full_name": "HoTen",
    "name": "HoTen",
    "id_number": "SoDinhDanh",
    "birth_date": "NgaySinh",
    "gender": "GioiTinh",
    "phone": "SoDienThoai",
    "email": "Email",
    "ward_code": "MaXa",
    "street": "DiaChi",
    "tax_code": "MaSoThue",
    "representative": "NguoiDaiDien",
}
_FIELDS = {
    "national_reference": "MaHoSoDVCQG",
    "procedure_code": "MaTTHC",
    "agency_code": "MaDonViTiepNhan",
    "return_method": "HinhThucNhanKetQua",
}


def _portal_field(name: str, papers: Sequence[NationalPaper]) -> str:
    """ "applicant.id_number" → "ChuHoSo.SoDinhDanh"; "form_data.x" → "DuLieuBieuMau.x";
    "papers.TP01" → "TepDinhKem[2]" (the first file for TP01, else its component)."""
    head, _, rest = name.partition(".")
    if head == "applicant" and rest:
        return f"ChuHoSo.{_APPLICANT_FIELDS.get(rest, rest)}"
    if head == "form_data" and rest:
        return f"DuLieuBieuMau.{rest}"
    if head == "papers" and rest:
        place = next((paper.place for paper in papers if paper.component == rest), "")
        return place or f"TepDinhKem (MaThanhPhanHoSo {rest})"
    return _FIELDS.get(name, name)


def _refusal_of(error: DomainError, papers: Sequence[NationalPaper]) -> InboundError:
    """The engine's refusal as the portal reads it: fields of the wrong form or content →
    302 naming them in the portal's names; a rule the dossier breaks (a procedure not online,
    a desk that is not a desk…) → 409 code 500. Nothing was written either way."""
    if error.fields:
        named = "; ".join(
            f"{_portal_field(name, papers)} ({problem.rstrip('.')})"
            for name, problem in error.fields.items()
        )
        return DataTypeInvalidError(f"{error.message.rstrip('.')}: {named}.")
    if isinstance(error, ProcedureNotFoundError):
        return DataIncorrectError(f"MaTTHC: {error.message}")
    if isinstance(error, UnknownAgencyError):
        return DataIncorrectError(f"MaDonViTiepNhan: {error.message}")
    return DataIncorrectError(error.message)


def _check_papers(papers: Sequence[NationalPaper]) -> None:
    """Each file as the desk would take it (type sniffed, size bounded), named by its place
    in the request; the engine checks them again as it stores them."""
    max_bytes = settings.MOTCUA_UPLOAD_MAX_MB * 1024 * 1024
    for paper in papers:
        try:
            check_upload(
                io.BytesIO(paper.content),
                name=paper.name,
                size=len(paper.content),
                max_bytes=max_bytes,
            )
        except UploadError as error:
            raise DataTypeInvalidError(
                f"Tệp đính kèm không hợp lệ: {paper.place} ({error.message.rstrip('.')})."
            ) from None


def national_dossier_receive(
    *, call: InboundCall, account: ConnectionAccount, key: str, submission: NationalDossier
) -> Answer:
    """A dossier submitted on the national portal, into the desk's online intake queue
    (`submitted`, channel online), through the engine's one entry for online dossiers
    (`dossier_submit_online`, actor None: the portal as a system).

    Twice idempotent: a stored answer for (account, key) is answered again (another body
    under the key: 409, code 500); and the engine knows a dossier by its national reference,
    so the same reference under a new key is the same dossier, never a second one. The
    order otherwise is the tax payment's (`tax_payment_receive`): the effect in the engine's
    own durable transaction, then the stored answer and the call's log row in one.

    A refusal (a field the engine finds wrong, a file it would not take, a desk that is not
    one) writes nothing: no dossier, no file, no stored answer; the API answers it and the
    view's wrapper logs it."""
    request_digest = submission.digest()
    stored = InboundReplay.objects.filter(account=account, key=key).first()
    if stored is not None:
        return _replayed(stored, request_digest)
    agency_code = submission.agency_code or national_intake_desk(
        procedure_code=submission.procedure_code, ward_code=submission.applicant.ward_code
    )
    if not agency_code:
        raise RecordUncompleteError(
            "Thiếu trường bắt buộc: MaDonViTiepNhan (không xác định được nơi tiếp nhận)."
        )
    _check_papers(submission.papers)
    try:
        dossier = dossier_submit_online(
            actor=None,
            procedure_code=submission.procedure_code,
            applicant=submission.applicant,
            return_method=submission.return_method,
            agency_code=agency_code,
            form_data=submission.form_data,
            papers=[
                OnlinePaper(
                    component=paper.component,
                    stream=io.BytesIO(paper.content),
                    name=paper.name,
                    size=len(paper.content),
                )
                for paper in submission.papers
            ],
            vneid_verified=submission.vneid_verified,
            national_reference=submission.national_reference,
        )
    except (DossierRuleError, ProcedureNotFoundError, UnknownAgencyError, UploadError) as error:
        raise _refusal_of(error, submission.papers) from None
    answer = Answer(
        status=200,
        body={
            "error_code": "0",
            "message": "Đã tiếp nhận hồ sơ vào hàng chờ tiếp nhận trực tuyến",
            "SoThamChieu": str(dossier.reference),
            "MaHoSoDVCQG": dossier.national_reference,
            "MaHoSo": dossier.code or "",
            "TrangThaiHoSo": NATIONAL_CODE[Status(dossier.status)],
        },
    )
    return _stored(call=call, account=account, key=key, digest=request_digest, answer=answer)


# ----------------------------------------------------------------------------- accounts


@transaction.atomic(durable=True)
def connection_account_create(
    *,
    system_code: str,
    name: str,
    scopes: Sequence[str],
    rate: str = "120/m",
    client_id: str = "",
    client_secret: str = "",
) -> tuple[ConnectionAccount, str]:
    """A connection account for an outside system: an OAuth2 application of
    django-oauth-toolkit (confidential, client credentials) and the scopes it may ask for.

    Returns the account and the plain client secret. The library keeps only a hash of the
    secret (`hash_client_secret`), so this is the one moment it can be shown. The client id
    and secret are generated unless given (the demo gives its published ones).
    """
    system = ConnectedSystem.objects.filter(code=system_code).first()
    if system is None:
        raise ConnectionAccountError(f"Không có hệ thống kết nối mã “{system_code}”.")
    name = name.strip()
    if not name or len(name) > 255:
        raise ConnectionAccountError("Tên tài khoản kết nối cần từ 1 đến 255 ký tự.")
    granted = sorted(set(scopes))
    known = inbound_scopes()
    if not granted:
        raise ConnectionAccountError("Cần cấp ít nhất một phạm vi (scope).")
    unknown = [scope for scope in granted if scope not in known]
    if unknown:
        raise ConnectionAccountError(
            f"Phạm vi không có trong danh mục dịch vụ: {', '.join(unknown)}. "
            f"Các phạm vi hiện có: {', '.join(sorted(known)) or '(chưa có)'}."
        )
    try:
        limit, _ = parse_rate(rate)
    except (ValueError, KeyError):
        limit = 0
    if limit < 1 or len(rate) > 16:
        raise ConnectionAccountError(
            f"Giới hạn tần suất “{rate}” không hợp lệ; ví dụ: 120/m, 10/s, 5000/h."
        )
    application_model = get_application_model()
    secret = client_secret or generate_client_secret()
    application = application_model.objects.create(
        **({"client_id": client_id} if client_id else {}),
        name=name,
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
        hash_client_secret=True,
    )
    account = ConnectionAccount.objects.create(
        system=system, application=application, scopes=" ".join(granted), rate=rate
    )
    return account, secret
