"""Sign-in for API clients: a password exchanged for a bearer token that expires."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone

from egov.core.errors import DomainError

from .models import ApiToken
from .twofactor import has_two_factor, must_use_two_factor, verify_code


class SecondFactorError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Cần mã xác thực hai lớp (otp) đúng cùng mật khẩu.", code="second_factor_required"
        )


class BadCredentialsError(DomainError):
    def __init__(self) -> None:
        super().__init__("Tên đăng nhập hoặc mật khẩu không đúng.", code="bad_credentials")


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(
    *, request: HttpRequest | None, username: str, password: str, otp: str = ""
) -> str:
    """A new token for the account, or BadCredentialsError (the same for any failure).

    Not one transaction: a failed attempt must stay recorded (django-axes counts them toward
    the lockout) although the call fails.
    """
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise BadCredentialsError
    # The second factor, for those who have one or must (egov.accounts.twofactor).
    guarded = has_two_factor(user) or must_use_two_factor(user)
    if guarded and (not otp or verify_code(user, otp) is None):
        raise SecondFactorError
    key = secrets.token_urlsafe(32)
    hours = settings.MOTCUA_API_TOKEN_HOURS
    ApiToken.objects.create(
        user=user,
        key_hash=_hash(key),
        expires_at=timezone.now() + datetime.timedelta(hours=hours),
    )
    return key


def api_token_user(*, key: str) -> User | None:
    """The active account behind a token that has not expired; None otherwise."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(key), expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Record use at most once a minute: a busy client must not write on every call.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
