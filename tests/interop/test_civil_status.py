"""Civil-status dossiers and the Ministry of Justice simulator: the registration built from
the dossier and delivered through the outbox, its status and register entry read back by the
officers who may see the dossier, and the message log."""

import datetime
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.db import transaction

from egov.dossiers.errors import DossierNotFoundError
from egov.dossiers.services import dossier_create
from egov.interop.adapters import civil_status as adapter
from egov.interop.models import MessageLog, OutboxMessage
from egov.interop.services.civil_status import (
    CivilStatusError,
    civil_status_queue,
    civil_status_result,
    civil_status_status,
    is_civil_status,
)
from egov.interop.services.delivery import deliver_due
from egov.interop.services.log import log_verify
from egov.interop.services.population import PartnerUnavailableError
from tests.dossiers.conftest import CITIZEN, act

TRICKY_NAME = 'Nguyễn <Bé> & "Tí" \x07'


def deliver(clock: Any) -> int:
    return deliver_due(worker="w", batch=50, max_seconds=10, clock=lambda: clock.now)


@pytest.fixture
def birth(procedures, people, clock):
    """A birth registration received at the Long Xuyên desk, with its e-form, in processing."""
    dossier = dossier_create(
        actor=people["desk"],
        procedure_code="1.001193",
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
        form_data={"child_full_name": TRICKY_NAME, "child_gender": "female"},
    )
    act(dossier, "transfer", people["desk"])
    dossier.refresh_from_db()
    return dossier


def queue(dossier: Any) -> OutboxMessage:
    # As the transfer's handler would, inside the change's transaction.
    with transaction.atomic():
        return civil_status_queue(dossier=dossier)


def registration(sim_server: Any, code: str) -> Any:
    with sim_server.state.lock:
        return sim_server.state.hotich.registrations.get(code)


def test_the_registration_carries_the_dossier_as_the_moj_expects(birth):
    message = queue(birth)
    assert (message.system, message.topic) == ("hotich", "hotich.register")
    assert message.ordering_key == f"hotich:{birth.pk}"
    assert message.idempotency_key == f"hotich:{birth.pk}:register"
    payload = message.payload
    assert payload["maDonVi"] == 30307  # the desk's commune code
    assert payload["module"] == "KS"
    assert payload["maHoSo"] == birth.code
    assert payload["ngayTiepNhan"] == "20261116080000"  # Vietnam time
    root = ET.fromstring(payload["data"])  # noqa: S314 - our own document
    assert (root.tag, root.get("module"), root.get("maHoSo")) == ("HoSoHoTich", "KS", birth.code)
    assert root.findtext("NguoiYeuCau/HoTen") == "Nguyễn Thị Ánh Tuyết"
    assert root.findtext("NguoiYeuCau/NgaySinh") == "17/05/2001"
    assert root.findtext("NguoiYeuCau/GioiTinh") == "2"
    assert root.findtext("NguoiYeuCau/SoDinhDanh") == "089301000123"
    assert root.findtext("NguoiYeuCau/NoiCuTru/MaXa") == "30307"
    child = root.find("ToKhai/Truong[@ma='child_full_name']")
    assert child is not None and child.get("ten") == "Họ, chữ đệm và tên của trẻ"
    # Escaped by ElementTree; the bell, which XML cannot carry, is dropped.
    assert child.text == 'Nguyễn <Bé> & "Tí" '
    assert "&lt;Bé&gt; &amp;" in payload["data"]
    # Queued once: asking again gives the same message.
    assert queue(birth).pk == message.pk
    assert OutboxMessage.objects.filter(topic="hotich.register").count() == 1


def test_only_births_deaths_and_marriages_go_to_the_moj(procedures, people, birth):
    record = dossier_create(
        actor=people["province_desk"],
        procedure_code="2.001417",  # a criminal record certificate: sector LLTP
        channel="counter",
        applicant=CITIZEN,
        return_method="counter",
    )
    assert is_civil_status(birth) and not is_civil_status(record)
    with pytest.raises(CivilStatusError, match="khai sinh, khai tử, kết hôn"):
        queue(record)
    assert adapter.MODULES == {"1.001193": "KS", "1.000656": "KT", "1.000894": "KH"}


