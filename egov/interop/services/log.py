"""The message log's one writer and its check (Decree 47/2020 art. 45).

Bodies are kept by the service's kind: one without personal data as it is; one with personal
data as a digest only or encrypted (Fernet), as the province sets
(`MOTCUA_LGSP_PERSONAL_BODIES`). The digest of the request is kept in every case, so a
partner's copy can be matched to our row.
"""

import datetime
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection, transaction

from egov.core.hashchain import GENESIS, Break, entry_hash, verify

from .. import registry_snapshot
from ..adapters.http import Attempt
from ..models import BodyStorage, LogHead, LogOutcome, MessageLog

# Who the province's own system is in the message log when it calls out.
OUR_PARTY = "motcua"

# A body longer than this is kept by its digest only: the log is a record, not an archive.
_BODY_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, as the log records it."""

    direction: str
    system: str
    service: str
    party: str
    request: bytes
    response: bytes
    status: int | None
    code: str
    duration_ms: int
    outcome: str
    idempotency_key: str = ""
    outbox_id: int | None = None


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _storage_for(service: str) -> str:
    if registry_snapshot.carries_personal_data(service):
        return settings.MOTCUA_LGSP_PERSONAL_BODIES
    return BodyStorage.PLAIN


def _kept(body: bytes, storage: str) -> str:
    if not body or len(body) > _BODY_LIMIT or storage == BodyStorage.DIGEST:
        return ""
    if storage == BodyStorage.ENCRYPTED:
        return Fernet(settings.MOTCUA_LGSP_LOG_KEY.encode()).encrypt(body).decode()
    return body.decode("utf-8", errors="replace")


def body_read(row: MessageLog, *, response: bool = False) -> str:
    """The request (or response) body as kept, decrypted when it was encrypted; "" if only
    its digest was kept."""
    kept = row.response_body if response else row.request_body
    if row.body_storage == BodyStorage.ENCRYPTED and kept:
        return Fernet(settings.MOTCUA_LGSP_LOG_KEY.encode()).decrypt(kept.encode()).decode()
    return kept


def log_head_lock() -> LogHead:
    """Hold the chain's head for the rest of the caller's transaction."""
    head, _ = LogHead.objects.select_for_update().get_or_create(pk=1)
    return head


def _row(exchange: Exchange, at: datetime.datetime) -> MessageLog:
    """A log row without its place in the chain: what can be done before the head is held
    (digests, encryption)."""
    storage = _storage_for(exchange.service)
    return MessageLog(
        at=at,
        direction=exchange.direction,
        system=exchange.system,
        service=exchange.service,
        party=exchange.party[:128],
        idempotency_key=exchange.idempotency_key[:128],
        outbox_id=exchange.outbox_id,
        request_digest=digest(exchange.request),
        request_body=_kept(exchange.request, storage),
        response_status=exchange.status,
        response_code=exchange.code[:32],
        response_digest=digest(exchange.response) if exchange.response else "",
        response_body=_kept(exchange.response, storage),
        body_storage=storage,
        duration_ms=max(0, exchange.duration_ms),
        outcome=exchange.outcome,
    )


def log_append_many(exchanges: Sequence[Exchange], *, at: datetime.datetime) -> list[MessageLog]:
    """Append rows to the chain, in the order given, in one stretch: one INSERT of every row
    and one move of the head, however many rows (the delivery worker settles a batch of tries
    this way). Runs inside the caller's transaction or its own; from the head's move to the
    end of that transaction other appenders wait, so call it last in a long one.

    On PostgreSQL the rows are chained to the head as read, outside any lock, and written
    together with the head's move only if nobody moved it meanwhile (compare and set, one
    statement); otherwise they are chained again to the new head. So the head is held only
    for the statement and the commit, never while hashes are computed. SQLite has one writer
    at a time: it reads the head, writes the rows, moves the head."""
    rows = [_row(exchange, at) for exchange in exchanges]
    if not rows:
        return []
    with transaction.atomic(savepoint=False):  # the caller's, if any, is enough
        if connection.vendor == "postgresql":
            _append_swapping(rows)
        else:
            head = log_head_lock()
            head.seq, head.hash = _link(rows, seq=head.seq, last=head.hash)
            MessageLog.objects.bulk_create(rows)
            head.save(update_fields=["seq", "hash"])
    return rows


def _link(rows: list[MessageLog], *, seq: int, last: str) -> tuple[int, str]:
    """Number and link the rows after the head (`seq`, its hash `last`); the new head."""
    prev_hash = last or GENESIS
    for row in rows:
        seq += 1
        row.seq, row.prev_hash = seq, prev_hash
        row.hash = prev_hash = entry_hash(prev_hash, row.chained_content())
    return seq, prev_hash


# Chained again after losing this many races for the head, an appender waits its turn.
_SWAP_TRIES = 5


def _append_swapping(rows: list[MessageLog]) -> None:
    fields = [field for field in MessageLog._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"%s::{str(field.db_type(connection)).split('(')[0]}[]" for field in fields)
    log, head_table = quote(MessageLog._meta.db_table), quote(LogHead._meta.db_table)
    sql = (
        f"WITH moved AS (UPDATE {head_table} SET seq = %s, hash = %s "  # noqa: S608 - names are ours
        "WHERE id = %s AND seq = %s AND hash = %s RETURNING id), "
        f"appended AS (INSERT INTO {log} ({columns}) SELECT * FROM UNNEST({arrays}) "
        "WHERE EXISTS (SELECT 1 FROM moved) RETURNING id, seq) "
        "SELECT id, seq FROM appended"
    )
    for tries in range(1, _SWAP_TRIES + 1):
        if tries < _SWAP_TRIES:
            head, _ = LogHead.objects.get_or_create(pk=1)
        else:
            head = log_head_lock()  # the head stays where it is until this one is written
        seq, last = _link(rows, seq=head.seq, last=head.hash)
        values = [
            [field.get_db_prep_save(getattr(row, field.attname), connection) for row in rows]
            for field in fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, [seq, last, head.pk, head.seq, head.hash, *values])
            ids = {seq: pk for pk, seq in cursor.fetchall()}
        if ids:
            for row in rows:
                row.pk = ids[row.seq]
                row._state.adding, row._state.db = False, connection.alias
            return
    raise RuntimeError("the message log's head moved while it was held")  # pragma: no cover


def log_append(exchange: Exchange, *, at: datetime.datetime) -> MessageLog:
    """Append one row to the chain. Runs inside the caller's transaction (the delivery's
    outcome, an inbound call's effect) or its own."""
    return log_append_many([exchange], at=at)[0]


