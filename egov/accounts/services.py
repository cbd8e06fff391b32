"""Writes of the accounts app: API tokens (a password exchanged for a bearer token that
expires; revoked by its owner, an administrator, a new password or a switched-off account),
staff passwords (set, reset by e-mail) and the admin site's account details."""

import datetime
import functools
import hashlib
import logging
import secrets
import unicodedata
import uuid
from collections.abc import Iterable

from axes.utils import reset as axes_reset  # type: ignore[import-untyped]
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from egov.core.errors import DomainError, NotAllowedError
from egov.core.reference import stamp_seen, stamp_sql

from . import policies
from .models import ApiToken, RevokeReason, password_hash_digest
from .twofactor import has_two_factor, must_use_two_factor, verify_code

logger = logging.getLogger(__name__)

# What the admin site lets an administrator change on an account; a superuser changes all.
ACCOUNT_DETAILS = frozenset({"first_name", "last_name", "email", "is_active"})


class SecondFactorError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Cần mã xác thực hai lớp (otp) đúng cùng mật khẩu.", code="second_factor_required"
        )


class BadCredentialsError(DomainError):
    def __init__(self) -> None:
        super().__init__("Tên đăng nhập hoặc mật khẩu không đúng.", code="bad_credentials")


class ApiTokenNotFoundError(DomainError):
    """Not there, or not this person's to see (HTTP 404): the answer is the same."""

    def __init__(self) -> None:
        super().__init__("Không tìm thấy mã truy cập API.", code="api_token_not_found")


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_digest(user: User) -> str:
    """What ties a token to the password it was issued with: a digest of the stored password
    hash (no secret key, so rotating SECRET_KEY leaves tokens alone). A password changed by
    any means, even one that bypasses password_set (`manage.py changepassword`,
    egov.orgs.services.staff_provision), no longer matches: the API refuses the account's
    older tokens, and the lists show them as ended (ApiToken.password_changed), though no
    row says they were revoked.

    The stored hash also changes when Django re-hashes an unchanged password at sign-in after
    a hasher upgrade (a new Django raises the iterations): that ends the account's tokens as
    well. Accepted, not a bug: a token lasts at most MOTCUA_API_TOKEN_HOURS anyway, and the
    software signs in again for a new one (issued after the re-hash, so it matches)."""
    return password_hash_digest(user.password)


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
        prefix=key[:8],  # how the owner tells their tokens apart; too short to sign in with
        password_digest=password_digest(user),
        expires_at=timezone.now() + datetime.timedelta(hours=hours),
    )
    return key


def api_token_user(*, key: str) -> User | None:
    """The active account behind a token that has not expired nor been revoked, issued with
    the account's current password; None otherwise."""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    found = list(
        User.objects.raw(_token_user_sql(), [adapt(now - _TOKEN_TOUCH), _hash(key), adapt(now)])
    )
    if not found:
        return None
    user = found[0]
    current = password_hash_digest(user.password)
    if not secrets.compare_digest(user.token_password_digest, current):  # type: ignore[attr-defined]
        return None  # issued with an earlier password (ApiToken.password_changed)
    stamp_seen(user.reference_stamp)  # type: ignore[attr-defined]
    # Record use at most once a minute: a busy client must not write on every call.
    if user.token_stale:  # type: ignore[attr-defined]
        ApiToken.objects.filter(pk=user.token_pk).update(last_used_at=now)  # type: ignore[attr-defined]
    return user


_TOKEN_TOUCH = datetime.timedelta(minutes=1)


@functools.cache
def _token_user_sql() -> str:
    """Every API request's first query, written once per process (Django compiled its ORM
    form anew each time: most of an API request's authentication): the account of a token
    that works, the facts about the token that the request needs, and the reference stamp
    carried along (`stamp_seen`). The key's hash is unique."""
    quote = connection.ops.quote_name
    users = ", ".join(f"u.{quote(field.column)}" for field in User._meta.concrete_fields)
    return (
        f"SELECT {users}, t.{quote('id')} AS token_pk, "  # noqa: S608 - names are ours
        f"t.{quote('password_digest')} AS token_password_digest, "
        f"(t.{quote('last_used_at')} IS NULL OR t.{quote('last_used_at')} < %s) AS token_stale, "
        f"{stamp_sql()} AS reference_stamp "
        f"FROM {quote(ApiToken._meta.db_table)} t "
        f"JOIN {quote(User._meta.db_table)} u ON u.{quote('id')} = t.{quote('user_id')} "
        f"WHERE t.{quote('key_hash')} = %s AND t.{quote('expires_at')} > %s "
        f"AND t.{quote('revoked_at')} IS NULL AND u.{quote('is_active')}"
    )


@transaction.atomic  # a helper: password_set and account_save call it inside theirs
def api_tokens_revoke_all(
    *, user: User, reason: RevokeReason, actor: policies.Actor | None = None
) -> int:
    """Revoke every token of the account that still works; returns how many. Callers have
    checked who may (account_api_tokens_revoke does for a person's request)."""
    revoked = ApiToken.objects.filter(
        user_id=user.pk, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).update(
        revoked_at=timezone.now(),
        revoked_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        revoke_reason=reason,
    )
    if revoked:
        logger.info("%s API tokens of account %s revoked (%s)", revoked, user.pk, reason)
    return revoked


