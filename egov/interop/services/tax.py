"""Financial obligations of land dossiers and the tax authority (reference §8.6; DOMAIN §3,
status `awaiting_obligation`): when the land office asks for an obligation, the dossier's
information leaves for the tax authority through the outbox; the notice and the payment are
read back synchronously; and a periodic poll moves every paid dossier on through the one door.

- `tax_transfer_queue` — the transfer, inside the transaction of the change that asks for the
  obligation; one per asking event (`thue:<dossier id>:<event seq>`), in the order of the
  dossier's tax messages (`thue:<dossier id>`). `giaTriTinhThue` is the value the officer
  gives, or else the e-form's `contract_value_vnd` (see the adapter's note).
- `tax_obligation` — the notice, for staff who may view the dossier.
- `tax_payment` — whether it was paid, asked by the system itself.
- `tax_notice_record` — the notice the tax authority answers the transfer with, kept when
  the transfer is delivered (`TaxNotice`): its total is what a payment must amount to.
- `obligations_poll` — every dossier awaiting an obligation whose transfer reached the tax
  authority while it waits: paid ones are confirmed (`confirm_obligation`, actor None = the
  system). A dossier someone else moved meanwhile (StaleVersionError) is left alone.

A payment moves a dossier only when it is what the tax authority asked: the total of the
notice that answers the dossier's current wait (`payment_problem`). One of another amount,
or for a wait with no notice, moves nothing, whether the tax authority reports it (inbound
call, `egov.interop.inbound.services`) or the poll reads it: the exchange is logged as
"disputed" and the dossier's desk is told (`payment_dispute_alert`) — the reception
officers of the desk that received it and the leaders of the agency that decides it, who
check with the tax authority and confirm the obligation by hand if the payment was right. A
payment for a dossier the province does not have (inbound) is told to the province
administrators, who run the bus: there is no desk to tell (`unknown_dossier_alert`). A
dossier the tax authority says it has no obligation for although it took the transfer
(poll) is told to both the dossier's desk and the administrators
(`unknown_obligation_alert`).
"""

import dataclasses
import datetime
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from egov.core.errors import DomainError, NotAllowedError
from egov.dossiers import policies as dossier_policies
from egov.dossiers.errors import DossierNotFoundError, StaleVersionError
from egov.dossiers.lifecycle import Status
from egov.dossiers.models import Dossier
from egov.dossiers.services import dossier_perform

from ..adapters import http
from ..adapters import tax as adapter
from ..adapters.tax import Obligation, ObligationLine, Payment, TaxError
from ..models import OutboxMessage, OutboxStatus, TaxNotice
from . import alerts
from .outbox import outbox_put
from .population import (
    OUR_PARTY,
    Actor,
    PartnerUnavailableError,
    party_of,
    synchronous_call,
)

logger = logging.getLogger(__name__)

UNAVAILABLE = "Hệ thống quản lý thuế đang không trả lời; hãy thử lại sau."
# Dossiers read per query of the poll: each query is bounded, the poll pages through them.
POLL_PAGE = 200

__all__ = [
    "Obligation",
    "ObligationLine",
    "ObligationsPoll",
    "Payment",
    "PaymentProblem",
    "TaxError",
    "awaiting_transferred",
    "obligations_poll",
    "payment_dispute_alert",
    "payment_problem",
    "tax_notice_current",
    "tax_notice_record",
    "tax_obligation",
    "tax_payment",
    "tax_transfer_queue",
    "unknown_dossier_alert",
    "unknown_obligation_alert",
]


def _ordering_key(dossier: Dossier) -> str:
    return f"thue:{dossier.pk}"


def _taxable_value(dossier: Dossier, given: int | None) -> int:
    value: object = given
    if value is None:
        value = (dossier.form_data or {}).get(adapter.TAXABLE_VALUE_FIELD)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TaxError(
            "Cần giá trị tính thuế (đồng, lớn hơn 0) để chuyển thông tin sang cơ quan thuế.",
            code="taxable_value_required",
            fields={"taxable_value": "Cần một số tiền lớn hơn 0."},
        )
    if value > adapter.MAX_TAXABLE_VALUE:
        raise TaxError(
            "Giá trị tính thuế quá lớn để chuyển sang cơ quan thuế.",
            code="taxable_value_too_large",
            fields={"taxable_value": "Tối đa 18 chữ số."},
        )
    return value


