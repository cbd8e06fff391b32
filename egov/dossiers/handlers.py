"""What follows a dossier event, inside the same transaction (DESIGN "How data flows", 1).

The engine knows no subscriber by name. Each app that must hear of dossier events (the
interconnection bus, the notifications...) registers its handlers in its
`AppConfig.ready()`:

    handlers.register(on_dossier_event, order=50)  # a function of the event

`dispatch` hands every event to the registered handlers by ascending `order`; each writes
what the event means for its app (outbox rows, aggregates) in the event's transaction, so a
handler that fails rolls the whole change back. Explicit wiring, no signals.

`order` is unique: two apps cannot claim the same place, so the sequence never depends on
which app happened to load first. `registered()` lists the handlers in that sequence
(tests/dossiers/test_handlers_registry.py pins it).
"""

from collections.abc import Callable
from dataclasses import dataclass

from .models import DossierEvent

Handler = Callable[[DossierEvent], None]


@dataclass(frozen=True)
class _Registration:
    order: int
    handler: Handler

    @property
    def name(self) -> str:
        return handler_name(self.handler)


_registrations: list[_Registration] = []


class HandlerRegistrationError(Exception):
    """A registration that would make the sequence ambiguous (a programming error)."""


def handler_name(handler: Handler) -> str:
    """`egov.interop.handlers.sync_national_portal`: how a handler is named in lists and
    errors."""
    return f"{handler.__module__}.{handler.__qualname__}"


def register(handler: Handler, *, order: int) -> None:
    """Hand every dossier event to `handler`, after the handlers of a lower `order`.

    Registering the same handler (the same qualified name) with the same order again changes
    nothing (`ready()` may run more than once); the same handler at another order, or another
    handler at a taken order, raises HandlerRegistrationError."""
    for existing in _registrations:
        if existing.handler is handler or existing.name == handler_name(handler):
            if existing.order == order:
                return
            raise HandlerRegistrationError(
                f"{handler_name(handler)} is registered at order {existing.order}, not {order}"
            )
        if existing.order == order:
            raise HandlerRegistrationError(
                f"{handler_name(handler)}: order {order} is taken by {existing.name}"
            )
    _registrations.append(_Registration(order=order, handler=handler))
    _registrations.sort(key=lambda registration: registration.order)


def registered() -> tuple[str, ...]:
    """The registered handlers' names, in the order `dispatch` calls them."""
    return tuple(registration.name for registration in _registrations)


def dispatch(event: DossierEvent) -> None:
    for registration in tuple(_registrations):
        registration.handler(event)
