"""Reference data cached in each process, invalidated by one stamp.

The catalogue, the agencies, the staff's roles and the working calendar change a few times a
year, by an administrator; a request reads them a dozen times. Each process keeps what it
loaded beside the stamp it loaded it under. The stamp is one row (`ReferenceStamp`) given a
new random value in the same transaction as any change to a reference model: the apps that
own such models hand them to `track_reference_models` in their `AppConfig.ready()`, which
bumps the stamp on every save and delete (and code that writes in bulk, without signals,
calls `reference_changed` itself).

When the stamp is read:
- In a request (`ReferenceScopeMiddleware`), once, the first time the request needs reference
  data: a change committed before the request began is seen by all of it, and a request pays
  one small query, whatever it reads.
- Outside a request (a worker's task, a command, a test), at every read: never stale.
- After a change made by this very request (or in this scope), the cache is bypassed for the
  rest of it: what the request's own transaction wrote may still be rolled back, and must
  never be kept under any stamp.

A random value rather than a counter: a counter rolled back with its transaction would be
handed out again for other data (tests roll back after each test; a failed import too).
Values are shared between threads and requests, so what is cached is never mutated: loaders
return fully loaded instances (select_related) or tuples, and callers only read them.
"""

import contextvars
import secrets
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse

from .models import ReferenceStamp

T = TypeVar("T")

_STAMP_ROW = 1
# The scope's state: outside any scope (read the stamp every time), in a scope that has not
# read it yet, the stamp read, or bypassed after a change in this scope.
_OUTSIDE = object()
_UNREAD = object()
_BYPASS = object()
_scope: contextvars.ContextVar[object] = contextvars.ContextVar("reference_scope", default=_OUTSIDE)

_lock = threading.Lock()
_entries: dict[Any, Any] = {}
_entries_stamp: object = None


def _read_stamp() -> int | None:
    return ReferenceStamp.objects.filter(pk=_STAMP_ROW).values_list("value", flat=True).first()


def _current_stamp() -> object:
    state = _scope.get()
    if state is _OUTSIDE:
        return _read_stamp()
    if state is _UNREAD:
        stamp = _read_stamp()
        _scope.set(stamp)
        return stamp
    return state


def stamp_sql() -> str:
    """The stamp as an SQL subquery, for a query a request makes first anyway (the API
    token's look-up) to carry along: `stamp_seen` then spares the request its own read."""
    quote = connection.ops.quote_name
    table = quote(ReferenceStamp._meta.db_table)
    return f"(SELECT {quote('value')} FROM {table} WHERE {quote('id')} = {_STAMP_ROW})"  # noqa: S608 - names are ours


def stamp_seen(value: int | None) -> None:
    """The stamp as a query of this request read it (`stamp_sql`)."""
    if value is not None and _scope.get() is _UNREAD:
        _scope.set(value)


def cached(key: Any, load: Callable[[], T]) -> T:
    """The value under `key`, loaded by `load()` when this process has none for the current
    stamp. `key` must name everything the value depends on (a code, a date)."""
    global _entries_stamp
    stamp = _current_stamp()
    if stamp is _BYPASS or stamp is None:
        return load()
    with _lock:
        if _entries_stamp == stamp and key in _entries:
            return _entries[key]
    value = load()
    with _lock:
        if _entries_stamp != stamp:
            _entries.clear()
            _entries_stamp = stamp
        _entries[key] = value
    return value


def reference_changed() -> None:
    """Reference data was just changed in the current transaction: every process drops its
    cache once this commits, and this scope reads from the database until it ends."""
    updated = ReferenceStamp.objects.filter(pk=_STAMP_ROW).update(value=_new_value())
    if not updated:
        ReferenceStamp.objects.update_or_create(pk=_STAMP_ROW, defaults={"value": _new_value()})
    if _scope.get() is not _OUTSIDE:
        _scope.set(_BYPASS)


def clear_process_cache() -> None:
    """Forget everything this process cached (tests, whose rollbacks undo the stamp's row)."""
    global _entries_stamp
    with _lock:
        _entries.clear()
        _entries_stamp = None


def _new_value() -> int:
    return secrets.randbits(62)


def _on_change(sender: type[models.Model], **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loaddata: the fixture's own rows, before any process reads them
        return
    reference_changed()


def track_reference_models(model_classes: Iterable[type[models.Model]]) -> None:
    """Bump the stamp whenever one of these models is saved or deleted."""
    for model in model_classes:
        post_save.connect(_on_change, sender=model, dispatch_uid=f"reference:{model._meta.label}")
        post_delete.connect(
            _on_change, sender=model, dispatch_uid=f"reference-del:{model._meta.label}"
        )


class ReferenceScopeMiddleware:
    """One stamp read per request, at most (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _scope.set(_UNREAD)
        try:
            return self.get_response(request)
        finally:
            _scope.reset(token)