def tax_transfer_queue(
    *, dossier: Dossier, kind: str, taxable_value: int | None = None
) -> OutboxMessage:
    """Queue the transfer of a dossier awaiting its obligation to the tax authority, inside
    the caller's transaction (the `request_obligation` that asked for it). `kind` is LPTB,
    TNCN or TSDD; `taxable_value` in VND, or None to take the e-form's contract value."""
    if kind not in adapter.KINDS:
        raise TaxError(
            "Loại nghĩa vụ tài chính phải là LPTB (lệ phí trước bạ), TNCN (thuế thu nhập cá "
            "nhân) hoặc TSDD (thuế sử dụng đất phi nông nghiệp).",
            code="tax_kind",
            fields={"tax_kind": "Chọn một loại nghĩa vụ."},
        )
    if dossier.status != Status.AWAITING_OBLIGATION or not dossier.code:
        raise TaxError(
            "Chỉ chuyển thông tin sang cơ quan thuế khi hồ sơ đang chờ thực hiện nghĩa vụ "
            "tài chính.",
            code="tax_not_awaiting",
        )
    value = _taxable_value(dossier, taxable_value)
    key = f"thue:{dossier.pk}:{dossier.event_seq}"
    if OutboxMessage.objects.filter(idempotency_key=key).exists():
        raise TaxError(
            "Thông tin của hồ sơ đã được chuyển sang cơ quan thuế cho yêu cầu này.",
            code="tax_already_transferred",
        )
    return outbox_put(
        system=adapter.SYSTEM,
        topic=adapter.SERVICE,
        ordering_key=_ordering_key(dossier),
        idempotency_key=key,
        payload=adapter.transfer_payload(dossier=dossier, kind=kind, taxable_value=value),
    )


def _last_transfer(dossier: Dossier) -> OutboxMessage | None:
    return (
        OutboxMessage.objects.filter(topic=adapter.SERVICE, ordering_key=_ordering_key(dossier))
        .order_by("-id")
        .first()
    )


def _require_transferred(dossier: Dossier) -> str:
    message = _last_transfer(dossier)
    if message is None or not dossier.code:
        raise TaxError(
            "Thông tin của hồ sơ chưa được chuyển sang cơ quan thuế.", code="tax_not_transferred"
        )
    if message.status == OutboxStatus.DEAD:
        raise TaxError(
            "Chuyển thông tin sang cơ quan thuế không thành công; quản trị hệ thống đang xử lý.",
            code="tax_transfer_dead",
        )
    if message.status != OutboxStatus.DELIVERED:
        raise TaxError(
            "Thông tin của hồ sơ đang chờ gửi sang cơ quan thuế; hãy xem lại sau ít phút.",
            code="tax_transfer_pending",
        )
    return dossier.code


def tax_obligation(*, actor: Actor, dossier: Dossier) -> Obligation:
    """The tax authority's notice for the dossier (number, total, due date, lines), for staff
    who may view it. DossierNotFoundError, NotAllowedError, TaxError, PartnerUnavailableError."""
    if not dossier_policies.can_view(actor, dossier):
        raise DossierNotFoundError
    if not dossier_policies.is_staff(actor):
        raise NotAllowedError("Chỉ cán bộ xử lý hồ sơ được tra cứu nghĩa vụ tài chính.")
    code = _require_transferred(dossier)
    answer = synchronous_call(
        system=adapter.SYSTEM,
        service=adapter.OBLIGATION_SERVICE,
        party=party_of(actor),
        send=lambda: adapter.obligation(dossier_code=code),
        unavailable=UNAVAILABLE,
    )
    return adapter.obligation_from(answer)


# ----------------------------------------------------------------------------- the notice

# What a notice's total may be (the column is a 64-bit integer): a larger one is unreadable.
_BIGINT = 2**63


