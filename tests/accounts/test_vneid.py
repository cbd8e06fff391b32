"""Citizens sign in with VNeID: the whole code flow against the simulator, and what goes wrong.

Django's test client plays the browser on MotCua's side (http://testserver), httpx on the
simulator's side; the view itself talks to the simulator over HTTP, as in production.
"""

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from egov.accounts import vneid
from egov.accounts.models import CitizenIdentity
from egov.accounts.selectors import citizen_identity
from egov.orgs.models import Membership
from sims import population
from sims.server import Config, SimServer, start_in_thread
from tests.conftest import CENTER

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/dang-nhap/vneid/ve/"
AN, MAI, COMPANY = "cd-1111", "cd-7890", "tc-1601234565"  # level 2, level 1, organisation


@pytest.fixture(scope="module")
def vneid_server() -> Iterator[SimServer]:
    server = start_in_thread(host="127.0.0.1", port=0, config=Config())
    yield server
    server.stop()


class Vneid:
    """The simulator as these tests drive it: its control endpoints and the person's choices."""

    def __init__(self, server: SimServer) -> None:
        self.server = server
        self.base_url = server.base_url
        self.http = httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=10)

    def control(self, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.http.post(path, json=body or {})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def knobs(self, **values: Any) -> None:
        self.control("/_sim/knobs", {"system": "vneid", **values})

    def fault(self, name: str) -> None:
        self.control("/_sim/vneid/faults", {"id_token": name})

    def choose(self, authorize_url: str, account: str | None) -> str:
        """Opens VNeID's page and picks the account (None: cancels); the redirect back."""
        assert authorize_url.startswith(f"{self.base_url}/vneid/authorize?")
        page = self.http.get(authorize_url)
        assert page.status_code == 200, page.text
        found = re.search(r'name="giao_dich" value="([^"]+)"', page.text)
        assert found
        form = {"giao_dich": found.group(1)}
        form.update({"tai_khoan": account} if account else {"thao_tac": "huy"})
        back = self.http.post("/vneid/authorize", data=form)
        assert back.status_code == 302
        location: str = back.headers["location"]
        assert location.startswith(CALLBACK)
        return location


@pytest.fixture
def sim(vneid_server: SimServer, settings: Any) -> Iterator[Vneid]:
    """A clean simulator that knows the test client's callback, and the settings naming it."""
    driver = Vneid(vneid_server)
    driver.control("/_sim/reset")
    driver.control("/_sim/vneid/redirect-uris", {"redirect_uris": [CALLBACK]})
    settings.MOTCUA_VNEID_ISSUER = f"{vneid_server.base_url}/vneid"
    settings.MOTCUA_VNEID_CLIENT_ID = "motcua-angiang"
    settings.MOTCUA_VNEID_CLIENT_SECRET = "vneid-demo-secret"
    vneid.reset_clients()
    yield driver
    driver.http.close()
    vneid.reset_clients()


def start(client: Client, sim: Vneid, **params: str) -> str:
    response = client.get(reverse("accounts:vneid_start"), params)
    assert response.status_code == 302, response.content.decode()
    location: str = response["Location"]
    return location


def back_to(client: Client, location: str) -> Any:
    """The browser following VNeID's redirect to MotCua's callback."""
    parts = urlsplit(location)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client: Client, sim: Vneid, account: str | None = AN, **params: str) -> Any:
    return back_to(client, sim.choose(start(client, sim, **params), account))


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def assert_refused(response: Any, status: int, message: str, client: Client) -> str:
    html = response.content.decode()
    assert response.status_code == status, html
    assert "Chưa đăng nhập được bằng VNeID" in html
    assert message in html
    assert signed_in_user(client) is None
    return html


# ---- success ---------------------------------------------------------------------------------


def test_a_level_2_citizen_signs_in(
    client: Client, sim: Vneid, django_assert_num_queries: Any
) -> None:
    before = client.session.session_key
    response = sign_in(client, sim)
    assert response.status_code == 302
    assert response["Location"] == "/ho-so-cua-toi/"
    user = signed_in_user(client)
    assert user is not None
    assert client.session.session_key != before  # a new session after the sign-in
    record = population.person("091200001111")
    assert record is not None
    identity = CitizenIdentity.objects.get(user=user)
    assert identity.kind == "person"
    assert (identity.level, identity.vneid_verified) == (2, True)
    assert identity.id_number == "091200001111"
    assert identity.full_name == record["HoVaTen"]
    assert identity.birth_date.strftime("%Y%m%d") == record["NgaySinh"]  # type: ignore[union-attr]
    assert identity.gender == "male"
    assert identity.ward_code == int(record["NoiThuongTru"]["MaXa"])
    assert identity.address == record["NoiThuongTru"]["ChiTiet"]
    assert re.fullmatch(r"0[0-9]{9}", identity.phone)
    assert identity.email.endswith("@example.com")
    assert (identity.org_tax_code, identity.org_name) == ("", "")
    assert identity.last_sign_in is not None
    assert user.username == f"vneid_{identity.subject}"
    assert not user.has_usable_password()
    assert user.get_full_name() == record["HoVaTen"]
    assert not user.is_staff
    with django_assert_num_queries(1):
        assert citizen_identity(user) == identity
    # The page header greets the citizen by name.
    assert record["HoVaTen"] in client.get(reverse("portal:home")).content.decode()


