"""VNeID, the national e-identity (Decree 69/2024): OpenID Connect sign-in for citizens and,
through their representative, organisations.

The authorization-code flow with PKCE (S256 only): discovery, the signing keys, a page where
the person picks a demo account instead of typing a password, the token endpoint (client
secret in HTTP Basic or the form), ID tokens signed RS256 and the userinfo endpoint. The one
dependency outside the standard library is `cryptography`, for the RSA key (made at start-up,
kept in memory) and the signatures.

The demo people are the population database's own (sims/population.py): their name, birth
date, gender and address come from its generator for the chosen ID numbers, so what VNeID
says of a person is what CSDLDC answers for the same number.
"""

import base64
import hashlib
import json
import re
import secrets
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sims import population, vneid_pages
from sims.auth import basic_credentials, same
from sims.core import (
    DATA_TYPE_INVALID,
    ApiError,
    Knobs,
    Request,
    Response,
    Route,
    System,
    html_response,
    json_response,
)

CODE_TTL_S = 60  # an authorization code is good for one minute, once
PENDING_TTL_S = 600  # the person has ten minutes to pick an account
ID_TOKEN_TTL_S = 600
# RFC 7636: the challenge of S256 is the unpadded base64url of a SHA-256, 43 characters; a
# verifier is 43 to 128 unreserved characters.
CHALLENGE_RE = re.compile(r"[A-Za-z0-9_-]{43}")
VERIFIER_RE = re.compile(r"[A-Za-z0-9._~-]{43,128}")
MAX_PARAM = 512  # state and nonce: longer ones are refused rather than stored
# What a test can make the next ID tokens get wrong (POST /_sim/vneid/faults).
ID_TOKEN_FAULTS = ("", "foreign_key", "wrong_issuer", "wrong_audience", "expired", "wrong_nonce")
SUB_NAMESPACE = uuid.UUID("6f0c5c1e-6a43-4c1f-9d8e-2b7a1c0e5a91")
CLAIMS_SUPPORTED = (
    "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "identity_level",
    "account_type", "name", "family_name", "middle_name", "given_name", "birthdate", "gender",
    "phone_number", "email", "address", "personal_id", "org_tax_code", "org_name",
)  # fmt: skip
MOBILE_PREFIXES = ("090", "091", "093", "094", "097", "098", "086", "088", "070", "077")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


class SigningKey:
    """An RSA key pair, its public JWK and its RFC 7638 thumbprint as `kid`."""

    def __init__(self) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.private.public_key().public_numbers()
        self.n, self.e = b64url(_int_bytes(numbers.n)), b64url(_int_bytes(numbers.e))
        thumbprint = json.dumps(
            {"e": self.e, "kty": "RSA", "n": self.n}, separators=(",", ":"), sort_keys=True
        )
        self.kid = b64url(hashlib.sha256(thumbprint.encode("ascii")).digest())

    def jwk(self) -> dict[str, str]:
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": self.n,
            "e": self.e,
        }

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        """A compact JWS (RS256); `kid` lets a test put another key's id in the header."""
        header = {"alg": "RS256", "typ": "JWT", "kid": kid or self.kid}
        signing_input = ".".join(
            b64url(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
            for part in (header, claims)
        )
        signature = self.private.sign(
            signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
        )
        return f"{signing_input}.{b64url(signature)}"


# ---- the demo accounts ------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    """One account on the pick page: a person, or an organisation acting through a person."""

    number: str  # the person's 12-digit ID (for an organisation, its representative's)
    level: int  # identity level 1 (registered online) or 2 (verified in person, chip card)
    org_tax_code: str = ""
    org_name: str = ""

    @property
    def key(self) -> str:
        """The choice's value on the page: never the whole ID number."""
        return f"tc-{self.org_tax_code}" if self.org_tax_code else f"cd-{self.number[-4:]}"

    @property
    def is_organisation(self) -> bool:
        return bool(self.org_tax_code)

    @property
    def sub(self) -> str:
        subject = (
            f"organisation:{self.org_tax_code}" if self.is_organisation else f"person:{self.number}"
        )
        return str(uuid.uuid5(SUB_NAMESPACE, subject))


# Numbers the population database answers for (checked by tests/sims/test_vneid.py), in An
# Giang's wards; tax codes of ten digits with a valid check digit.
DEMO_ACCOUNTS = (
    DemoAccount("091200001111", 2),  # Nguyễn Tấn An, phường Long Xuyên
    DemoAccount("089190004567", 2),  # Lê Thảo Hà, đặc khu Phú Quốc
    DemoAccount("089085001234", 2),  # Đinh Trọng Nam, phường Rạch Giá
    DemoAccount("089088003579", 2),  # Phạm Minh Vinh, phường Mỹ Thới
    DemoAccount("089195007890", 1),  # Thái Mỹ Mai, phường Hà Tiên
    DemoAccount("091301002468", 1),  # Dương Thanh Yến, phường Long Xuyên
    DemoAccount(
        "089070006543", 2, "1601234565", "Công ty TNHH Nông sản Sông Hậu"
    ),  # represented by Thái Quốc Sơn, phường Long Xuyên
    DemoAccount(
        "091087004321", 2, "1700987658", "Hợp tác xã Nông nghiệp Vĩnh Thông"
    ),  # represented by Dương Thanh Bình, phường Vĩnh Thông
)


def mask(number: str) -> str:
    """0890****1234: enough to recognise one's own number, not enough to copy it."""
    return f"{number[:4]}****{number[-4:]}"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if c.isascii() and (c.isalnum() or c == " ")).lower()