def _reason(actor: policies.Actor, account: User) -> RevokeReason:
    return RevokeReason.OWNER if actor.pk == account.pk else RevokeReason.ADMINISTRATOR


@transaction.atomic(durable=True)
def api_token_revoke(
    *, actor: policies.Actor, token_id: uuid.UUID, account: User | None = None
) -> ApiToken:
    """Revoke one token, known by its public id (and of this account, when given): the
    owner's own, or one of an account the actor manages (egov.accounts.policies);
    ApiTokenNotFoundError for anyone else. A token that no longer works (revoked, expired,
    its password changed) stays as it is."""
    tokens = ApiToken.objects.select_for_update(of=("self",)).select_related("user")
    if account is not None:
        tokens = tokens.filter(user_id=account.pk)
    token = tokens.filter(public_id=token_id).first()
    if token is None or not policies.can_revoke_api_tokens(actor, token.user):
        raise ApiTokenNotFoundError
    if token.works:
        token.revoked_at = timezone.now()
        token.revoked_by_id = actor.pk
        token.revoke_reason = _reason(actor, token.user)
        token.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        logger.info("API token %s of account %s revoked", token.public_id, token.user_id)
    return token


@transaction.atomic(durable=True)
def account_api_tokens_revoke(*, actor: policies.Actor, account: User) -> int:
    """Revoke every token of the account that still works ("Thu hồi tất cả"): the owner their
    own, an administrator an account they manage (NotAllowedError otherwise). Returns how
    many."""
    if not policies.can_revoke_api_tokens(actor, account):
        raise NotAllowedError("Bạn không có quyền thu hồi mã truy cập API của tài khoản này.")
    return api_tokens_revoke_all(user=account, reason=_reason(actor, account), actor=actor)


@transaction.atomic  # the admin site and the password forms may call it inside their own
def password_set(*, user: User, password: str) -> User:
    """Give the account a new password (already checked against the password rules) and end
    everything signed in with the old one.

    Every session of the account ends with it: Django keeps a digest of the password hash in
    each session and drops a session whose digest no longer matches. The page that changed
    the password keeps its own session alive, if it wants to, with update_session_auth_hash.
    The API's bearer tokens are revoked, and a lockout for repeated failures is lifted: the
    person has just proved who they are. Callers check who may do this (the reset link's
    token, the current password, egov.accounts.policies for an administrator).
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.set_password(password)
    locked.save(update_fields=["password"])
    user.password = locked.password
    api_tokens_revoke_all(user=user, reason=RevokeReason.PASSWORD)
    axes_reset(username=user.get_username())
    logger.info("Password set for account %s", user.pk)
    return user


def _same_address(first: str, second: str) -> bool:
    def fold(text: str) -> str:
        return unicodedata.normalize("NFKC", text).casefold()

    return fold(first) == fold(second)


def password_reset_accounts(*, email: str) -> list[User]:
    """The active accounts with a password (staff: citizens sign in with VNeID) that give
    this e-mail address, compared as Django's own reset form does."""
    candidates = User.objects.filter(email__iexact=email, is_active=True).order_by("pk")
    return [
        user
        for user in candidates
        if user.has_usable_password() and _same_address(user.email, email)
    ]


def password_reset_mail_send(*, email: str, base_url: str) -> int:
    """Send each account with this address a link to set a new password; returns how many.

    The link (`base_url` + the reset page) carries a token that works once (it hashes the
    password and the last sign-in) and only for PASSWORD_RESET_TIMEOUT. Run from a task
    (egov.accounts.tasks), so the page that asked answers the same, as fast, whether or not
    an account has the address.
    """
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    sent = 0
    for user in password_reset_accounts(email=email):
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        context = {
            "name": user.get_full_name() or user.get_username(),
            "username": user.get_username(),
            "link": base_url.rstrip("/") + path,
            "minutes": minutes,
            "site_name": settings.MOTCUA_SITE_NAME,
        }
        subject = render_to_string("accounts/password_reset_subject.txt", context)
        body = render_to_string("accounts/password_reset_email.txt", context)
        EmailMessage(" ".join(subject.split()), body, to=[user.email]).send()
        sent += 1
    return sent


@transaction.atomic  # the admin site calls it inside its own transaction
def account_save(*, actor: policies.Actor, account: User, changed: Iterable[str] | None) -> User:
    """The admin site's "save" on an account: a new one (`changed` None), or these details
    of an existing one. Switching an account off ends its sessions and its API tokens (Django
    signs nobody in as an inactive account)."""
    if changed is None:
        if not policies.can_create_account(actor):
            raise NotAllowedError("Bạn không có quyền tạo tài khoản.")
        account.save()
        return account
    if not policies.can_manage_account(actor, account):
        raise NotAllowedError("Bạn không có quyền sửa tài khoản này.")
    fields = set(changed)
    if getattr(actor, "is_superuser", False):
        account.save()  # every field; the admin site saves groups and permissions itself
    elif fields - ACCOUNT_DETAILS:
        raise NotAllowedError("Bạn chỉ được sửa họ tên, thư điện tử và trạng thái tài khoản.")
    elif fields:
        account.save(update_fields=sorted(fields))
    if "is_active" in fields and not account.is_active:
        api_tokens_revoke_all(user=account, reason=RevokeReason.DEACTIVATED, actor=actor)
    return account
