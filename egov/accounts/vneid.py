"""Sign-in with the national e-identity, VNeID (Decree 69/2024), for citizens and organisations.

OpenID Connect, authorization-code flow with PKCE (S256), through Authlib's Django client:

1. `sign_in_redirect` reads VNeID's discovery document (`<issuer>/.well-known/openid-
   configuration`, checked to name the configured issuer), keeps state, nonce and the PKCE
   verifier in the session and sends the person to VNeID's authorize page.
2. VNeID sends them back to `/dang-nhap/vneid/ve/` with a one-time code; `sign_in_complete`
   checks the state, trades the code (client secret in HTTP Basic, the verifier) for tokens,
   verifies the ID token (RS256 against VNeID's published keys, fetched again when the key id
   is new; issuer, audience, nonce, expiry, at_hash), reads the userinfo endpoint for the same
   subject and returns a checked `VneidProfile`.
3. `citizen_sign_in` creates or updates the account (`vneid_<sub>`, no usable password) and its
   `CitizenIdentity`. Staff accounts never sign in this way: an account with roles is refused.

Every failure is a `VneidError` with a Vietnamese message and the HTTP status the page answers
with; nothing here raises past it. The account's writes live here rather than in services.py
because they belong to this flow alone.
"""

import datetime
import hashlib
import re
import threading
from dataclasses import dataclass
from typing import Any

from authlib.integrations.base_client.errors import (  # type: ignore[import-untyped]
    MismatchingStateError,
    OAuthError,
)
from authlib.integrations.django_client import (  # type: ignore[import-untyped]
    DjangoOAuth2App,
    OAuth,
)
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from joserfc.errors import JoseError

from egov.core.errors import DomainError
from egov.core.identifiers import (
    normalise_phone,
    personal_id_problem,
    phone_problem,
    tax_code_problem,
)
from egov.orgs.models import Membership

from .models import CitizenIdentity, Gender, IdentityKind

NAME = "vneid"
SCOPE = "openid profile"
LEEWAY_SECONDS = 60  # clock difference tolerated on exp/iat
USERNAME_PREFIX = "vneid_"
_SAFE_SUB = re.compile(r"[A-Za-z0-9_.@+-]{1,140}")
_WARD_CODE = re.compile(r"[0-9]{1,9}")


class VneidError(DomainError):
    """A sign-in that did not succeed; `status` is the answer of the page that shows it."""

    status = 400

    def __init__(self, message: str, *, code: str = "vneid_error") -> None:
        super().__init__(message, code=code)


class VneidNotConfiguredError(VneidError):
    status = 503

    def __init__(self) -> None:
        super().__init__(
            "Đăng nhập bằng VNeID chưa được bật trên hệ thống này.", code="vneid_not_configured"
        )


class VneidUnavailableError(VneidError):
    """VNeID did not answer, or answered something that cannot be trusted."""

    status = 502


class VneidRefusedError(VneidError):
    """The person cancelled, the request is stale or replayed, VNeID refused the code."""

    status = 400


class StaffAccountError(VneidError):
    status = 403

    def __init__(self) -> None:
        super().__init__(
            "Tài khoản này là tài khoản cán bộ, không đăng nhập bằng VNeID. "
            "Cán bộ đăng nhập bằng tên đăng nhập và mật khẩu.",
            code="vneid_staff_account",
        )


class AccountDisabledError(VneidError):
    status = 403

    def __init__(self) -> None:
        super().__init__(
            "Tài khoản này đã bị khóa trên hệ thống. Hãy liên hệ bộ phận một cửa để được hỗ trợ.",
            code="vneid_account_disabled",
        )


def _unavailable(detail: str = "") -> VneidUnavailableError:
    message = "Không kết nối được với hệ thống định danh điện tử VNeID. Hãy thử lại sau ít phút."
    return VneidUnavailableError(f"{message} {detail}".strip(), code="vneid_unavailable")


def _untrusted() -> VneidUnavailableError:
    return VneidUnavailableError(
        "Phản hồi của VNeID không hợp lệ nên không thể dùng để đăng nhập. Hãy thử lại sau.",
        code="vneid_untrusted",
    )


# ---- the client ---------------------------------------------------------------------------


def enabled() -> bool:
    return bool(
        settings.MOTCUA_VNEID_ISSUER
        and settings.MOTCUA_VNEID_CLIENT_ID
        and settings.MOTCUA_VNEID_CLIENT_SECRET
    )


def _issuer() -> str:
    return str(settings.MOTCUA_VNEID_ISSUER).rstrip("/")


_clients: dict[tuple[str, str, str, float], DjangoOAuth2App] = {}
_clients_lock = threading.Lock()