def test_the_outbox_delivers_the_registration_and_officers_read_it_back(
    sim, sim_server, birth, people, clock
):
    specialist = people["specialist"]
    message = queue(birth)
    with pytest.raises(CivilStatusError, match="đang chờ gửi"):
        civil_status_status(actor=specialist, dossier=birth)
    deliver(clock)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("delivered", 1)
    found = registration(sim_server, birth.code)
    assert (found.ma_don_vi, found.module) == (30307, "KS")
    assert sim_server.state.hotich.effects[birth.code] == 1
    sent = MessageLog.objects.get(service="hotich.register")
    assert (sent.party, sent.outcome, sent.outbox_id) == ("motcua", "ok", message.pk)

    state = civil_status_status(actor=specialist, dossier=birth)
    assert (state.code, state.text, state.registered) == (1, "Đã tiếp nhận, chờ xử lý", False)
    with pytest.raises(CivilStatusError, match="chưa được đăng ký xong"):
        civil_status_result(actor=specialist, dossier=birth)

    book = sim.control(f"/_sim/hotich/complete/{birth.code}")
    assert civil_status_status(actor=specialist, dossier=birth).registered
    result = civil_status_result(actor=people["leader"], dossier=birth)
    assert (result.number, result.page, result.module) == ("1", "1", "KS")
    assert result.book == book["quyenSo"]
    assert result.registered_on == datetime.date.fromisoformat(book["ngayDangKy"])

    reads = MessageLog.objects.exclude(
        service__in=["hotich.register", "dvcqg.dossier.sync", "csdldc.person.lookup"]
    )
    reads = reads.exclude(system="notify").order_by("seq")
    assert list(reads.values_list("service", "party", "response_status", "outcome")) == [
        ("hotich.status", "motcua:chuyenvien.xa", 200, "ok"),
        ("hotich.result", "motcua:chuyenvien.xa", 409, "rejected"),
        ("hotich.status", "motcua:chuyenvien.xa", 200, "ok"),
        ("hotich.result", "motcua:lanhdao.xa", 200, "ok"),
    ]
    # The status carries no personal data: its bodies are kept as they were.
    assert '"maDonVi": 30307' in reads.first().request_body
    count, problem = log_verify()
    assert problem is None and count == MessageLog.objects.count()


def test_a_dossier_asked_for_more_papers_says_what_is_missing(sim, birth, people, clock):
    message = queue(birth)
    data = ET.fromstring(message.payload["data"])  # noqa: S314 - our own document
    ET.SubElement(data, "CanBoSung").text = "Thiếu Giấy chứng sinh"
    message.payload["data"] = ET.tostring(data, encoding="unicode")
    message.save(update_fields=["payload"])
    deliver(clock)
    state = civil_status_status(actor=people["specialist"], dossier=birth)
    assert state.needs_supplement and state.text == "Thiếu Giấy chứng sinh"


def test_only_staff_who_may_view_the_dossier_read_it(sim, birth, people, clock):
    queue(birth)
    deliver(clock)
    rows = MessageLog.objects.count()
    with pytest.raises(DossierNotFoundError):
        civil_status_status(actor=people["province_desk"], dossier=birth)  # another desk
    with pytest.raises(DossierNotFoundError):
        civil_status_result(actor=people["justice"], dossier=birth)
    assert MessageLog.objects.count() == rows
    # The auditor reads every agency's records.
    assert civil_status_status(actor=people["auditor"], dossier=birth).code == 1


def test_a_registration_never_sent_cannot_be_read(sim, counter_dossier, people):
    # Received, not yet transferred to processing: nothing was sent to the ministry.
    with pytest.raises(CivilStatusError, match="chưa được gửi"):
        civil_status_status(actor=people["desk"], dossier=counter_dossier)


def test_a_partner_down_gives_a_clear_error_and_a_retry_row(sim, birth, people, clock):
    queue(birth)
    deliver(clock)
    sim.knobs("hotich", down=True)
    with pytest.raises(PartnerUnavailableError, match="Phần mềm hộ tịch"):
        civil_status_status(actor=people["specialist"], dossier=birth)
    row = MessageLog.objects.filter(service="hotich.status").get()
    assert (row.response_status, row.outcome, row.party) == (503, "retry", "motcua:chuyenvien.xa")
    assert log_verify()[1] is None


def test_a_registration_sent_while_the_partner_is_down_arrives_later(sim, sim_server, birth, clock):
    sim.knobs("hotich", down=True)
    message = queue(birth)
    deliver(clock)
    message.refresh_from_db()
    assert (message.status, message.last_status) == ("pending", 503)
    sim.knobs("hotich", down=False)
    clock.now += datetime.timedelta(minutes=5)
    deliver(clock)
    message.refresh_from_db()
    assert message.status == "delivered"
    assert sim_server.state.hotich.effects[birth.code] == 1
    outcomes = MessageLog.objects.filter(service="hotich.register").order_by("seq")
    assert list(outcomes.values_list("outcome", flat=True)) == ["retry", "ok"]
