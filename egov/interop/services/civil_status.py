"""Civil-status dossiers (birth, death, marriage) and the Ministry of Justice's civil-status
software (reference §8.5): the registration leaves through the outbox with the change that
caused it; the officers read its status and its register entry back, synchronously.

The registration is queued once per dossier (`hotich:<dossier id>:register`), in the order of
the dossier's other civil-status messages (`hotich:<dossier id>`); the delivery worker sends
it (`ROUTES["hotich.register"]`) and logs each try. The reads are logged here, with the
officer who asked, and keep the breaker like every call somebody waits for.
"""

from egov.core.errors import NotAllowedError
from egov.dossiers import policies as dossier_policies
from egov.dossiers.errors import DossierNotFoundError
from egov.dossiers.models import Dossier

from ..adapters import civil_status as adapter
from ..adapters.civil_status import CivilStatusError, CivilStatusResult, CivilStatusState
from ..models import OutboxMessage, OutboxStatus
from .outbox import outbox_put
from .population import Actor, party_of, synchronous_call

UNAVAILABLE = "Phần mềm hộ tịch của Bộ Tư pháp đang không trả lời; hãy thử lại sau."

__all__ = [
    "CivilStatusError",
    "CivilStatusResult",
    "CivilStatusState",
    "civil_status_queue",
    "civil_status_registration",
    "civil_status_result",
    "civil_status_status",
    "is_civil_status",
]


def _key(dossier: Dossier) -> str:
    return f"hotich:{dossier.pk}:register"


def is_civil_status(dossier: Dossier) -> bool:
    """A dossier the MoJ software registers: a birth, death or marriage (adapter's table)."""
    return adapter.module_for(dossier.procedure) is not None


def civil_status_registration(*, dossier: Dossier) -> OutboxMessage | None:
    """The dossier's registration message, if it was queued."""
    return OutboxMessage.objects.filter(idempotency_key=_key(dossier)).first()


def civil_status_queue(*, dossier: Dossier) -> OutboxMessage:
    """Queue the dossier's registration at the MoJ software, inside the caller's transaction
    (the change that causes it). Once per dossier: a second call gives the first message.
    CivilStatusError if the dossier is not a received civil-status one."""
    queued = civil_status_registration(dossier=dossier)
    if queued is not None:
        return queued
    return outbox_put(
        system=adapter.SYSTEM,
        topic=adapter.SERVICE,
        ordering_key=f"hotich:{dossier.pk}",
        idempotency_key=_key(dossier),
        payload=adapter.register_payload(dossier),
    )


def _require_visible(actor: Actor, dossier: Dossier) -> None:
    if not dossier_policies.can_view(actor, dossier):
        raise DossierNotFoundError
    if not dossier_policies.is_staff(actor):
        raise NotAllowedError("Chỉ cán bộ xử lý hồ sơ được tra cứu phần mềm hộ tịch.")


def _registered_unit(dossier: Dossier) -> int:
    """The unit the registration was sent to; an error while it has not reached the MoJ."""
    message = civil_status_registration(dossier=dossier)
    if message is None:
        raise CivilStatusError(
            "Hồ sơ này chưa được gửi sang phần mềm hộ tịch.", code="hotich_not_queued"
        )
    if message.status == OutboxStatus.DEAD:
        raise CivilStatusError(
            "Gửi hồ sơ sang phần mềm hộ tịch không thành công; quản trị hệ thống đang xử lý.",
            code="hotich_dead",
        )
    if message.status != OutboxStatus.DELIVERED:
        raise CivilStatusError(
            "Hồ sơ đang chờ gửi sang phần mềm hộ tịch; hãy xem lại sau ít phút.",
            code="hotich_pending",
        )
    if "maDonVi" not in message.payload:  # cleared after its retention: the dossier says
        return adapter.unit_code(dossier)
    return int(message.payload["maDonVi"])


def civil_status_status(*, actor: Actor, dossier: Dossier) -> CivilStatusState:
    """Where the registration stands at the MoJ (1 received, 2 needs a supplement, 3
    eligible, 4 registered). DossierNotFoundError, NotAllowedError, CivilStatusError,
    PartnerUnavailableError."""
    _require_visible(actor, dossier)
    unit, code = _registered_unit(dossier), dossier.code or ""
    answer = synchronous_call(
        system=adapter.SYSTEM,
        service=adapter.STATUS_SERVICE,
        party=party_of(actor),
        send=lambda: adapter.status(unit=unit, dossier_code=code),
        unavailable=UNAVAILABLE,
    )
    return adapter.state_from(answer)


def civil_status_result(*, actor: Actor, dossier: Dossier) -> CivilStatusResult:
    """The register entry (number, book, page, date) once the MoJ registered the dossier;
    CivilStatusError before. DossierNotFoundError, NotAllowedError, PartnerUnavailableError."""
    _require_visible(actor, dossier)
    unit, code = _registered_unit(dossier), dossier.code or ""
    answer = synchronous_call(
        system=adapter.SYSTEM,
        service=adapter.RESULT_SERVICE,
        party=party_of(actor),
        send=lambda: adapter.result(unit=unit, dossier_code=code),
        unavailable=UNAVAILABLE,
    )
    return adapter.result_from(answer)
