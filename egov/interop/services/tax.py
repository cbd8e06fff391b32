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
- `obligations_poll` — every dossier awaiting an obligation whose transfer reached the tax
  authority while it waits: paid ones are confirmed (`confirm_obligation`, actor None = the
  system). A dossier someone else moved meanwhile (StaleVersionError) is left alone.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from egov.core.errors import DomainError, NotAllowedError
from egov.dossiers import policies as dossier_policies
from egov.dossiers.errors import DossierNotFoundError, StaleVersionError
from egov.dossiers.lifecycle import Status
from egov.dossiers.models import Dossier
from egov.dossiers.selectors import open_task_of

from ..adapters import tax as adapter
from ..adapters.tax import Obligation, ObligationLine, Payment, TaxError
from ..models import OutboxMessage, OutboxStatus
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
    "TaxError",
    "awaiting_transferred",
    "obligations_poll",
    "tax_obligation",
    "tax_payment",
    "tax_transfer_queue",
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
    if not dossier_policies.can_view(actor, dossier, open_task_of(dossier)):
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


def _payment_of(code: str, *, now: datetime.datetime | None) -> Payment:
    answer = synchronous_call(
        system=adapter.SYSTEM,
        service=adapter.PAYMENT_SERVICE,
        party=OUR_PARTY,
        send=lambda: adapter.payment(dossier_code=code),
        unavailable=UNAVAILABLE,
        now=now,
    )
    return adapter.payment_from(answer)


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
        .only("pk", "code", "version")[:limit]
    )


@dataclass(frozen=True)
class ObligationsPoll:
    checked: int  # dossiers whose payment was read
    confirmed: tuple[str, ...]  # codes of the dossiers moved on
    interrupted: bool  # the tax authority stopped answering: the rest waits for the next poll


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
    paid ones. Run it outside any transaction (each confirmation is its own)."""
    # Imported here: the dossiers' handlers import this app's services, so the dossiers'
    # services (which import the handlers) cannot be imported while this module loads.
    from egov.dossiers.services import dossier_perform

    checked = 0
    confirmed: list[str] = []
    after = 0
    while page := list(awaiting_transferred(after=after)):
        for dossier in page:
            checked += 1
            try:
                payment = _payment_of(dossier.code or "", now=now)
            except PartnerUnavailableError:
                return ObligationsPoll(checked, tuple(confirmed), interrupted=True)
            except TaxError as error:
                logger.warning("payment of %s unreadable: %s", dossier.code, error.message)
                continue
            if not payment.paid:
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
    return ObligationsPoll(checked, tuple(confirmed), interrupted=False)