def test_a_level_1_citizen_is_not_vneid_verified(client: Client, sim: Vneid) -> None:
    assert sign_in(client, sim, MAI).status_code == 302
    identity = citizen_identity(signed_in_user(client))  # type: ignore[arg-type]
    assert identity is not None
    assert (identity.level, identity.vneid_verified) == (1, False)
    assert (identity.id_number, identity.gender) == ("089195007890", "female")


def test_an_organisation_signs_in_through_its_representative(client: Client, sim: Vneid) -> None:
    assert sign_in(client, sim, COMPANY).status_code == 302
    identity = citizen_identity(signed_in_user(client))  # type: ignore[arg-type]
    assert identity is not None
    assert identity.kind == "organisation" and identity.is_organisation
    assert (identity.org_tax_code, identity.org_name) == (
        "1601234565",
        "Công ty TNHH Nông sản Sông Hậu",
    )
    representative = population.person("089070006543")
    assert representative is not None
    assert (identity.id_number, identity.full_name) == ("089070006543", representative["HoVaTen"])
    assert identity.level == 2
    assert str(identity) == "Công ty TNHH Nông sản Sông Hậu (1601234565)"


def test_signing_in_again_updates_the_same_account(client: Client, sim: Vneid) -> None:
    sign_in(client, sim)
    first = CitizenIdentity.objects.get()
    client.post(reverse("accounts:logout"))
    assert signed_in_user(client) is None
    sign_in(client, sim)
    again = CitizenIdentity.objects.get()
    assert again.pk == first.pk and again.user_id == first.user_id
    assert again.last_sign_in > first.last_sign_in
    assert User.objects.filter(username__startswith="vneid_").count() == 1


def test_another_citizen_replaces_the_one_signed_in(client: Client, sim: Vneid) -> None:
    sign_in(client, sim)
    sign_in(client, sim, MAI)
    identity = citizen_identity(signed_in_user(client))  # type: ignore[arg-type]
    assert identity is not None and identity.id_number == "089195007890"


def test_the_citizen_goes_where_they_were_heading(client: Client, sim: Vneid) -> None:
    response = sign_in(client, sim, next="/tra-cuu/?ma=001.03.50.H01-261116-0001")
    assert response["Location"] == "/tra-cuu/?ma=001.03.50.H01-261116-0001"


@pytest.mark.parametrize(
    "target",
    [
        "https://gia-mao.example/",
        "//gia-mao.example/",
        "/\\gia-mao.example/",
        "http://testserver.gia-mao.example/",
        "javascript:alert(1)",
        "/ho-so\r\nSet-Cookie: x=1",
        "/" + "a" * 3000,
    ],
)
def test_next_never_leaves_the_site(client: Client, sim: Vneid, target: str) -> None:
    response = sign_in(client, sim, next=target)
    assert response.status_code == 302
    assert response["Location"] == "/ho-so-cua-toi/"


def test_control_characters_never_reach_the_sign_in(client: Client, sim: Vneid) -> None:
    """Refused before any view (egov.core.input_guard), in the start and in the callback."""
    for response in (
        client.get(reverse("accounts:vneid_start"), {"next": "\x00/"}),
        client.get(reverse("accounts:vneid_callback"), {"code": "a", "state": "\x00\x01"}),
    ):
        assert response.status_code == 400
        assert "ký tự điều khiển" in response.content.decode()
    assert signed_in_user(client) is None


def test_a_rotated_key_is_fetched_again(client: Client, sim: Vneid) -> None:
    assert sign_in(client, sim).status_code == 302  # the keys are read and kept
    client.post(reverse("accounts:logout"))
    sim.control("/_sim/vneid/rotate-key")
    assert sign_in(client, sim, MAI).status_code == 302  # a new kid: read again, verified
    assert signed_in_user(client) is not None


def test_citizens_are_not_sent_to_the_staff_second_factor(
    client: Client, sim: Vneid, settings: Any
) -> None:
    settings.MOTCUA_REQUIRE_2FA = True
    sign_in(client, sim)
    assert client.get(reverse("portal:home")).status_code == 200
    for path in ("/can-bo/", "/quan-tri/"):
        response = client.get(path)
        location = response.get("Location", "")
        assert reverse("accounts:verify") not in location
        assert reverse("accounts:enrol") not in location