def tax_notice_record(
    message: OutboxMessage, attempt: http.Attempt, now: datetime.datetime
) -> None:
    """Keep the notice the tax authority answered a delivered transfer with (the delivery's
    follow-up, in the transaction that settles it): the latest transfer's notice replaces the
    dossier's earlier one. An answer that does not read as a notice keeps nothing: a payment
    for that wait is then refused as having no notice, and the desk is told."""
    dossier_id = int(message.idempotency_key.split(":")[1])
    try:
        body = json.loads(attempt.response)
        notice = adapter.obligation_from(http.Answer(attempt, body))
        if not 0 <= notice.total < _BIGINT:
            raise ValueError(f"tongTien {notice.total}")
    except (ValueError, TaxError) as error:
        logger.warning("tax notice of transfer %s unreadable: %s", message.idempotency_key, error)
        return
    TaxNotice.objects.update_or_create(
        dossier_id=dossier_id,
        defaults={
            "transfer": message,
            "number": notice.notice_number[:64],
            "total": notice.total,
            "due_date": notice.due_date,
            "recorded_at": now,
        },
    )


def tax_notice_current(*, dossier: Dossier) -> TaxNotice | None:
    """The notice that answers the dossier's current wait for an obligation: the one for a
    transfer sent since the dossier paused for it. A notice of an earlier obligation, already
    paid, does not count."""
    if dossier.status != Status.AWAITING_OBLIGATION or dossier.paused_at is None:
        return None
    return (
        TaxNotice.objects.filter(dossier=dossier, transfer__created_at__gte=dossier.paused_at)
        .select_related("transfer")
        .first()
    )


@dataclass(frozen=True)
class PaymentProblem:
    """Why a payment the tax authority reports moves nothing."""

    reported: int  # đồng
    notice: TaxNotice | None  # the notice of the current wait; None: there is none

    @property
    def text(self) -> str:
        """What is wrong, for a message and a notice to staff: "số tiền đã nộp 1.000 đồng khác
        số tiền phải nộp 6.173.000 đồng của thông báo TB-2026-000001"."""
        if self.notice is None:
            return (
                "chưa có thông báo nộp tiền nào của cơ quan thuế cho nghĩa vụ tài chính đang "
                f"chờ (số tiền báo đã nộp: {_vnd(self.reported)} đồng)"
            )
        return (
            f"số tiền đã nộp {_vnd(self.reported)} đồng khác số tiền phải nộp "
            f"{_vnd(self.notice.total)} đồng của thông báo {self.notice.number}"
        )


def _problem(notice: TaxNotice | None, amount: int) -> PaymentProblem | None:
    if notice is not None and notice.total == amount:
        return None
    return PaymentProblem(reported=amount, notice=notice)


def _refused_by(notice: TaxNotice | None) -> Callable[[Payment], bool]:
    """Whether a payment read is paid, but not as this notice asked."""

    def refused(payment: Payment) -> bool:
        return payment.paid and _problem(notice, payment.amount) is not None

    return refused


def payment_problem(*, dossier: Dossier, amount: int) -> PaymentProblem | None:
    """None when a payment of `amount` is what the tax authority asked for the dossier's
    current wait (its notice's total); otherwise why it is not."""
    return _problem(tax_notice_current(dossier=dossier), amount)


# ----------------------------------------------------------------------------- alerts

# A refused payment reported again (the poll reads it every few minutes; a notice sent again)
# is told once a day while it stays refused.
_TOLD_AGAIN_AFTER = datetime.timedelta(days=1)
# Payments for dossiers the province does not have: once an hour at most; the message log
# has every call.
_UNKNOWN_QUIET = datetime.timedelta(hours=1)


def _key(dossier: Dossier) -> str:
    return dossier.code or str(dossier.reference)


def _shown(text: str) -> str:
    """What a partner sent, fit for a notice: printable characters, 64 at most."""
    return "".join(character for character in text if character.isprintable())[:64]


def _dossier_page(dossier: Dossier) -> str:
    return reverse("desk:dossier", kwargs={"key": _key(dossier)})


