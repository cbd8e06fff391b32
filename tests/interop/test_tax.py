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
from egov.interop.adapters import http
from egov.interop.adapters import tax as adapter
from egov.interop.models import MessageLog, OutboxMessage, TaxNotice
from egov.interop.services.delivery import deliver_due
from egov.interop.services.log import log_verify
from egov.interop.services.tax import (
    TaxError,
    awaiting_transferred,
    obligations_poll,
    payment_problem,
    tax_notice_current,
    tax_notice_record,
    tax_obligation,
    tax_payment,
    tax_transfer_queue,
)
from egov.notifications.models import StaffNotification
from tests.conftest import BIRTH, PROVINCE, catalogue
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


def alerts() -> Any:
    """The bus's alerts to staff, not the hand-over notices the dossier's moves also give."""
    return StaffNotification.objects.exclude(title__endswith=" chờ bạn xử lý")


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
        act(dossier, "request_obligation", people["leader"], note="Lệ phí trước bạ")
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
    with pytest.raises(TaxError, match="quá lớn"):
        transfer(dossier, taxable_value=10**18)
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
    assert (event.action, event.actor, event.actor_label.casefold()) == (
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
    act(dossier, "request_obligation", people["leader"], note="Nộp thêm phí")
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


def test_the_notice_is_kept_when_the_transfer_is_delivered(sim, land, people, clock):
    dossier = land()
    message = transfer(dossier)
    assert tax_notice_current(dossier=dossier) is None  # not sent yet
    deliver(clock)
    kept = TaxNotice.objects.get(dossier=dossier)
    read = tax_obligation(actor=people["specialist"], dossier=dossier)
    assert (kept.number, kept.total, kept.due_date, kept.transfer) == (
        read.notice_number,
        read.total,
        read.due_date,
        message,
    )
    assert kept.total == 6_173_000
    assert tax_notice_current(dossier=dossier) == kept
    # Paid and confirmed; a later obligation of the same dossier is not answered by it.
    sim.control(f"/_sim/thue/pay/{dossier.code}")
    assert obligations_poll(now=clock.now).confirmed == (dossier.code,)
    clock.now += datetime.timedelta(hours=1)
    act(dossier, "request_obligation", people["leader"], note="Nộp thêm phí")
    dossier.refresh_from_db()
    assert tax_notice_current(dossier=dossier) is None


def test_the_poll_leaves_a_payment_of_another_amount_and_tells_the_desk(
    sim, land, people, staff, clock
):
    admin = staff("quantri", PROVINCE, "province_admin")
    dossier = land()
    transfer(dossier)
    deliver(clock)
    notice = TaxNotice.objects.get(dossier=dossier)
    # The tax authority sets the obligation again on its side, on another value, and the
    # applicant pays that: not what its notice to the province asked.
    corrected = http.call(
        "thue",
        "POST",
        "/api/hoso",
        body={
            "maHoSo": dossier.code,
            "loaiNghiaVu": "LPTB",
            "nguoiNopThue": CITIZEN.name,
            "giaTriTinhThue": 1_000_000_000,
        },
        idempotency_key="thue-sua-1",
    )
    assert corrected.body["tongTien"] == 5_000_000
    sim.control(f"/_sim/thue/pay/{dossier.code}")
    dossier.refresh_from_db()
    before = (dossier.status, dossier.version, dossier.event_seq)

    poll = obligations_poll(now=clock.now)
    assert (poll.checked, poll.confirmed, poll.disputed) == (1, (), (dossier.code,))
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version, dossier.event_seq) == before
    assert not dossier.events.filter(action="confirm_obligation").exists()
    read = MessageLog.objects.filter(service="thue.payment.read").latest("seq")
    assert (read.direction, read.response_status, read.outcome) == ("out", 200, "disputed")
    told = alerts().order_by("recipient__username")
    assert [n.recipient for n in told] == [people["leader"], people["desk"]]
    assert admin not in {n.recipient for n in told}
    alert = told[0]
    assert dossier.code in alert.title
    assert "5.000.000 đồng" in alert.body and "6.173.000 đồng" in alert.body
    assert notice.number in alert.body and "Khi tra cứu" in alert.body
    assert alert.link == f"/can-bo/ho-so/{dossier.code}/"

    # The next poll reads it again: logged again, the desk not told twice the same day.
    clock.now += datetime.timedelta(minutes=10)
    assert obligations_poll(now=clock.now).disputed == (dossier.code,)
    reads = MessageLog.objects.filter(service="thue.payment.read").order_by("seq")
    assert [r.outcome for r in reads] == ["disputed", "disputed"]
    assert alerts().count() == 2
    # The desk checks with the tax authority and confirms by hand.
    act(dossier, "confirm_obligation", people["desk"])
    dossier.refresh_from_db()
    assert dossier.status == "processing"
    assert log_verify()[1] is None


