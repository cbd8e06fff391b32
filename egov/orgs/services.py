"""Writes for agencies, staff accounts and the province's calendar.

Services that people reach through a page take the acting user as `actor` and ask the
policies; `actor=None` means the operator at the command line (seed, create_staff), who has
the machine and so every right.
"""

import datetime
import unicodedata
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from egov.core.errors import NotAllowedError

from . import policies
from .errors import AgencyError, StaffAccountError, UnknownRoleError
from .models import PROVINCE_WIDE_ROLES, Agency, CalendarEntry, Membership, Role
from .selectors import agency_get

# Roles whose holders manage records through the admin site.
ADMIN_SITE_ROLES = frozenset({Role.AGENCY_ADMIN, *PROVINCE_WIDE_ROLES})


def _derived_qd20(code: str) -> str:
    """QĐ 20/2020 code derived from a QCVN 102 one (see egov.demo.agencies)."""
    level1, level2, level3, province = code.split(".")
    parts = [province]
    if level3 != "00":
        parts.append(level3)
    if level2 != "00":
        parts.append(level2)
    if level1 != "000":
        parts.append(level1)
    return ".".join(parts)


@transaction.atomic(durable=True)
def agency_upsert(
    *,
    code: str,
    name: str,
    kind: str,
    province_code: int,
    parent_code: str | None = None,
    short_name: str = "",
    ward_code: int | None = None,
    code_qd20: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    valid_from: datetime.date,
) -> tuple[Agency, bool]:
    """Create the agency, or bring an existing one with this code up to these values.

    The help phone and the address the forms print are kept as they are when not given
    (None), so a seed run again does not wipe what an administrator recorded since.
    Returns the agency and whether anything was written, so a seed run twice writes nothing.
    """
    values = {
        "code_qd20": code_qd20 or _derived_qd20(code),
        "name": name,
        "short_name": short_name,
        "kind": kind,
        "parent": agency_get(code=parent_code) if parent_code else None,
        "province_code": province_code,
        "ward_code": ward_code,
    }
    if phone is not None:
        values["phone"] = phone.strip()
    if address is not None:
        values["address"] = address.strip()
    agency = Agency.objects.select_for_update().filter(code=code).first()
    if agency is None:
        agency = Agency(code=code, valid_from=valid_from, **values)
        agency.full_clean()
        agency.save()
        return agency, True
    changed = [field for field, value in values.items() if getattr(agency, field) != value]
    if not changed:
        return agency, False
    for field in changed:
        setattr(agency, field, values[field])
    agency.full_clean()
    agency.save(update_fields=changed)
    return agency, True


def _parse_roles(roles: Iterable[str]) -> list[Role]:
    valid = [role.value for role in Role]
    parsed = []
    for raw in roles:
        role = raw.strip()
        if role not in valid:
            raise UnknownRoleError(role, valid)
        parsed.append(Role(role))
    if not parsed:
        raise StaffAccountError("Cần ít nhất một vai trò.", code="no_role")
    return parsed


@transaction.atomic(durable=True)
def staff_provision(
    *,
    username: str,
    password: str | None,
    agency_code: str,
    roles: Iterable[str],
    full_name: str = "",
    email: str = "",
    title: str = "",
) -> tuple[AbstractUser, list[Membership]]:
    """Create a staff account (or take the existing one) and give it roles in an agency.

    A new account needs a password that passes the password rules; for an existing account a
    password, if given, replaces the old one. Roles it already holds are kept as they are,
    except that a title, if given, becomes the title of these roles at this agency (what the
    forms print under the officer's name: "Phó Chủ tịch").
    Returns the user and the memberships this call added.
    """
    agency = agency_get(code=agency_code)
    parsed_roles = _parse_roles(roles)
    user_model = get_user_model()
    user = user_model.objects.select_for_update().filter(username=username).first()
    if user is None:
        if not password:
            raise StaffAccountError("Tài khoản mới cần mật khẩu.", code="password_required")
        user = user_model(username=username, email=email)
    if full_name:
        user.first_name = full_name[: user_model._meta.get_field("first_name").max_length]
    if email:
        user.email = email
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise StaffAccountError(
                "Mật khẩu chưa đạt yêu cầu: " + " ".join(error.messages), code="weak_password"
            ) from error
        user.set_password(password)
    try:
        user.full_clean()  # the username's characters and length, the e-mail's shape
    except ValidationError as error:
        raise StaffAccountError(
            "Tài khoản chưa hợp lệ: " + " ".join(error.messages), code="invalid_account"
        ) from error
    user.save()
    added = [
        membership
        for role in parsed_roles
        if (membership := _membership_activate(user=user, agency=agency, role=role)) is not None
    ]
    if title.strip():
        _membership_title_set(user=user, agency=agency, roles=parsed_roles, title=title)
        for membership in added:
            membership.refresh_from_db(fields=["title"])
    return user, added


def _membership_title_set(
    *, user: AbstractUser, agency: Agency, roles: Iterable[str], title: str
) -> None:
    """The title of these roles of the user at the agency, spaces tidied."""
    title = " ".join(title.split())
    max_length = Membership._meta.get_field("title").max_length or 0
    if len(title) > max_length:
        raise StaffAccountError(f"Chức vụ dài quá {max_length} ký tự.", code="bad_title")
    if any(unicodedata.category(char) == "Cc" for char in title):
        raise StaffAccountError("Chức vụ có ký tự điều khiển.", code="bad_title")
    for membership in Membership.objects.select_for_update().filter(
        user_id=user.pk, agency=agency, role__in=list(roles)
    ):
        if membership.title != title:
            membership.title = title
            membership.save(update_fields=["title"])