def payment_dispute_alert(
    *,
    dossier: Dossier,
    problem: PaymentProblem,
    reference: str,
    source: Literal["notice", "poll"],
) -> int:
    """Tell the dossier's desk (`alerts.dossier_desk`) that a payment moved nothing, in the
    caller's transaction. Returns how many people were told (0: told already today)."""
    key = _key(dossier)
    reference = _shown(reference) or "không rõ"
    reported_by = (
        "Cơ quan thuế thông báo" if source == "notice" else "Khi tra cứu, cơ quan thuế trả lời"
    )
    return alerts.staff_alert(
        recipients=alerts.dossier_desk(dossier),
        title=f"Hồ sơ {key}: khoản nộp nghĩa vụ tài chính không khớp ({reference})",
        body=(
            f"{reported_by} hồ sơ {key} đã nộp nghĩa vụ tài chính (mã tham chiếu "
            f"{reference}), nhưng {problem.text}. Khoản nộp không được ghi nhận: "
            "hồ sơ vẫn chờ thực hiện nghĩa vụ tài chính. Hãy đối chiếu với cơ quan thuế; nếu "
            "khoản nộp là đúng, xác nhận hoàn thành nghĩa vụ tài chính trên trang hồ sơ."
        ),
        link=_dossier_page(dossier),
        quiet=_TOLD_AGAIN_AFTER,
    )


def unknown_dossier_alert(*, code: str, amount: int, reference: str, link: str) -> int:
    """Tell the province administrators that the tax authority reported a payment for a
    dossier code the province does not have (no desk to tell), in the caller's transaction.
    `code` is the caller's, shown without its control characters."""
    return alerts.staff_alert(
        recipients=alerts.province_admins(),
        title="Cơ quan thuế báo nộp tiền cho hồ sơ không có trong hệ thống",
        body=(
            f"Cơ quan thuế thông báo đã nộp {_vnd(amount)} đồng (mã tham chiếu "
            f"{_shown(reference)}) cho hồ sơ mã “{_shown(code)}”, nhưng hệ thống không có hồ "
            "sơ nào mang mã này. Thông báo đã bị từ chối và không làm thay đổi hồ sơ nào. Hãy "
            "đối chiếu với cơ quan thuế. "
            "Các thông báo tương tự trong một giờ tới không được báo riêng; xem nhật ký trao "
            "đổi trên trang trục liên thông."
        ),
        link=link,
        quiet=_UNKNOWN_QUIET,
    )


def unknown_obligation_alert(*, dossier: Dossier) -> int:
    """Tell the dossier's desk and the province administrators that the tax authority says
    it has no obligation for a dossier whose information it took, in the caller's
    transaction."""
    key = _key(dossier)
    people = {user.pk: user for user in [*alerts.dossier_desk(dossier), *alerts.province_admins()]}
    return alerts.staff_alert(
        recipients=[people[pk] for pk in sorted(people)],
        title=f"Cơ quan thuế không có nghĩa vụ tài chính của hồ sơ {key}",
        body=(
            f"Thông tin của hồ sơ {key} đã được chuyển sang cơ quan thuế, nhưng khi tra cứu, "
            "cơ quan thuế trả lời không có nghĩa vụ tài chính nào của hồ sơ này. Hồ sơ vẫn "
            "chờ thực hiện nghĩa vụ tài chính. Hãy đối chiếu với cơ quan thuế."
        ),
        link=_dossier_page(dossier),
        quiet=_TOLD_AGAIN_AFTER,
    )


# ----------------------------------------------------------------------------- payments


def _payment_of(
    code: str,
    *,
    now: datetime.datetime | None,
    disputed: Callable[[Payment], bool] | None = None,
) -> Payment:
    """The payment as the tax authority reports it. With `disputed`, a payment it finds
    wrong is logged as a disputed exchange (`LogOutcome.DISPUTED`): the partner answered,
    what it said is refused."""
    read: list[Payment] = []

    def send() -> http.Answer:
        answer = adapter.payment(dossier_code=code)
        try:
            payment = adapter.payment_from(answer)
        except TaxError:
            return answer  # logged as it came; read again below, which raises
        read.append(payment)
        if disputed is not None and disputed(payment):
            attempt = dataclasses.replace(answer.attempt, outcome="disputed")
            return dataclasses.replace(answer, attempt=attempt)
        return answer

    answer = synchronous_call(
        system=adapter.SYSTEM,
        service=adapter.PAYMENT_SERVICE,
        party=OUR_PARTY,
        send=send,
        unavailable=UNAVAILABLE,
        now=now,
    )
    return read[0] if read else adapter.payment_from(answer)


def tax_payment(*, dossier: Dossier) -> Payment:
    """Whether the dossier's obligation was paid, as the tax authority says; asked by the
    system (no person: the log names our system). TaxError, PartnerUnavailableError."""
    return _payment_of(_require_transferred(dossier), now=None)


