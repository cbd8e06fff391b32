"""Looking citizens up in the National Population Database at the counter (DOMAIN §6,
reference §5.3): the officer types the personal ID number, the form fills itself, and the
applicant is marked verified against the database.

An officer waits for the answer, so the call is synchronous: it goes out at once (the HTTP
client's time-out is `MOTCUA_LGSP_TIMEOUT_SECONDS`), a partner that is down or slow gives a
clear Vietnamese error instead of a crash, and the system's circuit breaker is respected (an
open breaker answers at once, without calling) and kept up to date. Every call is written to
the message log with the officer who asked (Decree 47/2020 art. 45).

`synchronous_call` is that path for every call somebody waits for; the civil-status and tax
reads use it too. Call it outside any transaction of yours: the log row and the breaker's
state must stay whatever becomes of the caller's change, and no row lock should be held
while a partner thinks.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from egov.core.errors import DomainError, NotAllowedError
from egov.core.identifiers import personal_id_problem
from egov.orgs import policies as org_policies
from egov.orgs.models import Role
from egov.orgs.selectors import memberships_of

from ..adapters import http
from ..adapters import population as adapter
from ..adapters.population import PersonMismatchError, PersonNotFoundError, PersonRecord
from . import breaker
from .log import OUR_PARTY, attempt_log

Actor = AbstractBaseUser | AnonymousUser

UNAVAILABLE = "CSDL quốc gia về dân cư đang không trả lời; hãy nhập tay và thử lại sau."

__all__ = [
    "OUR_PARTY",
    "PartnerUnavailableError",
    "PersonLookupError",
    "PersonRecord",
    "can_look_up_people",
    "party_of",
    "person_lookup",
    "person_verify",
    "synchronous_call",
]


class PartnerUnavailableError(DomainError):
    """The partner is down, slow, or spared by its open breaker: try again later."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="partner_unavailable")


class PersonLookupError(DomainError):
    """The look-up cannot be asked as it is (a personal ID number that cannot be right)."""


def party_of(actor: Actor) -> str:
    """Who asked, as the message log names them: our system and the person."""
    return f"{OUR_PARTY}:{actor.get_username()}"


def _may_call(system: str, now: datetime.datetime) -> bool:
    gate = breaker.gate(now=now)
    if system in gate.open:
        return True
    if system in gate.probing:
        # The cool-down is over: this call is the one probe; a caller that dies meanwhile
        # holds it only until the probe's deadline.
        deadline = now + datetime.timedelta(seconds=settings.MOTCUA_LGSP_TIMEOUT_SECONDS * 2 + 5)
        return breaker.probe_take(system=system, now=now, lease_until=deadline)
    return False


def synchronous_call(
    *,
    system: str,
    service: str,
    party: str,
    send: Callable[[], http.Answer],
    unavailable: str,
    now: datetime.datetime | None = None,
) -> http.Answer:
    """One call somebody waits for: refused at once (PartnerUnavailableError with the
    `unavailable` message) while the system's breaker is open or the system is paused or not
    configured; otherwise sent, logged, and counted by the breaker. A transient failure (down,
    time-out, 5xx) raises PartnerUnavailableError too; any other answer is returned for the
    adapter to read. `now` is the moment the log and the breaker record (default: now)."""
    now = now or timezone.now()
    if not _may_call(system, now):
        raise PartnerUnavailableError(unavailable)
    answer = send()
    attempt = answer.attempt
    attempt_log(attempt, system=system, service=service, party=party, at=now)
    breaker.record_attempt(system=system, now=now, attempt=attempt)
    if attempt.outcome == "retry":
        raise PartnerUnavailableError(unavailable)
    return answer


def can_look_up_people(actor: Actor) -> bool:
    """Reception officers (at any desk) and province administrators: the registry's access
    policy for `csdldc.person.lookup` (Decree 47/2020 art. 40)."""
    if not actor.is_authenticated:
        return False
    if org_policies.is_province_admin(actor):
        return True
    return any(m.role == Role.RECEPTION for m in memberships_of(user=actor))


def _checked(actor: Actor, id_number: str, birth_date: datetime.date | None) -> str:
    if not can_look_up_people(actor):
        raise NotAllowedError("Chỉ cán bộ tiếp nhận được tra cứu CSDL quốc gia về dân cư.")
    number = id_number.strip()
    if problem := personal_id_problem(number, date_of_birth=birth_date):
        raise PersonLookupError(
            problem, code="invalid_id_number", fields={"applicant.id_number": problem}
        )
    return number


def _ask(
    *,
    actor: Actor,
    id_number: str,
    full_name: str | None,
    birth_date: datetime.date | None,
) -> PersonRecord:
    number = _checked(actor, id_number, birth_date)
    answer = synchronous_call(
        system=adapter.SYSTEM,
        service=adapter.SERVICE,
        party=party_of(actor),
        send=lambda: adapter.lookup(id_number=number, full_name=full_name, birth_date=birth_date),
        unavailable=UNAVAILABLE,
    )
    return adapter.person_from(answer)


def person_lookup(
    *,
    actor: Actor,
    id_number: str,
    full_name: str | None = None,
    birth_date: datetime.date | None = None,
) -> PersonRecord:
    """The citizen with this personal ID number, to prefill the counter's form. With a name
    or a birth date the database also checks them: PersonMismatchError when they differ.
    PersonNotFoundError, PartnerUnavailableError, NotAllowedError, PersonLookupError."""
    return _ask(actor=actor, id_number=id_number, full_name=full_name, birth_date=birth_date)


def person_verify(
    *,
    actor: Actor,
    id_number: str,
    full_name: str,
    birth_date: datetime.date,
) -> bool:
    """Whether the database holds this personal ID number with this name and birth date
    (False when they differ, or when it has no such number). Raises only when the check
    cannot be made: PartnerUnavailableError, NotAllowedError, PersonLookupError."""
    if not full_name.strip():
        raise PersonLookupError(
            "Cần họ tên để đối chiếu với CSDL quốc gia về dân cư.",
            code="full_name_required",
            fields={"applicant.full_name": "Cần họ tên."},
        )
    try:
        _ask(actor=actor, id_number=id_number, full_name=full_name, birth_date=birth_date)
    except (PersonMismatchError, PersonNotFoundError):
        return False
    return True


def person_self_lookup(*, actor: Actor) -> PersonRecord:
    """A citizen's own record, to prefill their online application so they never type what
    the state already holds. The number is the one their VNeID sign-in verified (level 2),
    never one typed on a page: a person reads only their own data (Decree 13/2023 art. 9),
    and the message log names them as the party who asked. NotAllowedError for anyone
    else; PartnerUnavailableError, PersonNotFoundError as for the desk's look-up."""
    identity = getattr(actor, "citizen_identity", None) if actor.is_authenticated else None
    if identity is None or identity.level < 2 or memberships_of(user=actor):
        raise NotAllowedError("Chỉ công dân đã xác thực VNeID mức 2 tự tra cứu thông tin của mình.")
    id_number = identity.id_number
    if problem := personal_id_problem(id_number):
        raise PersonLookupError(problem, code="invalid_id_number")
    answer = synchronous_call(
        system=adapter.SYSTEM,
        service=adapter.SERVICE,
        party=party_of(actor),
        send=lambda: adapter.lookup(id_number=id_number, full_name=None, birth_date=None),
        unavailable=UNAVAILABLE,
    )
    return adapter.person_from(answer)