def attempt_exchange(
    attempt: Attempt,
    *,
    system: str,
    service: str,
    party: str,
    idempotency_key: str = "",
    outbox_id: int | None = None,
) -> Exchange:
    """What the log keeps of one outbound try."""
    return Exchange(
        direction="out",
        system=system,
        service=service,
        party=party,
        request=attempt.request,
        response=attempt.response,
        status=attempt.status,
        code=attempt.code,
        duration_ms=attempt.duration_ms,
        outcome=_OUTCOMES.get(attempt.outcome, LogOutcome.REJECTED),
        idempotency_key=idempotency_key,
        outbox_id=outbox_id,
    )


def attempt_log(
    attempt: Attempt,
    *,
    system: str,
    service: str,
    party: str,
    at: datetime.datetime,
    idempotency_key: str = "",
    outbox_id: int | None = None,
) -> MessageLog:
    """Append the row of one outbound try (a call someone waits for)."""
    exchange = attempt_exchange(
        attempt,
        system=system,
        service=service,
        party=party,
        idempotency_key=idempotency_key,
        outbox_id=outbox_id,
    )
    return log_append(exchange, at=at)


# "disputed": the partner answered, and a service refused what it said (a tax payment of
# another amount than the notice's); any other outcome is the partner's refusal.
_OUTCOMES = {"ok": LogOutcome.OK, "retry": LogOutcome.RETRY, "disputed": LogOutcome.DISPUTED}


@dataclass(frozen=True)
class LogProblem:
    seq: int | None
    reason: str


def _chain(upto: int) -> Iterator[tuple[str, str, dict[str, object]]]:
    rows = MessageLog.objects.filter(seq__lte=upto).order_by("seq")
    for row in rows.iterator(chunk_size=2000):
        yield row.prev_hash, row.hash, row.chained_content()


def log_verify() -> tuple[int, LogProblem | None]:
    """Walk the chain up to its head as it stands when the check starts (rows appended
    meanwhile are left for the next check): how many rows, and the first problem found.

    Finds a row changed (its hash no longer covers it), a row removed (the next one's link
    breaks) and rows cut off the end (the head names a later row than the last)."""
    head = LogHead.objects.filter(pk=1).first()
    upto = head.seq if head is not None else 0
    seqs: list[int] = []

    def remembered() -> Iterator[tuple[str, str, dict[str, object]]]:
        for entry in _chain(upto):
            seqs.append(int(str(entry[2]["seq"])))
            yield entry

    broken: Break | None = verify(remembered())
    if broken is not None:
        return len(seqs), LogProblem(seqs[broken.position], broken.reason)
    last_seq = seqs[-1] if seqs else 0
    last_hash = _last_hash(upto) if seqs else ""
    if head is not None and (head.seq, head.hash or "") != (last_seq, last_hash):
        return len(seqs), LogProblem(
            last_seq, f"nhật ký bị cắt: bản ghi cuối là #{last_seq}, đầu chuỗi ghi #{head.seq}"
        )
    if seqs != list(range(1, len(seqs) + 1)):
        missing = next(n for n, s in enumerate(seqs, start=1) if n != s)
        return len(seqs), LogProblem(missing, "thiếu bản ghi trong chuỗi")
    return len(seqs), None


def _last_hash(upto: int) -> str:
    rows = MessageLog.objects.filter(seq__lte=upto).order_by("-seq")
    return rows.values_list("hash", flat=True).first() or ""
