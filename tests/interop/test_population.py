"""Looking citizens up in the National Population Database simulator at the counter: the
answer as the form gets it, verification, refusals, a partner down or slow, the breaker, and
every call in the message log with the officer who asked."""

import datetime
import time
from typing import Any

import pytest

from egov.core.errors import NotAllowedError
from egov.interop.adapters import http
from egov.interop.adapters.population import PersonMismatchError, PersonNotFoundError
from egov.interop.models import MessageLog, SystemHealth
from egov.interop.services.log import log_verify
from egov.interop.services.population import (
    UNAVAILABLE,
    PartnerUnavailableError,
    PersonLookupError,
    person_lookup,
    person_verify,
)
from tests.conftest import PROVINCE

# The simulator derives this person from the number alone (sims/README.md §2).
NUMBER = "089095001234"
NAME = "Đinh Trọng Dũng"
BORN = datetime.date(1995, 12, 30)


def asked(sim_server: Any) -> int:
    return sim_server.state.csdldc.requests["tracuu"]


def test_a_reception_officer_gets_the_person_and_the_call_is_logged(sim, people, clock):
    person = person_lookup(actor=people["desk"], id_number=NUMBER)
    assert (person.id_number, person.full_name, person.birth_date) == (NUMBER, NAME, BORN)
    assert person.gender == "male"
    assert (person.ward_code, person.province_code) == (30301, 91)
    assert person.street == "Số 213 đường Nguyễn Thái Học, phường Mỹ Thới, tỉnh An Giang"
    assert person.hometown == "xã Tịnh Biên, tỉnh An Giang"
    assert (person.nationality, person.ethnicity) == ("VN", "Kinh")
    row = MessageLog.objects.get()
    assert (row.direction, row.system, row.service, row.party) == (
        "out",
        "csdldc",
        "csdldc.person.lookup",
        "motcua:tiepnhan.xa",
    )
    assert (row.response_status, row.response_code, row.outcome, row.at) == (
        200,
        "0",
        "ok",
        clock.now,
    )
    # Personal data: only digests are kept by default.
    assert row.request_body == row.response_body == "" and len(row.request_digest) == 64
    assert log_verify() == (1, None)


def test_verification_says_whether_name_and_birth_date_match(sim, people):
    desk = people["desk"]
    assert person_verify(
        actor=desk, id_number=NUMBER, full_name="đinh  trọng dũng", birth_date=BORN
    )
    assert not person_verify(
        actor=desk, id_number=NUMBER, full_name="Đinh Văn Dũng", birth_date=BORN
    )
    assert not person_verify(
        actor=desk, id_number=NUMBER, full_name=NAME, birth_date=datetime.date(1995, 12, 29)
    )
    # Nobody holds a number ending in 999999 in the simulator.
    assert not person_verify(actor=desk, id_number="089095999999", full_name=NAME, birth_date=BORN)
    with pytest.raises(PersonMismatchError, match="không khớp"):
        person_lookup(actor=desk, id_number=NUMBER, full_name="Đinh Văn Dũng")
    with pytest.raises(PersonNotFoundError, match="Không tìm thấy công dân"):
        person_lookup(actor=desk, id_number="089095999999")
    assert list(MessageLog.objects.order_by("seq").values_list("response_code", "outcome")) == [
        ("0", "ok"),
        ("500", "ok"),
        ("500", "ok"),
        ("201", "rejected"),
        ("500", "ok"),
        ("201", "rejected"),
    ]
    assert log_verify() == (6, None)


def test_a_number_that_cannot_be_right_is_refused_before_any_call(sim, sim_server, people):
    with pytest.raises(PersonLookupError, match="12 chữ số") as caught:
        person_lookup(actor=people["desk"], id_number="08909500123")
    assert "applicant.id_number" in caught.value.fields
    with pytest.raises(PersonLookupError, match="năm sinh"):
        person_lookup(actor=people["desk"], id_number=NUMBER, birth_date=datetime.date(1996, 1, 1))
    assert asked(sim_server) == 0 and not MessageLog.objects.exists()


