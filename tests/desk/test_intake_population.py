"""The counter and the National Population Database (simulator): the officer looks the
applicant up to fill the form, and the dossier is marked verified when what is finally
submitted matches the database; a partner that is down never stops the intake."""

import copy
import html
import io
import json
import re
import socket
import time

import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from egov.dossiers.models import Dossier
from egov.interop.models import MessageLog, OutboxMessage
from egov.interop.services.population import UNAVAILABLE
from tests.conftest import PASSWORD
from tests.interop.conftest import registry, sim, sim_server

__all__ = ["registry", "sim", "sim_server"]

pytestmark = pytest.mark.django_db

# The simulator derives this person from the number alone (sims/README.md §2).
NUMBER = "089095001234"
NAME = "Đinh Trọng Dũng"
STREET = "Số 213 đường Nguyễn Thái Học, phường Mỹ Thới, tỉnh An Giang"
# What the officer types at the counter for him: the database's own details.
MATCHING = {
    "token": "b" * 32,
    "applicant_type": "1",
    "id_number": NUMBER,
    "full_name": NAME,
    "date_of_birth": "1995-12-30",
    "gender": "male",
    "phone": "0912345678",
    "ward_code": "30307",
    "street": "12 Trần Hưng Đạo",
    "return_method": "counter",
    "decision": "receive",
    # The papers: the declaration and the birth note, originals checked at the counter.
    "original_TP01": "on",
    "original_TP02": "on",
    "f_child_full_name": "Đinh Gia Bảo",
    "f_child_gender": "male",
}
CSDLDC = [{"MaCSDL": "CSDLDC", "TenCSDL": "Cơ sở dữ liệu quốc gia về dân cư"}]


@pytest.fixture
def desk(client, procedures, people, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people["desk"])
    return client


def lookups() -> list[tuple[str, str, str, str]]:
    return list(
        MessageLog.objects.filter(service="csdldc.person.lookup")
        .order_by("seq")
        .values_list("party", "response_code", "outcome", "direction")
    )


def fill_of(page: str) -> dict[str, str]:
    found = re.search(r'data-fill="([^"]*)"', page)
    assert found, page
    return json.loads(html.unescape(found.group(1)))


def intake(client, **changes: str) -> Dossier:
    response = client.post(reverse("desk:intake_form", args=["1.001193"]), {**MATCHING, **changes})
    assert response.status_code == 302, response.content.decode()
    return Dossier.objects.get()


def portal_payload(dossier: Dossier) -> dict:
    message = OutboxMessage.objects.filter(
        topic="dvcqg.dossier.sync", idempotency_key__startswith=f"dvcqg:{dossier.pk}:"
    ).latest("pk")
    return message.payload


def test_the_form_has_the_look_up_button(desk):
    page = desk.get(reverse("desk:intake_form", args=["1.001193"])).content.decode()
    assert "Tra cứu CSDL dân cư" in page
    assert f'hx-post="{reverse("desk:intake_population")}"' in page
    assert 'id="dan-cu" aria-live="polite"' in page


def test_the_look_up_fills_the_form_from_the_database(sim, desk):
    response = desk.post(reverse("desk:intake_population"), {"id_number": NUMBER})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert NAME in page and "30/12/1995" in page and STREET in page
    assert "<dd>Nam</dd>" in page
    assert "Điền vào tờ khai" in page
    assert fill_of(page) == {
        "full_name": NAME,
        "date_of_birth": "1995-12-30",
        "gender": "male",
        "ward_code": 30301,
        "street": "Số 213 đường Nguyễn Thái Học",  # the ward and province go by the code
    }
    # The fill's keys are the form's own fields (the button sets `id_<name>`).
    form = desk.get(reverse("desk:intake_form", args=["1.001193"])).content.decode()
    for name in fill_of(page):
        assert f'id="id_{name}"' in form
    assert lookups() == [("motcua:tiepnhan.xa", "0", "ok", "out")]


def test_the_filled_address_is_written_once_on_the_receipt(sim, desk):
    """ "Điền vào tờ khai", then receive: the database's residence line already names the
    ward and the province; Mẫu 01 writes them once."""
    page = desk.post(reverse("desk:intake_population"), {"id_number": NUMBER}).content.decode()
    fill = fill_of(page)
    dossier = intake(desk, ward_code=str(fill["ward_code"]), street=fill["street"])
    assert dossier.applicant_street == "Số 213 đường Nguyễn Thái Học"
    slip = desk.get(f"/api/v1/dossiers/{dossier.code}/forms/01.pdf")  # the page's "In phiếu"
    assert slip.status_code == 200, slip.content[:300]
    text = " ".join(pypdf.PdfReader(io.BytesIO(slip.content)).pages[0].extract_text().split())
    assert "Địa chỉ: Số 213 đường Nguyễn Thái Học, phường Mỹ Thới, tỉnh An Giang Số" in text
    assert text.count("Mỹ Thới") == 1


def test_a_number_the_database_does_not_know(sim, desk):
    page = desk.post(
        reverse("desk:intake_population"), {"id_number": "089095999999"}
    ).content.decode()
    assert 'role="alert"' in page
    assert "Không tìm thấy công dân có số định danh này" in page
    assert "Điền vào tờ khai" not in page
    assert lookups() == [("motcua:tiepnhan.xa", "201", "rejected", "out")]


