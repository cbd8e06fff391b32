"""Land dossiers awaiting a financial obligation and the tax authority simulator: the
transfer through the outbox, the notice and the payment read back, and the poll that moves a
paid dossier on through the one door."""

import copy
import datetime
import re
from typing import Any

import pytest
from django.db import transaction

from egov.catalog.services import procedures_import
from egov.dossiers.errors import DossierNotFoundError
from egov.dossiers.services import dossier_create
from egov.interop.adapters import tax as adapter
from egov.interop.models import MessageLog, OutboxMessage
from egov.interop.services.delivery import deliver_due
from egov.interop.services.log import log_verify
from egov.interop.services.tax import (
    TaxError,
    awaiting_transferred,
    obligations_poll,
    tax_obligation,
    tax_payment,
    tax_transfer_queue,
)
from tests.conftest import BIRTH, catalogue
from tests.dossiers.conftest import CITIZEN, act

# A commune-level land transfer, shaped like the demo's 1.013831 where it matters here.
LAND = {
    **copy.deepcopy(BIRTH),
    "national_code": "1.013831",
    "name": "Đăng ký biến động quyền sử dụng đất",
    "sector": {"code": "DD", "name": "Đất đai"},
    "time_limit": {"value": 10, "unit": "working_days"},
    "form_schema": {
        "fields": [
            {
                "name": "transferor_name",
                "label": "Bên chuyển quyền",
                "type": "text",
                "required": False,
            },
            {
                "name": "transferee_name",
                "label": "Bên nhận quyền",
                "type": "text",
                "required": False,
            },
            {
                "name": "contract_value_vnd",
                "label": "Giá trị hợp đồng",
                "type": "number",
                "required": False,
            },
        ]
    },
}
VALUE = 1_234_567_000


def deliver(clock: Any) -> int:
    return deliver_due(worker="w", batch=50, max_seconds=10, clock=lambda: clock.now)


@pytest.fixture
def land(procedures, people, clock):
    procedures_import(data=catalogue(LAND))

    def make(form_data: dict[str, Any] | None = None) -> Any:
        dossier = dossier_create(
            actor=people["desk"],
            procedure_code="1.013831",
            channel="counter",
            applicant=CITIZEN,
            return_method="counter",
            form_data=form_data
            if form_data is not None
            else {
                "transferor_name": "Trần Văn Bán",
                "transferee_name": CITIZEN.name,
                "contract_value_vnd": VALUE,
            },
        )
        act(dossier, "transfer", people["desk"])
        act(dossier, "request_obligation", people["specialist"], note="Lệ phí trước bạ")
        dossier.refresh_from_db()
        return dossier

    return make


def transfer(dossier: Any, kind: str = "LPTB", taxable_value: int | None = None) -> Any:
    # As the request_obligation's handler would, inside the change's transaction.
    with transaction.atomic():
        return tax_transfer_queue(dossier=dossier, kind=kind, taxable_value=taxable_value)


def test_the_transfer_carries_what_the_tax_authority_needs(land):
    dossier = land()
    message = transfer(dossier)
    assert (message.system, message.topic) == ("thue", "thue.dossier.transfer")
    assert message.ordering_key == f"thue:{dossier.pk}"
    assert message.idempotency_key == f"thue:{dossier.pk}:{dossier.event_seq}"
    assert message.payload == {
        "maHoSo": dossier.code,
        "loaiNghiaVu": "LPTB",
        "nguoiNopThue": "Nguyễn Thị Ánh Tuyết",
        "giaTriTinhThue": VALUE,  # from the e-form's contract value
    }
    other = land()
    # Income tax on a transfer is the transferor's; a value given wins over the e-form's.
    payload = transfer(other, kind="TNCN", taxable_value=900_000_000).payload
    assert (payload["nguoiNopThue"], payload["giaTriTinhThue"]) == ("Trần Văn Bán", 900_000_000)
    assert "maSoThue" not in payload


def test_a_transfer_needs_a_kind_a_value_and_a_dossier_awaiting_it(land, counter_dossier):
    dossier = land(form_data={"transferor_name": "Trần Văn Bán"})
    with pytest.raises(TaxError, match="LPTB"):
        transfer(dossier, kind="VAT")
    with pytest.raises(TaxError, match="giá trị tính thuế"):
        transfer(dossier)
    with pytest.raises(TaxError, match="giá trị tính thuế"):
        transfer(dossier, taxable_value=0)
    with pytest.raises(TaxError, match="đang chờ thực hiện nghĩa vụ"):
        transfer(counter_dossier, taxable_value=VALUE)  # received, not awaiting
    transfer(dossier, taxable_value=VALUE)
    with pytest.raises(TaxError, match="đã được chuyển"):
        transfer(dossier, taxable_value=VALUE)
    assert OutboxMessage.objects.filter(topic="thue.dossier.transfer").count() == 1