def test_the_poll_tells_when_the_tax_authority_has_no_obligation_of_a_dossier(
    sim, land, people, staff, clock
):
    admin = staff("quantri", PROVINCE, "province_admin")
    dossier = land()
    transfer(dossier)
    deliver(clock)
    sim.control("/_sim/reset")  # the tax authority no longer knows the dossier it was sent
    dossier.refresh_from_db()
    before = (dossier.status, dossier.version, dossier.event_seq)

    poll = obligations_poll(now=clock.now)
    assert (poll.checked, poll.confirmed, poll.disputed, poll.interrupted) == (1, (), (), False)
    dossier.refresh_from_db()
    assert (dossier.status, dossier.version, dossier.event_seq) == before
    read = MessageLog.objects.filter(service="thue.payment.read").latest("seq")
    assert (read.response_status, read.outcome) == (404, "rejected")
    # Its desk, and the province administrators: the tax authority took its information.
    told = alerts().order_by("recipient__username")
    assert [n.recipient for n in told] == [people["leader"], admin, people["desk"]]
    assert dossier.code in told[0].title and "không có nghĩa vụ tài chính" in told[0].body
    assert told[0].link == f"/can-bo/ho-so/{dossier.code}/"
    clock.now += datetime.timedelta(minutes=10)
    obligations_poll(now=clock.now)
    assert alerts().count() == 3  # told once a day, not at every poll


@pytest.mark.parametrize(
    "answer",
    [
        b"<html>502 Bad Gateway</html>",
        b'{"error_code": "0", "maHoSo": "x"}',
        b'{"error_code": "0", "maHoSo": "x", "soThongBao": "TB-1", "loaiNghiaVu": "LPTB", '
        b'"giaTriTinhThue": 1, "ngayThongBao": "20261116", "tongTien": 1e40, '
        b'"hanNop": "20261216"}',
        b'{"error_code": "0", "maHoSo": "x", "soThongBao": "TB-1", "loaiNghiaVu": "LPTB", '
        b'"giaTriTinhThue": 1, "ngayThongBao": "20261116", "tongTien": 99999999999999999999, '
        b'"hanNop": "20261216"}',
        # JSON as Python reads it takes Infinity, which no integer is.
        b'{"error_code": "0", "maHoSo": "x", "soThongBao": "TB-1", "loaiNghiaVu": "LPTB", '
        b'"giaTriTinhThue": 1, "ngayThongBao": "20261116", "tongTien": Infinity, '
        b'"hanNop": "20261216"}',
        b'{"error_code": "0", "maHoSo": "x", "soThongBao": "TB-1", "loaiNghiaVu": "LPTB", '
        b'"giaTriTinhThue": -1, "ngayThongBao": "20261116", "tongTien": 6173000, '
        b'"hanNop": "20261216"}',
    ],
)
def test_an_answer_that_is_no_notice_keeps_none_and_no_payment_passes(land, clock, answer):
    dossier = land()
    message = transfer(dossier)
    attempt = http.Attempt("ok", 200, "0", "", 5, b"{}", answer)
    with transaction.atomic():
        tax_notice_record(message, attempt, clock.now)
    assert not TaxNotice.objects.exists()
    problem = payment_problem(dossier=dossier, amount=6_173_000)
    assert problem is not None and problem.notice is None
    assert "chưa có thông báo nộp tiền" in problem.text