# ---- refusals --------------------------------------------------------------------------------


def test_cancelling_at_vneid_signs_nobody_in(client: Client, sim: Vneid) -> None:
    response = sign_in(client, sim, None)
    html = assert_refused(response, 400, "Bạn đã hủy đăng nhập bằng VNeID", client)
    assert 'href="/dang-nhap/vneid/"' in html  # try again
    assert not CitizenIdentity.objects.exists()


def test_a_wrong_pkce_verifier_is_refused_by_vneid(client: Client, sim: Vneid) -> None:
    location = sim.choose(start(client, sim), AN)
    session = client.session
    (key,) = [k for k in session.keys() if k.startswith("_state_vneid_")]  # noqa: SIM118
    stored = session[key]
    stored["data"]["code_verifier"] = "v" * 64
    session[key] = stored
    session.save()
    response = back_to(client, location)
    assert_refused(response, 400, "mã ủy quyền đã dùng hoặc hết hạn", client)
    assert sim.http.get("/_sim/vneid/received").json()["signed_in"] == []


def test_a_replayed_code_is_refused(client: Client, sim: Vneid) -> None:
    location = sim.choose(start(client, sim), AN)
    assert back_to(client, location).status_code == 302
    # Someone else, holding the same code, starts a flow of their own and answers with it.
    thief = Client()
    state = parse_qs(urlsplit(start(thief, sim)).query)["state"][0]
    code = parse_qs(urlsplit(location).query)["code"][0]
    response = thief.get(reverse("accounts:vneid_callback"), {"code": code, "state": state})
    assert_refused(response, 400, "mã ủy quyền đã dùng hoặc hết hạn", thief)
    # The same callback again, in the session that used it: the flow is over.
    again = back_to(client, location)
    assert again.status_code == 400


def test_a_state_that_does_not_match_is_refused(client: Client, sim: Vneid) -> None:
    location = sim.choose(start(client, sim), AN)
    code = parse_qs(urlsplit(location).query)["code"][0]
    response = client.get(reverse("accounts:vneid_callback"), {"code": code, "state": "khac"})
    assert_refused(response, 400, "Phiên đăng nhập không khớp", client)
    # A callback in a browser that never started a flow (login CSRF).
    stranger = Client()
    assert_refused(back_to(stranger, location), 400, "Phiên đăng nhập không khớp", stranger)


@pytest.mark.parametrize(
    "fault", ["foreign_key", "wrong_issuer", "wrong_audience", "expired", "wrong_nonce"]
)
def test_an_id_token_that_cannot_be_trusted_is_refused(
    client: Client, sim: Vneid, fault: str
) -> None:
    sim.fault(fault)
    response = sign_in(client, sim)
    assert_refused(response, 502, "Phản hồi của VNeID không hợp lệ", client)
    assert not CitizenIdentity.objects.exists()


def test_discovery_for_another_issuer_is_refused(client: Client, sim: Vneid, settings: Any) -> None:
    # The same simulator reached as localhost: its discovery names 127.0.0.1.
    settings.MOTCUA_VNEID_ISSUER = f"http://localhost:{sim.server.port}/vneid"
    response = client.get(reverse("accounts:vneid_start"))
    assert_refused(response, 502, "Phản hồi của VNeID không hợp lệ", client)


def test_vneid_down_gives_a_page_with_a_retry_link(client: Client, sim: Vneid) -> None:
    sim.knobs(down=True)
    response = client.get(reverse("accounts:vneid_start"), {"next": "/tra-cuu/"})
    html = assert_refused(response, 502, "Không kết nối được với hệ thống định danh", client)
    assert 'href="/dang-nhap/vneid/?next=%2Ftra-cuu%2F"' in html


def test_vneid_going_down_during_the_sign_in(client: Client, sim: Vneid) -> None:
    location = sim.choose(start(client, sim), AN)
    sim.knobs(down=True)
    assert_refused(back_to(client, location), 502, "Không kết nối được", client)


def test_vneid_unreachable(client: Client, sim: Vneid, settings: Any) -> None:
    settings.MOTCUA_VNEID_ISSUER = "http://127.0.0.1:9/vneid"  # the discard port: nobody
    settings.MOTCUA_VNEID_TIMEOUT_SECONDS = 2
    response = client.get(reverse("accounts:vneid_start"))
    assert_refused(response, 502, "Không kết nối được", client)


def test_not_configured(client: Client, settings: Any) -> None:
    settings.MOTCUA_VNEID_ISSUER = ""
    response = client.get(reverse("accounts:vneid_start"))
    html = assert_refused(response, 503, "chưa được bật", client)
    assert "Thử đăng nhập lại" not in html
    assert "Đăng nhập bằng VNeID" not in client.get(reverse("accounts:login")).content.decode()


