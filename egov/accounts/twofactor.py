"""Two-factor sign-in with a time-based code (TOTP, django-otp), as authenticator apps give.

An officer with a confirmed device must enter its code after the password before any staff
page or the admin site opens. When the province turns MOTCUA_REQUIRE_2FA on, leaders and
administrators must set a device up first. The API asks for the code with the password.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user, user_has_device  # type: ignore[import-untyped]
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from egov.core.errors import DomainError
from egov.orgs.models import PROVINCE_WIDE_ROLES, Role
from egov.orgs.selectors import memberships_of

# The roles that must use a second factor when the province requires it.
GUARDED_ROLES = frozenset({Role.LEADER, Role.AGENCY_ADMIN, *PROVINCE_WIDE_ROLES})


class WrongCodeError(DomainError):
    def __init__(self) -> None:
        super().__init__("Mã xác thực không đúng hoặc đã hết hạn.", code="wrong_otp")


def must_use_two_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not settings.MOTCUA_REQUIRE_2FA or not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return any(m.role in GUARDED_ROLES for m in memberships_of(user=user))


def has_two_factor(user: AbstractBaseUser) -> bool:
    return bool(user_has_device(user, confirmed=True))


def verify_code(user: AbstractBaseUser, code: str) -> TOTPDevice | None:
    """The user's confirmed device that accepts this code, or None."""
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return None
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, TOTPDevice) and device.verify_token(code):
            return device
    return None


def sign_in_second_factor(request: HttpRequest, code: str) -> None:
    """Mark this session as past the second factor, or WrongCodeError."""
    device = verify_code(request.user, code)  # type: ignore[arg-type]
    if device is None:
        raise WrongCodeError
    otp_login(request, device)


@transaction.atomic(durable=True)
def enrolment_device(user: AbstractBaseUser) -> TOTPDevice:
    """The device being set up (unconfirmed until a first code matches), made if needed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)
    return device


@transaction.atomic(durable=True)
def enrolment_confirm(request: HttpRequest, code: str) -> None:
    """A first matching code confirms the device and signs this session in with it."""
    device = (
        TOTPDevice.objects.select_for_update().filter(user=request.user, confirmed=False).first()
    )
    if device is None or not device.verify_token(code.strip().replace(" ", "")):
        raise WrongCodeError
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
