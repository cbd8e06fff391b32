"""The engine hears, the apps subscribe (DESIGN "How data flows", point 1): the apps that
must hear of dossier events register their handlers in their AppConfig.ready(), in an order
pinned here, and every event reaches them in that order, in its transaction."""

from typing import Any

import pytest
from django.apps import apps

from egov.dossiers import handlers
from egov.dossiers.handlers import HandlerRegistrationError
from egov.interop.models import OutboxMessage
from egov.interop.services import delivery
from tests.dossiers.conftest import act

# Who hears a dossier event, in the order they hear it.
PINNED = (
    "egov.interop.handlers.sync_national_portal",
    "egov.notifications.handlers.notify_applicant",
    "egov.notifications.handover.notify_next_officer",
    "egov.interop.handlers.register_civil_status",
    "egov.interop.handlers.transfer_to_tax",
)


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registrations as the apps made them, given back as they were after the test."""
    monkeypatch.setattr(handlers, "_registrations", list(handlers._registrations))


def test_the_apps_register_their_handlers_in_a_pinned_order():
    assert handlers.registered() == PINNED


def test_ready_again_duplicates_nothing(registry):
    routes = dict(delivery.ROUTES)
    apps.get_app_config("interop").ready()
    apps.get_app_config("notifications").ready()
    assert handlers.registered() == PINNED
    assert routes == delivery.ROUTES
    assert set(routes) == {
        "dvcqg.dossier.sync",
        "hotich.register",
        "thue.dossier.transfer",
        # The notifications app's own routes, registered by it: e-mail, SMS, Zalo.
        "notify.applicant",
        "sms.send",
        "zalo.zns",
    }


def test_a_taken_place_or_a_second_place_is_refused(registry):
    def probe(event: Any) -> None:
        """Hears nothing: only the place it asks for matters here."""

    with pytest.raises(HandlerRegistrationError, match="order 20 is taken"):
        handlers.register(probe, order=20)
    handlers.register(probe, order=22)
    handlers.register(probe, order=22)  # the same again: nothing changes
    with pytest.raises(HandlerRegistrationError, match="registered at order 22"):
        handlers.register(probe, order=50)
    assert handlers.registered() == (*PINNED[:2], f"{__name__}.{probe.__qualname__}", *PINNED[2:])


def test_an_event_reaches_every_handler_in_order_inside_its_transaction(
    registry, counter_dossier, people
):
    start = OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def written() -> list[str]:
        return list(
            OutboxMessage.objects.filter(id__gt=start)
            .order_by("id")
            .values_list("topic", flat=True)
        )

    seen: list[list[str]] = []
    handlers.register(lambda event: seen.append(written()), order=15)
    act(counter_dossier, "transfer", people["desk"])
    # Heard once, after the national portal's sync (10), before the civil status (30).
    assert seen == [["dvcqg.dossier.sync"]]
    assert written() == ["dvcqg.dossier.sync", "hotich.register"]


def test_a_handler_that_fails_undoes_the_change(registry, counter_dossier, people):
    def broken(event: Any) -> None:
        raise RuntimeError("a subscriber's bug")

    handlers.register(broken, order=99)
    counter_dossier.refresh_from_db()
    before = (counter_dossier.status, counter_dossier.version)
    count = OutboxMessage.objects.count()
    with pytest.raises(RuntimeError):
        act(counter_dossier, "transfer", people["desk"])
    counter_dossier.refresh_from_db()
    assert (counter_dossier.status, counter_dossier.version) == before
    assert OutboxMessage.objects.count() == count
