"""Rate limits: a fixed-window counter per client address (or per any key) that every web
process shares, for pages and the API alike (the API's throttle, api_support.ScopedThrottle,
counts here too, so a scope's budget is one across the page and the API).

Where the counts live: in Redis when the site's cache is Redis (CACHE_URL=redis://…; INCR
is atomic), otherwise in the database (`RateCounter`, one upsert per request). Not in Django's
database cache: it increments by reading then writing, so two workers at once lose counts;
and never in a process's memory, where each worker would grant the whole allowance again.
"""

import random
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest

from .models import RateCounter

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# About one request in this many also deletes the rows of windows that have ended.
_SWEEP_ONE_IN = 1000


def parse_rate(rate: str) -> tuple[int, int]:
    """ "30/m" → (30, 60)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period[:1]]


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, behind MOTCUA_TRUSTED_PROXIES proxies, the
    address the nearest trusted proxy saw. A forwarded-for header is otherwise whatever the
    client wants it to be, so it is never read without proxies configured."""
    proxies = settings.NINJA_NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [part.strip() for part in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))]
    return str(request.META.get("REMOTE_ADDR", ""))


def allow(request: HttpRequest, *, scope: str, rate: str) -> bool:
    """Count this request; False once the address has used up its allowance for the window."""
    return allow_key(scope=scope, key=client_address(request), rate=rate)


def allow_key(*, scope: str, key: str, rate: str) -> bool:
    """Count one use of `key` (a client address, or a digest of what was asked for); False
    once it has used up its allowance for the window."""
    limit, seconds = parse_rate(rate)
    return hit(f"ratelimit:{scope}:{key}"[:200], seconds=seconds) <= limit


def hit(name: str, *, seconds: int) -> int:
    """Count one request against `name` and answer how many the current window holds."""
    if _uses_redis():
        return _hit_redis(name, seconds=seconds)
    return _hit_database(name, seconds=seconds)


def _uses_redis() -> bool:
    return str(settings.CACHES["default"]["BACKEND"]).endswith(".RedisCache")


def _hit_redis(name: str, *, seconds: int) -> int:
    """INCR and EXPIRE NX in one round trip: the window starts with the client's first request
    and the key always lapses (Django's own incr checks, then increments, and a key that
    lapsed in between would come back with no expiry, blocking the client for good)."""
    redis_cache: Any = cache
    key = redis_cache.make_and_validate_key(name)
    client = redis_cache._cache.get_client(key, write=True)
    with client.pipeline() as pipe:
        pipe.incr(key)
        pipe.expire(key, seconds, nx=True)
        count, _ = pipe.execute()
    return int(count)


def _hit_database(name: str, *, seconds: int) -> int:
    now = int(time.time())
    quote = connection.ops.quote_name
    table, key, end, hits = (
        quote(n) for n in (RateCounter._meta.db_table, "key", "window_end", "hits")
    )
    # One statement, so two workers counting at once both count: the upsert locks the row. A
    # window starts with the client's first request and lasts `seconds` (not aligned to the
    # clock, so a burst across a minute's turn is not counted as two halves); once it has
    # ended the next request starts a new one at 1.
    running = f"{table}.{end} > %s"
    sql = (
        f"INSERT INTO {table} ({key}, {end}, {hits}) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"{hits} = CASE WHEN {running} THEN {table}.{hits} + 1 ELSE 1 END, "
        f"{end} = CASE WHEN {running} THEN {table}.{end} ELSE excluded.{end} END "
        f"RETURNING {hits}"
    )
    # Its own transaction (autocommit), or a part of the caller's: no BEGIN and COMMIT of
    # its own, two round trips fewer per request.
    with connection.cursor() as cursor:
        cursor.execute(sql, [name, now + seconds, now, now])
        count = int(cursor.fetchone()[0])
    if random.randrange(_SWEEP_ONE_IN) == 0:  # noqa: S311 (not a secret)
        _sweep(now)
    return count


def _sweep(now: int) -> None:
    """Forget the clients whose window has ended: the table holds the recent ones only."""
    RateCounter.objects.filter(window_end__lte=now).delete()