def test_a_staff_account_never_signs_in_with_vneid(
    client: Client, sim: Vneid, agencies: Any
) -> None:
    sign_in(client, sim)
    user = signed_in_user(client)
    assert user is not None
    client.post(reverse("accounts:logout"))
    # Later, someone gives that account a role: it is staff now, and VNeID will not open it.
    Membership.objects.create(user=user, agency=agencies[CENTER], role="reception")
    assert citizen_identity(user) is None
    response = sign_in(client, sim)
    html = assert_refused(response, 403, "tài khoản cán bộ", client)
    assert "Thử đăng nhập lại" not in html


def test_a_disabled_account_is_refused(client: Client, sim: Vneid) -> None:
    sign_in(client, sim)
    client.post(reverse("accounts:logout"))
    User.objects.filter(username__startswith="vneid_").update(is_active=False)
    assert_refused(sign_in(client, sim), 403, "đã bị khóa", client)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"code": "x" * 5000, "state": "y" * 5000},
        {"error": "<script>alert(1)</script>", "state": "z"},
        {"error": "access_denied"},
        {"code": "=1+1", "state": "<>\"'"},
    ],
)
def test_hostile_callbacks_get_a_page_never_a_500(
    client: Client, sim: Vneid, query: dict[str, str]
) -> None:
    response = client.get(reverse("accounts:vneid_callback"), query)
    html = assert_refused(response, 400, "", client)
    assert "<script>alert" not in html


def test_only_get_starts_or_finishes(client: Client, sim: Vneid) -> None:
    assert client.post(reverse("accounts:vneid_start")).status_code == 405
    assert client.post(reverse("accounts:vneid_callback")).status_code == 405


# ---- the pages around it ---------------------------------------------------------------------


def test_the_login_page_offers_vneid_to_citizens(client: Client, sim: Vneid) -> None:
    html = client.get(reverse("accounts:login"), {"next": "/tra-cuu/"}).content.decode()
    assert "Người dân, doanh nghiệp" in html
    link = '<a href="/dang-nhap/vneid/?next=%2Ftra-cuu%2F" class="vneid-start">'
    assert f"{link}Đăng nhập bằng VNeID</a>" in html
    assert "accounts/accounts.css" in html
    # A staff page as `next` is not where a citizen should land: the link drops it.
    staff_next = client.get(reverse("accounts:login"), {"next": "/can-bo/"}).content.decode()
    assert '<a href="/dang-nhap/vneid/" class="vneid-start">' in staff_next


def test_a_signed_in_citizen_at_the_staff_login_goes_to_their_page(
    client: Client, sim: Vneid
) -> None:
    sign_in(client, sim)
    response = client.get(reverse("accounts:login"))
    assert (response.status_code, response["Location"]) == (302, "/ho-so-cua-toi/")


def test_the_selector_knows_no_identity_for_the_anonymous_or_staff(staff: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert citizen_identity(AnonymousUser()) is None
    assert citizen_identity(staff("tiepnhan", CENTER, "reception")) is None


def test_vneid_pages_and_the_start_are_never_cached(client: Client, sim: Vneid) -> None:
    response = client.get(reverse("accounts:vneid_start"))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


# ---- settings --------------------------------------------------------------------------------


def test_production_has_no_vneid_until_configured_and_demo_uses_the_simulator() -> None:
    from tests.test_settings import settings_in

    names = "s.MOTCUA_VNEID_ISSUER, s.MOTCUA_VNEID_CLIENT_ID, s.MOTCUA_VNEID_CLIENT_SECRET"
    secret = {"DJANGO_SECRET_KEY": "x" * 50}
    production = settings_in(secret, f"repr(({names}))")
    assert production.returncode == 0, production.stderr
    assert production.stdout.strip() == "('', '', '')"
    demo = settings_in(
        {"MOTCUA_MODE": "demo", "MOTCUA_SIMS_URL": "http://127.0.0.1:8100"}, f"repr(({names}))"
    )
    assert demo.stdout.strip() == (
        "('http://127.0.0.1:8100/vneid', 'motcua-angiang', 'vneid-demo-secret')"
    )
    real = {
        **secret,
        "MOTCUA_VNEID_ISSUER": "https://sso.vneid.gov.vn",
        "MOTCUA_VNEID_CLIENT_ID": "angiang-dvc",
        "MOTCUA_VNEID_CLIENT_SECRET": "bi-mat",
    }
    configured = settings_in(real, f"repr(({names}))")
    assert configured.stdout.strip() == "('https://sso.vneid.gov.vn', 'angiang-dvc', 'bi-mat')"
    # The simulator's defaults are the demo's own credentials.
    assert (Config().vneid_client_id, Config().vneid_client_secret) == (
        "motcua-angiang",
        "vneid-demo-secret",
    )