def _client() -> DjangoOAuth2App:
    """Authlib's client for the configured issuer; one per configuration, so the discovery
    document and the keys are read once (the keys again when VNeID signs with a new one)."""
    if not enabled():
        raise VneidNotConfiguredError
    key = (
        _issuer(),
        str(settings.MOTCUA_VNEID_CLIENT_ID),
        str(settings.MOTCUA_VNEID_CLIENT_SECRET),
        float(settings.MOTCUA_VNEID_TIMEOUT_SECONDS),
    )
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            issuer, client_id, client_secret, timeout = key
            client = OAuth().register(
                name=NAME,
                client_id=client_id,
                client_secret=client_secret,
                server_metadata_url=f"{issuer}/.well-known/openid-configuration",
                client_kwargs={
                    "scope": SCOPE,
                    "code_challenge_method": "S256",
                    "token_endpoint_auth_method": "client_secret_basic",
                    "default_timeout": timeout,
                },
            )
            _clients[key] = client
    return client


def reset_clients() -> None:
    """Forgets the cached discovery documents and keys (tests; a changed configuration)."""
    with _clients_lock:
        _clients.clear()


def _metadata(client: DjangoOAuth2App) -> dict[str, Any]:
    """The discovery document, which must name the issuer it was read from (OIDC Discovery
    §4.3): otherwise every address in it is suspect."""
    try:
        metadata: dict[str, Any] = client.load_server_metadata()
    except (OSError, ValueError, TypeError) as error:  # requests' errors are OSErrors; bad JSON
        raise _unavailable() from error
    if metadata.get("issuer") != _issuer() or not metadata.get("authorization_endpoint"):
        with _clients_lock:  # read it again next time: the fix may be on VNeID's side
            for key, cached in list(_clients.items()):
                if cached is client:
                    del _clients[key]
        raise _untrusted()
    return metadata


def sign_in_redirect(request: HttpRequest, *, redirect_uri: str) -> HttpResponse:
    """The redirect to VNeID's authorize page; state, nonce and verifier stay in the session."""
    client = _client()
    _metadata(client)
    try:
        response: HttpResponse = client.authorize_redirect(request, redirect_uri)
    except (OSError, ValueError) as error:
        raise _unavailable() from error
    return response


# ---- the answer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VneidProfile:
    """What VNeID vouches for, checked; for an organisation the person is its representative."""

    subject: str
    kind: str
    level: int
    id_number: str
    full_name: str
    birth_date: datetime.date | None
    gender: str
    phone: str
    email: str
    address: str
    ward_code: int | None
    org_tax_code: str = ""
    org_name: str = ""


def _drop_state(request: HttpRequest, client: DjangoOAuth2App) -> bool:
    """Forgets the flow this callback answers; whether there was one."""
    state = request.GET.get("state", "")
    known = bool(state) and client.framework.get_state_data(request.session, state) is not None
    if known:
        client.framework.clear_state_data(request.session, state)
    return known


def sign_in_complete(request: HttpRequest) -> VneidProfile:
    """The checked profile of the person VNeID sent back, or a VneidError."""
    client = _client()
    error = request.GET.get("error", "")
    if error:
        known = _drop_state(request, client)
        if error == "access_denied" and known:
            raise VneidRefusedError(
                "Bạn đã hủy đăng nhập bằng VNeID. Bạn vẫn có thể tra cứu thủ tục và hồ sơ "
                "mà không cần đăng nhập.",
                code="vneid_cancelled",
            )
        raise VneidRefusedError(
            "VNeID không xác nhận được danh tính của bạn. Hãy thử đăng nhập lại.",
            code="vneid_refused",
        )
    metadata = _metadata(client)
    issuer, client_id = _issuer(), str(settings.MOTCUA_VNEID_CLIENT_ID)
    claims_options = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }
    try:
        token = client.authorize_access_token(
            request, claims_options=claims_options, leeway=LEEWAY_SECONDS
        )
        id_claims = token.get("userinfo")
        if not id_claims:  # no ID token in the answer: nothing says who this is
            raise _untrusted()
        userinfo = client.userinfo(token=token) if metadata.get("userinfo_endpoint") else {}
    except MismatchingStateError as problem:
        raise VneidRefusedError(
            "Phiên đăng nhập không khớp hoặc đã hết hạn (có thể bạn đã mở lại một trang cũ). "
            "Hãy bắt đầu đăng nhập lại.",
            code="vneid_state",
        ) from problem
    except OAuthError as problem:  # the token endpoint refused: a stale or replayed code
        raise VneidRefusedError(
            "VNeID không chấp nhận yêu cầu đăng nhập này (mã ủy quyền đã dùng hoặc hết hạn). "
            "Hãy bắt đầu đăng nhập lại.",
            code="vneid_grant",
        ) from problem
    except (JoseError, KeyError, TypeError) as problem:  # signature, iss, aud, nonce, exp; keys
        raise _untrusted() from problem
    except (OSError, ValueError) as failure:
        raise _unavailable() from failure
    if userinfo and userinfo.get("sub") != id_claims.get("sub"):
        raise _untrusted()  # OIDC Core §5.3.2: the userinfo must be the ID token's subject
    return _profile({**dict(userinfo), **dict(id_claims)})