def person_claims(number: str) -> dict[str, Any]:
    """What VNeID knows of the person with this number: the population database's record."""
    record = population.person(number)
    if record is None:
        raise ValueError(f"the population sim has nobody with the number {number}")
    words = record["HoVaTen"].split()
    born = record["NgaySinh"]
    digest = hashlib.sha256(f"vneid-phone:{number}".encode()).digest()
    prefix = MOBILE_PREFIXES[digest[0] % len(MOBILE_PREFIXES)]
    line = f"{int.from_bytes(digest[1:5], 'big') % 10_000_000:07d}"
    address = record["NoiThuongTru"]
    return {
        "name": record["HoVaTen"],
        "family_name": words[0],
        "middle_name": " ".join(words[1:-1]),
        "given_name": words[-1],
        "birthdate": f"{born[:4]}-{born[4:6]}-{born[6:]}",
        "gender": "male" if record["GioiTinh"] == "1" else "female",
        "phone_number": f"+84{prefix[1:]}{line}",
        "phone_number_verified": True,
        "email": f"{'.'.join(_ascii(record['HoVaTen']).split())}.{number[-4:]}@example.com",
        "email_verified": True,
        "address": {
            "formatted": address["ChiTiet"],
            "ward_code": address["MaXa"],
            "country": "VN",
        },
        "personal_id": number,
    }


def account_claims(account: DemoAccount) -> dict[str, Any]:
    """The userinfo of an account: the person's claims, and the organisation's for one."""
    claims: dict[str, Any] = {"sub": account.sub, **person_claims(account.number)}
    claims["identity_level"] = account.level
    claims["account_type"] = "organisation" if account.is_organisation else "person"
    if account.is_organisation:
        claims["org_tax_code"] = account.org_tax_code
        claims["org_name"] = account.org_name
    return claims


# ---- the flow's records -----------------------------------------------------------------