def test_the_notice_and_the_payment_are_read_back(sim, land, people, clock):
    dossier = land()
    message = transfer(dossier)
    with pytest.raises(TaxError, match="đang chờ gửi"):
        tax_obligation(actor=people["specialist"], dossier=dossier)
    deliver(clock)
    message.refresh_from_db()
    assert message.status == "delivered"
    notice = tax_obligation(actor=people["specialist"], dossier=dossier)
    assert re.fullmatch(r"TB-\d{4}-000001", notice.notice_number)
    assert (notice.dossier_code, notice.kind, notice.taxable_value) == (dossier.code, "LPTB", VALUE)
    # 0.5 % of 1,234,567,000, to the nearest thousand.
    assert notice.total == 6_173_000 and not notice.paid
    assert notice.due_date - notice.notice_date == datetime.timedelta(days=30)
    (line,) = notice.lines
    assert (line.sub_item, line.text, line.amount) == ("2801", adapter.KINDS["LPTB"], 6_173_000)
    payment = tax_payment(dossier=dossier)
    assert (payment.paid, payment.amount, payment.paid_at) == (False, 0, None)

    sim.control(f"/_sim/thue/pay/{dossier.code}")
    payment = tax_payment(dossier=dossier)
    assert payment.paid and payment.amount == 6_173_000
    assert payment.voucher.startswith("CT-") and payment.reference.startswith("NTDT")
    assert payment.paid_at is not None and payment.paid_at.utcoffset() == datetime.timedelta(
        hours=7
    )
    assert tax_obligation(actor=people["leader"], dossier=dossier).paid
    rows = MessageLog.objects.filter(system="thue").order_by("seq")
    assert list(rows.values_list("service", "party", "outcome")) == [
        ("thue.dossier.transfer", "motcua", "ok"),
        ("thue.obligation.read", "motcua:chuyenvien.xa", "ok"),
        ("thue.payment.read", "motcua", "ok"),
        ("thue.payment.read", "motcua", "ok"),
        ("thue.obligation.read", "motcua:lanhdao.xa", "ok"),
    ]
    count, problem = log_verify()
    assert problem is None and count == MessageLog.objects.count()


def test_only_staff_who_may_view_the_dossier_read_the_notice(sim, land, people, clock):
    dossier = land()
    transfer(dossier)
    deliver(clock)
    with pytest.raises(DossierNotFoundError):
        tax_obligation(actor=people["province_desk"], dossier=dossier)
    assert not MessageLog.objects.filter(service="thue.obligation.read").exists()


def test_the_poll_moves_a_paid_dossier_on_and_leaves_the_others(
    sim, land, procedures, people, clock
):
    paid, unpaid = land(), land()
    not_sent = land()  # awaiting, but its obligation was never transferred
    transfer(paid)
    transfer(unpaid)
    deliver(clock)
    assert [d.code for d in awaiting_transferred()] == [paid.code, unpaid.code]
    first = obligations_poll(now=clock.now)
    assert (first.checked, first.confirmed, first.interrupted) == (2, (), False)

    sim.control(f"/_sim/thue/pay/{paid.code}")
    clock.now += datetime.timedelta(hours=1)
    second = obligations_poll(now=clock.now)
    assert (second.checked, second.confirmed) == (2, (paid.code,))
    paid.refresh_from_db()
    assert (paid.status, paid.clock_state) == ("processing", "running")
    event = paid.events.order_by("-seq").first()
    assert (event.action, event.actor, event.actor_label) == (
        "confirm_obligation",
        None,
        "hệ thống",
    )
    assert "6.173.000 đồng" in event.note and "CT-" in event.note
    for dossier in (unpaid, not_sent):
        dossier.refresh_from_db()
        assert dossier.status == "awaiting_obligation"
    # Confirmed once: the next poll no longer sees it.
    assert [d.code for d in awaiting_transferred()] == [unpaid.code]
    assert obligations_poll(now=clock.now).confirmed == ()
    reads = MessageLog.objects.filter(service="thue.payment.read")
    assert reads.count() == 5 and set(reads.values_list("party", flat=True)) == {"motcua"}
    assert log_verify()[1] is None


def test_an_earlier_transfer_does_not_answer_for_a_new_obligation(sim, land, people, clock):
    dossier = land()
    transfer(dossier)
    deliver(clock)
    sim.control(f"/_sim/thue/pay/{dossier.code}")
    assert obligations_poll(now=clock.now).confirmed == (dossier.code,)
    clock.now += datetime.timedelta(hours=1)
    act(dossier, "request_obligation", people["specialist"], note="Nộp thêm phí")
    # Awaiting again, for something not sent to the tax authority: the poll leaves it.
    assert list(awaiting_transferred()) == []


def test_a_dossier_someone_else_moved_meanwhile_is_skipped(sim, land, people, clock, monkeypatch):
    dossier = land()
    transfer(dossier)
    deliver(clock)
    sim.control(f"/_sim/thue/pay/{dossier.code}")
    read = adapter.payment

    def desk_confirms_meanwhile(*, dossier_code: str) -> Any:
        act(dossier, "confirm_obligation", people["desk"])  # the desk saw the receipt
        return read(dossier_code=dossier_code)

    monkeypatch.setattr(adapter, "payment", desk_confirms_meanwhile)
    poll = obligations_poll(now=clock.now)
    assert (poll.checked, poll.confirmed) == (1, ())
    dossier.refresh_from_db()
    assert dossier.status == "processing"
    assert dossier.events.filter(action="confirm_obligation").count() == 1


def test_a_partner_down_interrupts_the_poll_and_the_transfer_waits(sim, land, clock):
    dossier = land()
    message = transfer(dossier)
    sim.knobs("thue", down=True)
    deliver(clock)
    message.refresh_from_db()
    # Even the sign-in failed (the token endpoint is down too): no status, the error says why.
    assert message.status == "pending" and "503" in message.last_error
    with pytest.raises(TaxError, match="đang chờ gửi"):
        tax_payment(dossier=dossier)  # not delivered yet: refused before any call
    sim.knobs("thue", down=False)
    clock.now += datetime.timedelta(minutes=5)
    deliver(clock)
    sim.control(f"/_sim/thue/pay/{dossier.code}")
    sim.knobs("thue", down=True)
    poll = obligations_poll(now=clock.now)
    assert (poll.checked, poll.confirmed, poll.interrupted) == (1, (), True)
    row = MessageLog.objects.filter(service="thue.payment.read").get()
    assert (row.response_status, row.outcome) == (503, "retry")
    sim.knobs("thue", down=False)
    assert obligations_poll(now=clock.now).confirmed == (dossier.code,)
    assert log_verify()[1] is None