def _membership_activate(*, user: AbstractUser, agency: Agency, role: str) -> Membership | None:
    """Give the role (or wake a sleeping one); None when the user already held it."""
    membership, created = Membership.objects.get_or_create(
        user=user, agency=agency, role=role, defaults={"active": True}
    )
    if not created and membership.active:
        return None
    if not created:
        membership.active = True
        membership.save(update_fields=["active"])
    _sync_admin_site_access(user)
    return membership


def _sync_admin_site_access(user: AbstractUser) -> None:
    """The admin site is for those with an active admin or auditor role (and superusers)."""
    # Lock the account first: two admins switching off its last two roles at once must not
    # each see the other's role still active.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    needs = (
        user.is_superuser
        or Membership.objects.filter(
            user_id=user.pk, active=True, role__in=ADMIN_SITE_ROLES
        ).exists()
    )
    if user.is_staff != needs:
        user.is_staff = needs
        user.save(update_fields=["is_staff"])


@transaction.atomic  # the admin site calls it inside its own transaction
def membership_grant(
    *, actor: policies.Actor, user: AbstractUser, agency: Agency, role: str, title: str = ""
) -> Membership:
    """An administrator gives a user a role in an agency (the admin site's "add"), with the
    title the forms print under the officer's name, if any."""
    if role not in Role.values:
        raise UnknownRoleError(role, list(Role.values))
    if not policies.can_grant_role(actor, agency, role):
        raise NotAllowedError("Bạn không có quyền giao vai trò này tại cơ quan này.")
    membership = _membership_activate(user=user, agency=agency, role=role)
    if membership is None:
        raise StaffAccountError("Người dùng đã có vai trò này tại cơ quan này.", code="exists")
    if title.strip():
        _membership_title_set(user=user, agency=agency, roles=[role], title=title)
        membership.refresh_from_db(fields=["title"])
    return membership


def _membership_to_change(*, actor: policies.Actor, membership_id: int) -> Membership:
    """The role, locked, if this person may change it."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("agency", "user")
        .get(pk=membership_id)
    )
    if not policies.can_grant_role(actor, membership.agency, membership.role):
        raise NotAllowedError("Bạn không có quyền thay đổi vai trò này.")
    return membership


@transaction.atomic  # the admin site calls it inside its own transaction
def membership_set_active(*, actor: policies.Actor, membership_id: int, active: bool) -> None:
    """Suspend or restore a role; roles are switched off rather than deleted, for history."""
    membership = _membership_to_change(actor=actor, membership_id=membership_id)
    if membership.active != active:
        membership.active = active
        membership.save(update_fields=["active"])
        _sync_admin_site_access(membership.user)


@transaction.atomic  # the admin site calls it inside its own transaction
def membership_set_title(*, actor: policies.Actor, membership_id: int, title: str) -> None:
    """Record or correct the title a role carries ("" clears it): what the forms print
    under the officer's name. Forms printed later name the new title."""
    membership = _membership_to_change(actor=actor, membership_id=membership_id)
    _membership_title_set(
        user=membership.user, agency=membership.agency, roles=[membership.role], title=title
    )


@transaction.atomic  # the admin site calls it inside its own transaction
def agency_save(*, actor: policies.Actor, agency: Agency, changed: list[str]) -> Agency:
    """A province administrator records or corrects an agency (the admin site's form).

    Codes are fixed once given (DOMAIN §1: nothing is recoded); an agency that changes is
    closed with valid_to and a successor.
    """
    if not policies.is_province_admin(actor):
        raise NotAllowedError("Chỉ quản trị tỉnh được cập nhật danh mục cơ quan.")
    if agency.pk and {"code", "code_qd20"} & set(changed):
        raise NotAllowedError("Không được đổi mã định danh của cơ quan đã có.")
    if agency.pk and agency.pk in {agency.parent_id, agency.successor_id}:
        raise AgencyError("Một cơ quan không thể là cấp trên hay cơ quan kế thừa của chính nó.")
    try:
        agency.full_clean()
    except ValidationError as error:
        raise AgencyError(" ".join(error.messages)) from error
    if agency.pk:
        agency.save(update_fields=changed or None)
    else:
        agency.save()
    return agency


@transaction.atomic  # the admin site calls it inside its own transaction
def calendar_entry_set(
    *,
    actor: policies.Actor | None = None,
    date: datetime.date,
    kind: str,
    name: str,
    legal_basis: str,
) -> tuple[CalendarEntry, bool]:
    """Record (or correct) the province's entry for a date; returns it and whether it changed."""
    if actor is not None and not policies.can_manage_calendar(actor):
        raise NotAllowedError("Chỉ quản trị tỉnh được cập nhật lịch làm việc.")
    entry = CalendarEntry.objects.select_for_update().filter(date=date).first()
    values = {"kind": kind, "name": name, "legal_basis": legal_basis}
    if entry is None:
        entry = CalendarEntry(date=date, **values)
        entry.full_clean()
        entry.save()
        return entry, True
    changed = [field for field, value in values.items() if getattr(entry, field) != value]
    for field in changed:
        setattr(entry, field, values[field])
    if changed:
        entry.full_clean()
        entry.save(update_fields=changed)
    return entry, bool(changed)


@transaction.atomic  # the admin site calls it inside its own transaction
def calendar_entry_delete(*, actor: policies.Actor, date: datetime.date) -> None:
    """Remove a mistaken entry; the national calendar then decides that date again."""
    if not policies.can_manage_calendar(actor):
        raise NotAllowedError("Chỉ quản trị tỉnh được cập nhật lịch làm việc.")
    CalendarEntry.objects.filter(date=date).delete()
