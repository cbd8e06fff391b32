"""A fixed-window counter per client address (or per any key), in the cache (Redis when scaled
out), for pages;
the API's endpoints use Django Ninja's throttles with the same rates."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


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
    key = f"ratelimit:{scope}:{key}"
    if cache.add(key, 1, timeout=seconds):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, timeout=seconds)
        return True