def awaiting_transferred(*, after: int = 0, limit: int = POLL_PAGE) -> QuerySet[Dossier]:
    """Dossiers awaiting an obligation whose transfer reached the tax authority during this
    wait (sent after the dossier paused for it), by id after `after`, at most `limit`."""
    delivered = OutboxMessage.objects.filter(
        topic=adapter.SERVICE,
        status=OutboxStatus.DELIVERED,
        ordering_key=OuterRef("tax_key"),
        created_at__gte=OuterRef("paused_at"),
    )
    return (
        Dossier.objects.filter(status=Status.AWAITING_OBLIGATION, pk__gt=after)
        .annotate(tax_key=Concat(Value("thue:"), Cast("pk", output_field=CharField())))
        .filter(Exists(delivered))
        .order_by("pk")
        .only("pk", "code", "reference", "version", "status", "paused_at")[:limit]
    )


@dataclass(frozen=True)
class ObligationsPoll:
    checked: int  # dossiers whose payment was read
    confirmed: tuple[str, ...]  # codes of the dossiers moved on
    interrupted: bool  # the tax authority stopped answering: the rest waits for the next poll
    # Codes of the dossiers paid, but not as the notice asked: left waiting, their desk told.
    disputed: tuple[str, ...] = ()


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _note(payment: Payment) -> str:
    paid_at = (
        f", lúc {timezone.localtime(payment.paid_at):%H:%M ngày %d/%m/%Y}"
        if payment.paid_at
        else ""
    )
    return (
        f"Cơ quan thuế xác nhận đã nộp {_vnd(payment.amount)} đồng (chứng từ "
        f"{payment.voucher or 'không rõ'}, mã tham chiếu {payment.reference or 'không rõ'}"
        f"{paid_at})."
    )


def confirmed_for_reference(*, dossier: Dossier, reference: str) -> bool:
    """Whether the system already confirmed an obligation of this dossier for this payment
    reference (the notice and the poll both record it in the event's payload). Compared in
    Python: references are case-sensitive, and JSON lookups differ between databases."""
    if not reference:
        return False
    payloads = dossier.events.filter(action="confirm_obligation", actor__isnull=True).values_list(
        "payload", flat=True
    )
    return any(payload.get("payment_reference") == reference for payload in payloads)


def obligations_poll(*, now: datetime.datetime) -> ObligationsPoll:
    """Read the payment of every dossier awaiting a transferred obligation and confirm the
    paid ones, when paid as the notice asked (see the module's note for the others). Run it
    outside any transaction (each confirmation, each alert is its own)."""
    checked = 0
    confirmed: list[str] = []
    disputed: list[str] = []
    after = 0
    while page := list(awaiting_transferred(after=after)):
        for dossier in page:
            checked += 1
            notice = tax_notice_current(dossier=dossier)
            try:
                payment = _payment_of(dossier.code or "", now=now, disputed=_refused_by(notice))
            except PartnerUnavailableError:
                return ObligationsPoll(
                    checked, tuple(confirmed), interrupted=True, disputed=tuple(disputed)
                )
            except TaxError as error:
                logger.warning("payment of %s unreadable: %s", dossier.code, error.message)
                if error.code == "tax_not_found":
                    with transaction.atomic():
                        unknown_obligation_alert(dossier=dossier)
                continue
            if not payment.paid:
                continue
            if confirmed_for_reference(dossier=dossier, reference=payment.reference):
                continue  # an earlier wait's payment, already applied: not this wait's
            problem = _problem(notice, payment.amount)
            if problem is not None:
                with transaction.atomic():
                    payment_dispute_alert(
                        dossier=dossier, problem=problem, reference=payment.reference, source="poll"
                    )
                disputed.append(dossier.code or "")
                continue
            try:
                dossier_perform(
                    key=dossier.code or "",
                    action="confirm_obligation",
                    actor=None,
                    version=dossier.version,
                    note=_note(payment),
                    payment_reference=payment.reference,
                )
            except StaleVersionError:
                continue  # someone else moved it since it was read
            except DomainError as error:
                logger.warning("confirming %s failed: %s", dossier.code, error.message)
                continue
            confirmed.append(dossier.code or "")
        after = page[-1].pk
    return ObligationsPoll(checked, tuple(confirmed), interrupted=False, disputed=tuple(disputed))
