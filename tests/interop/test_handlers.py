"""The dossier's own events reach the ministries through the bus: a birth transferred to
processing is registered at the civil status system; a land dossier asking for an obligation
goes to the tax authority, whose payment moves it on."""

import datetime

from egov.catalog.services import procedures_import
from egov.dossiers.services import dossier_create
from egov.interop.models import OutboxMessage
from egov.interop.services.delivery import deliver_due
from egov.interop.services.tax import obligations_poll
from tests.conftest import catalogue
from tests.dossiers.conftest import CITIZEN, act
from tests.interop.test_tax import LAND, VALUE


def deliver(clock) -> int:
    return deliver_due(worker="w", batch=50, max_seconds=10, clock=lambda: clock.now)


def test_a_birth_in_processing_is_registered_at_the_civil_status_system(
    sim, counter_dossier, people, clock
):
    act(counter_dossier, "transfer", people["desk"])
    act(counter_dossier, "forward", people["specialist"])  # a later event queues nothing more
    (message,) = OutboxMessage.objects.filter(topic="hotich.register")
    assert message.payload["maHoSo"] == counter_dossier.code
    while deliver(clock):
        pass  # until nothing is left to deliver
    message.refresh_from_db()
    assert message.status == "delivered"
    received = sim.client.call("GET", "/_sim/hotich/received").json()
    assert counter_dossier.code in str(received)


def test_an_obligation_goes_to_the_tax_authority_and_its_payment_moves_the_dossier_on(
    sim, procedures, people, clock, client
):
    procedures_import(data=catalogue(LAND))
    dossier = dossier_create(
        actor=people["desk"],
        procedure_code="1.013831",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
        form_data={"transferee_name": CITIZEN.name, "contract_value_vnd": VALUE},
    )
    act(dossier, "transfer", people["desk"])
    dossier.refresh_from_db()
    client.force_login(people["leader"])  # the competent leader asks for it
    refused = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/request_obligation",
        {"version": dossier.version, "note": "Lệ phí trước bạ", "tax_kind": "VAT"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    asked = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions/request_obligation",
        {"version": dossier.version, "note": "Lệ phí trước bạ", "tax_kind": "LPTB"},
        content_type="application/json",
    )
    assert asked.status_code == 200, asked.content
    assert asked.json()["status"] == "awaiting_obligation"
    (transfer,) = OutboxMessage.objects.filter(topic="thue.dossier.transfer")
    assert transfer.payload["giaTriTinhThue"] == VALUE
    while deliver(clock):
        pass  # until nothing is left to deliver
    assert obligations_poll(now=clock.now).confirmed == ()  # not paid yet
    sim.control(f"/_sim/thue/pay/{dossier.code}")
    clock.now += datetime.timedelta(minutes=10)
    assert obligations_poll(now=clock.now).confirmed == (dossier.code,)
    dossier.refresh_from_db()
    assert dossier.status == "processing"
    event = dossier.events.order_by("-seq").first()
    assert (event.action, event.actor) == ("confirm_obligation", None)