def test_a_number_that_cannot_be_right_is_not_sent(sim, desk):
    page = desk.post(reverse("desk:intake_population"), {"id_number": "123"}).content.decode()
    assert 'role="alert"' in page and "12 chữ số" in page
    assert lookups() == []


def test_only_reception_officers_look_people_up(sim, client, people, procedures):
    url = reverse("desk:intake_population")
    for other in ("specialist", "leader", "auditor"):
        client.force_login(people[other])
        assert client.post(url, {"id_number": NUMBER}).status_code == 403
    client.force_login(people["desk"])
    assert client.get(url, {"id_number": NUMBER}).status_code == 405  # never in a URL
    client.logout()
    assert client.post(url, {"id_number": NUMBER}).status_code == 302  # to sign-in
    assert lookups() == []


def test_the_look_up_needs_the_csrf_token(sim, people, procedures):
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(people["desk"])
    url = reverse("desk:intake_population")
    assert guarded.post(url, {"id_number": NUMBER}).status_code == 403
    token = guarded.get(reverse("desk:intake_form", args=["1.001193"])).cookies["csrftoken"]
    allowed = guarded.post(url, {"id_number": NUMBER}, headers={"X-CSRFToken": token.value})
    assert allowed.status_code == 200 and NAME in allowed.content.decode()


def test_a_partner_down_gives_the_message_and_the_page_still_works(sim, desk):
    sim.knobs("csdldc", down=True)
    response = desk.post(reverse("desk:intake_population"), {"id_number": NUMBER})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page and UNAVAILABLE in page
    assert lookups() == [("motcua:tiepnhan.xa", "503", "retry", "out")]
    form = desk.get(reverse("desk:intake_form", args=["1.001193"]))
    assert form.status_code == 200 and "Tra cứu CSDL dân cư" in form.content.decode()


def test_an_intake_matching_the_database_is_verified(sim, desk):
    dossier = intake(desk)
    assert dossier.status == "received" and dossier.population_verified
    assert lookups() == [("motcua:tiepnhan.xa", "0", "ok", "out")]
    assert portal_payload(dossier)["DSKetNoiCSDL"] == CSDLDC
    page = desk.get(reverse("desk:dossier", args=[dossier.code])).content.decode()
    assert "Đã đối chiếu với CSDL quốc gia về dân cư" in page


def test_a_name_that_differs_is_not_verified_whatever_the_browser_says(sim, desk):
    # The officer looked the right person up, then typed another name; the form also
    # carries a forged flag, which nothing reads.
    desk.post(reverse("desk:intake_population"), {"id_number": NUMBER})
    dossier = intake(desk, full_name="Đinh Trọng Dũng Em", population_verified="on")
    assert dossier.status == "received" and not dossier.population_verified
    assert lookups() == [
        ("motcua:tiepnhan.xa", "0", "ok", "out"),  # the look-up on the form
        ("motcua:tiepnhan.xa", "500", "ok", "out"),  # the check at submission: no match
    ]
    assert portal_payload(dossier)["DSKetNoiCSDL"] == []
    page = desk.get(reverse("desk:dossier", args=[dossier.code])).content.decode()
    assert "Đã đối chiếu với CSDL quốc gia về dân cư" not in page


def test_a_partner_down_never_stops_the_intake(sim, desk):
    sim.knobs("csdldc", down=True)
    dossier = intake(desk)
    assert dossier.status == "received" and not dossier.population_verified
    assert lookups() == [("motcua:tiepnhan.xa", "503", "retry", "out")]
    assert portal_payload(dossier)["DSKetNoiCSDL"] == []


def test_a_database_nobody_answers_at_fails_fast_and_the_intake_goes_on(desk, settings):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    systems = copy.deepcopy(settings.MOTCUA_LGSP_SYSTEMS)
    systems["csdldc"]["url"] = f"http://127.0.0.1:{port}/csdldc"
    settings.MOTCUA_LGSP_SYSTEMS = systems
    started = time.monotonic()
    dossier = intake(desk)
    assert time.monotonic() - started < 5  # refused at once, not the 10 s time-out
    assert dossier.status == "received" and not dossier.population_verified
    assert lookups() == [("motcua:tiepnhan.xa", "", "retry", "out")]


def test_an_organisation_is_not_looked_up(sim, desk):
    intake(
        desk,
        applicant_type="4",
        id_number="",
        date_of_birth="",
        gender="",
        full_name="Hội Nông dân phường Long Xuyên",
    )
    assert not Dossier.objects.get().population_verified
    assert lookups() == []


def test_a_counter_dossier_through_the_api_is_verified_too(sim, client, people, procedures, clock):
    token = client.post(
        "/api/v1/auth/token",
        {"username": "tiepnhan.xa", "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    body = {
        "procedure": "1.001193",
        "channel": "counter",
        "return_method": "counter",
        "applicant": {
            "type": 1,
            "full_name": NAME,
            "id_number": NUMBER,
            "date_of_birth": "1995-12-30",
            "gender": "male",
            "address": {"ward_code": 30307, "street": "12 Trần Hưng Đạo"},
        },
        "form_data": {"child_full_name": "Đinh Gia Bảo"},
        "papers": [{"component": "TP01"}, {"component": "TP02"}],
    }
    response = client.post(
        "/api/v1/dossiers",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.content
    assert Dossier.objects.get().population_verified
    assert lookups() == [("motcua:tiepnhan.xa", "0", "ok", "out")]
