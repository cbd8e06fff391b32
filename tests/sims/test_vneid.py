"""VNeID: discovery, keys, the pick page, the code flow with PKCE, tokens, userinfo, controls."""

import base64
import datetime
import hashlib
import re
import secrets
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from egov.core.identifiers import personal_id_problem, tax_code_problem
from sims import population
from sims.server import Config, SimServer, start_in_thread
from sims.vneid import DEMO_ACCOUNTS, DemoAccount, mask
from tests.sims.support import CSDLDC_KEY, Client

CLIENT = ("motcua-angiang", "vneid-demo-secret")
CALLBACK = "http://127.0.0.1:8000/dang-nhap/vneid/ve/"
PERSON_L2, PERSON_L1, ORGANISATION = "cd-1111", "cd-7890", "tc-1601234565"


@pytest.fixture
def http(sim: SimServer, client: Client) -> Iterator[httpx.Client]:
    """A browser-like client of a freshly reset server that does not follow redirects."""
    with httpx.Client(base_url=sim.base_url, follow_redirects=False, timeout=10) as session:
        yield session


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_query(challenge: str, **overrides: str) -> dict[str, str]:
    query = {
        "client_id": CLIENT[0],
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid profile",
        "state": "trang-thai-1",
        "nonce": "so-dung-mot-lan-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    query.update(overrides)
    return {k: v for k, v in query.items() if v is not None}


def transaction_of(page: str) -> str:
    found = re.search(r'name="giao_dich" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def sign_in(
    http: httpx.Client, account: str = PERSON_L2, **overrides: str
) -> tuple[dict[str, list[str]], str]:
    """Through the pick page to the redirect back: (its query, the verifier)."""
    verifier, challenge = pkce()
    page = http.get("/vneid/authorize", params=authorize_query(challenge, **overrides))
    assert page.status_code == 200, page.text
    back = http.post(
        "/vneid/authorize", data={"giao_dich": transaction_of(page.text), "tai_khoan": account}
    )
    assert back.status_code == 302
    return parse_qs(urlsplit(back.headers["location"]).query), verifier


def exchange(
    http: httpx.Client,
    code: str,
    verifier: str,
    *,
    redirect_uri: str = CALLBACK,
    auth: tuple[str, str] | None = CLIENT,
    form: dict[str, str] | None = None,
) -> httpx.Response:
    """The token request; `form` adds or replaces fields."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
        **(form or {}),
    }
    return http.post("/vneid/token", data=data, auth=auth)


def tokens(http: httpx.Client, account: str = PERSON_L2) -> dict[str, Any]:
    query, verifier = sign_in(http, account)
    answer = exchange(http, query["code"][0], verifier)
    assert answer.status_code == 200, answer.text
    return answer.json()


def verified_claims(http: httpx.Client, id_token: str) -> dict[str, Any]:
    keys = KeySet.import_key_set(http.get("/vneid/jwks").json())
    return jwt.decode(id_token, keys, algorithms=["RS256"]).claims


# ---- discovery and keys ----------------------------------------------------------------------


def test_discovery_names_the_issuer_and_its_endpoints(sim: SimServer, http: httpx.Client) -> None:
    meta = http.get("/vneid/.well-known/openid-configuration").json()
    issuer = f"{sim.base_url}/vneid"
    assert meta["issuer"] == issuer
    assert meta["authorization_endpoint"] == f"{issuer}/authorize"
    assert meta["token_endpoint"] == f"{issuer}/token"
    assert meta["userinfo_endpoint"] == f"{issuer}/userinfo"
    assert meta["jwks_uri"] == f"{issuer}/jwks"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(meta["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }


def test_a_configured_issuer_is_the_public_address() -> None:
    config = Config(vneid_issuer="https://vneid.example.vn/vneid/")
    with start_in_thread(host="127.0.0.1", port=0, config=config) as server:
        meta = httpx.get(f"{server.base_url}/vneid/.well-known/openid-configuration").json()
    assert meta["issuer"] == "https://vneid.example.vn/vneid"
    assert meta["token_endpoint"] == "https://vneid.example.vn/vneid/token"


def test_redirect_uris_and_issuer_come_from_the_environment() -> None:
    config = Config.from_env(
        {
            "SIMS_VNEID_REDIRECT_URIS": "http://a.example/ve/, http://b.example/ve/",
            "SIMS_VNEID_ISSUER": "http://sims.example:8100/vneid",
            "SIMS_DOWN": "vneid",
        }
    )
    assert config.vneid_issuer == "http://sims.example:8100/vneid"
    assert config.knobs["vneid"].down is True
    with start_in_thread(host="127.0.0.1", port=0, config=config) as server:
        assert server.state.vneid.redirect_uris == ["http://a.example/ve/", "http://b.example/ve/"]


def test_the_keys_are_published_and_sign_the_id_token(http: httpx.Client) -> None:
    jwks = http.get("/vneid/jwks").json()
    (key,) = jwks["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in key  # the public half only
    id_token = tokens(http)["id_token"]
    header = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"]).header
    assert header["kid"] == key["kid"]


# ---- the demo people -------------------------------------------------------------------------


def test_demo_people_are_the_population_databases_own() -> None:
    people = [a for a in DEMO_ACCOUNTS if not a.is_organisation]
    organisations = [a for a in DEMO_ACCOUNTS if a.is_organisation]
    assert len(people) >= 5 and {a.level for a in people} == {1, 2}
    assert 1 <= len(organisations) <= 2
    for account in DEMO_ACCOUNTS:
        record = population.person(account.number)
        assert record is not None, account.number
        gender = "male" if record["GioiTinh"] == "1" else "female"
        born = record["NgaySinh"]
        birth = datetime.date(int(born[:4]), int(born[4:6]), int(born[6:]))
        assert personal_id_problem(account.number, date_of_birth=birth, gender=gender) is None
        assert record["NoiThuongTru"]["MaTinh"] == population.PROVINCE_CODE
    for account in organisations:
        assert tax_code_problem(account.org_tax_code) is None
        assert len(account.org_tax_code) == 10


def test_claims_agree_with_the_population_lookup(client: Client, http: httpx.Client) -> None:
    answer = tokens(http)
    info = http.get(
        "/vneid/userinfo", headers={"Authorization": f"Bearer {answer['access_token']}"}
    ).json()
    looked_up = client.post(
        "/csdldc/api/congdan/tracuu",
        {
            "SoDinhDanh": info["personal_id"],
            "HoVaTen": info["name"],
            "NgaySinh": "".join(info["birthdate"].split("-")),
        },
        headers={"X-API-Key": CSDLDC_KEY},
    ).json()
    assert looked_up["error_code"] == "0", looked_up
    citizen = looked_up["CongDan"]
    assert info["personal_id"] == "091200001111"
    assert info["gender"] == ("male" if citizen["GioiTinh"] == "1" else "female")
    assert info["address"]["formatted"] == citizen["NoiThuongTru"]["ChiTiet"]
    assert info["address"]["ward_code"] == citizen["NoiThuongTru"]["MaXa"]
    assert info["name"] == f"{info['family_name']} {info['middle_name']} {info['given_name']}"
    assert re.fullmatch(r"\+84[0-9]{9}", info["phone_number"])
    assert info["email"].endswith("@example.com")
    assert (info["account_type"], info["identity_level"]) == ("person", 2)


# ---- the pick page ---------------------------------------------------------------------------


def test_the_pick_page_is_vietnamese_and_masks_numbers(http: httpx.Client) -> None:
    _, challenge = pkce()
    page = http.get("/vneid/authorize", params=authorize_query(challenge))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="vi">' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert "Đăng nhập bằng tài khoản định danh điện tử" in html
    assert "Tổ chức: Công ty TNHH Nông sản Sông Hậu" in html
    assert "Mã số thuế: 1601234565" in html
    assert "Định danh mức 1" in html and "Định danh mức 2" in html
    for account in DEMO_ACCOUNTS:
        assert account.number not in html  # never the whole number
        assert f'value="{account.key}"' in html
    assert mask("089085001234") == "0890****1234"
    assert re.search(r"0890<span[^>]*>\*\*\*\*</span>.*?1234", html)
    # Every choice is a button whose own text names it; cancel is a button too.
    assert html.count('type="submit" class="account"') == len(DEMO_ACCOUNTS)
    assert "Hủy, quay lại ứng dụng" in html


def test_choosing_nothing_shows_the_page_again_with_an_alert(http: httpx.Client) -> None:
    _, challenge = pkce()
    page = http.get("/vneid/authorize", params=authorize_query(challenge))
    transaction = transaction_of(page.text)
    again = http.post("/vneid/authorize", data={"giao_dich": transaction, "tai_khoan": "khong-co"})
    assert again.status_code == 400
    assert 'role="alert"' in again.text and "Hãy chọn một tài khoản" in again.text
    back = http.post("/vneid/authorize", data={"giao_dich": transaction, "tai_khoan": PERSON_L1})
    assert back.status_code == 302


def test_a_used_or_unknown_request_is_refused_on_a_page(http: httpx.Client) -> None:
    _, challenge = pkce()
    page = http.get("/vneid/authorize", params=authorize_query(challenge))
    transaction = transaction_of(page.text)
    form = {"giao_dich": transaction, "tai_khoan": PERSON_L2}
    assert http.post("/vneid/authorize", data=form).status_code == 302
    again = http.post("/vneid/authorize", data=form)
    assert again.status_code == 400
    assert "location" not in again.headers
    assert "đã hết hạn hoặc đã được dùng" in again.text


def test_cancel_goes_back_with_access_denied(http: httpx.Client) -> None:
    _, challenge = pkce()
    page = http.get("/vneid/authorize", params=authorize_query(challenge))
    back = http.post(
        "/vneid/authorize", data={"giao_dich": transaction_of(page.text), "thao_tac": "huy"}
    )
    assert back.status_code == 302
    location = urlsplit(back.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    query = parse_qs(location.query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["trang-thai-1"]
    assert "code" not in query


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"client_id": "ung-dung-la"}, "chưa được đăng ký"),
        ({"client_id": None}, "chưa được đăng ký"),
        ({"redirect_uri": "https://ke-gian.example/ve/"}, "redirect_uri"),
        ({"redirect_uri": CALLBACK + "?them=1"}, "redirect_uri"),
        ({"redirect_uri": None}, "redirect_uri"),
        ({"response_type": "token"}, "response_type=code"),
        ({"scope": "profile"}, "openid"),
        ({"state": None}, "state"),
        ({"nonce": None}, "nonce"),
        ({"state": "x" * 513}, "tối đa"),
        ({"code_challenge_method": "plain"}, "S256"),
        ({"code_challenge_method": None}, "S256"),
        ({"code_challenge": None}, "code_challenge"),
        ({"code_challenge": "ngan-qua"}, "code_challenge"),
    ],
)
def test_bad_authorize_requests_get_a_vietnamese_page_never_a_redirect(
    http: httpx.Client, override: dict[str, Any], message: str
) -> None:
    _, challenge = pkce()
    page = http.get("/vneid/authorize", params=authorize_query(challenge, **override))
    assert page.status_code == 400
    assert "location" not in page.headers
    assert '<html lang="vi">' in page.text and "Không thể đăng nhập" in page.text
    assert message in page.text


def test_the_redirect_keeps_the_clients_own_query(http: httpx.Client) -> None:
    uri = "http://127.0.0.1:9000/ve/?nguon=cong"
    assert http.post("/_sim/vneid/redirect-uris", json={"redirect_uris": [uri]}).status_code == 200
    query, _ = sign_in(http, redirect_uri=uri)
    assert query["nguon"] == ["cong"] and query["state"] == ["trang-thai-1"] and query["code"]


# ---- the token endpoint ----------------------------------------------------------------------


@pytest.mark.parametrize("account", [PERSON_L2, PERSON_L1, ORGANISATION])
def test_the_code_flow_gives_a_signed_id_token(
    sim: SimServer, http: httpx.Client, account: str
) -> None:
    query, verifier = sign_in(http, account)
    assert query["state"] == ["trang-thai-1"]
    answer = exchange(http, query["code"][0], verifier)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    claims = verified_claims(http, body["id_token"])
    level = 1 if account == PERSON_L1 else 2
    assert claims["iss"] == f"{sim.base_url}/vneid"
    assert claims["aud"] == CLIENT[0]
    assert claims["nonce"] == "so-dung-mot-lan-1"
    assert claims["acr"] == f"vneid:level{level}"
    assert claims["identity_level"] == level
    assert claims["iat"] <= time.time() < claims["exp"]
    assert claims["auth_time"] <= claims["iat"]
    half = hashlib.sha256(body["access_token"].encode()).digest()[:16]
    assert claims["at_hash"] == base64.urlsafe_b64encode(half).rstrip(b"=").decode()
    info = http.get("/vneid/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.status_code == 200
    assert info.json()["sub"] == claims["sub"]


def test_an_organisation_signs_in_through_its_representative(http: httpx.Client) -> None:
    answer = tokens(http, ORGANISATION)
    info = http.get(
        "/vneid/userinfo", headers={"Authorization": f"Bearer {answer['access_token']}"}
    ).json()
    assert info["account_type"] == "organisation"
    assert (info["org_tax_code"], info["org_name"]) == (
        "1601234565",
        "Công ty TNHH Nông sản Sông Hậu",
    )
    assert info["personal_id"] == "089070006543"
    assert info["name"] == population.person("089070006543")["HoVaTen"]  # type: ignore[index]
    # The organisation's account is not its representative's own.
    assert info["sub"] != DemoAccount("089070006543", 2).sub


def test_client_secret_post_is_accepted(http: httpx.Client) -> None:
    query, verifier = sign_in(http)
    answer = exchange(
        http,
        query["code"][0],
        verifier,
        auth=None,
        form={"client_id": CLIENT[0], "client_secret": CLIENT[1]},
    )
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("extra", "status", "error"),
    [
        ({"auth": ("motcua-angiang", "sai")}, 401, "invalid_client"),
        ({"auth": None}, 401, "invalid_client"),
        ({"form": {"client_secret": CLIENT[1]}}, 400, "invalid_request"),  # Basic and form
        ({"form": {"grant_type": "client_credentials"}}, 400, "unsupported_grant_type"),
        ({"form": {"grant_type": ""}}, 400, "invalid_request"),
        ({"form": {"code": ""}}, 400, "invalid_request"),
        ({"form": {"code": "khong-co-ma-nay"}}, 400, "invalid_grant"),
    ],
)
def test_token_errors_are_in_the_oauth_shape(
    http: httpx.Client, extra: dict[str, Any], status: int, error: str
) -> None:
    query, verifier = sign_in(http)
    answer = exchange(http, query["code"][0], verifier, **extra)
    assert answer.status_code == status
    body = answer.json()
    assert body["error"] == error
    assert body["error_description"]
    if status == 401:
        assert answer.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize(
    "verifier",
    ["", "ngan", secrets.token_urlsafe(48), "x" * 129, "khong hop le" * 5],
)
def test_pkce_is_enforced(http: httpx.Client, verifier: str) -> None:
    query, _right = sign_in(http)
    answer = exchange(http, query["code"][0], verifier)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_a_code_is_good_once_and_its_replay_revokes_the_token(http: httpx.Client) -> None:
    query, verifier = sign_in(http)
    first = exchange(http, query["code"][0], verifier)
    assert first.status_code == 200
    bearer = {"Authorization": f"Bearer {first.json()['access_token']}"}
    assert http.get("/vneid/userinfo", headers=bearer).status_code == 200
    replay = exchange(http, query["code"][0], verifier)
    assert replay.status_code == 400
    assert replay.json() == {
        "error": "invalid_grant",
        "error_description": "Mã ủy quyền đã được sử dụng",
    }
    assert http.get("/vneid/userinfo", headers=bearer).status_code == 401


def test_a_code_expires_after_a_minute(sim: SimServer, http: httpx.Client) -> None:
    query, verifier = sign_in(http)
    with sim.state.lock:
        sim.state.vneid.expire_codes()
    answer = exchange(http, query["code"][0], verifier)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")
    assert "hết hạn" in answer.json()["error_description"]


def test_the_redirect_uri_must_be_the_authorize_requests(http: httpx.Client) -> None:
    query, verifier = sign_in(http)
    other = "http://localhost:8000/dang-nhap/vneid/ve/"  # registered, but not this request's
    answer = exchange(http, query["code"][0], verifier, redirect_uri=other)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")


def test_userinfo_needs_a_valid_bearer(http: httpx.Client) -> None:
    for headers in ({}, {"Authorization": "Bearer sai"}, {"Authorization": "Basic eDp5"}):
        answer = http.get("/vneid/userinfo", headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"] == "invalid_token"
        assert answer.headers["www-authenticate"].startswith("Bearer")


def test_openid_alone_gives_no_personal_data(http: httpx.Client) -> None:
    query, verifier = sign_in(http, scope="openid")
    answer = exchange(http, query["code"][0], verifier).json()
    info = http.get(
        "/vneid/userinfo", headers={"Authorization": f"Bearer {answer['access_token']}"}
    )
    assert set(info.json()) == {"sub", "identity_level", "account_type"}


# ---- control endpoints and knobs -------------------------------------------------------------


def test_tests_register_their_own_redirect_uris(client: Client, http: httpx.Client) -> None:
    mine = "http://testserver/dang-nhap/vneid/ve/"
    _, challenge = pkce()
    assert (
        http.get(
            "/vneid/authorize", params=authorize_query(challenge, redirect_uri=mine)
        ).status_code
        == 400
    )
    added = http.post("/_sim/vneid/redirect-uris", json={"redirect_uris": [mine]})
    assert mine in added.json()["redirect_uris"]
    assert (
        http.get(
            "/vneid/authorize", params=authorize_query(challenge, redirect_uri=mine)
        ).status_code
        == 200
    )
    assert client.post("/_sim/reset").status == 200
    assert mine not in http.get("/_sim/vneid/redirect-uris").json()["redirect_uris"]


@pytest.mark.parametrize(
    "body",
    [{}, {"redirect_uris": "http://a/"}, {"redirect_uris": []}, {"redirect_uris": ["/tuong-doi"]},
     {"redirect_uris": ["javascript:alert(1)"]}, {"redirect_uris": ["http://a.example/#x"]}],
)  # fmt: skip
def test_bad_redirect_uris_are_refused(http: httpx.Client, body: dict[str, Any]) -> None:
    answer = http.post("/_sim/vneid/redirect-uris", json=body)
    assert answer.status_code == 400
    assert answer.json()["error_code"] in {"200", "302"}


def test_a_rotated_key_is_published_and_used(http: httpx.Client) -> None:
    old = http.get("/vneid/jwks").json()["keys"][0]["kid"]
    new = http.post("/_sim/vneid/rotate-key").json()["kid"]
    assert new != old
    assert [k["kid"] for k in http.get("/vneid/jwks").json()["keys"]] == [new]
    claims = verified_claims(http, tokens(http)["id_token"])
    assert claims["identity_level"] == 2


def test_a_foreign_key_fault_makes_a_token_that_does_not_verify(http: httpx.Client) -> None:
    assert http.post("/_sim/vneid/faults", json={"id_token": "foreign_key"}).status_code == 200
    id_token = tokens(http)["id_token"]
    with pytest.raises(BadSignatureError):
        verified_claims(http, id_token)


@pytest.mark.parametrize(
    ("fault", "claim", "check"),
    [
        ("wrong_issuer", "iss", lambda value, sim: value != f"{sim.base_url}/vneid"),
        ("wrong_audience", "aud", lambda value, sim: value != CLIENT[0]),
        ("expired", "exp", lambda value, sim: value < time.time()),
        ("wrong_nonce", "nonce", lambda value, sim: value != "so-dung-mot-lan-1"),
    ],
)
def test_id_token_faults(
    sim: SimServer, http: httpx.Client, fault: str, claim: str, check: Any
) -> None:
    http.post("/_sim/vneid/faults", json={"id_token": fault})
    claims = verified_claims(http, tokens(http)["id_token"])
    assert check(claims[claim], sim)


def test_unknown_faults_are_refused_and_reset_clears_them(
    client: Client, http: httpx.Client
) -> None:
    assert http.post("/_sim/vneid/faults", json={"id_token": "tat-ca"}).status_code == 400
    assert http.post("/_sim/vneid/faults", json={"khac": 1}).status_code == 400
    http.post("/_sim/vneid/faults", json={"id_token": "foreign_key"})
    client.post("/_sim/reset")
    verified_claims(http, tokens(http)["id_token"])  # verifies again


def test_the_accounts_and_sign_ins_are_listed(http: httpx.Client) -> None:
    accounts = http.get("/_sim/vneid/accounts").json()["accounts"]
    assert {a["key"] for a in accounts} == {a.key for a in DEMO_ACCOUNTS}
    tokens(http, PERSON_L1)
    received = http.get("/_sim/vneid/received").json()
    assert [s["account"] for s in received["signed_in"]] == [PERSON_L1]


def test_down_answers_503(client: Client, http: httpx.Client) -> None:
    client.knobs("vneid", down=True)
    assert http.get("/vneid/.well-known/openid-configuration").status_code == 503
    assert http.get("/vneid/jwks").status_code == 503
    client.knobs("vneid", down=False)
    assert http.get("/vneid/jwks").status_code == 200


def test_the_authorize_query_is_not_echoed_unescaped(http: httpx.Client) -> None:
    _, challenge = pkce()
    hostile = authorize_query(challenge, state="<script>alert(1)</script>")
    page = http.get("/vneid/authorize?" + urlencode(hostile))
    assert page.status_code == 200
    assert "<script>" not in page.text