def _text(claims: dict[str, Any], name: str, limit: int) -> str:
    value = claims.get(name)
    if not isinstance(value, str):
        return ""
    return " ".join(value.split())[:limit]


def _profile(claims: dict[str, Any]) -> VneidProfile:
    """Checks the claims: a person's number against their birth year and gender, an
    organisation's tax code; whatever is optional and malformed is left blank."""
    subject = claims.get("sub")
    level = claims.get("identity_level")
    acr = claims.get("acr")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise _untrusted()
    if level not in (1, 2) or isinstance(level, bool):
        raise _untrusted()
    if acr is not None and acr != f"vneid:level{level}":
        raise _untrusted()
    birth_date = None
    if isinstance(claims.get("birthdate"), str):
        try:
            birth_date = datetime.date.fromisoformat(claims["birthdate"])
        except ValueError:
            birth_date = None
    gender = claims.get("gender") if claims.get("gender") in Gender.values else ""
    # Not cut to 12: a longer number is refused below, never shortened into someone else's.
    id_number = _text(claims, "personal_id", 64)
    full_name = _text(claims, "name", 200)
    if not full_name or personal_id_problem(
        id_number, date_of_birth=birth_date, gender=str(gender)
    ):
        raise _untrusted()
    phone = normalise_phone(_text(claims, "phone_number", 20))
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    if phone_problem(phone):
        phone = ""
    email = _text(claims, "email", 254)
    try:
        validate_email(email)
    except ValidationError:
        email = ""
    given_address = claims.get("address")
    address: dict[str, Any] = given_address if isinstance(given_address, dict) else {}
    ward = str(address.get("ward_code", ""))
    kind = IdentityKind.PERSON
    org_tax_code = org_name = ""
    if claims.get("account_type") == "organisation":
        kind = IdentityKind.ORGANISATION
        org_tax_code, org_name = _text(claims, "org_tax_code", 14), _text(claims, "org_name", 300)
        if tax_code_problem(org_tax_code) or not org_name:
            raise _untrusted()
    return VneidProfile(
        subject=subject,
        kind=kind,
        level=level,
        id_number=id_number,
        full_name=full_name,
        birth_date=birth_date,
        gender=str(gender),
        phone=phone,
        email=email,
        address=_text(address, "formatted", 500),
        ward_code=int(ward) if _WARD_CODE.fullmatch(ward) else None,
        org_tax_code=org_tax_code,
        org_name=org_name,
    )


# ---- the account --------------------------------------------------------------------------


def username_for(subject: str) -> str:
    """`vneid_<sub>`, or a digest of a subject that is long or has other characters."""
    if _SAFE_SUB.fullmatch(subject):
        return f"{USERNAME_PREFIX}{subject}"
    return f"{USERNAME_PREFIX}{hashlib.sha256(subject.encode()).hexdigest()[:40]}"


@transaction.atomic(durable=True)
def _record(profile: VneidProfile) -> User:
    identity = (
        CitizenIdentity.objects.select_for_update()
        .select_related("user")
        .filter(subject=profile.subject)
        .first()
    )
    if identity is not None:
        user = identity.user
    else:
        user, created = User.objects.get_or_create(username=username_for(profile.subject))
        if created:
            user.set_unusable_password()
        identity = CitizenIdentity(user=user, subject=profile.subject)
    staff = user.is_staff or user.is_superuser
    if staff or Membership.objects.filter(user=user).exists():
        raise StaffAccountError
    if not user.is_active:
        raise AccountDisabledError
    # The full name in first_name, as for staff (egov.orgs.services.staff_provision): Django's
    # get_full_name() then reads in the Vietnamese order.
    user.first_name = profile.full_name[:150]
    user.last_name = ""
    user.email = profile.email
    user.save(update_fields=["first_name", "last_name", "email", "password"])
    for name in (
        "kind",
        "level",
        "id_number",
        "full_name",
        "birth_date",
        "gender",
        "phone",
        "email",
        "address",
        "ward_code",
        "org_tax_code",
        "org_name",
    ):
        setattr(identity, name, getattr(profile, name))
    identity.last_sign_in = timezone.now()
    identity.save()
    return user


def citizen_sign_in(*, profile: VneidProfile) -> User:
    """The citizen's account, created or brought up to date with what VNeID said; the
    caller signs it in. StaffAccountError for an account with roles."""
    try:
        return _record(profile)
    except IntegrityError:
        # The same person finishing two sign-ins at once: the other one made the rows.
        return _record(profile)
