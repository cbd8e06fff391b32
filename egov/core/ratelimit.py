"""A fixed-window counter per client address, in the cache (Redis when scaled out), for pages;
the API's endpoints use Django Ninja's throttles with the same rates."""

from django.core.cache import cache
from django.http import HttpRequest

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "30/m" → (30, 60)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period[:1]]


def allow(request: HttpRequest, *, scope: str, rate: str) -> bool:
    """Count this request; False once the address has used up its allowance for the window."""
    limit, seconds = parse_rate(rate)
    # REMOTE_ADDR only: a forwarded-for header is whatever the client wants it to be.
    key = f"ratelimit:{scope}:{request.META.get('REMOTE_ADDR', '')}"
    if cache.add(key, 1, timeout=seconds):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, timeout=seconds)
        return True