class OAuthProblem(Exception):
    """An error answer of the token or userinfo endpoint, in the OAuth 2.0 shape."""

    def __init__(
        self, error: str, description: str, status: int = 400, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status
        self.headers = headers or {}

    def response(self) -> Response:
        headers = {"Cache-Control": "no-store", **self.headers}
        body = {"error": self.error, "error_description": self.description}
        return json_response(body, self.status, headers)


class PageProblem(Exception):
    """A request the authorize page refuses: shown to the person, never sent to a client."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class Authorization:
    """The parameters of an authorize request that was accepted (pending) or granted (code)."""

    client_id: str
    redirect_uri: str
    scope: list[str]
    state: str
    nonce: str
    code_challenge: str
    expires: float  # time.monotonic()
    account: DemoAccount | None = None
    auth_time: int = 0
    access_tokens: list[str] = field(default_factory=list)


@dataclass
class AccessToken:
    claims: dict[str, Any]
    expires: float  # time.monotonic()


def _with_params(uri: str, params: dict[str, str]) -> str:
    """The redirect URI with the parameters added to its own query (RFC 6749 §3.1.2)."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _absolute_http_url(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 2000:
        return False
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and not parts.fragment


class Vneid(System):
    name = "vneid"

    def __init__(
        self,
        knobs: Knobs,
        client_id: str,
        client_secret: str,
        redirect_uris: str | list[str],
        issuer: str = "",
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        if isinstance(redirect_uris, str):
            redirect_uris = [u.strip() for u in redirect_uris.split(",") if u.strip()]
        self.initial_redirect_uris = list(redirect_uris)
        self.configured_issuer = issuer.rstrip("/")
        self.own_issuer = "http://127.0.0.1:8100/vneid"
        self.key = SigningKey()
        self.accounts = {account.key: account for account in DEMO_ACCOUNTS}
        super().__init__(knobs)

    def bind(self, base_url: str) -> None:
        """The server's own address: the issuer unless SIMS_VNEID_ISSUER names another."""
        self.own_issuer = f"{base_url.rstrip('/')}/vneid"

    @property
    def issuer(self) -> str:
        return self.configured_issuer or self.own_issuer

    def clear(self) -> None:
        self.redirect_uris = list(self.initial_redirect_uris)
        self.pending: dict[str, Authorization] = {}
        self.codes: dict[str, Authorization] = {}
        self.used_codes: dict[str, Authorization] = {}
        self.tokens: dict[str, AccessToken] = {}
        self.fault = ""
        self.signed_in: list[dict[str, Any]] = []

    def expire_codes(self) -> None:
        """Makes every authorization code issued so far expired (tests of the 60 s limit)."""
        for grant in self.codes.values():
            grant.expires = 0.0

    def routes(self) -> list[Route]:
        return [
            Route(
                "GET", "/vneid/.well-known/openid-configuration", self.discovery, "vneid", "meta"
            ),
            Route("GET", "/vneid/jwks", self.jwks, "vneid", "jwks"),
            Route("GET", "/vneid/authorize", self.authorize, "vneid", "authorize"),
            Route("POST", "/vneid/authorize", self.choose, "vneid", "authorize"),
            Route("POST", "/vneid/token", self.token, "vneid", "token"),
            Route("GET", "/vneid/userinfo", self.userinfo, "vneid", "userinfo"),
            Route("POST", "/vneid/userinfo", self.userinfo, "vneid", "userinfo"),
            Route("GET", "/_sim/vneid/accounts", self.list_accounts, None, "vneid.accounts"),
            Route("GET", "/_sim/vneid/redirect-uris", self.get_uris, None, "vneid.uris"),
            Route("POST", "/_sim/vneid/redirect-uris", self.add_uris, None, "vneid.uris"),
            Route("POST", "/_sim/vneid/rotate-key", self.rotate_key, None, "vneid.rotate"),
            Route("POST", "/_sim/vneid/faults", self.set_faults, None, "vneid.faults"),
            Route("GET", "/_sim/vneid/received", self.received, None, "vneid.received"),
        ]

    # ---- discovery and keys --------------------------------------------------------------

    def discovery(self, req: Request) -> Response:
        issuer = self.issuer
        return json_response(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{issuer}/authorize",
                "token_endpoint": f"{issuer}/token",
                "userinfo_endpoint": f"{issuer}/userinfo",
                "jwks_uri": f"{issuer}/jwks",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "profile"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "code_challenge_methods_supported": ["S256"],
                "acr_values_supported": ["vneid:level1", "vneid:level2"],
                "claims_supported": list(CLAIMS_SUPPORTED),
                "ui_locales_supported": ["vi"],
            }
        )

    def jwks(self, req: Request) -> Response:
        return json_response({"keys": [self.key.jwk()]})

    # ---- the authorize page --------------------------------------------------------------

    def _check_authorize(self, query: dict[str, str]) -> Authorization:
        """The request's parameters, or PageProblem: the client and its redirect URI first,
        so nothing is ever sent to an address the client did not register."""
        client_id = query.get("client_id", "")
        if not client_id or not same(client_id, self.client_id):
            raise PageProblem("Ứng dụng yêu cầu đăng nhập chưa được đăng ký với VNeID.")
        redirect_uri = query.get("redirect_uri", "")
        if redirect_uri not in self.redirect_uris:
            raise PageProblem(
                "Địa chỉ quay về (redirect_uri) không nằm trong danh sách đã đăng ký của ứng dụng."
            )
        if query.get("response_type") != "code":
            raise PageProblem("Chỉ hỗ trợ response_type=code (luồng mã ủy quyền).")
        scope = query.get("scope", "").split()
        if "openid" not in scope:
            raise PageProblem("Phạm vi (scope) phải có openid.")
        state, nonce = query.get("state", ""), query.get("nonce", "")
        if not state or not nonce:
            raise PageProblem("Thiếu tham số state hoặc nonce.")
        if len(state) > MAX_PARAM or len(nonce) > MAX_PARAM:
            raise PageProblem(f"state và nonce dài tối đa {MAX_PARAM} ký tự.")
        if query.get("code_challenge_method") != "S256":
            raise PageProblem("Bắt buộc PKCE với code_challenge_method=S256.")
        challenge = query.get("code_challenge", "")
        if not CHALLENGE_RE.fullmatch(challenge):
            raise PageProblem("code_challenge không hợp lệ (43 ký tự base64url).")
        return Authorization(
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=scope,
            state=state,
            nonce=nonce,
            code_challenge=challenge,
            expires=time.monotonic() + PENDING_TTL_S,
        )

    def authorize(self, req: Request) -> Response:
        try:
            pending = self._check_authorize(req.query)
        except PageProblem as problem:
            return html_response(vneid_pages.error(problem.message), problem.status)
        now = time.monotonic()
        self.pending = {k: p for k, p in self.pending.items() if p.expires > now}
        transaction = secrets.token_urlsafe(24)
        self.pending[transaction] = pending
        return self._choice_page(transaction, pending)

    def _choice_page(self, transaction: str, pending: Authorization, error: str = "") -> Response:
        return html_response(
            vneid_pages.choose(
                transaction=transaction,
                client_id=pending.client_id,
                people=[
                    (a, person_claims(a.number)) for a in DEMO_ACCOUNTS if not a.is_organisation
                ],
                organisations=[
                    (a, person_claims(a.number)) for a in DEMO_ACCOUNTS if a.is_organisation
                ],
                error=error,
            ),
            400 if error else 200,
        )

    def choose(self, req: Request) -> Response:
        form = req.form()
        transaction = form.get("giao_dich", "")
        pending = self.pending.pop(transaction, None)
        if pending is None or pending.expires <= time.monotonic():
            message = (
                "Yêu cầu đăng nhập đã hết hạn hoặc đã được dùng. "
                "Hãy quay lại ứng dụng và bắt đầu đăng nhập lại."
            )
            return html_response(vneid_pages.error(message), 400)
        if form.get("thao_tac") == "huy":
            params = {"error": "access_denied", "error_description": "Người dùng đã hủy đăng nhập"}
            return self._redirect(pending.redirect_uri, {**params, "state": pending.state})
        account = self.accounts.get(form.get("tai_khoan", ""))
        if account is None:
            # The same request stays open, so the person can pick again.
            self.pending[transaction] = pending
            return self._choice_page(
                transaction, pending, "Hãy chọn một tài khoản trong danh sách."
            )
        code = secrets.token_urlsafe(32)
        pending.account = account
        pending.auth_time = int(time.time())
        pending.expires = time.monotonic() + CODE_TTL_S
        self.codes[code] = pending
        return self._redirect(pending.redirect_uri, {"code": code, "state": pending.state})

    @staticmethod
    def _redirect(uri: str, params: dict[str, str]) -> Response:
        return Response(302, b"", headers={"Location": _with_params(uri, params)})

    # ---- the token endpoint --------------------------------------------------------------

    def _client(self, req: Request, form: dict[str, str]) -> str:
        """RFC 6749 §2.3.1: the client's id and secret in HTTP Basic or in the form, not both."""
        basic = basic_credentials(req)
        in_form = "client_secret" in form
        if basic is not None and in_form:
            raise OAuthProblem("invalid_request", "Chỉ dùng một cách xác thực ứng dụng")
        if basic is not None:
            given_id, given_secret = unquote(basic[0]), unquote(basic[1])
        else:
            given_id, given_secret = form.get("client_id", ""), form.get("client_secret", "")
        if not given_id or not given_secret:
            raise OAuthProblem(
                "invalid_client",
                "Thiếu thông tin xác thực ứng dụng",
                401,
                {"WWW-Authenticate": 'Basic realm="vneid"'},
            )
        if not (same(given_id, self.client_id) and same(given_secret, self.client_secret)):
            raise OAuthProblem(
                "invalid_client",
                "Sai client_id hoặc client_secret",
                401,
                {"WWW-Authenticate": 'Basic realm="vneid"'},
            )
        return given_id

    def token(self, req: Request) -> Response:
        try:
            return self._token(req)
        except OAuthProblem as problem:
            return problem.response()

    def _token(self, req: Request) -> Response:
        try:
            form = req.form()
        except ApiError as exc:
            raise OAuthProblem("invalid_request", exc.message) from exc
        client_id = self._client(req, form)
        grant_type = form.get("grant_type", "")
        if not grant_type:
            raise OAuthProblem("invalid_request", "Thiếu grant_type")
        if grant_type != "authorization_code":
            raise OAuthProblem("unsupported_grant_type", "Chỉ hỗ trợ authorization_code")
        code = form.get("code", "")
        if not code:
            raise OAuthProblem("invalid_request", "Thiếu code")
        grant = self.codes.pop(code, None)
        if grant is None:
            used = self.used_codes.get(code)
            if used is not None:
                # RFC 6749 §4.1.2: a code presented twice revokes what it gave.
                for token in used.access_tokens:
                    self.tokens.pop(token, None)
                raise OAuthProblem("invalid_grant", "Mã ủy quyền đã được sử dụng")
            raise OAuthProblem("invalid_grant", "Mã ủy quyền không hợp lệ")
        self.used_codes[code] = grant
        if grant.expires <= time.monotonic():
            raise OAuthProblem("invalid_grant", "Mã ủy quyền đã hết hạn")
        if grant.client_id != client_id:
            raise OAuthProblem("invalid_grant", "Mã ủy quyền không cấp cho ứng dụng này")
        if form.get("redirect_uri", "") != grant.redirect_uri:
            raise OAuthProblem("invalid_grant", "redirect_uri không khớp với yêu cầu ủy quyền")
        verifier = form.get("code_verifier", "")
        if not verifier:
            raise OAuthProblem("invalid_grant", "Thiếu code_verifier (PKCE)")
        if not VERIFIER_RE.fullmatch(verifier):
            raise OAuthProblem("invalid_grant", "code_verifier không đúng định dạng (PKCE)")
        challenge = b64url(hashlib.sha256(verifier.encode("ascii")).digest())
        if not same(challenge, grant.code_challenge):
            raise OAuthProblem("invalid_grant", "code_verifier không khớp với code_challenge")
        if grant.account is None:  # a pending request never becomes a code; a sim bug if so
            raise OAuthProblem("invalid_grant", "Mã ủy quyền không hợp lệ")
        return self._issue(grant, grant.account)

    def _issue(self, grant: Authorization, account: DemoAccount) -> Response:
        ttl = self.knobs.token_ttl_s
        access_token = secrets.token_urlsafe(32)
        claims = account_claims(account)
        if "profile" not in grant.scope:  # openid alone: who, not what
            keep = ("sub", "identity_level", "account_type")
            claims = {k: v for k, v in claims.items() if k in keep}
        now = time.monotonic()
        self.tokens = {t: a for t, a in self.tokens.items() if a.expires > now}
        self.tokens[access_token] = AccessToken(claims, now + ttl)
        grant.access_tokens.append(access_token)
        self.signed_in.append({"account": account.key, "sub": account.sub, "level": account.level})
        return json_response(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": ttl,
                "scope": " ".join(grant.scope),
                "id_token": self._id_token(grant, account, access_token),
            },
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    def _id_token(self, grant: Authorization, account: DemoAccount, access_token: str) -> str:
        now = int(time.time())
        half = hashlib.sha256(access_token.encode("ascii")).digest()[:16]
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": account.sub,
            "aud": grant.client_id,
            "exp": now + ID_TOKEN_TTL_S,
            "iat": now,
            "auth_time": grant.auth_time,
            "nonce": grant.nonce,
            "acr": f"vneid:level{account.level}",
            "identity_level": account.level,
            "account_type": "organisation" if account.is_organisation else "person",
            "at_hash": b64url(half),
        }
        fault = self.fault
        if fault == "wrong_issuer":
            claims["iss"] = "https://vneid.gia-mao.example/vneid"
        elif fault == "wrong_audience":
            claims["aud"] = "ung-dung-khac"
        elif fault == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        elif fault == "wrong_nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        if fault == "foreign_key":
            # Signed by a key VNeID never published, under the published key's id.
            return SigningKey().sign(claims, kid=self.key.kid)
        return self.key.sign(claims)

    # ---- userinfo ------------------------------------------------------------------------

    def userinfo(self, req: Request) -> Response:
        scheme, _, token = req.header("Authorization").partition(" ")
        grant = self.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if grant is None or grant.expires <= time.monotonic():
            challenge = 'Bearer error="invalid_token"'
            return OAuthProblem(
                "invalid_token",
                "Mã truy cập không hợp lệ hoặc đã hết hạn",
                401,
                {"WWW-Authenticate": challenge},
            ).response()
        return json_response(grant.claims, headers={"Cache-Control": "no-store"})

    # ---- control endpoints ---------------------------------------------------------------

    def list_accounts(self, req: Request) -> Response:
        return json_response(
            {
                "accounts": [
                    {"key": a.key, "level": a.level, **account_claims(a)} for a in DEMO_ACCOUNTS
                ]
            }
        )

    def get_uris(self, req: Request) -> Response:
        return json_response({"redirect_uris": self.redirect_uris})

    def add_uris(self, req: Request) -> Response:
        body = req.json_object()
        uris = body.get("redirect_uris")
        if not isinstance(uris, list) or not uris or not all(map(_absolute_http_url, uris)):
            raise ApiError(
                400,
                DATA_TYPE_INVALID,
                "redirect_uris phải là danh sách địa chỉ http(s) tuyệt đối, không có #",
            )
        for uri in uris:
            if uri not in self.redirect_uris:
                self.redirect_uris.append(uri)
        return json_response({"redirect_uris": self.redirect_uris})

    def rotate_key(self, req: Request) -> Response:
        self.key = SigningKey()
        return json_response({"kid": self.key.kid})

    def set_faults(self, req: Request) -> Response:
        body = req.json_object()
        fault = body.get("id_token", "")
        if set(body) - {"id_token"} or fault not in ID_TOKEN_FAULTS:
            choices = ", ".join(repr(f) for f in ID_TOKEN_FAULTS)
            raise ApiError(400, DATA_TYPE_INVALID, f"id_token phải là một trong {choices}")
        self.fault = fault
        return json_response({"id_token": self.fault})

    def received(self, req: Request) -> Response:
        return json_response(
            {
                "issuer": self.issuer,
                "kid": self.key.kid,
                "signed_in": self.signed_in,
                "requests": dict(self.requests),
            }
        )