def test_only_reception_officers_and_province_admins_look_people_up(
    sim, sim_server, people, staff, django_user_model
):
    for someone in (people["specialist"], people["leader"], people["auditor"]):
        with pytest.raises(NotAllowedError, match="cán bộ tiếp nhận"):
            person_lookup(actor=someone, id_number=NUMBER)
    citizen = django_user_model.objects.create_user("congdan", password="x")
    with pytest.raises(NotAllowedError):
        person_verify(actor=citizen, id_number=NUMBER, full_name=NAME, birth_date=BORN)
    assert asked(sim_server) == 0 and not MessageLog.objects.exists()
    admin = staff("quantri", PROVINCE, "province_admin")
    assert person_lookup(actor=admin, id_number=NUMBER).full_name == NAME
    assert person_lookup(actor=people["province_desk"], id_number=NUMBER).full_name == NAME
    assert list(MessageLog.objects.order_by("seq").values_list("party", flat=True)) == [
        "motcua:quantri",
        "motcua:tiepnhan.tinh",
    ]


def test_a_partner_down_gives_a_clear_error_and_a_retry_row(sim, people):
    sim.knobs("csdldc", down=True)
    with pytest.raises(PartnerUnavailableError) as caught:
        person_lookup(actor=people["desk"], id_number=NUMBER)
    assert caught.value.message == UNAVAILABLE
    assert caught.value.message == (
        "CSDL quốc gia về dân cư đang không trả lời; hãy nhập tay và thử lại sau."
    )
    row = MessageLog.objects.get()
    assert (row.response_status, row.response_code, row.outcome, row.party) == (
        503,
        "503",
        "retry",
        "motcua:tiepnhan.xa",
    )
    health = SystemHealth.objects.get(system__code="csdldc")
    assert (health.breaker, health.consecutive_failures) == ("closed", 1)
    assert "503" in health.last_error
    assert log_verify() == (1, None)


def test_a_slow_partner_times_out_quickly(sim, people, settings):
    settings.MOTCUA_LGSP_TIMEOUT_SECONDS = 0.3
    http.reset_clients()  # the client keeps the time-out it was made with
    sim.knobs("csdldc", latency_ms=2000)
    started = time.monotonic()
    with pytest.raises(PartnerUnavailableError, match="nhập tay"):
        person_lookup(actor=people["desk"], id_number=NUMBER)
    assert time.monotonic() - started < 1.5
    row = MessageLog.objects.get()
    assert (row.response_status, row.outcome) == (None, "retry")


def test_the_breaker_opens_spares_the_partner_and_closes_on_a_good_probe(
    sim, sim_server, people, clock, settings
):
    sim.knobs("csdldc", down=True)
    for _ in range(settings.MOTCUA_BREAKER_FAILURES):
        with pytest.raises(PartnerUnavailableError):
            person_lookup(actor=people["desk"], id_number=NUMBER)
    health = SystemHealth.objects.get(system__code="csdldc")
    assert health.breaker == "open"
    calls, rows = asked(sim_server), MessageLog.objects.count()
    assert (calls, rows) == (settings.MOTCUA_BREAKER_FAILURES,) * 2
    # Open: answered at once, the partner not called, nothing to log.
    sim.knobs("csdldc", down=False)
    with pytest.raises(PartnerUnavailableError, match="nhập tay"):
        person_lookup(actor=people["desk"], id_number=NUMBER)
    assert (asked(sim_server), MessageLog.objects.count()) == (calls, rows)
    # After the cool-down one look-up goes through as the probe; its success closes it.
    clock.now += datetime.timedelta(seconds=settings.MOTCUA_BREAKER_SECONDS + 1)
    assert person_lookup(actor=people["desk"], id_number=NUMBER).full_name == NAME
    health.refresh_from_db()
    assert (health.breaker, health.consecutive_failures) == ("closed", 0)
    assert person_lookup(actor=people["desk"], id_number=NUMBER).full_name == NAME
    assert log_verify() == (rows + 2, None)


def test_a_failed_probe_opens_the_breaker_again_for_longer(sim, people, clock, settings):
    sim.knobs("csdldc", down=True)
    for _ in range(settings.MOTCUA_BREAKER_FAILURES):
        with pytest.raises(PartnerUnavailableError):
            person_lookup(actor=people["desk"], id_number=NUMBER)
    first = SystemHealth.objects.get(system__code="csdldc").breaker_until
    clock.now = first + datetime.timedelta(seconds=1)
    with pytest.raises(PartnerUnavailableError):
        person_lookup(actor=people["desk"], id_number=NUMBER)  # the probe, still down
    health = SystemHealth.objects.get(system__code="csdldc")
    assert health.breaker == "open" and health.trips == 2
    cooldown = datetime.timedelta(seconds=2 * settings.MOTCUA_BREAKER_SECONDS)
    assert health.breaker_until == clock.now + cooldown
